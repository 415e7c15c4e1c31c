#include "trainer/checkpoint_state_io.h"

#include <torch/serialize.h>

#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

using Dict = c10::impl::GenericDict;  // string keys, any values

class DictWriter final : public StateFields {
 public:
  explicit DictWriter(Dict& dict) : dict_(dict) {}
  void field(const std::string& name, int64_t& value) override { dict_.insert(name, value); }
  void field(const std::string& name, double& value) override { dict_.insert(name, value); }

 private:
  Dict& dict_;
};

class DictReader final : public StateFields {
 public:
  DictReader(const c10::impl::GenericDict& dict, const std::string& file) : dict_(dict), file_(file) {}

  const c10::IValue& get(const std::string& name) const {
    const auto found = dict_.find(name);
    if (found == dict_.end()) {
      throw CheckpointError("checkpoint '" + file_ + "' has no '" + name +
                            "'; it was not written by this version of mmoe (or is damaged)");
    }
    return found->value();
  }
  [[noreturn]] void wrong(const std::string& name, const char* expected) const {
    throw CheckpointError("checkpoint '" + file_ + "': '" + name + "' is not " + expected + "; the file is damaged");
  }
  int64_t integer(const std::string& name) const {
    const auto& v = get(name);
    if (!v.isInt()) wrong(name, "an integer");
    return v.toInt();
  }
  double real(const std::string& name) const {
    const auto& v = get(name);
    if (!v.isDouble()) wrong(name, "a number");
    return v.toDouble();
  }
  std::string text(const std::string& name) const {
    const auto& v = get(name);
    if (!v.isString()) wrong(name, "a string");
    return v.toStringRef();
  }
  torch::Tensor tensor(const std::string& name) const {
    const auto& v = get(name);
    if (!v.isTensor()) wrong(name, "a tensor");
    return v.toTensor();
  }
  std::vector<double> reals(const std::string& name) const {
    const auto& v = get(name);
    if (v.isList() && v.toListRef().empty()) return {};  // an empty list may read back untyped
    if (!v.isDoubleList()) wrong(name, "a list of numbers");
    return v.toDoubleVector();
  }
  std::vector<int64_t> integers(const std::string& name) const {
    const auto& v = get(name);
    if (v.isList() && v.toListRef().empty()) return {};
    if (!v.isIntList()) wrong(name, "a list of integers");
    return v.toIntVector();
  }
  void field(const std::string& name, int64_t& value) override { value = integer(name); }
  void field(const std::string& name, double& value) override { value = real(name); }

 private:
  const c10::impl::GenericDict& dict_;
  const std::string& file_;
};

std::string moment_key(size_t group, size_t param, const char* what) {
  return "optim/" + std::to_string(group) + "/" + std::to_string(param) + "/" + what;
}

}  // namespace

std::string encode_state(const Checkpoint& checkpoint) {
  Dict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("format_version", kCheckpointFormatVersion);
  dict.insert("run_id", checkpoint.info.run_id);
  dict.insert("config_yaml", checkpoint.config_yaml);
  dict.insert("config_hash", checkpoint.info.config_hash);
  dict.insert("model_spec", checkpoint.model_spec_text);
  auto state = checkpoint.state;  // the visitor takes references
  DictWriter writer(dict);
  visit_fields(state, writer);
  dict.insert("scheduler", c10::List<double>(state.scheduler));
  dict.insert("learning_rates", c10::List<double>(state.learning_rates));
  std::vector<int64_t> params_per_group;
  for (size_t g = 0; g < state.optimizer.size(); ++g) {
    params_per_group.push_back(static_cast<int64_t>(state.optimizer[g].size()));
    for (size_t i = 0; i < state.optimizer[g].size(); ++i) {
      const auto& moments = state.optimizer[g][i];
      if (!moments) continue;
      dict.insert(moment_key(g, i, "step"), moments->step);
      dict.insert(moment_key(g, i, "exp_avg"), moments->exp_avg);
      dict.insert(moment_key(g, i, "exp_avg_sq"), moments->exp_avg_sq);
    }
  }
  dict.insert("optim.params_per_group", c10::List<int64_t>(params_per_group));
  c10::List<std::string> names;
  for (const auto& [name, tensor] : state.model) {
    names.push_back(name);
    dict.insert("model/" + name, tensor);
  }
  dict.insert("model.names", names);
  dict.insert("rng.cpu", state.cpu_rng);
  dict.insert("rng.cuda_devices", static_cast<int64_t>(state.cuda_rng.size()));
  for (size_t d = 0; d < state.cuda_rng.size(); ++d) dict.insert("rng.cuda/" + std::to_string(d), state.cuda_rng[d]);
  const auto& partial = state.partial;
  if (partial.epoch > 0) {
    dict.insert("partial.epoch", partial.epoch);
    dict.insert("partial.next_batch", partial.next_batch);
    dict.insert("partial.loss_sum", partial.loss_sum);
    dict.insert("partial.applied", partial.applied);
    dict.insert("partial.rows_seen", partial.rows_seen);
    dict.insert("partial.elapsed_seconds", partial.elapsed_seconds);
    dict.insert("partial.tasks", static_cast<int64_t>(partial.metric_states.size()));
    for (size_t t = 0; t < partial.metric_states.size(); ++t) {
      const auto task = "partial.task/" + std::to_string(t);
      dict.insert(task + "/state", c10::List<double>(partial.metric_states[t]));
      dict.insert(task + "/auc_problems", static_cast<int64_t>(partial.auc_scores[t].size()));
      for (size_t k = 0; k < partial.auc_scores[t].size(); ++k) {
        dict.insert(task + "/auc/" + std::to_string(k) + "/positive", c10::List<double>(partial.auc_scores[t][k].first));
        dict.insert(task + "/auc/" + std::to_string(k) + "/negative",
                    c10::List<double>(partial.auc_scores[t][k].second));
      }
    }
    if (partial.gate_sums.defined()) dict.insert("partial.gate_sums", partial.gate_sums);
  }
  const auto bytes = torch::pickle_save(c10::IValue(dict));
  return std::string(bytes.begin(), bytes.end());
}

