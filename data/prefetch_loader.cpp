#include "data/prefetch_loader.h"

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
      chunks_.push_back(Chunk{shard, row - span.first_row, end - span.first_row});
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
  if (options_.pin_memory) {
    batch.features = batch.features.pin_memory();
    for (auto& label : batch.labels) label = label.pin_memory();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return stop_ || static_cast<int64_t>(queue_.size()) < options_.prefetch_batches; });
  if (stop_) return false;
  queue_.push_back(std::move(batch));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void PrefetchLoader::read_all() {
  std::string current_file = source_.split;
  try {
    std::unique_ptr<ShardRowReader> reader;
    size_t open_shard = 0;
    const size_t tasks = source_.tasks.size();
    Batch carry;  // rows of the last window that did not fill a batch
    const auto window_chunks = static_cast<size_t>(options_.shuffle_window_chunks);
    for (size_t first = 0, window = 0; first < chunks_.size(); first += window_chunks, ++window) {
      std::vector<torch::Tensor> features;
      std::vector<std::vector<torch::Tensor>> labels(tasks);
      for (size_t c = first; c < std::min(chunks_.size(), first + window_chunks); ++c) {
        {
          const std::lock_guard<std::mutex> lock(mutex_);
          if (stop_) return;
        }
        const auto& chunk = chunks_[c];
        const auto& span = source_.shards[chunk.shard];
        current_file = span.path.string();
        if (!reader || open_shard != chunk.shard) {
          reader.reset();
          reader = std::make_unique<ShardRowReader>(span.path, source_.tasks, source_.feature_dim);
          open_shard = chunk.shard;
          if (reader->rows() != span.rows) {
            throw DataError(current_file + ": holds " + std::to_string(reader->rows()) + " rows but dataset.yaml says " +
                            std::to_string(span.rows) + "; re-create the dataset");
          }
        }
        auto part = reader->read_rows(chunk.begin, chunk.end);
        features.push_back(std::move(part.features));
        for (size_t t = 0; t < tasks; ++t) labels[t].push_back(std::move(part.labels.at(source_.tasks[t].name)));
      }
      current_file = source_.split;
      Batch rows;
      rows.features = features.size() == 1 ? features[0] : torch::cat(features);
      for (auto& parts : labels) rows.labels.push_back(parts.size() == 1 ? parts[0] : torch::cat(parts));
      if (options_.shuffle) {
        uint64_t state = mix(mix(mix(options_.seed, static_cast<uint64_t>(options_.epoch)),
                                 static_cast<uint64_t>(options_.rank)), window);
        auto generator = at::detail::createCPUGenerator(state);
        const auto order = torch::randperm(rows.features.size(0), generator, torch::kInt64);
        rows.features = rows.features.index_select(0, order);
        for (auto& label : rows.labels) label = label.index_select(0, order);
      }
      if (carry.features.defined() && carry.features.size(0) > 0) {
        rows.features = torch::cat({carry.features, rows.features});
        for (size_t t = 0; t < tasks; ++t) rows.labels[t] = torch::cat({carry.labels[t], rows.labels[t]});
      }
      const int64_t available = rows.features.size(0);
      int64_t start = 0;
      for (; start + options_.batch_size <= available; start += options_.batch_size) {
        Batch batch;
        batch.features = rows.features.slice(0, start, start + options_.batch_size);
        for (const auto& label : rows.labels) batch.labels.push_back(label.slice(0, start, start + options_.batch_size));
        if (!emit(std::move(batch))) return;
      }
      carry = Batch{};
      carry.features = rows.features.slice(0, start, available).clone();
      for (const auto& label : rows.labels) carry.labels.push_back(label.slice(0, start, available).clone());
    }
    if (carry.features.defined() && carry.features.size(0) > 0 && !options_.drop_last) {
      if (!emit(std::move(carry))) return;
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
