#pragma once
// Run ids: 12 lowercase hex characters (48 random bits) from the operating system's entropy
// source, so processes forked from one parent, or started in the same millisecond on different
// nodes, still get different ids.
#include <cstddef>
#include <string>
#include <string_view>

namespace mmoe::tracking {

constexpr std::size_t kRunIdLength = 12;

std::string new_run_id();
// True when `text` is 1 to 12 lowercase hex characters, i.e. could be a run id or its prefix.
bool is_run_id_prefix(std::string_view text);

}  // namespace mmoe::tracking
