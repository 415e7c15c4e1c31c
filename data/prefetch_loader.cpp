#include "data/prefetch_loader.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

const LoaderOptions& checked_loader_options(const LoaderOptions& options) {
  const auto at_least_one = [](const char* name, int64_t value) {
    if (value < 1) throw std::invalid_argument(std::string("PrefetchLoader: ") + name + " must be >= 1, got " + std::to_string(value));
  };
  at_least_one("batch_size", options.batch_size);
  at_least_one("chunk_rows", options.chunk_rows);
  at_least_one("prefetch_batches", options.prefetch_batches);
  at_least_one("shuffle_window_chunks", options.shuffle_window_chunks);
  at_least_one("threads", options.threads);
  if (options.start_batch < 0) throw std::invalid_argument("PrefetchLoader: start_batch must be >= 0");
  return options;
}

// Batch buffers made up front, on the constructing thread: the batches in flight, one per worker
// being filled and one the consumer holds.
int64_t preallocated_batches(const LoaderOptions& options, const LoaderPlan& plan) {
  return std::min(plan.batches, options.prefetch_batches + options.threads + 1);
}

}  // namespace

PrefetchLoader::PrefetchLoader(SplitSource source, std::vector<RowRange> ranges, LoaderOptions options)
    : source_(std::move(source)),
      options_(checked_loader_options(options)),
      plan_(plan_loader(source_, ranges, options_.chunk_rows, options_.shuffle_window_chunks, options_.batch_size,
                        options_.drop_last)),
      pool_(std::max<int64_t>(1, std::min(options_.batch_size, plan_.rows)), source_.feature_dim, source_.tasks,
            options_.pin_memory, preallocated_batches(options_, plan_)) {
  consumed_ = std::min(options_.start_batch, plan_.batches);
  int64_t block_rows = 1;
  for (const auto& chunk : plan_.chunks) block_rows = std::max(block_rows, chunk.rows());
  const auto window_chunks = std::min<int64_t>(options_.shuffle_window_chunks, static_cast<int64_t>(plan_.chunks.size()));
  const auto workers = std::min<int64_t>(options_.threads, static_cast<int64_t>(plan_.windows.size()));
  for (int64_t k = 0; k < workers; ++k) {
    windows_.push_back(std::make_unique<ShuffleWindow>(source_, block_rows, window_chunks));
  }
  for (auto& window : windows_) workers_.emplace_back([this, &window] { work(*window); });
}

PrefetchLoader::~PrefetchLoader() { stop_and_join(); }

void PrefetchLoader::stop_and_join() noexcept {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

bool PrefetchLoader::claim(int64_t b, Batch& tensors) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return stop_ || b < consumed_ + options_.prefetch_batches; });
  if (stop_) return false;
  // Batch b is not complete yet (this worker has rows for it), so the consumer has not passed it.
  const auto index = static_cast<size_t>(b - consumed_);
  while (slots_.size() <= index) {
    Slot slot;
    slot.rows = plan_.batch_rows(consumed_ + static_cast<int64_t>(slots_.size()));
    pool_.take(slot.rows, slot.batch.features, slot.batch.labels);
    slots_.push_back(std::move(slot));
  }
  tensors.features = slots_[index].batch.features;
  tensors.labels = slots_[index].batch.labels;
  return true;
}

void PrefetchLoader::filled(int64_t b, int64_t rows) {
  bool complete = false;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = slots_[static_cast<size_t>(b - consumed_)];
    slot.filled += rows;
    complete = slot.filled == slot.rows;
  }
  if (complete) changed_.notify_all();
}

void PrefetchLoader::fail(int64_t b) noexcept {
  std::exception_ptr error = std::current_exception();
  try {
    std::rethrow_exception(error);
  } catch (const DataError&) {
  } catch (const std::exception& other) {
    error = std::make_exception_ptr(DataError(source_.split + ": loading rows failed: " + other.what()));
  } catch (...) {
    error = std::make_exception_ptr(DataError(source_.split + ": loading rows failed"));
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!error_ || b < error_batch_) {
      error_ = error;
      error_batch_ = b;
    }
  }
  changed_.notify_all();
}

void PrefetchLoader::work(ShuffleWindow& window) {
  const int64_t batch_size = options_.batch_size;
  const int64_t skipped = options_.start_batch * batch_size;  // stream rows before the resume point
  const int64_t delivered = plan_.delivered_rows();
  for (;;) {
    size_t w = 0;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (stop_ || next_window_ >= plan_.windows.size()) return;
      w = next_window_++;
      // Past a failed batch nothing more is handed out.
      if (error_ && plan_.windows[w].first_position / batch_size > error_batch_) return;
    }
    const auto& spec = plan_.windows[w];
    const int64_t first = std::max(spec.first_position, skipped);
    const int64_t last = std::min(spec.first_position + spec.rows, delivered);
    if (first >= last) continue;  // none of its rows end up in a batch: not read
    int64_t b = first / batch_size;
    try {
      window.read(plan_, spec);
      torch::Tensor order;
      const int64_t* index = nullptr;
      if (options_.shuffle) {
        order = window_permutation(spec.rows, options_.seed, options_.epoch, options_.rank, w);
        index = order.data_ptr<int64_t>();
      }
      for (int64_t p = first; p < last; ++b) {
        const int64_t end = std::min(last, (b + 1) * batch_size);
        Batch tensors;
        if (!claim(b, tensors)) return;
        window.gather(index, p - spec.first_position, end - p, tensors.features, tensors.labels, p - b * batch_size);
        filled(b, end - p);
        p = end;
      }
    } catch (...) {
      fail(b);
      return;
    }
  }
}

std::optional<Batch> PrefetchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (consumed_ >= plan_.batches) return std::nullopt;
  const auto ready = [this] { return !slots_.empty() && slots_.front().filled == slots_.front().rows; };
  changed_.wait(lock, [&] { return ready() || (error_ && error_batch_ <= consumed_); });
  if (!ready()) std::rethrow_exception(error_);
  Batch batch = std::move(slots_.front().batch);
  slots_.pop_front();
  ++consumed_;
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace mmoe::data
