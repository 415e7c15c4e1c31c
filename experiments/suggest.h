#pragma once
// Nearest-name suggestions for misspelled config keys and enum values.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmoe::experiments {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ASCII
// case-insensitive: edit_distance("num_expert", "num_experts") == 1,
// edit_distance("nmu_experts", "num_experts") == 1, edit_distance("LR", "lr") == 0.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, if it is within a sensible distance: at most
// max(1, typed.size() / 3) edits. Ties go to the earlier candidate. Exact matches are
// never suggested (the caller only asks about names that did not match).
std::optional<std::string> nearest_name(std::string_view typed,
                                        const std::vector<std::string>& candidates);

// "a, b, c": for listing the valid choices in a message.
std::string join_names(const std::vector<std::string>& names);

}  // namespace mmoe::experiments
