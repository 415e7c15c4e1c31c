#pragma once
// ReduceLROnPlateau with PyTorch's semantics (torch.optim.lr_scheduler.ReduceLROnPlateau):
// after more than `patience` epochs without improvement of the monitored value, every group's
// lr becomes max(lr * factor, min_lr) (skipped when the change is <= eps), then `cooldown` epochs
// pass before bad epochs count again. Improvement (mode min, rel): value < best * (1 - threshold);
// (min, abs): value < best - threshold; max mirrors it. LibTorch 1.13 has no C++ version.
#include <cstdint>
#include <limits>
#include <vector>

namespace mmoe::trainer {

enum class PlateauMode { kMin, kMax };
enum class PlateauThresholdMode { kRel, kAbs };

struct PlateauOptions {
  PlateauMode mode = PlateauMode::kMin;
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  PlateauThresholdMode threshold_mode = PlateauThresholdMode::kRel;
  int64_t cooldown = 0;
  std::vector<double> min_lrs;  // one per group, or one for all, or empty (0)
  double eps = 1e-8;
};

class PlateauScheduler {
 public:
  explicit PlateauScheduler(PlateauOptions options);

  // Takes the epoch's monitored value and the groups' current lrs; returns the new lrs.
  std::vector<double> step(double value, const std::vector<double>& lrs);

  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  int64_t cooldown_counter() const { return cooldown_counter_; }
  // For checkpoints: best, bad epochs, cooldown counter, last epoch.
  std::vector<double> state() const;
  void load_state(const std::vector<double>& state);

 private:
  bool is_better(double value) const;
  double min_lr(size_t group) const;
  PlateauOptions options_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
};

}  // namespace mmoe::trainer
