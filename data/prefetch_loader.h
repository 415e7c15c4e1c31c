#pragma once
// The streaming loader of data.cache none (docs/data.md, "Prefetching loader"). Worker threads
// take shuffle windows in turn: each reads its window's chunks (one HDF5 hyperslab read per
// chunk, straight into the worker's preallocated window buffer; HDF5 is a serial build, so the
// reads themselves take turns on its lock), permutes the window's rows and copies them, one
// permuted gather per batch, into pooled batch buffers that come back to the pool when the
// consumer drops the batch. Batches are handed over in order through a bounded set of
// `prefetch_batches` batches in flight. The batches of an epoch are a function of (ranges,
// options) alone, whatever the thread count: the same seed, epoch and rank give the same batches.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "data/batch_pool.h"
#include "data/loader_plan.h"
#include "data/row_sampler.h"
#include "data/shuffle_window.h"
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
  int64_t threads = 2;               // worker threads (>= 1); each holds one window of rows
};

// With the prefetching loader, the tensors view pooled buffers: keep them (or views of them) as
// long as needed; the buffer is reused only once every tensor sharing it is gone.
struct Batch {
  torch::Tensor features;             // float32 [B, D]
  std::vector<torch::Tensor> labels;  // per task of the source, encoding of core/task_type.h
};

class PrefetchLoader {
 public:
  // Starts the worker threads over `ranges` (split rows, e.g. RowSampler::epoch_ranges) in order.
  // std::invalid_argument for bad options or ranges outside the split.
  PrefetchLoader(SplitSource source, std::vector<RowRange> ranges, LoaderOptions options);
  PrefetchLoader(const PrefetchLoader&) = delete;
  PrefetchLoader& operator=(const PrefetchLoader&) = delete;
  ~PrefetchLoader();  // stops the workers and joins them; never waits for the rest of the epoch

  // The next batch, or nullopt after the last. An exception of a worker (DataError naming the
  // file and dataset) is rethrown here, after the batches before the one it spoiled.
  std::optional<Batch> next();
  // Batches this loader yields in all (start_batch included in the count it skips).
  int64_t batches() const { return plan_.batches; }

 private:
  struct Slot {  // a batch being filled, possibly by two workers (rows of two windows)
    Batch batch;
    int64_t rows = 0;
    int64_t filled = 0;
  };
  void work(ShuffleWindow& window);  // a worker thread's body
  // Waits until batch b may be filled (fewer than prefetch_batches ahead of the consumer) and
  // returns its slot's tensors; false once stopped.
  bool claim(int64_t b, Batch& tensors);
  void filled(int64_t b, int64_t rows);
  void fail(int64_t b) noexcept;  // records the current exception for batch b (the first wins)
  void stop_and_join() noexcept;

  SplitSource source_;
  LoaderOptions options_;
  LoaderPlan plan_;
  BatchPool pool_;
  std::vector<std::unique_ptr<ShuffleWindow>> windows_;  // one per worker

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Slot> slots_;  // batches consumed_, consumed_ + 1, ...
  int64_t consumed_ = 0;    // batches handed out (start_batch counts as handed out)
  size_t next_window_ = 0;  // the first window no worker has taken
  bool stop_ = false;
  std::exception_ptr error_;
  int64_t error_batch_ = 0;  // the batch error_ spoiled
  std::vector<std::thread> workers_;
};

}  // namespace mmoe::data
