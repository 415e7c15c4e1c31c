// Sweep files: YAML -> SweepSpec with strict keys and types, then checks against the base
// config (see sweep_parse.h).
#include "experiments/sweep_parse.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "experiments/config_loader.h"
#include "experiments/config_sources.h"
#include "experiments/monitor_spec.h"
#include "experiments/suggest.h"
#include "experiments/yaml_reader.h"

namespace mmoe::experiments {
namespace {

const std::vector<std::string> kTopKeys = {"name",   "base",        "parameters",        "method",
                                           "objective", "max_trials", "parallelism",      "seed",
                                           "early_termination", "max_retries", "tpe"};
const std::vector<std::string> kParamKeys = {"values", "uniform", "log_uniform", "int", "step", "when"};

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& what) {
  throw SweepError(one_line(fmt::format("{}: {}: {}", source, key, what)));
}

// A YAML value as override text: scalars as written, collections in flow style ("[64, 32]").
std::string override_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

template <typename Enum>
Enum read_choice(const MapReader& reader, const std::string& key, const std::vector<std::pair<std::string, Enum>>& names,
                 Enum fallback, const std::string& source) {
  std::string text;
  reader.read(key, &text);
  if (!reader.has(key)) return fallback;
  std::vector<std::string> choices;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    choices.push_back(name);
  }
  const auto near = nearest_name(text, choices);
  fail(source, reader.path_of(key),
       fmt::format("unknown value '{}'{}; choose one of {}", text, near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                   join_names(choices)));
}

SweepParameter read_parameter(const std::string& path, const YAML::Node& node, const ConfigSources& sources,
                              const std::vector<SweepParameter>& earlier) {
  const std::string key = "parameters." + path;
  const std::string& source = sources.file_source();
  MapReader reader(node, key, kParamKeys, sources);
  SweepParameter parameter;
  parameter.path = path;
  int kinds = 0;
  for (const char* name : {"values", "uniform", "log_uniform", "int"}) kinds += reader.has(name) ? 1 : 0;
  if (kinds != 1) {
    fail(source, key,
         kinds == 0 ? "no search space; give one of values: [...], uniform: [lo, hi], log_uniform: [lo, hi], int: [lo, hi]"
                    : "give exactly one of values, uniform, log_uniform, int");
  }
  if (reader.has("values")) {
    parameter.kind = ParamKind::kValues;
    const YAML::Node values = reader.value("values");
    if (!values.IsSequence()) fail(source, key + ".values", fmt::format("expected a list [a, b, ...] (got {})", describe_node(values)));
    if (values.size() == 0) fail(source, key + ".values", "the list of choices is empty; give at least one value");
    for (const auto& value : values) parameter.values.push_back(override_text(value));
  } else {
    const char* range = reader.has("uniform") ? "uniform" : reader.has("log_uniform") ? "log_uniform" : "int";
    parameter.kind = reader.has("uniform") ? ParamKind::kUniform : reader.has("log_uniform") ? ParamKind::kLogUniform : ParamKind::kInt;
    reader.read_pair(range, &parameter.low, &parameter.high);
    const std::string range_key = key + "." + range;
    if (parameter.low > parameter.high) {
      fail(source, range_key, fmt::format("low bound {} is above high bound {}; write [low, high]", parameter.low, parameter.high));
    }
    if (parameter.kind == ParamKind::kLogUniform && parameter.low <= 0.0) {
      fail(source, range_key,
           fmt::format("bounds must be > 0 for a log scale (got [{}, {}]); use uniform for a range that includes 0",
                       parameter.low, parameter.high));
    }
    if (parameter.kind == ParamKind::kInt &&
        (parameter.low != std::floor(parameter.low) || parameter.high != std::floor(parameter.high))) {
      fail(source, range_key, fmt::format("bounds must be whole numbers (got [{}, {}])", parameter.low, parameter.high));
    }
  }
  if (reader.has("step")) {
    if (parameter.kind != ParamKind::kInt) fail(source, key + ".step", "step only applies to int: [lo, hi]");
    reader.read("step", &parameter.step);
    if (parameter.step < 1) fail(source, key + ".step", fmt::format("must be >= 1 (got {})", parameter.step));
  }
  if (reader.has("when")) {
    const YAML::Node when = reader.value("when");
    if (!when.IsMap() || when.size() == 0) {
      fail(source, key + ".when", fmt::format("expected a map {{path: value}} (got {})", describe_node(when)));
    }
    for (const auto& entry : when) {
      const std::string other = entry.first.Scalar();
      const std::string value = override_text(entry.second);
      const SweepParameter* found = nullptr;
      for (const auto& e : earlier) found = e.path == other ? &e : found;
      if (found == nullptr || found->kind != ParamKind::kValues) {
        fail(source, key + ".when." + other,
             "a condition must name an earlier parameter with values: [...]; move that parameter above this one");
      }
      bool known = false;
      for (const auto& v : found->values) known = known || v == value;
      if (!known) {
        fail(source, key + ".when." + other,
             fmt::format("'{}' is not one of its values ({})", value, join_names(found->values)));
      }
      parameter.when.push_back({other, value});
    }
  }
  return parameter;
}

