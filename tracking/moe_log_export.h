#pragma once
// The MoE-visualisation training log of one run (docs/report.md): `training_log.jsonl`, one JSON
// object per logged epoch, and `router_affinity_matrix.csv` (task x expert mean gate weight at the
// final epoch).
#include <filesystem>
#include <string>

#include "tracking/store.h"

namespace mmoe::tracking {

// One line of training_log.jsonl, without the newline:
//   {"epoch": 3, "entropy": H, "utilization": [u0, ...], "metrics": {"accuracy": a, "loss": l},
//    "gates": {"<task>": {"entropy": h, "entropy_normalized": n, "utilization": [...]}}}
// entropy: the mean over the task gates of their entropy (nats); utilization: the mean over the
// task gates of each expert's utilization; both absent in an epoch without gate statistics.
// metrics.accuracy is val_accuracy and metrics.loss is val_loss, each absent when not logged.
// routing_acc is never written: the data carries no ground-truth expert.
std::string moe_log_line(const EpochRow& epoch, const std::vector<GateRecord>& gates);

// "task,expert_0,...,expert_{E-1}" then one row per task gate of the final logged epoch.
std::string router_affinity_csv(const std::vector<GateRecord>& gates);

struct MoeExport {
  std::filesystem::path log;     // out_dir / "training_log.jsonl"
  std::filesystem::path matrix;  // out_dir / "router_affinity_matrix.csv"
  int64_t epochs = 0;
};

// Throws StoreError (unknown run), ReportError (no epochs, out_dir not writable).
MoeExport export_moe_log(const Store& store, const std::string& run_id_or_prefix,
                         const std::filesystem::path& out_dir);

}  // namespace mmoe::tracking
