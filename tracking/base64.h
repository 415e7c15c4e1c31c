#pragma once
// Standard base64 (RFC 4648, with '=' padding), for images embedded in report.html.
#include <string>
#include <string_view>

namespace mmoe::tracking {

std::string base64_encode(std::string_view bytes);

}  // namespace mmoe::tracking