void check_counts(const SweepSpec& spec, const std::string& source) {
  if (spec.parameters.empty()) {
    fail(source, "parameters", "the search space is empty; add at least one parameter, e.g. model.num_experts: {values: [4, 8]}");
  }
  if (spec.max_trials == 0 && spec.method != SearchMethod::kGrid) {
    fail(source, "max_trials", "missing; random and tpe sweeps need a trial budget, e.g. max_trials: 20");
  }
  if (spec.parallelism < 1) fail(source, "parallelism", fmt::format("must be >= 1 (got {})", spec.parallelism));
  if (spec.max_retries < 0) fail(source, "max_retries", fmt::format("must be >= 0 (got {})", spec.max_retries));
  const auto& et = spec.early_termination;
  if (et.min_epochs < 1) fail(source, "early_termination.min_epochs", fmt::format("must be >= 1 (got {})", et.min_epochs));
  if (et.eta < 2) fail(source, "early_termination.eta", fmt::format("must be >= 2 (got {})", et.eta));
  if (et.min_trials < 1) fail(source, "early_termination.min_trials", fmt::format("must be >= 1 (got {})", et.min_trials));
  if (spec.tpe.gamma <= 0.0 || spec.tpe.gamma >= 1.0) fail(source, "tpe.gamma", fmt::format("must be in (0, 1) (got {})", spec.tpe.gamma));
  if (spec.tpe.n_startup < 1) fail(source, "tpe.n_startup", fmt::format("must be >= 1 (got {})", spec.tpe.n_startup));
  if (spec.tpe.candidates < 1) fail(source, "tpe.candidates", fmt::format("must be >= 1 (got {})", spec.tpe.candidates));
  if (spec.method == SearchMethod::kGrid) {
    for (const auto& p : spec.parameters) {
      if (p.kind == ParamKind::kUniform || p.kind == ParamKind::kLogUniform) {
        fail(source, "parameters." + p.path + "." + to_string(p.kind),
             "a grid needs values: [...] or int: [lo, hi]; use method: random or tpe for continuous ranges");
      }
    }
  }
}

}  // namespace

