#pragma once
// Per-feature mean and standard deviation of a split's features, for feature standardisation.
#include <functional>
#include <string>
#include <utility>

#include <torch/torch.h>

#include "data/dataset_manifest.h"

namespace mmoe::data {

// features float [N, D] (N >= 1) -> (mean [D], std [D]) as float32; population std, accumulated
// in float64 over row chunks, so no [N, D] float64 copy is made.
std::pair<torch::Tensor, torch::Tensor> feature_statistics(const torch::Tensor& features);

// The same over rows that are not in one tensor (e.g. streamed from shards): `for_each_chunk(f)`
// must call f with float [n, D] chunks covering the same `rows` rows each time it is called (it is
// called twice: sums, then centred squares).
using FeatureChunkVisitor = std::function<void(const std::function<void(const torch::Tensor&)>&)>;
std::pair<torch::Tensor, torch::Tensor> feature_statistics(const FeatureChunkVisitor& for_each_chunk, int64_t rows,
                                                           int64_t dim);

// The manifest block for `split` (the same numbers, kept in float64).
FeatureStats make_feature_stats(const std::string& split, const torch::Tensor& features);

}  // namespace mmoe::data
