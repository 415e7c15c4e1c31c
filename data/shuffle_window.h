#pragma once
// One prefetching-loader worker's window of rows: the window's chunks read with one HDF5
// hyperslab read each, straight into preallocated [chunk_rows, D] blocks that are reused from
// window to window, with their labels; then rows copied out of it in any order into batch
// buffers, the features checked for NaN / Inf on the way (the row is in cache then).
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "data/loader_plan.h"
#include "data/shard_reader.h"
#include "data/split_data.h"

namespace mmoe::data {

class ShuffleWindow {
 public:
  // Allocates `max_chunks` feature blocks of [chunk_rows, D] on the calling thread. `source`
  // must outlive the window.
  ShuffleWindow(const SplitSource& source, int64_t chunk_rows, int64_t max_chunks);
  ShuffleWindow(const ShuffleWindow&) = delete;
  ShuffleWindow& operator=(const ShuffleWindow&) = delete;
  ~ShuffleWindow();

  // Reads chunks [window.first_chunk, window.end_chunk) of `plan`. DataError naming the file for
  // a missing or broken shard, a shard whose rows differ from dataset.yaml, or bad labels
  // (ShardRowReader's checks and messages).
  void read(const LoaderPlan& plan, const LoaderWindow& window);
  int64_t rows() const { return static_cast<int64_t>(locations_.size()); }

  // Copies window rows order[i] (i in [first, first + count); order nullptr: rows in window
  // order) into rows [at, at + count) of `features` [B, D] and each of `labels` (task order).
  // DataError "<file>: /features row <shard row> holds NaN or Inf; ..." for a non-finite row.
  void gather(const int64_t* order, int64_t first, int64_t count, const torch::Tensor& features,
              const std::vector<torch::Tensor>& labels, int64_t at) const;

 private:
  ShardRowReader& reader(size_t shard);

  struct RowLocation {
    uint32_t chunk = 0;  // index into chunks_
    uint32_t row = 0;    // row of that chunk
  };
  const SplitSource& source_;
  int64_t chunk_rows_;
  std::vector<torch::Tensor> blocks_;               // float32 [chunk_rows, D] each
  std::vector<LoaderChunk> chunks_;                 // the window's chunks
  std::vector<std::vector<torch::Tensor>> labels_;  // [chunk][task], contiguous
  std::vector<RowLocation> locations_;              // per window row
  // Shards stay open between windows (a training permutation visits blocks of every shard in
  // turn); at most kMaxOpenShards, the one opened first is closed first.
  std::vector<std::unique_ptr<ShardRowReader>> readers_;
  std::deque<size_t> open_order_;
};

}  // namespace mmoe::data
