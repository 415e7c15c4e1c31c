#pragma once
// Per-feature mean and standard deviation of a split's features, for feature standardisation.
#include <string>
#include <utility>

#include <torch/torch.h>

#include "data/dataset_manifest.h"

namespace mmoe::data {

// features float [N, D] (N >= 1) -> (mean [D], std [D]) as float32; population std, accumulated
// in float64 over row chunks, so no [N, D] float64 copy is made.
std::pair<torch::Tensor, torch::Tensor> feature_statistics(const torch::Tensor& features);

// The manifest block for `split` (the same numbers, kept in float64).
FeatureStats make_feature_stats(const std::string& split, const torch::Tensor& features);

}  // namespace mmoe::data
