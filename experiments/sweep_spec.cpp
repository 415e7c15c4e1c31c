#include "experiments/sweep_spec.h"

#include <sstream>

namespace mmoe::experiments {

const char* to_string(SearchMethod method) {
  switch (method) {
    case SearchMethod::kGrid: return "grid";
    case SearchMethod::kRandom: return "random";
    case SearchMethod::kTpe: return "tpe";
  }
  return "?";
}

const char* to_string(ParamKind kind) {
  switch (kind) {
    case ParamKind::kValues: return "values";
    case ParamKind::kUniform: return "uniform";
    case ParamKind::kLogUniform: return "log_uniform";
    case ParamKind::kInt: return "int";
  }
  return "?";
}

const char* to_string(Direction direction) { return direction == Direction::kMax ? "max" : "min"; }

const char* to_string(PrunerKind kind) {
  switch (kind) {
    case PrunerKind::kNone: return "none";
    case PrunerKind::kMedian: return "median";
    case PrunerKind::kAsha: return "asha";
  }
  return "?";
}

std::vector<std::string> to_overrides(const TrialAssignment& assignment) {
  std::vector<std::string> overrides;
  overrides.reserve(assignment.size());
  for (const auto& [path, value] : assignment) overrides.push_back(path + "=" + value);
  return overrides;
}

std::string format_assignment(const TrialAssignment& assignment) {
  std::string text;
  for (const auto& [path, value] : assignment) text += path + "=" + value + "\n";
  return text;
}

TrialAssignment parse_assignment(const std::string& text) {
  TrialAssignment assignment;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    assignment.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return assignment;
}

bool is_active(const SweepParameter& parameter, const TrialAssignment& assigned) {
  for (const ParamCondition& condition : parameter.when) {
    bool holds = false;
    for (const auto& [path, value] : assigned) {
      if (path == condition.path && value == condition.value) holds = true;
    }
    if (!holds) return false;
  }
  return true;
}

}  // namespace mmoe::experiments
