#pragma once
// Predictions of a checkpoint's model for every row of a split, written as CSV (README,
// "mmoe predict"). One row per sample: sample_id, then per task in the model's order
//   multiclass   <task> = the predicted class's name (its id when the name is empty), then
//                <task>:p:<class> = softmax probability, one column per class
//   multilabel   <task> = names of the labels with sigmoid >= threshold joined by '|', then
//                <task>:p:<label> = sigmoid probability, one column per label
//   regression   <task> (one output) or <task>:<k> (K outputs) = the value in the target's units
// Fields holding ',', '"' or a newline are quoted as RFC 4180 says.
#include <filesystem>
#include <string>

#include "trainer/checkpoint_model.h"

namespace mmoe::trainer {

struct PredictOptions {
  std::filesystem::path data_dir;  // holds dataset.yaml
  std::string split = "test";
  double multilabel_threshold = 0.5;
  torch::Device device = torch::kCPU;
};

// Writes the CSV to `out` (through "<out>.partial", renamed when complete) and returns the rows
// written. CheckpointError as tasks_for_model; DataError for unreadable shards; mmoe::Error
// naming `out` when it cannot be written.
int64_t write_predictions(CheckpointModel& loaded, const PredictOptions& options, const std::filesystem::path& out);

}  // namespace mmoe::trainer
