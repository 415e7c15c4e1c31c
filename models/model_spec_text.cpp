#include "models/model_spec_text.h"

#include <charconv>
#include <limits>
#include <map>
#include <type_traits>
#include <utility>
#include <vector>

#include <c10/util/Exception.h>

namespace mmoe::models {
namespace {

constexpr const char* kVersionKey = "mmoe_model_spec";

// Names of the spec's enums in the text; parse and print share one table per enum.
template <typename Enum>
struct SpecEnumName {
  Enum value;
  const char* name;
};

constexpr SpecEnumName<ModelType> kSpecModelTypes[] = {{ModelType::kMmoe, "mmoe"},
                                                       {ModelType::kOmoe, "omoe"},
                                                       {ModelType::kSharedBottom, "shared_bottom"},
                                                       {ModelType::kSingleTask, "single_task"},
                                                       {ModelType::kPle, "ple"}};
constexpr SpecEnumName<Activation> kSpecActivations[] = {{Activation::kRelu, "relu"},
                                                         {Activation::kGelu, "gelu"},
                                                         {Activation::kSilu, "silu"},
                                                         {Activation::kTanh, "tanh"}};
constexpr SpecEnumName<LossWeighting> kSpecLossWeightings[] = {{LossWeighting::kFixed, "fixed"},
                                                               {LossWeighting::kUncertainty, "uncertainty"}};
constexpr SpecEnumName<RegressionLoss> kSpecRegressionLosses[] = {{RegressionLoss::kMse, "mse"},
                                                                  {RegressionLoss::kHuber, "huber"}};
constexpr SpecEnumName<TaskType> kSpecTaskTypes[] = {{TaskType::kMulticlass, "multiclass"},
                                                     {TaskType::kMultilabel, "multilabel"},
                                                     {TaskType::kRegression, "regression"}};

template <typename Enum, size_t N>
std::string spec_enum_name(const SpecEnumName<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  TORCH_CHECK(false, "model spec text: enum value ", static_cast<int>(value), " has no name");
}

template <typename Enum, size_t N>
std::string spec_enum_choices(const SpecEnumName<Enum> (&table)[N]) {
  std::string out;
  for (const auto& entry : table) out += (out.empty() ? "" : ", ") + std::string(entry.name);
  return out;
}

std::string spec_real_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general,
                                    std::numeric_limits<double>::max_digits10);
  return std::string(buffer, result.ptr);
}

template <typename Number>
std::string spec_list_text(const std::vector<Number>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if constexpr (std::is_floating_point_v<Number>) {
      out += spec_real_text(values[i]);
    } else {
      out += std::to_string(values[i]);
    }
  }
  return out;
}

std::string spec_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

