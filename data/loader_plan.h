#pragma once
// What the prefetching loader reads and where each row goes, computed before any read: the
// rank's ranges cut into chunks (at most chunk_rows rows, never crossing a shard), chunks grouped
// into shuffle windows, and each window's place in the epoch's stream of rows. Row p of the
// stream (p = a window's first_position + its i-th row after shuffling) is row p mod B of batch
// p / B; rows left over from a window open the next batch.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "data/row_sampler.h"
#include "data/split_data.h"

namespace mmoe::data {

struct LoaderChunk {
  size_t shard = 0;   // index into SplitSource::shards
  int64_t begin = 0;  // rows of that shard
  int64_t end = 0;
  int64_t rows() const { return end - begin; }
};

struct LoaderWindow {
  size_t first_chunk = 0;  // chunks [first_chunk, end_chunk)
  size_t end_chunk = 0;
  int64_t first_position = 0;  // stream position of the window's first row
  int64_t rows = 0;
};

struct LoaderPlan {
  std::vector<LoaderChunk> chunks;
  std::vector<LoaderWindow> windows;
  int64_t rows = 0;     // rows in all ranges
  int64_t batches = 0;  // batches yielded in all (drop_last drops a ragged last one)
  int64_t batch_size = 1;
  // Rows of batch b (the last one may be shorter).
  int64_t batch_rows(int64_t b) const { return std::min(batch_size, rows - b * batch_size); }
  // Stream positions that end up in a batch: [0, delivered_rows()).
  int64_t delivered_rows() const { return std::min(rows, batches * batch_size); }
};

// std::invalid_argument when a range lies outside the split.
LoaderPlan plan_loader(const SplitSource& source, const std::vector<RowRange>& ranges, int64_t chunk_rows,
                       int64_t window_chunks, int64_t batch_size, bool drop_last);

// The order of a window's rows when shuffling: int64 [rows] permutation drawn from (seed, epoch,
// rank, window) alone.
torch::Tensor window_permutation(int64_t rows, uint64_t seed, int64_t epoch, int64_t rank, size_t window);

}  // namespace mmoe::data
