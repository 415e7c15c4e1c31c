#include "tracking/run_status.h"

namespace mmoe::tracking {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kFinished:
      return "finished";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kInterrupted:
      return "interrupted";
    case RunStatus::kPreempted:
      return "preempted";
  }
  MMOE_ASSERT(false, "unknown RunStatus value");
  return "";
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
  if (text == "running") return RunStatus::kRunning;
  if (text == "finished") return RunStatus::kFinished;
  if (text == "failed") return RunStatus::kFailed;
  if (text == "interrupted") return RunStatus::kInterrupted;
  if (text == "preempted") return RunStatus::kPreempted;
  return std::nullopt;
}

}  // namespace mmoe::tracking