// Collects `key=value` lines; lookups consume them, so leftovers are unknown keys.
class SpecTextReader {
 public:
  explicit SpecTextReader(const std::string& text) {
    size_t start = 0;
    int number = 0;
    bool seen_version = false;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const size_t eq = line.find('=');
      if (eq == std::string::npos || eq == 0) fail(number, line, "expected key=value");
      std::string key = line.substr(0, eq);
      std::string value = line.substr(eq + 1);
      if (!seen_version) {
        check_version(number, line, key, value);
        seen_version = true;
        continue;
      }
      const auto [it, inserted] = lines_.emplace(key, Line{number, line, value});
      if (!inserted) fail(number, line, "duplicate key '" + key + "' (first on line " + std::to_string(it->second.number) + ")");
    }
    TORCH_CHECK(seen_version, "model spec text: empty; expected a first line '", kVersionKey, "=",
                kModelSpecTextVersion, "'");
  }

  std::string take(const std::string& key) { return take_line(key).value; }

  int64_t take_int(const std::string& key) {
    const Line line = take_line(key);
    return parse_int(line, line.value);
  }

  double take_real(const std::string& key) {
    const Line line = take_line(key);
    return parse_real(line, line.value);
  }

  bool take_bool(const std::string& key) {
    const Line line = take_line(key);
    if (line.value == "true") return true;
    if (line.value == "false") return false;
    fail(line.number, line.text, "expected true or false");
  }

  std::vector<int64_t> take_ints(const std::string& key) {
    const Line line = take_line(key);
    std::vector<int64_t> out;
    for (const auto& item : split(line)) out.push_back(parse_int(line, item));
    return out;
  }

  std::vector<double> take_reals(const std::string& key) {
    const Line line = take_line(key);
    std::vector<double> out;
    for (const auto& item : split(line)) out.push_back(parse_real(line, item));
    return out;
  }

  std::string take_name(const std::string& key) {
    const Line line = take_line(key);
    std::string out;
    for (size_t i = 0; i < line.value.size(); ++i) {
      if (line.value[i] != '\\') {
        out += line.value[i];
        continue;
      }
      const char next = i + 1 < line.value.size() ? line.value[i + 1] : '\0';
      if (next == '\\') out += '\\';
      else if (next == 'n') out += '\n';
      else if (next == 'r') out += '\r';
      else fail(line.number, line.text, "bad escape in name (use \\\\, \\n or \\r)");
      ++i;
    }
    return out;
  }

  template <typename Enum, size_t N>
  Enum take_enum(const std::string& key, const SpecEnumName<Enum> (&table)[N]) {
    const Line line = take_line(key);
    for (const auto& entry : table) {
      if (line.value == entry.name) return entry.value;
    }
    fail(line.number, line.text, "expected one of " + spec_enum_choices(table));
  }

  // Every line must have been consumed by now.
  void finish() const {
    if (lines_.empty()) return;
    const Line* first = &lines_.begin()->second;
    for (const auto& entry : lines_) {
      if (entry.second.number < first->number) first = &entry.second;
    }
    fail(first->number, first->text, "unknown key");
  }

 private:
  struct Line {
    int number;
    std::string text;
    std::string value;
  };

  [[noreturn]] static void fail(int number, const std::string& text, const std::string& why) {
    TORCH_CHECK(false, "model spec text, line ", number, " '", text, "': ", why);
  }

  static void check_version(int number, const std::string& line, const std::string& key, const std::string& value) {
    if (key != kVersionKey) {
      fail(number, line, std::string("expected the version line '") + kVersionKey + "=" +
                             std::to_string(kModelSpecTextVersion) + "' first");
    }
    if (value != std::to_string(kModelSpecTextVersion)) {
      fail(number, line, "unsupported model spec version '" + value + "' (this build reads version " +
                             std::to_string(kModelSpecTextVersion) + ")");
    }
  }

  Line take_line(const std::string& key) {
    const auto it = lines_.find(key);
    TORCH_CHECK(it != lines_.end(), "model spec text: missing key '", key, "' (format version ",
                kModelSpecTextVersion, ")");
    Line line = std::move(it->second);
    lines_.erase(it);
    return line;
  }

  static std::vector<std::string> split(const Line& line) {
    std::vector<std::string> items;
    if (line.value.empty()) return items;
    size_t start = 0;
    while (true) {
      const size_t comma = line.value.find(',', start);
      items.push_back(line.value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (items.back().empty()) fail(line.number, line.text, "empty list item");
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return items;
  }

  static int64_t parse_int(const Line& line, const std::string& text) {
    int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
      fail(line.number, line.text, "'" + text + "' is not an integer");
    }
    return value;
  }

  static double parse_real(const Line& line, const std::string& text) {
    double value = 0.0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
      fail(line.number, line.text, "'" + text + "' is not a real number");
    }
    return value;
  }

  std::map<std::string, Line> lines_;
};

}  // namespace

