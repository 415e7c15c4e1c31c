#pragma once
// RunStatus as stored in runs.status; to_string is declared in store.h.
#include <optional>
#include <string_view>

#include "tracking/store.h"

namespace mmoe::tracking {

// "running", "finished", "failed", "interrupted", "preempted". nullopt for anything else.
std::optional<RunStatus> parse_run_status(std::string_view text);

}  // namespace mmoe::tracking
