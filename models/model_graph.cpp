#include "models/model_graph.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <c10/util/Exception.h>

#include "models/spec_options.h"

extern char** environ;

namespace mmoe::models {
namespace {

std::string graph_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out + "\"";
}

std::string graph_widths(int64_t input, const std::vector<int64_t>& widths) {
  std::string out = std::to_string(input);
  for (int64_t w : widths) out += " → " + std::to_string(w);
  return out;
}

std::string graph_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string graph_count(int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

const char* graph_activation(Activation activation) {
  switch (activation) {
    case Activation::kRelu: return "relu";
    case Activation::kGelu: return "gelu";
    case Activation::kSilu: return "silu";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}

std::string graph_output_label(const TaskHeadSpec& task) {
  std::string label = task.name + "\n" + to_string(task.type) + ", " + std::to_string(task.output_dim);
  switch (task.type) {
    case TaskType::kMulticlass: return label + (task.output_dim == 1 ? " class" : " classes");
    case TaskType::kMultilabel: return label + (task.output_dim == 1 ? " label" : " labels");
    case TaskType::kRegression: return label + (task.output_dim == 1 ? " output" : " outputs");
  }
  return label;
}

// Builds the DOT text; one method per part of the architecture.
class ModelGraphWriter {
 public:
  ModelGraphWriter(const ModelSpec& spec, const GateLayout& layout) : spec_(spec), layout_(layout) {}

  std::string write(int64_t param_count) {
    out_ << "digraph model {\n";
    out_ << "  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label="
         << graph_quote(std::string(to_string(spec_.type)) + ": " + std::to_string(spec_.tasks.size()) + " tasks, " +
                        graph_count(param_count) + " parameters" +
                        (layout_.description.empty() ? "" : "\n" + layout_.description))
         << "];\n";
    out_ << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n";
    out_ << "  edge [fontname=\"Helvetica\"];\n";
    const std::string trunk = input_part();
    std::vector<std::string> tower_inputs;
    const std::vector<int64_t> expert_widths = spec_.expert_hidden;
    const std::vector<int64_t> bottom = bottom_widths(spec_);
    int64_t tower_width = 0;
    if (layout_.has_gates()) {
      tower_inputs = gated_part(trunk);
      tower_width = expert_widths.empty() ? trunk_width_ : expert_widths.back();
    } else if (spec_.type == ModelType::kSingleTask) {
      tower_inputs = per_task_networks(trunk, bottom);
      tower_width = bottom.empty() ? trunk_width_ : bottom.back();
    } else {
      node("bottom", "shared bottom\n" + graph_widths(trunk_width_, bottom) + " " +
                         graph_activation(spec_.activation) + dropout_note(spec_.expert_dropout),
           "#e8f0fe");
      edge(trunk, "bottom");
      tower_inputs.assign(spec_.tasks.size(), "bottom");
      tower_width = bottom.empty() ? trunk_width_ : bottom.back();
    }
    towers(tower_inputs, tower_width);
    out_ << "}\n";
    return out_.str();
  }

 private:
  static std::string dropout_note(double p) { return p > 0.0 ? ", dropout " + graph_number(p) : ""; }

  void node(const std::string& id, const std::string& label, const std::string& fill, const std::string& extra = "") {
    out_ << "  " << id << " [label=" << graph_quote(label) << ", fillcolor=\"" << fill << "\"" << extra << "];\n";
  }

  void edge(const std::string& from, const std::string& to, const std::string& attributes = "") {
    out_ << "  " << from << " -> " << to << (attributes.empty() ? "" : " [" + attributes + "]") << ";\n";
  }

  // backbone -> input [-> standardize] [-> shared]; returns the last node, sets trunk_width_.
  std::string input_part() {
    out_ << "  subgraph cluster_backbone {\n    label=\"frozen backbone\"; style=dashed; color=\"#888888\";\n";
    out_ << "    backbone [label=\"frozen ViT backbone (DINOv2 / DINOv3)\\nfeatures cached by mmoe cache\", "
            "fillcolor=\"#eeeeee\"];\n  }\n";
    node("input", "input features\n[B, " + std::to_string(spec_.input_dim) + "]", "#ffffff", ", shape=box");
    edge("backbone", "input");
    std::string last = "input";
    if (spec_.standardize_features) {
      node("standardize", "standardize\n(x - mean) / std, " + std::to_string(spec_.input_dim) + " features", "#f3f3f3");
      edge(last, "standardize");
      last = "standardize";
    }
    trunk_width_ = spec_.input_dim;
    if (spec_.shared_dim > 0) {
      node("shared", "shared layer\nLinear " + graph_widths(spec_.input_dim, {spec_.shared_dim}) +
                         ", BatchNorm, relu" + dropout_note(spec_.shared_dropout),
           "#e8f0fe");
      edge(last, "shared");
      last = "shared";
      trunk_width_ = spec_.shared_dim;
    }
    return last;
  }

  // Experts, gates and mixing nodes from the gate layout; returns each task's tower input.
  std::vector<std::string> gated_part(const std::string& trunk) {
    std::vector<std::string> experts;  // distinct expert names, in order of first appearance
    for (const auto& names : layout_.expert_names) {
      for (const auto& name : names) {
        if (std::find(experts.begin(), experts.end(), name) == experts.end()) experts.push_back(name);
      }
    }
    auto expert_id = [&experts](const std::string& name) {
      return "expert_" + std::to_string(std::find(experts.begin(), experts.end(), name) - experts.begin());
    };
    out_ << "  subgraph cluster_experts {\n    label=\"experts\"; style=dashed; color=\"#888888\";\n";
    for (size_t e = 0; e < experts.size(); ++e) {
      out_ << "    expert_" << e << " [label="
           << graph_quote("expert " + experts[e] + "\n" + graph_widths(trunk_width_, spec_.expert_hidden) + " " +
                          graph_activation(spec_.activation) + dropout_note(spec_.expert_dropout))
           << ", fillcolor=\"#e8f0fe\"];\n";
    }
    out_ << "  }\n";
    for (size_t e = 0; e < experts.size(); ++e) edge(trunk, "expert_" + std::to_string(e));
    const int64_t expert_width = spec_.expert_hidden.empty() ? trunk_width_ : spec_.expert_hidden.back();
    for (size_t g = 0; g < layout_.gate_names.size(); ++g) {
      const auto& gate_experts = layout_.expert_names.at(g);
      const std::string gate = "gate_" + std::to_string(g);
      const std::string mix = "mix_" + std::to_string(g);
      std::string label = "gate " + layout_.gate_names[g] + "\nLinear " +
                          graph_widths(trunk_width_, {static_cast<int64_t>(gate_experts.size())}) + ", softmax";
      if (spec_.gate.temperature != 1.0) label += " / " + graph_number(spec_.gate.temperature);
      if (spec_.gate.top_k > 0) label += ", top-" + std::to_string(spec_.gate.top_k);
      if (spec_.gate.noisy) label += ", noisy";
      node(gate, label, "#fff4e5", ", shape=trapezium");
      edge(trunk, gate);
      for (const auto& name : gate_experts) edge(gate, expert_id(name), "style=dashed, color=\"#d08000\", constraint=false");
      node(mix, "mix " + layout_.gate_names[g] + "\nΣ_e gate_e · expert_e [" + std::to_string(expert_width) + "]",
           "#fff4e5", ", shape=ellipse");
      for (const auto& name : gate_experts) edge(expert_id(name), mix);
      edge(gate, mix, "color=\"#d08000\"");
    }
    std::vector<std::string> inputs;
    for (const auto& task : spec_.tasks) inputs.push_back("mix_" + std::to_string(gate_for(task.name)));
    return inputs;
  }

  // The gate whose mixture feeds a task's tower: the last gate named after the task, else the last
  // gate whose name contains it (e.g. a level prefix), else the last gate (one shared gate).
  size_t gate_for(const std::string& task) const {
    const auto& names = layout_.gate_names;
    for (size_t g = names.size(); g-- > 0;) {
      if (names[g] == task) return g;
    }
    for (size_t g = names.size(); g-- > 0;) {
      if (names[g].find(task) != std::string::npos) return g;
    }
    return names.size() - 1;
  }

  std::vector<std::string> per_task_networks(const std::string& trunk, const std::vector<int64_t>& widths) {
    std::vector<std::string> inputs;
    for (size_t t = 0; t < spec_.tasks.size(); ++t) {
      const std::string id = "network_" + std::to_string(t);
      node(id, "network " + spec_.tasks[t].name + "\n" + graph_widths(trunk_width_, widths) + " " +
                   graph_activation(spec_.activation) + dropout_note(spec_.expert_dropout),
           "#e8f0fe");
      edge(trunk, id);
      inputs.push_back(id);
    }
    return inputs;
  }

  void towers(const std::vector<std::string>& inputs, int64_t width) {
    for (size_t t = 0; t < spec_.tasks.size(); ++t) {
      const TaskHeadSpec& task = spec_.tasks[t];
      std::vector<int64_t> widths = spec_.tower_hidden;
      widths.push_back(task.output_dim);
      const std::string tower = "tower_" + std::to_string(t);
      const std::string output = "output_" + std::to_string(t);
      node(tower, "tower " + task.name + "\n" + graph_widths(width, widths) + dropout_note(spec_.tower_dropout),
           "#e6f4ea");
      node(output, graph_output_label(task), "#e6f4ea", ", shape=ellipse");
      edge(inputs.at(t), tower);
      edge(tower, output);
    }
  }

  const ModelSpec& spec_;
  const GateLayout& layout_;
  std::ostringstream out_;
  int64_t trunk_width_ = 0;
};

std::string graph_extension(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

void graph_write_text(const std::string& text, const std::string& path) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  TORCH_CHECK(file.good(), "write_model_graph: cannot open '", path, "' for writing: ", std::strerror(errno));
  file << text;
  file.close();
  TORCH_CHECK(file.good(), "write_model_graph: cannot write '", path, "'");
}

// Runs `dot -T<format> -o <output> <input>` without a shell (arguments are passed as argv); throws
// c10::Error with its stderr when it cannot be started or fails.
void graph_run_dot(const std::string& format, const std::string& input, const std::string& output,
                   const std::string& path) {
  int err_pipe[2];
  TORCH_CHECK(pipe2(err_pipe, O_CLOEXEC) == 0, "write_model_graph '", path, "': pipe: ", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::string program = "dot";
  std::string type_flag = "-T" + format;
  std::string output_flag = "-o";
  std::string output_path = output;
  std::string input_path = input;
  std::vector<char*> argv = {program.data(), type_flag.data(), output_flag.data(), output_path.data(),
                             input_path.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(err_pipe[0]);
    TORCH_CHECK(spawned != ENOENT, "write_model_graph '", path,
                "': Graphviz 'dot' is not installed; write .dot or apt-get install graphviz");
    TORCH_CHECK(false, "write_model_graph '", path, "': cannot run Graphviz 'dot': ", std::strerror(spawned));
  }
  std::string errors;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(err_pipe[0], buffer, sizeof(buffer));
    if (n > 0) {
      errors.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  TORCH_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "write_model_graph '", path,
              "': Graphviz 'dot' failed (status ", status, "): ", errors);
}

}  // namespace

std::string model_graph_dot(const ModelSpec& spec, const GateLayout& layout, int64_t param_count) {
  TORCH_CHECK(layout.gate_names.size() == layout.expert_names.size(),
              "model_graph_dot: the gate layout has ", layout.gate_names.size(), " gates but ",
              layout.expert_names.size(), " expert lists");
  return ModelGraphWriter(spec, layout).write(param_count);
}

void write_model_graph(const std::string& dot, const std::string& path) {
  const std::string ext = graph_extension(path);
  if (ext == "dot" || ext == "gv") {
    graph_write_text(dot, path);
    return;
  }
  TORCH_CHECK(ext == "png" || ext == "svg" || ext == "pdf", "write_model_graph '", path,
              "': unknown extension; use .dot, .gv, .png, .svg or .pdf");
  const std::string source = path + ".partial.dot";
  const std::string rendered = path + ".partial";
  graph_write_text(dot, source);
  try {
    graph_run_dot(ext, source, rendered, path);
  } catch (...) {
    std::remove(source.c_str());
    std::remove(rendered.c_str());
    throw;
  }
  std::remove(source.c_str());
  if (std::rename(rendered.c_str(), path.c_str()) != 0) {
    const int code = errno;
    std::remove(rendered.c_str());
    TORCH_CHECK(false, "write_model_graph: cannot rename '", rendered, "' to '", path, "': ", std::strerror(code));
  }
}

}  // namespace mmoe::models
