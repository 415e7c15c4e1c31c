#include "tracking/gate_health.h"

#include <fmt/format.h>

#include "tracking/number_format.h"

namespace mmoe::tracking {

std::vector<std::string> collapse_warnings(const std::vector<GateRecord>& gates) {
  std::vector<std::string> warnings;
  for (const GateRecord& gate : gates) {
    const std::size_t experts = gate.utilization.size();
    if (experts < 2) continue;
    const double starved_below = kStarvedExpertFactor / static_cast<double>(experts);
    for (std::size_t e = 0; e < experts; ++e) {
      const double utilization = gate.utilization[e];
      if (utilization < starved_below) {
        warnings.push_back(fmt::format(
            "collapse warning: task {} expert {} utilization {} < 1/(10E) = {:.3g}%", gate.task, e,
            format_percent(utilization), starved_below * 100.0));
      } else if (utilization > kDominantExpertFraction) {
        warnings.push_back(fmt::format("collapse warning: task {} expert {} utilization {} > {:.0f}%",
                                       gate.task, e, format_percent(utilization),
                                       kDominantExpertFraction * 100.0));
      }
    }
  }
  return warnings;
}

}  // namespace mmoe::tracking
