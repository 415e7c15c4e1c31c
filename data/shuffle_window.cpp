#include "data/shuffle_window.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

constexpr size_t kMaxOpenShards = 8;

// Copies n floats and reports whether all are finite (exponent bits not all ones); one pass
// while the row is in cache, which the compiler vectorizes.
bool copy_finite_row(const float* src, float* dst, int64_t n) {
  uint32_t non_finite = 0;
  for (int64_t k = 0; k < n; ++k) {
    uint32_t bits = 0;
    std::memcpy(&bits, src + k, sizeof(bits));
    non_finite |= static_cast<uint32_t>((bits & 0x7f800000U) == 0x7f800000U);
    dst[k] = src[k];
  }
  return non_finite == 0;
}

}  // namespace

ShuffleWindow::ShuffleWindow(const SplitSource& source, int64_t chunk_rows, int64_t max_chunks)
    : source_(source), chunk_rows_(chunk_rows), readers_(source.shards.size()) {
  for (int64_t c = 0; c < max_chunks; ++c) blocks_.push_back(torch::empty({chunk_rows, source.feature_dim}, torch::kFloat32));
}

ShuffleWindow::~ShuffleWindow() = default;

ShardRowReader& ShuffleWindow::reader(size_t shard) {
  auto& reader = readers_[shard];
  if (reader) return *reader;
  const auto& span = source_.shards[shard];
  if (open_order_.size() == kMaxOpenShards) {
    readers_[open_order_.front()].reset();
    open_order_.pop_front();
  }
  reader = std::make_unique<ShardRowReader>(span.path, source_.tasks, source_.feature_dim);
  open_order_.push_back(shard);
  if (reader->rows() != span.shard_rows) {
    const int64_t rows = reader->rows();
    readers_[shard].reset();
    open_order_.pop_back();
    throw DataError(span.path.string() + ": holds " + std::to_string(rows) + " rows but dataset.yaml says " +
                    std::to_string(span.shard_rows) + "; re-create the dataset");
  }
  return *reader;
}

void ShuffleWindow::read(const LoaderPlan& plan, const LoaderWindow& window) {
  chunks_.assign(plan.chunks.begin() + static_cast<std::ptrdiff_t>(window.first_chunk),
                 plan.chunks.begin() + static_cast<std::ptrdiff_t>(window.end_chunk));
  TORCH_INTERNAL_ASSERT(chunks_.size() <= blocks_.size(), "ShuffleWindow: more chunks than blocks");
  labels_.resize(chunks_.size());
  locations_.clear();
  for (size_t c = 0; c < chunks_.size(); ++c) {
    const auto& chunk = chunks_[c];
    TORCH_INTERNAL_ASSERT(chunk.rows() <= chunk_rows_, "ShuffleWindow: chunk larger than a block");
    ShardTensors part;
    try {
      part = reader(chunk.shard).read_rows(chunk.begin, chunk.end, blocks_[c].narrow(0, 0, chunk.rows()),
                                           FiniteCheck::kByCaller);
    } catch (const DataError&) {
      throw;
    } catch (const std::exception& error) {
      throw DataError(source_.shards[chunk.shard].path.string() + ": reading rows failed: " + error.what());
    }
    labels_[c].clear();
    for (const auto& task : source_.tasks) labels_[c].push_back(part.labels.at(task.name).contiguous());
    for (int64_t row = 0; row < chunk.rows(); ++row) {
      locations_.push_back(RowLocation{static_cast<uint32_t>(c), static_cast<uint32_t>(row)});
    }
  }
}

void ShuffleWindow::gather(const int64_t* order, int64_t first, int64_t count, const torch::Tensor& features,
                           const std::vector<torch::Tensor>& labels, int64_t at) const {
  const int64_t dim = source_.feature_dim;
  auto* feature_out = features.data_ptr<float>() + at * dim;
  std::vector<char*> label_out;
  std::vector<size_t> label_row_bytes;
  for (const auto& label : labels) {
    const size_t row_bytes = static_cast<size_t>(label.numel() / std::max<int64_t>(1, label.size(0))) *
                             static_cast<size_t>(label.element_size());
    label_out.push_back(static_cast<char*>(label.data_ptr()) + static_cast<size_t>(at) * row_bytes);
    label_row_bytes.push_back(row_bytes);
  }
  for (int64_t i = 0; i < count; ++i) {
    const int64_t window_row = order == nullptr ? first + i : order[first + i];
    const auto location = locations_[static_cast<size_t>(window_row)];
    const float* src = blocks_[location.chunk].data_ptr<float>() + static_cast<int64_t>(location.row) * dim;
    if (!copy_finite_row(src, feature_out + i * dim, dim)) {
      const auto& chunk = chunks_[location.chunk];
      throw DataError(source_.shards[chunk.shard].path.string() + ": /features row " +
                      std::to_string(chunk.begin + location.row) +
                      " holds NaN or Inf; re-create the shard, or train with data.nonfinite_features=skip");
    }
    for (size_t t = 0; t < label_out.size(); ++t) {
      const auto& source = labels_[location.chunk][t];
      std::memcpy(label_out[t] + static_cast<size_t>(i) * label_row_bytes[t],
                  static_cast<const char*>(source.data_ptr()) + static_cast<size_t>(location.row) * label_row_bytes[t],
                  label_row_bytes[t]);
    }
  }
}

}  // namespace mmoe::data
