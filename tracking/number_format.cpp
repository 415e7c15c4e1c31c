#include "tracking/number_format.h"

#include <fmt/format.h>

#include <cmath>

namespace mmoe::tracking {

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6) return fmt::format("{:.3e}", value);
  if (magnitude >= 100.0) return fmt::format("{:.1f}", value);
  return fmt::format("{:.4f}", value);
}

std::string format_number(const std::optional<double>& value) {
  return value ? format_number(*value) : "-";
}

std::string format_percent(double fraction) {
  if (std::isnan(fraction)) return "nan";
  const double percent = fraction * 100.0;
  if (percent == 0.0) return "0%";
  if (std::fabs(percent) < 0.1) return fmt::format("{:.2g}%", percent);
  return fmt::format("{:.1f}%", percent);
}

}  // namespace mmoe::tracking
