#include "data/prefetch_loader.h"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "data/data_error.h"
#include "data/shard_reader.h"

namespace mmoe::data {
namespace {

// splitmix64: mixes (seed, epoch, rank, window) into one generator seed.
uint64_t mix(uint64_t state, uint64_t value) {
  uint64_t z = state + 0x9e3779b97f4a7c15ULL + value;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

void check_options(const LoaderOptions& options) {
  const auto at_least_one = [](const char* name, int64_t value) {
    if (value < 1) throw std::invalid_argument(std::string("PrefetchLoader: ") + name + " must be >= 1, got " + std::to_string(value));
  };
  at_least_one("batch_size", options.batch_size);
  at_least_one("chunk_rows", options.chunk_rows);
  at_least_one("prefetch_batches", options.prefetch_batches);
  at_least_one("shuffle_window_chunks", options.shuffle_window_chunks);
  if (options.start_batch < 0) throw std::invalid_argument("PrefetchLoader: start_batch must be >= 0");
}

}  // namespace

PrefetchLoader::PrefetchLoader(SplitSource source, std::vector<RowRange> ranges, LoaderOptions options)
    : source_(std::move(source)), options_(options) {
  check_options(options_);
  // Cut the ranges into chunks of at most chunk_rows that never cross a shard boundary.
  int64_t rows = 0;
  for (const auto& range : ranges) {
    if (range.begin < 0 || range.end < range.begin || range.end > source_.rows()) {
      throw std::invalid_argument("PrefetchLoader: rows " + std::to_string(range.begin) + ".." +
                                  std::to_string(range.end) + " are outside split '" + source_.split + "' (" +
                                  std::to_string(source_.rows()) + " rows)");
    }
    int64_t row = range.begin;
    size_t shard = 0;
    while (row < range.end) {
      while (source_.shards[shard].first_row + source_.shards[shard].rows <= row) ++shard;
      const auto& span = source_.shards[shard];
      const int64_t end = std::min({range.end, span.first_row + span.rows, row + options_.chunk_rows});
      const int64_t offset = span.shard_begin - span.first_row;  // split row -> shard row
      chunks_.push_back(Chunk{shard, row + offset, end + offset});
      row = end;
    }
    rows += range.size();
  }
  batches_ = rows / options_.batch_size + ((rows % options_.batch_size != 0 && !options_.drop_last) ? 1 : 0);
  reader_ = std::thread([this] { read_all(); });
}

PrefetchLoader::~PrefetchLoader() { stop_and_join(); }

void PrefetchLoader::stop_and_join() noexcept {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
}

bool PrefetchLoader::emit(Batch&& batch) {
  if (emitted_++ < options_.start_batch) return true;
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return stop_ || static_cast<int64_t>(queue_.size()) < options_.prefetch_batches; });
  if (stop_) return false;
  queue_.push_back(std::move(batch));
  lock.unlock();
  changed_.notify_all();
  return true;
}

namespace {

// One row of a chunk that has been read: the chunk's tensors stay alive while a row refers to it.
struct RowRef {
  std::shared_ptr<const Batch> chunk;
  int64_t row = 0;
};

// A batch of `refs` gathered row by row (one memcpy per row and tensor) into freshly allocated,
// optionally page-locked tensors: no window-sized temporary, so memory use and page faults stay
// at a few batches.
Batch gather(const std::vector<RowRef>& refs, size_t first, size_t count, bool pin_memory) {
  const Batch& model = *refs[first].chunk;
  const auto allocate = [&](const torch::Tensor& like) {
    auto sizes = like.sizes().vec();
    sizes[0] = static_cast<int64_t>(count);
    return torch::empty(sizes, torch::TensorOptions().dtype(like.dtype()).pinned_memory(pin_memory));
  };
  Batch batch;
  batch.features = allocate(model.features);
  for (const auto& label : model.labels) batch.labels.push_back(allocate(label));
  const auto copy_rows = [&](torch::Tensor& out, const auto& source_of) {
    const auto row_bytes = static_cast<size_t>(out.numel() / std::max<int64_t>(1, out.size(0))) * out.element_size();
    auto* dst = static_cast<char*>(out.data_ptr());
    for (size_t i = 0; i < count; ++i) {
      const auto& ref = refs[first + i];
      const torch::Tensor& src = source_of(*ref.chunk);
      std::memcpy(dst + i * row_bytes, static_cast<const char*>(src.data_ptr()) + ref.row * row_bytes, row_bytes);
    }
  };
  copy_rows(batch.features, [](const Batch& chunk) -> const torch::Tensor& { return chunk.features; });
  for (size_t t = 0; t < batch.labels.size(); ++t) {
    copy_rows(batch.labels[t], [t](const Batch& chunk) -> const torch::Tensor& { return chunk.labels[t]; });
  }
  return batch;
}

// Feature buffers for chunks, reused once no row refers to them any more: page faults on fresh
// memory cost more than the reads here (core/heap_tuning.h), and a reader thread's malloc arena
// returns large freed blocks to the system.
// Every buffer holds chunk_rows rows; a shorter chunk gets its first rows. At most one buffer per
// chunk that rows still refer to (a window and the rows carried into the next batch).
class FeatureBuffers {
 public:
  FeatureBuffers(int64_t chunk_rows, int64_t dim) : chunk_rows_(chunk_rows), dim_(dim) {}