std::string model_spec_to_text(const ModelSpec& spec) {
  std::string out;
  auto put = [&out](const std::string& key, const std::string& value) { out += key + "=" + value + "\n"; };
  auto put_bool = [&put](const std::string& key, bool value) { put(key, value ? "true" : "false"); };
  put(kVersionKey, std::to_string(kModelSpecTextVersion));
  put("type", spec_enum_name(kSpecModelTypes, spec.type));
  put("input_dim", std::to_string(spec.input_dim));
  put("num_experts", std::to_string(spec.num_experts));
  put("expert_hidden", spec_list_text(spec.expert_hidden));
  put("activation", spec_enum_name(kSpecActivations, spec.activation));
  put("expert_dropout", spec_real_text(spec.expert_dropout));
  put("tower_hidden", spec_list_text(spec.tower_hidden));
  put("tower_dropout", spec_real_text(spec.tower_dropout));
  put("gate.temperature", spec_real_text(spec.gate.temperature));
  put("gate.top_k", std::to_string(spec.gate.top_k));
  put_bool("gate.noisy", spec.gate.noisy);
  put("gate.load_balance_weight", spec_real_text(spec.gate.load_balance_weight));
  put_bool("standardize_features", spec.standardize_features);
  put("shared_dim", std::to_string(spec.shared_dim));
  put("shared_dropout", spec_real_text(spec.shared_dropout));
  put("bottom_hidden", spec_list_text(spec.bottom_hidden));
  put("ple.levels", std::to_string(spec.ple.levels));
  put("ple.shared_experts", std::to_string(spec.ple.shared_experts));
  put("ple.task_experts", std::to_string(spec.ple.task_experts));
  put("loss_weighting", spec_enum_name(kSpecLossWeightings, spec.loss_weighting));
  put("tasks", std::to_string(spec.tasks.size()));
  for (size_t t = 0; t < spec.tasks.size(); ++t) {
    const TaskHeadSpec& task = spec.tasks[t];
    const std::string prefix = "task." + std::to_string(t) + ".";
    put(prefix + "name", spec_escape(task.name));
    put(prefix + "type", spec_enum_name(kSpecTaskTypes, task.type));
    put(prefix + "output_dim", std::to_string(task.output_dim));
    put(prefix + "loss_weight", spec_real_text(task.loss_weight));
    put(prefix + "label_smoothing", spec_real_text(task.label_smoothing));
    put(prefix + "class_weights", spec_list_text(task.class_weights));
    put(prefix + "pos_weight", spec_list_text(task.pos_weight));
    put(prefix + "regression_loss", spec_enum_name(kSpecRegressionLosses, task.regression_loss));
    put(prefix + "huber_delta", spec_real_text(task.huber_delta));
    put(prefix + "target_mean", spec_list_text(task.target_mean));
    put(prefix + "target_std", spec_list_text(task.target_std));
  }
  return out;
}

ModelSpec model_spec_from_text(const std::string& text) {
  SpecTextReader in(text);
  ModelSpec spec;
  spec.type = in.take_enum("type", kSpecModelTypes);
  spec.input_dim = in.take_int("input_dim");
  spec.num_experts = in.take_int("num_experts");
  spec.expert_hidden = in.take_ints("expert_hidden");
  spec.activation = in.take_enum("activation", kSpecActivations);
  spec.expert_dropout = in.take_real("expert_dropout");
  spec.tower_hidden = in.take_ints("tower_hidden");
  spec.tower_dropout = in.take_real("tower_dropout");
  spec.gate.temperature = in.take_real("gate.temperature");
  spec.gate.top_k = in.take_int("gate.top_k");
  spec.gate.noisy = in.take_bool("gate.noisy");
  spec.gate.load_balance_weight = in.take_real("gate.load_balance_weight");
  spec.standardize_features = in.take_bool("standardize_features");
  spec.shared_dim = in.take_int("shared_dim");
  spec.shared_dropout = in.take_real("shared_dropout");
  spec.bottom_hidden = in.take_ints("bottom_hidden");
  spec.ple.levels = in.take_int("ple.levels");
  spec.ple.shared_experts = in.take_int("ple.shared_experts");
  spec.ple.task_experts = in.take_int("ple.task_experts");
  spec.loss_weighting = in.take_enum("loss_weighting", kSpecLossWeightings);
  const int64_t num_tasks = in.take_int("tasks");
  TORCH_CHECK(num_tasks >= 0 && num_tasks <= 100000, "model spec text: tasks=", num_tasks, " is out of range");
  spec.tasks.resize(static_cast<size_t>(num_tasks));
  for (int64_t t = 0; t < num_tasks; ++t) {
    TaskHeadSpec& task = spec.tasks[static_cast<size_t>(t)];
    const std::string prefix = "task." + std::to_string(t) + ".";
    task.name = in.take_name(prefix + "name");
    task.type = in.take_enum(prefix + "type", kSpecTaskTypes);
    task.output_dim = in.take_int(prefix + "output_dim");
    task.loss_weight = in.take_real(prefix + "loss_weight");
    task.label_smoothing = in.take_real(prefix + "label_smoothing");
    task.class_weights = in.take_reals(prefix + "class_weights");
    task.pos_weight = in.take_reals(prefix + "pos_weight");
    task.regression_loss = in.take_enum(prefix + "regression_loss", kSpecRegressionLosses);
    task.huber_delta = in.take_real(prefix + "huber_delta");
    task.target_mean = in.take_reals(prefix + "target_mean");
    task.target_std = in.take_reals(prefix + "target_std");
  }
  in.finish();
  return spec;
}

}  // namespace mmoe::models
