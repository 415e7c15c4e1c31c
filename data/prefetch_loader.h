#pragma once
// The streaming loader of data.cache none (docs/data.md, "Prefetching loader"): one background
// reader thread reads this rank's rows in contiguous chunks with HDF5 hyperslabs (HDF5 is a serial
// build, so more reader threads would only queue on its lock), shuffles rows within a window of
// chunks, cuts batches and hands them over through a bounded queue. The batches of an epoch are a
// function of (ranges, options) alone: the same seed, epoch and rank give the same batches.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "data/row_sampler.h"
#include "data/split_data.h"

namespace mmoe::data {

struct LoaderOptions {
  int64_t batch_size = 1;            // >= 1
  bool drop_last = false;            // drop a ragged last batch
  int64_t chunk_rows = 4096;         // rows per read (>= 1); a read never crosses a shard
  int64_t prefetch_batches = 4;      // queue capacity in batches (>= 1)
  int64_t shuffle_window_chunks = 8; // rows are shuffled within windows of this many chunks (>= 1)
  bool shuffle = false;              // false: rows in range order (evaluation)
  uint64_t seed = 0;                 // with epoch and rank: the window permutations
  int64_t epoch = 1;
  int64_t rank = 0;
  int64_t start_batch = 0;           // resume: skip the epoch's first batches
  bool pin_memory = false;           // page-locked batches (set it only when CUDA is available)
};

struct Batch {
  torch::Tensor features;             // float32 [B, D]
  std::vector<torch::Tensor> labels;  // per task of the source, encoding of core/task_type.h
};

class PrefetchLoader {
 public:
  // Starts the reader thread over `ranges` (split rows, e.g. RowSampler::epoch_ranges) in order.
  // std::invalid_argument for bad options or ranges outside the split.
  PrefetchLoader(SplitSource source, std::vector<RowRange> ranges, LoaderOptions options);
  PrefetchLoader(const PrefetchLoader&) = delete;
  PrefetchLoader& operator=(const PrefetchLoader&) = delete;
  ~PrefetchLoader();  // stops the reader and joins it; never waits for the rest of the epoch

  // The next batch, or nullopt after the last. An exception of the reader (DataError naming the
  // file and dataset) is rethrown here, after the batches read before it.
  std::optional<Batch> next();
  // Batches this loader yields in all (start_batch included in the count it skips).
  int64_t batches() const { return batches_; }

 private:
  struct Chunk {
    size_t shard = 0;
    int64_t begin = 0;  // rows of that shard
    int64_t end = 0;
  };
  void read_all();              // the reader thread's body
  bool emit(Batch&& batch);     // false once stopped
  void stop_and_join() noexcept;

  SplitSource source_;
  LoaderOptions options_;
  std::vector<Chunk> chunks_;
  int64_t batches_ = 0;
  int64_t emitted_ = 0;  // reader thread only

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool stop_ = false;
  bool done_ = false;
  std::exception_ptr error_;
  std::thread reader_;
};

}  // namespace mmoe::data
