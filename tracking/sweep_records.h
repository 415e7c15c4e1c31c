#pragma once
// Rows of the sweeps tables (schema version 3, docs/store.md): a sweep, the values each trial
// was given, and the runs of its trials with their per-epoch objective values.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mmoe::tracking {

// The run tag set on a trial stopped by early termination; its value says why (one line).
inline constexpr const char* kStoppedEarlyTag = "mmoe.sweep.stopped_early";
// The run tag with the seconds the trial's process lived (spawn to exit), for the overhead bench.
inline constexpr const char* kProcessSecondsTag = "mmoe.sweep.process_seconds";

struct NewSweep {
  std::string name;       // unique in the store
  std::string spec_text;  // the sweep file as read
  std::string source;     // the sweep file's path
  std::string method;     // "grid", "random", "tpe"
  std::string metric;     // the objective, e.g. "val_weighted_f1"
  std::string direction;  // "max" or "min"
};

struct SweepRecord {
  std::string id;  // 12 lowercase hex characters
  std::string name;
  std::string spec_text;
  std::string source;
  std::string method;
  std::string metric;
  std::string direction;
  std::string created_at;
  std::string status;  // "running", "finished", "failed", "interrupted"
};

struct SweepTrialRecord {
  int64_t trial = 0;
  std::string assignment;  // "path=value" lines
  int64_t failed_launches = 0;  // trial processes that failed before creating a run
};

// One run of a trial (a trial has several when it was retried).
struct SweepRunRecord {
  std::string run_id;
  int64_t trial = 0;
  std::string status;        // the run's stored status
  std::string stopped_early;  // the kStoppedEarlyTag value; empty when not stopped
  std::string started_at;
  std::map<int64_t, double> curve;  // epoch -> objective metric (NULLs left out)
};

}  // namespace mmoe::tracking
