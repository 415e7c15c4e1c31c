#pragma once
// Which rows of a split one rank visits in an epoch, and in what order (docs/data.md, "Row
// sampler"). Rows are numbered 0 .. N-1 over the split's shards in manifest order.
//   training:   a permutation drawn from (seed, epoch) alone, over single rows (block_rows 1) or
//               over blocks of block_rows consecutive rows (the streaming loader: reads stay
//               sequential). Its first W * floor(N / W) positions are cut into global batches of
//               W * B; rank r takes the r-th of each global batch's W equal consecutive pieces.
//               So every rank gets exactly floor(N / W) rows and runs the same number of steps,
//               the ranks' k-th batches together are the k-th batch of one process with batch
//               W * B (data parallelism reproduces single-process training), and the N mod W
//               rows at the end of the permutation are skipped this epoch (other rows next epoch).
//   evaluation: rank r takes a contiguous range; ranks together see every row exactly once
//               (no padding duplicates); the first N mod W ranks hold one row more.
// The position (epoch, next batch) is a small struct: restore() it and the remaining batches of
// that epoch are the ones the saved sampler would have produced.
#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

namespace mmoe::data {

enum class SamplerMode { kTrain, kEval };

// A half-open range [begin, end) of split rows.
struct RowRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
  bool operator==(const RowRange& other) const { return begin == other.begin && end == other.end; }
};

struct SamplerPosition {
  int64_t epoch = 1;       // the epoch being (or about to be) visited
  int64_t next_batch = 0;  // index of the next batch of that epoch
  bool operator==(const SamplerPosition& other) const {
    return epoch == other.epoch && next_batch == other.next_batch;
  }
};

struct RowSamplerOptions {
  int64_t rows = 0;        // N, rows of the split (>= 1)
  int64_t world_size = 1;  // W >= 1
  int64_t rank = 0;        // 0 .. W-1
  SamplerMode mode = SamplerMode::kTrain;
  int64_t batch_size = 1;  // >= 1
  // Training: drop a ragged last batch. The trainer sets it when a rank has at least one full
  // batch (BatchNorm needs more than one row per batch).
  bool drop_last = false;
  uint64_t seed = 0;
  int64_t block_rows = 1;  // training: permute blocks of this many consecutive rows (>= 1)
};

class RowSampler {
 public:
  explicit RowSampler(const RowSamplerOptions& options);  // std::invalid_argument for bad options

  // This rank's rows for `epoch` as ranges in visiting order (training: permuted blocks, cut to
  // the rank's share; evaluation: one range).
  std::vector<RowRange> epoch_ranges(int64_t epoch) const;
  // The same rows one by one, int64 [rows_per_rank()].
  torch::Tensor epoch_rows(int64_t epoch) const;

  int64_t rows_per_rank() const;      // training: floor(N / W); evaluation: this rank's share
  int64_t batches_per_epoch() const;  // identical on every rank in training

  // Batch by batch: the next batch of the current epoch as int64 row indices, or nullopt when the
  // epoch is done (then set_epoch to go on).
  void set_epoch(int64_t epoch);
  std::optional<torch::Tensor> next_batch();
  SamplerPosition position() const { return position_; }
  void restore(const SamplerPosition& position);

  const RowSamplerOptions& options() const { return options_; }

 private:
  // Training: this rank's positions in the epoch permutation, in order.
  std::vector<RowRange> rank_positions() const;

  RowSamplerOptions options_;
  SamplerPosition position_;
  torch::Tensor current_rows_;  // epoch_rows(position_.epoch), computed lazily
  int64_t current_epoch_ = -1;
};

}  // namespace mmoe::data
