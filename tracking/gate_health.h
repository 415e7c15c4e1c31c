#pragma once
// Gate collapse: a task's gate that starves an expert (utilization below 1/(10·E)) or hands one
// expert more than 90% of the weight has stopped mixing experts. The trainer and `mmoe runs
// show` both report it.
#include <string>
#include <vector>

#include "tracking/store.h"

namespace mmoe::tracking {

constexpr double kStarvedExpertFactor = 0.1;    // starved below kStarvedExpertFactor / E
constexpr double kDominantExpertFraction = 0.9;  // dominant above this share

// One line per starved or dominant expert, in task then expert order, e.g.
// "collapse warning: task family expert 2 utilization 0.4% < 1/(10E) = 2.5%". Gates with fewer
// than two experts cannot collapse and give none.
std::vector<std::string> collapse_warnings(const std::vector<GateRecord>& gates);

}  // namespace mmoe::tracking