void decode_state(const std::string& bytes, const std::string& file, Checkpoint& checkpoint) {
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const c10::Error& error) {
    throw CheckpointError("checkpoint '" + file + "' cannot be read (" + error.what_without_backtrace() +
                          "); the file is damaged");
  }
  if (!value.isGenericDict()) throw CheckpointError("checkpoint '" + file + "' is not a dict; the file is damaged");
  const auto dict = value.toGenericDict();
  DictReader reader(dict, file);
  const int64_t version = reader.integer("format_version");
  if (version > kCheckpointFormatVersion) {
    throw CheckpointError("checkpoint '" + file + "' has format version " + std::to_string(version) +
                          "; this mmoe reads up to " + std::to_string(kCheckpointFormatVersion) + "; upgrade mmoe-trainer");
  }
  checkpoint.config_yaml = reader.text("config_yaml");
  checkpoint.model_spec_text = reader.text("model_spec");
  auto& state = checkpoint.state;
  visit_fields(state, reader);
  state.scheduler = reader.reals("scheduler");
  state.learning_rates = reader.reals("learning_rates");
  const auto params_per_group = reader.integers("optim.params_per_group");
  state.optimizer.assign(params_per_group.size(), {});
  for (size_t g = 0; g < params_per_group.size(); ++g) {
    for (size_t i = 0; i < static_cast<size_t>(params_per_group[g]); ++i) {
      if (dict.find(moment_key(g, i, "step")) == dict.end()) {
        state.optimizer[g].emplace_back();
        continue;
      }
      state.optimizer[g].push_back(AdamMoments{reader.integer(moment_key(g, i, "step")),
                                               reader.tensor(moment_key(g, i, "exp_avg")),
                                               reader.tensor(moment_key(g, i, "exp_avg_sq"))});
    }
  }
  const auto& names_value = reader.get("model.names");
  if (!names_value.isList()) reader.wrong("model.names", "a list of names");
  for (const auto& name : names_value.toListRef()) {
    if (!name.isString()) reader.wrong("model.names", "a list of names");
    state.model.emplace_back(name.toStringRef(), reader.tensor("model/" + name.toStringRef()));
  }
  state.cpu_rng = reader.tensor("rng.cpu");
  const int64_t cuda_devices = reader.integer("rng.cuda_devices");
  for (int64_t d = 0; d < cuda_devices; ++d) state.cuda_rng.push_back(reader.tensor("rng.cuda/" + std::to_string(d)));
  if (dict.find("partial.epoch") != dict.end()) {  // written mid-epoch
    auto& partial = state.partial;
    partial.epoch = reader.integer("partial.epoch");
    partial.next_batch = reader.integer("partial.next_batch");
    partial.loss_sum = reader.real("partial.loss_sum");
    partial.applied = reader.integer("partial.applied");
    partial.rows_seen = reader.integer("partial.rows_seen");
    partial.elapsed_seconds = reader.real("partial.elapsed_seconds");
    const int64_t tasks = reader.integer("partial.tasks");
    for (int64_t t = 0; t < tasks; ++t) {
      const auto task = "partial.task/" + std::to_string(t);
      partial.metric_states.push_back(reader.reals(task + "/state"));
      std::vector<std::pair<std::vector<double>, std::vector<double>>> problems;
      const int64_t count = reader.integer(task + "/auc_problems");
      for (int64_t k = 0; k < count; ++k) {
        problems.emplace_back(reader.reals(task + "/auc/" + std::to_string(k) + "/positive"),
                              reader.reals(task + "/auc/" + std::to_string(k) + "/negative"));
      }
      partial.auc_scores.push_back(std::move(problems));
    }
    if (dict.find("partial.gate_sums") != dict.end()) partial.gate_sums = reader.tensor("partial.gate_sums");
  }
}

}  // namespace mmoe::trainer