  torch::Tensor take(int64_t rows) {
    for (auto& buffer : buffers_) {
      // Only the pool's own handle on the storage left: no row refers to it any more.
      if (buffer.storage().use_count() == 1) return buffer.narrow(0, 0, rows);
    }
    buffers_.push_back(torch::empty({chunk_rows_, dim_}, torch::kFloat32));
    return buffers_.back().narrow(0, 0, rows);
  }

 private:
  int64_t chunk_rows_;
  int64_t dim_;
  std::vector<torch::Tensor> buffers_;
};

}  // namespace

void PrefetchLoader::read_all() {
  std::string current_file = source_.split;
  try {
    // Shards stay open while the loader lives (the training permutation visits blocks of every
    // shard in turn); at most kMaxOpenShards at once, the one opened first is closed first.
    constexpr size_t kMaxOpenShards = 16;
    std::vector<std::unique_ptr<ShardRowReader>> readers(source_.shards.size());
    std::deque<size_t> open_order;
    FeatureBuffers buffers(options_.chunk_rows, source_.feature_dim);
    std::vector<RowRef> pending;  // rows read and ordered, not yet in a batch
    size_t next = 0;              // first pending row not yet in a batch
    const auto batch_rows = static_cast<size_t>(options_.batch_size);
    const auto window_chunks = static_cast<size_t>(options_.shuffle_window_chunks);
    for (size_t first = 0, window = 0; first < chunks_.size(); first += window_chunks, ++window) {
      std::vector<RowRef> rows;
      for (size_t c = first; c < std::min(chunks_.size(), first + window_chunks); ++c) {
        {
          const std::lock_guard<std::mutex> lock(mutex_);
          if (stop_) return;
        }
        const auto& chunk = chunks_[c];
        const auto& span = source_.shards[chunk.shard];
        current_file = span.path.string();
        auto& reader = readers[chunk.shard];
        if (!reader) {
          if (open_order.size() == kMaxOpenShards) {
            readers[open_order.front()].reset();
            open_order.pop_front();
          }
          reader = std::make_unique<ShardRowReader>(span.path, source_.tasks, source_.feature_dim);
          open_order.push_back(chunk.shard);
          if (reader->rows() != span.shard_rows) {
            throw DataError(current_file + ": holds " + std::to_string(reader->rows()) + " rows but dataset.yaml says " +
                            std::to_string(span.shard_rows) + "; re-create the dataset");
          }
        }
        auto tensors = std::make_shared<Batch>();
        tensors->features = buffers.take(chunk.end - chunk.begin);
        auto part = reader->read_rows(chunk.begin, chunk.end, tensors->features);
        for (const auto& task : source_.tasks) tensors->labels.push_back(part.labels.at(task.name).contiguous());
        for (int64_t row = 0; row < chunk.end - chunk.begin; ++row) rows.push_back(RowRef{tensors, row});
      }
      current_file = source_.split;
      if (options_.shuffle) {
        const uint64_t state = mix(mix(mix(options_.seed, static_cast<uint64_t>(options_.epoch)),
                                       static_cast<uint64_t>(options_.rank)), window);
        auto generator = at::detail::createCPUGenerator(state);
        const auto order = torch::randperm(static_cast<int64_t>(rows.size()), generator, torch::kInt64);
        const auto* index = order.data_ptr<int64_t>();
        for (size_t i = 0; i < rows.size(); ++i) pending.push_back(rows[static_cast<size_t>(index[i])]);
      } else {
        pending.insert(pending.end(), rows.begin(), rows.end());
      }
      for (; pending.size() - next >= batch_rows; next += batch_rows) {
        if (!emit(gather(pending, next, batch_rows, options_.pin_memory))) return;
      }
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(next));
      next = 0;
    }
    if (!pending.empty() && !options_.drop_last) {
      if (!emit(gather(pending, 0, pending.size(), options_.pin_memory))) return;
    }
  } catch (const DataError&) {
    const std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  } catch (const std::exception& error) {
    const std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::make_exception_ptr(DataError(current_file + ": reading rows failed: " + error.what()));
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
}

std::optional<Batch> PrefetchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty() || done_ || error_; });
  if (!queue_.empty()) {
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return batch;
  }
  if (error_) std::rethrow_exception(error_);
  return std::nullopt;
}

}  // namespace mmoe::data
