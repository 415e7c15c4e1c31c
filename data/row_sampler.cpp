#include "data/row_sampler.h"

#include <stdexcept>
#include <string>

#include "data/batch_order.h"

namespace mmoe::data {

RowSampler::RowSampler(const RowSamplerOptions& options) : options_(options) {
  if (options.rows < 1) throw std::invalid_argument("RowSampler: rows must be >= 1, got " + std::to_string(options.rows));
  if (options.world_size < 1) {
    throw std::invalid_argument("RowSampler: world_size must be >= 1, got " + std::to_string(options.world_size));
  }
  if (options.rank < 0 || options.rank >= options.world_size) {
    throw std::invalid_argument("RowSampler: rank " + std::to_string(options.rank) + " is outside 0.." +
                                std::to_string(options.world_size - 1));
  }
  if (options.batch_size < 1) {
    throw std::invalid_argument("RowSampler: batch_size must be >= 1, got " + std::to_string(options.batch_size));
  }
  if (options.block_rows < 1) {
    throw std::invalid_argument("RowSampler: block_rows must be >= 1, got " + std::to_string(options.block_rows));
  }
}

int64_t RowSampler::rows_per_rank() const {
  const int64_t n = options_.rows;
  const int64_t w = options_.world_size;
  if (options_.mode == SamplerMode::kTrain) return n / w;
  return n / w + (options_.rank < n % w ? 1 : 0);
}

int64_t RowSampler::batches_per_epoch() const {
  const int64_t rows = rows_per_rank();
  const int64_t full = rows / options_.batch_size;
  const bool ragged = rows % options_.batch_size != 0;
  return full + ((ragged && !(options_.mode == SamplerMode::kTrain && options_.drop_last)) ? 1 : 0);
}

std::vector<RowRange> RowSampler::epoch_ranges(int64_t epoch) const {
  const int64_t n = options_.rows;
  const int64_t w = options_.world_size;
  const int64_t r = options_.rank;
  if (options_.mode == SamplerMode::kEval) {
    const int64_t base = n / w;
    const int64_t extra = n % w;
    const int64_t begin = r * base + std::min(r, extra);
    return {RowRange{begin, begin + base + (r < extra ? 1 : 0)}};
  }
  const int64_t block = options_.block_rows;
  const int64_t blocks = (n + block - 1) / block;
  const auto order = epoch_permutation(blocks, options_.seed, epoch);
  const auto* blocks_in_order = order.data_ptr<int64_t>();
  // Walk the permuted blocks as one sequence of N rows and keep this rank's positions.
  const auto wanted = rank_positions();
  std::vector<RowRange> ranges;
  size_t next = 0;  // the first piece of `wanted` not yet fully covered
  int64_t position = 0;
  for (int64_t i = 0; i < blocks && next < wanted.size(); ++i) {
    const int64_t begin = blocks_in_order[i] * block;
    const int64_t end = std::min(n, begin + block);
    const int64_t block_end = position + (end - begin);
    for (size_t k = next; k < wanted.size() && wanted[k].begin < block_end; ++k) {
      const int64_t lo = std::max(position, wanted[k].begin);
      const int64_t hi = std::min(block_end, wanted[k].end);
      if (lo < hi) {
        const RowRange piece{begin + (lo - position), begin + (hi - position)};
        if (!ranges.empty() && ranges.back().end == piece.begin) {
          ranges.back().end = piece.end;
        } else {
          ranges.push_back(piece);
        }
      }
      if (wanted[k].end <= block_end) next = k + 1;
    }
    position = block_end;
  }
  return ranges;
}

std::vector<RowRange> RowSampler::rank_positions() const {
  // Global batch k is positions [k*W*B, (k+1)*W*B) of the permutation's first W*floor(N/W);
  // rank r takes the r-th of its W equal, consecutive pieces. So the union of the ranks' k-th
  // batches is the k-th batch of one process with batch W*B.
  const int64_t w = options_.world_size;
  const int64_t r = options_.rank;
  const int64_t usable = (options_.rows / w) * w;
  const int64_t global_batch = w * options_.batch_size;
  std::vector<RowRange> pieces;
  for (int64_t start = 0; start < usable; start += global_batch) {
    const int64_t piece = std::min(global_batch, usable - start) / w;
    const int64_t begin = start + r * piece;
    if (!pieces.empty() && pieces.back().end == begin) {
      pieces.back().end = begin + piece;
    } else {
      pieces.push_back(RowRange{begin, begin + piece});
    }
  }
  return pieces;
}

torch::Tensor RowSampler::epoch_rows(int64_t epoch) const {
  if (options_.mode == SamplerMode::kTrain && options_.block_rows == 1) {
    // Row-level permutation: the trainer's historical order (epoch_permutation) at world size 1.
    const auto order = epoch_permutation(options_.rows, options_.seed, epoch);
    std::vector<torch::Tensor> pieces;
    for (const auto& piece : rank_positions()) pieces.push_back(order.slice(0, piece.begin, piece.end));
    if (pieces.empty()) return torch::empty({0}, torch::kInt64);
    return torch::cat(pieces);
  }
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(rows_per_rank()));
  for (const auto& range : epoch_ranges(epoch)) {
    for (int64_t row = range.begin; row < range.end; ++row) rows.push_back(row);
  }
  return torch::tensor(rows, torch::kInt64);
}

void RowSampler::set_epoch(int64_t epoch) { restore(SamplerPosition{epoch, 0}); }

void RowSampler::restore(const SamplerPosition& position) {
  if (position.next_batch < 0 || position.next_batch > batches_per_epoch()) {
    throw std::invalid_argument("RowSampler: position batch " + std::to_string(position.next_batch) +
                                " is outside 0.." + std::to_string(batches_per_epoch()));
  }
  position_ = position;
}

std::optional<torch::Tensor> RowSampler::next_batch() {
  if (position_.next_batch >= batches_per_epoch()) return std::nullopt;
  if (current_epoch_ != position_.epoch) {
    current_rows_ = epoch_rows(position_.epoch);
    current_epoch_ = position_.epoch;
  }
  const int64_t begin = position_.next_batch * options_.batch_size;
  const int64_t end = std::min(current_rows_.size(0), begin + options_.batch_size);
  ++position_.next_batch;
  return current_rows_.slice(0, begin, end);
}

}  // namespace mmoe::data
