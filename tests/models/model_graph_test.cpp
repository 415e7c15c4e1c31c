// The architecture graph: nodes and edges of the DOT text, rendering with Graphviz when it is
// installed, and the error when it is not.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/make_model.h"
#include "models/model_graph.h"

namespace mmoe::models {
namespace model_graph_test {
namespace {

namespace fs = std::filesystem;

class GraphScratchDir {
 public:
  GraphScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "mmoe_graph_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~GraphScratchDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path_), {})); }

 private:
  std::string path_;
};

// Puts PATH back on scope exit.
class PathGuard {
 public:
  PathGuard() : had_(std::getenv("PATH") != nullptr), saved_(had_ ? std::getenv("PATH") : "") {}
  ~PathGuard() {
    if (had_) {
      setenv("PATH", saved_.c_str(), 1);
    } else {
      unsetenv("PATH");
    }
  }

 private:
  bool had_;
  std::string saved_;
};

bool graphviz_installed() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((fs::path(dir) / "dot").c_str(), X_OK) == 0) return true;
  }
  return false;
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

ModelSpec graph_spec(ModelType type) {
  ModelSpec spec;
  spec.type = type;
  spec.input_dim = 768;
  spec.num_experts = 4;
  spec.expert_hidden = {256, 128};
  spec.tower_hidden = {64};
  spec.shared_dim = 512;
  spec.standardize_features = true;
  spec.tasks.resize(3);
  spec.tasks[0].name = "family";
  spec.tasks[0].output_dim = 12;
  spec.tasks[1].name = "habitat";
  spec.tasks[1].type = TaskType::kMultilabel;
  spec.tasks[1].output_dim = 5;
  spec.tasks[2].name = "trophic \"level\"";
  spec.tasks[2].type = TaskType::kRegression;
  spec.tasks[2].output_dim = 1;
  return spec;
}

// The layout an MMoE with 4 experts and these 3 tasks reports (written out, not asked of the model).
GateLayout mmoe_layout() {
  GateLayout layout;
  layout.gate_names = {"family", "habitat", "trophic \"level\""};
  layout.expert_names.assign(3, {"e0", "e1", "e2", "e3"});
  layout.description = "one softmax gate per task over 4 shared experts";
  return layout;
}

TEST(ModelGraph, MmoeHasOneNodePerExpertAndGateAndAnEdgeForEveryPair) {
  const std::string dot = model_graph_dot(graph_spec(ModelType::kMmoe), mmoe_layout(), 1234567);
  EXPECT_EQ(dot.rfind("digraph model {", 0), 0u);
  EXPECT_EQ(occurrences(dot, "  expert_"), 4u + 12u) << dot;  // 4 nodes and 12 expert -> mix edges
  for (int e = 0; e < 4; ++e) {
    EXPECT_EQ(occurrences(dot, "    expert_" + std::to_string(e) + " [label=\"expert e" + std::to_string(e) +
                                   "\\n512 → 256 → 128 relu\""),
              1u)
        << dot;
  }
  for (int g = 0; g < 3; ++g) {
    EXPECT_EQ(occurrences(dot, "  gate_" + std::to_string(g) + " [label="), 1u);
    EXPECT_EQ(occurrences(dot, "  mix_" + std::to_string(g) + " [label="), 1u);
    for (int e = 0; e < 4; ++e) {
      EXPECT_EQ(occurrences(dot, "gate_" + std::to_string(g) + " -> expert_" + std::to_string(e) + " ["), 1u);
      EXPECT_EQ(occurrences(dot, "expert_" + std::to_string(e) + " -> mix_" + std::to_string(g) + ";"), 1u);
    }
    EXPECT_EQ(occurrences(dot, "mix_" + std::to_string(g) + " -> tower_" + std::to_string(g) + ";"), 1u);
    EXPECT_EQ(occurrences(dot, "tower_" + std::to_string(g) + " -> output_" + std::to_string(g) + ";"), 1u);
  }
  EXPECT_EQ(occurrences(dot, " -> expert_"), 4u + 12u);  // trunk and gate edges only
  EXPECT_NE(dot.find("gate family\\nLinear 512 → 4, softmax"), std::string::npos);
  EXPECT_NE(dot.find("family\\nmulticlass, 12 classes"), std::string::npos);
  EXPECT_NE(dot.find("habitat\\nmultilabel, 5 labels"), std::string::npos);
  EXPECT_NE(dot.find("trophic \\\"level\\\"\\nregression, 1 output"), std::string::npos);  // quotes escaped
  EXPECT_NE(dot.find("tower family\\n128 → 64 → 12"), std::string::npos);
  EXPECT_NE(dot.find("input features\\n[B, 768]"), std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_backbone"), std::string::npos);
  EXPECT_NE(dot.find("backbone -> input;"), std::string::npos);
  EXPECT_NE(dot.find("input -> standardize;"), std::string::npos);
  EXPECT_NE(dot.find("standardize -> shared;"), std::string::npos);
  EXPECT_NE(dot.find("shared layer\\nLinear 768 → 512, BatchNorm, relu"), std::string::npos);
  EXPECT_NE(dot.find("1,234,567 parameters"), std::string::npos);
}

TEST(ModelGraph, ArchitecturesWithoutPerTaskGates) {
  GateLayout omoe;
  omoe.gate_names = {"shared"};
  omoe.expert_names = {{"e0", "e1", "e2", "e3"}};
  const std::string shared_gate = model_graph_dot(graph_spec(ModelType::kOmoe), omoe, 10);
  EXPECT_EQ(occurrences(shared_gate, "[label=\"gate "), 1u);
  for (int t = 0; t < 3; ++t) EXPECT_NE(shared_gate.find("mix_0 -> tower_" + std::to_string(t) + ";"), std::string::npos);

  const std::string bottom = model_graph_dot(graph_spec(ModelType::kSharedBottom), GateLayout{}, 10);
  EXPECT_EQ(bottom.find("gate_"), std::string::npos);
  EXPECT_NE(bottom.find("shared bottom\\n512 → 256 → 128 relu"), std::string::npos);
  for (int t = 0; t < 3; ++t) EXPECT_NE(bottom.find("bottom -> tower_" + std::to_string(t) + ";"), std::string::npos);

  const std::string single = model_graph_dot(graph_spec(ModelType::kSingleTask), GateLayout{}, 10);
  for (int t = 0; t < 3; ++t) {
    const std::string net = "network_" + std::to_string(t);
    EXPECT_NE(single.find("shared -> " + net + ";"), std::string::npos);
    EXPECT_NE(single.find(net + " -> tower_" + std::to_string(t) + ";"), std::string::npos);
  }
}

TEST(ModelGraph, EveryBuiltArchitectureRendersFromItsOwnLayout) {
  for (ModelType type : {ModelType::kMmoe, ModelType::kOmoe, ModelType::kSharedBottom, ModelType::kSingleTask,
                         ModelType::kPle}) {
    SCOPED_TRACE(to_string(type));
    const ModelSpec spec = graph_spec(type);
    MultiTaskModel model;
    try {
      model = make_model(spec);
    } catch (const c10::Error& error) {
      if (std::string(error.what()).find("not built yet") != std::string::npos) continue;
      throw;
    }
    int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();
    const std::string dot = model_graph_dot(spec, model->gate_layout(), params);
    for (size_t t = 0; t < spec.tasks.size(); ++t) {
      EXPECT_NE(dot.find("tower_" + std::to_string(t) + " -> output_" + std::to_string(t) + ";"), std::string::npos);
    }
    EXPECT_EQ(occurrences(dot, "[label=\"gate "), model->gate_layout().gate_names.size());
  }
}

TEST(ModelGraph, DotFilesAreWrittenAsIs) {
  GraphScratchDir dir;
  const std::string dot = model_graph_dot(graph_spec(ModelType::kMmoe), mmoe_layout(), 1);
  write_model_graph(dot, dir.file("model.dot"));
  std::ifstream file(dir.file("model.dot"));
  const std::string written((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, dot);
  try {
    write_model_graph(dot, dir.file("model.jpeg"));
    ADD_FAILURE() << "expected an error for .jpeg";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("unknown extension; use .dot, .gv, .png, .svg or .pdf"), std::string::npos);
  }
}

TEST(ModelGraph, GraphvizParsesTheDot) {
  if (!graphviz_installed()) GTEST_SKIP() << "Graphviz 'dot' is not on PATH (apt-get install graphviz to run this test)";
  GraphScratchDir dir;
  const std::string dot = model_graph_dot(graph_spec(ModelType::kMmoe), mmoe_layout(), 1);
  // A name with shell metacharacters: it must reach dot as one argument, never through a shell.
  const std::string path = dir.file("model $(touch pwned); x.svg");
  write_model_graph(dot, path);
  std::ifstream file(path);
  const std::string svg((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("gate habitat"), std::string::npos);
  EXPECT_FALSE(fs::exists("pwned"));
  EXPECT_EQ(dir.entries(), 1u);  // no temporary files left

  try {
    write_model_graph("digraph { a -> }", dir.file("broken.png"));
    ADD_FAILURE() << "expected a Graphviz syntax error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("Graphviz 'dot' failed"), std::string::npos) << error.what();
  }
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(ModelGraph, ClearErrorWhenGraphvizIsMissing) {
  GraphScratchDir dir;
  const std::string empty_bin = dir.file("empty-bin");
  fs::create_directory(empty_bin);
  const std::string dot = model_graph_dot(graph_spec(ModelType::kMmoe), mmoe_layout(), 1);
  PathGuard restore_path;
  setenv("PATH", empty_bin.c_str(), 1);
  try {
    write_model_graph(dot, dir.file("model.png"));
    ADD_FAILURE() << "expected an error without Graphviz";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("Graphviz 'dot' is not installed; write .dot or apt-get install graphviz"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(dir.entries(), 1u);  // only empty-bin: no partial files
}

}  // namespace
}  // namespace model_graph_test
}  // namespace mmoe::models
