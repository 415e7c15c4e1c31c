#pragma once
// A hyperparameter sweep as read from a sweep file (docs/sweeps.md): the base training config,
// the search space over dotted config paths, the search method, the objective, and the
// early-termination policy. Parsed and validated by parse_sweep_file (sweep_parse.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace mmoe::experiments {

// A semantic mistake in a sweep file (empty search space, bad bounds, unknown config path, a
// choice the base config refuses, ...). One line: "<sweep file>: <key>: what; what to do".
class SweepError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

enum class SearchMethod { kGrid, kRandom, kTpe };
enum class ParamKind { kValues, kUniform, kLogUniform, kInt };
enum class Direction { kMax, kMin };
enum class PrunerKind { kNone, kMedian, kAsha };

const char* to_string(SearchMethod method);  // "grid", "random", "tpe"
const char* to_string(ParamKind kind);       // "values", "uniform", "log_uniform", "int"
const char* to_string(Direction direction);  // "max", "min"
const char* to_string(PrunerKind kind);      // "none", "median", "asha"

// The parameter is sampled only when the parameter at `path` (an earlier one) took `value`.
struct ParamCondition {
  std::string path;
  std::string value;  // as override text, e.g. "mmoe"
};

struct SweepParameter {
  std::string path;  // dotted config path, e.g. "model.num_experts"
  ParamKind kind = ParamKind::kValues;
  std::vector<std::string> values;  // kValues: each choice as override text ("4", "[64, 32]")
  double low = 0.0;                 // kUniform, kLogUniform, kInt: inclusive bounds
  double high = 0.0;
  int64_t step = 1;                    // kInt: low, low + step, ... <= high
  std::vector<ParamCondition> when;  // all must hold; empty: always sampled
};

struct EarlyTermination {
  PrunerKind method = PrunerKind::kNone;
  int64_t min_epochs = 1;  // median: grace epochs; asha: the first rung
  int64_t eta = 3;         // asha: reduction factor (rungs at min_epochs * eta^k, keep top 1/eta)
  int64_t min_trials = 3;  // median: other trials needed at an epoch before anything is stopped
};

struct TpeOptions {
  int64_t n_startup = 5;     // random trials before the model is used
  double gamma = 0.25;       // fraction of completed trials that are "good"
  int64_t candidates = 24;   // samples drawn from l(x) per parameter
};

struct SweepSpec {
  std::string name;
  std::filesystem::path source;  // the sweep file, as given
  std::filesystem::path base;    // the base training config (relative paths resolved)
  std::vector<SweepParameter> parameters;
  SearchMethod method = SearchMethod::kRandom;
  std::string metric = "val_weighted_f1";  // a per-epoch metrics key, e.g. val_weighted_f1
  Direction direction = Direction::kMax;
  int64_t max_trials = 0;  // grid: the grid size when 0 (not given)
  int64_t parallelism = 1;
  uint64_t seed = 0;
  EarlyTermination early_termination;
  int64_t max_retries = 1;  // a failed trial runs at most 1 + max_retries times
  TpeOptions tpe;
  int64_t max_epochs = 1;  // the base config's train.epochs (ASHA's last rung)
};

// One trial's values: (path, override text) in parameter order; inactive parameters absent.
using TrialAssignment = std::vector<std::pair<std::string, std::string>>;

// "path=value" overrides, for `mmoe train` or load_config_file.
std::vector<std::string> to_overrides(const TrialAssignment& assignment);
// One line per parameter, "path=value\n...": how trials are stored; parse_assignment reverses it.
std::string format_assignment(const TrialAssignment& assignment);
TrialAssignment parse_assignment(const std::string& text);

// Whether every condition holds for the values assigned so far.
bool is_active(const SweepParameter& parameter, const TrialAssignment& assigned);

// Whether `a` is better than `b` in `direction`.
inline bool better(Direction direction, double a, double b) {
  return direction == Direction::kMax ? a > b : a < b;
}

}  // namespace mmoe::experiments
