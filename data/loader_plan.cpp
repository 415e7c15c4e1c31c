#include "data/loader_plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mmoe::data {
namespace {

// splitmix64: mixes (seed, epoch, rank, window) into one generator seed.
uint64_t splitmix(uint64_t state, uint64_t value) {
  uint64_t z = state + 0x9e3779b97f4a7c15ULL + value;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

}  // namespace

LoaderPlan plan_loader(const SplitSource& source, const std::vector<RowRange>& ranges, int64_t chunk_rows,
                       int64_t window_chunks, int64_t batch_size, bool drop_last) {
  LoaderPlan plan;
  plan.batch_size = batch_size;
  for (const auto& range : ranges) {
    if (range.begin < 0 || range.end < range.begin || range.end > source.rows()) {
      throw std::invalid_argument("PrefetchLoader: rows " + std::to_string(range.begin) + ".." +
                                  std::to_string(range.end) + " are outside split '" + source.split + "' (" +
                                  std::to_string(source.rows()) + " rows)");
    }
    int64_t row = range.begin;
    size_t shard = 0;
    while (row < range.end) {
      while (source.shards[shard].first_row + source.shards[shard].rows <= row) ++shard;
      const auto& span = source.shards[shard];
      const int64_t end = std::min({range.end, span.first_row + span.rows, row + chunk_rows});
      const int64_t offset = span.shard_begin - span.first_row;  // split row -> shard row
      plan.chunks.push_back(LoaderChunk{shard, row + offset, end + offset});
      row = end;
    }
    plan.rows += range.size();
  }
  plan.batches = plan.rows / batch_size + ((plan.rows % batch_size != 0 && !drop_last) ? 1 : 0);
  const auto per_window = static_cast<size_t>(window_chunks);
  int64_t position = 0;
  for (size_t first = 0; first < plan.chunks.size(); first += per_window) {
    LoaderWindow window;
    window.first_chunk = first;
    window.end_chunk = std::min(plan.chunks.size(), first + per_window);
    window.first_position = position;
    for (size_t c = window.first_chunk; c < window.end_chunk; ++c) window.rows += plan.chunks[c].rows();
    position += window.rows;
    plan.windows.push_back(window);
  }
  return plan;
}

torch::Tensor window_permutation(int64_t rows, uint64_t seed, int64_t epoch, int64_t rank, size_t window) {
  const uint64_t state =
      splitmix(splitmix(splitmix(seed, static_cast<uint64_t>(epoch)), static_cast<uint64_t>(rank)), window);
  auto generator = at::detail::createCPUGenerator(state);
  return torch::randperm(rows, generator, torch::kInt64);
}

}  // namespace mmoe::data
