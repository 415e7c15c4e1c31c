#include "tracking/timestamp.h"

#include <fmt/format.h>

#include <ctime>

namespace mmoe::tracking {

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto since_epoch_ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  // Floor division so times before 1970 still get milliseconds in [0, 999].
  auto seconds = since_epoch_ms / 1000;
  auto millis = since_epoch_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const std::time_t whole = seconds;
  std::tm utc{};
  gmtime_r(&whole, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

std::string now_iso8601_utc() { return iso8601_utc(std::chrono::system_clock::now()); }

}  // namespace mmoe::tracking