SweepSpec parse_sweep_text(std::string_view text, const std::string& source_name, const std::filesystem::path& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    throw ConfigError(one_line(fmt::format("{}:{}:{}: malformed YAML: {}; fix the syntax there", source_name,
                                           error.mark.line + 1, error.mark.column + 1, error.msg)));
  }
  ConfigSources sources(source_name);
  MapReader reader(root, "", kTopKeys, sources);
  SweepSpec spec;
  spec.source = source_name;
  reader.read("name", &spec.name);
  if (spec.name.empty()) fail(source_name, "name", "missing or empty; name the sweep, e.g. name: gate-temperature");
  std::string base;
  reader.read("base", &base);
  if (base.empty()) fail(source_name, "base", "missing; give the training config the trials start from, e.g. base: base.yaml");
  spec.base = std::filesystem::path(base).is_absolute() ? std::filesystem::path(base) : base_dir / base;

  if (reader.has("parameters")) {
    const YAML::Node parameters = reader.value("parameters");
    if (!parameters.IsNull() && !parameters.IsMap()) {
      fail(source_name, "parameters", fmt::format("expected a map of config path -> search space (got {})", describe_node(parameters)));
    }
    for (const auto& entry : parameters) {
      const std::string path = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (path.empty()) fail(source_name, "parameters", "a parameter name must be a dotted config path such as model.num_experts");
      for (const auto& p : spec.parameters) {
        if (p.path == path) fail(source_name, "parameters." + path, "appears twice; give each parameter once");
      }
      spec.parameters.push_back(read_parameter(path, entry.second, sources, spec.parameters));
    }
  }
  spec.method = read_choice<SearchMethod>(
      reader, "method", {{"grid", SearchMethod::kGrid}, {"random", SearchMethod::kRandom}, {"tpe", SearchMethod::kTpe}},
      SearchMethod::kRandom, source_name);
  const MapReader objective = reader.child("objective", {"metric", "direction"});
  objective.read("metric", &spec.metric);
  const auto monitor = parse_monitor(spec.metric);
  if (!monitor || !monitor->task.empty()) {
    fail(source_name, "objective.metric",
         fmt::format("'{}' is not a per-epoch metric of the store; use val_<metric> with one of {}", spec.metric,
                     "weighted_f1, loss, macro_f1, micro_f1, samples_f1, accuracy, auc, mae, rmse, r2"));
  }
  spec.direction = read_choice<Direction>(objective, "direction", {{"max", Direction::kMax}, {"min", Direction::kMin}},
                                          Direction::kMax, source_name);
  reader.read("max_trials", &spec.max_trials);
  if (reader.has("max_trials") && spec.max_trials < 1) {
    fail(source_name, "max_trials", fmt::format("must be >= 1 (got {}); it is the number of trials to run", spec.max_trials));
  }
  reader.read("parallelism", &spec.parallelism);
  reader.read("seed", &spec.seed);
  reader.read("max_retries", &spec.max_retries);
  const MapReader early = reader.child("early_termination", {"method", "min_epochs", "eta", "min_trials"});
  spec.early_termination.method = read_choice<PrunerKind>(
      early, "method", {{"none", PrunerKind::kNone}, {"median", PrunerKind::kMedian}, {"asha", PrunerKind::kAsha}},
      PrunerKind::kNone, source_name);
  early.read("min_epochs", &spec.early_termination.min_epochs);
  early.read("eta", &spec.early_termination.eta);
  early.read("min_trials", &spec.early_termination.min_trials);
  const MapReader tpe = reader.child("tpe", {"n_startup", "gamma", "candidates"});
  tpe.read("n_startup", &spec.tpe.n_startup);
  tpe.read("gamma", &spec.tpe.gamma);
  tpe.read("candidates", &spec.tpe.candidates);
  check_counts(spec, source_name);
  return spec;
}

void validate_against_base(SweepSpec& spec) {
  const std::string source = spec.source.string();
  LoadedConfig base;
  try {
    base = load_config_file(spec.base);
  } catch (const Error& error) {
    fail(source, "base", fmt::format("the base config does not load: {}", error.what()));
  }
  spec.max_epochs = base.config.train.epochs;
  std::vector<std::string> keys;
  for (const auto& [key, value] : base.params) keys.push_back(key);
  // Applies one value to the base config and runs the config validator on it.
  const auto check_value = [&](const SweepParameter& p, const std::string& key, const std::string& text) {
    try {
      load_config_file(spec.base, {p.path + "=" + text});
    } catch (const Error& error) {
      fail(source, key, fmt::format("the base config '{}' refuses '{}': {}", spec.base.string(), text, error.what()));
    }
  };
  for (const SweepParameter& p : spec.parameters) {
    const std::string key = "parameters." + p.path;
    bool known = false;
    for (const auto& k : keys) known = known || k == p.path;
    if (!known) {
      const auto near = nearest_name(p.path, keys);
      fail(source, key,
           fmt::format("'{}' is not a key of the config{}", p.path,
                       near ? fmt::format("; did you mean '{}'?", *near) : "; see docs/config.md for the keys"));
    }
    if (p.kind == ParamKind::kValues) {
      for (std::size_t i = 0; i < p.values.size(); ++i) check_value(p, fmt::format("{}.values[{}]", key, i), p.values[i]);
    } else {
      const std::string range_key = key + "." + to_string(p.kind);
      const auto text = [&](double v) {
        return p.kind == ParamKind::kInt ? fmt::format("{}", static_cast<int64_t>(v)) : fmt::format("{}", v);
      };
      check_value(p, range_key, text(p.low));
      check_value(p, range_key, text(p.high));
    }
  }
}

std::string read_sweep_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw SweepError(fmt::format("{}: cannot read the sweep file; check the path", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

SweepSpec load_sweep_file(const std::filesystem::path& path) {
  SweepSpec spec = parse_sweep_text(read_sweep_text(path), path.string(), path.parent_path());
  validate_against_base(spec);
  return spec;
}

}  // namespace mmoe::experiments
