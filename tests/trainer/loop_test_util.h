#pragma once
// Helpers for the training-loop policy tests: a synthetic dataset in a temporary directory, a
// small fast config, and an observer that records every step and epoch.
#include <filesystem>
#include <string>
#include <vector>

#include "data/shard_format.h"
#include "experiments/config.h"
#include "trainer/epoch_report.h"

namespace mmoe::trainer::testing {

// A synth attributes dataset (tasks category, color, style, price; 70% train) of `rows` rows of
// 16 features under a fresh temporary directory; removed by the destructor.
class TempDataset {
 public:
  TempDataset(const std::string& name, int64_t rows);
  ~TempDataset();
  TempDataset(const TempDataset&) = delete;
  TempDataset& operator=(const TempDataset&) = delete;
  std::filesystem::path dir() const { return root_ / "data"; }
  std::filesystem::path root() const { return root_; }
  // Sets the regression label `price` of the given train rows (in the train shards' row order)
  // to `value`, rewriting the shards and their checksums.
  void set_train_price(const std::vector<int64_t>& rows, float value) const;

 private:
  std::filesystem::path root_;
};

// The provenance `mmoe synth` writes: a test that rewrites a synthetic shard must keep it,
// since training refuses shards of mixed provenance.
data::ShardProvenance synthetic_provenance();

// 2 experts of [16], towers [8], batch 64, 1 thread, CPU, seed 0.
experiments::Config small_config(const std::filesystem::path& data_dir, int64_t epochs);

class Recorder final : public TrainingObserver {
 public:
  void on_step(const StepProgress& progress) override { steps.push_back(progress); }
  void on_epoch(const EpochReport& report) override { epochs.push_back(report); }
  void on_note(const std::string& note) override { notes.push_back(note); }
  std::vector<StepProgress> steps;
  std::vector<EpochReport> epochs;
  std::vector<std::string> notes;
};

}  // namespace mmoe::trainer::testing
