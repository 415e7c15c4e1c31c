#pragma once
// Timestamps as the store keeps them: ISO 8601 UTC with milliseconds, "2024-05-01T12:34:56.789Z".
// They sort as text in time order, which the queries and views rely on.
#include <chrono>
#include <string>

namespace mmoe::tracking {

std::string iso8601_utc(std::chrono::system_clock::time_point time);
std::string now_iso8601_utc();

}  // namespace mmoe::tracking
