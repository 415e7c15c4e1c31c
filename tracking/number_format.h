#pragma once
// How numbers look in the text renderings (tables, warnings), in one place.
#include <optional>
#include <string>

namespace mmoe::tracking {

// Metric values: 4 decimals in [0.001, 100) ("0.8123", "12.3457"), 1 decimal from 100 to 1e6
// ("24118.5"), scientific outside ("3.000e-04"); "0" for zero, "nan" / "inf" / "-inf" as such.
std::string format_number(double value);
// As format_number, "-" when absent.
std::string format_number(const std::optional<double>& value);
// A fraction as a percentage: 1 decimal ("25.0%", "0.4%"), 2 significant digits below 0.1%
// ("0.042%"), "0%" for exactly zero.
std::string format_percent(double fraction);

}  // namespace mmoe::tracking
