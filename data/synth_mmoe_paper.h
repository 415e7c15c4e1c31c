#pragma once
// `mmoe synth --kind mmoe-paper`: the synthetic benchmark of the MMoE paper (Ma et al., "Modeling
// Task Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts", KDD 2018, §4):
// two regression tasks whose correlation is controlled by p.
//   u1, u2    orthonormal vectors in R^d (two Gaussian vectors, Gram-Schmidt)
//   w1 = c·u1,  w2 = c·(p·u1 + sqrt(1 − p²)·u2)      so cos(w1, w2) = p and |w1| = |w2| = c
//   x ~ N(0, I_d)                                    the features
//   y_k = w_kᵀx + Σ_{i=1..m} sin(α_i·w_kᵀx + β_i) + ε_k,   α_i, β_i ~ N(0, 1),  ε_k ~ N(0, σ²)
// The Pearson correlation of w1ᵀx and w2ᵀx is exactly p (cov = c²p, var = c²); the sine terms
// and the noise make the label correlation somewhat lower, so the manifest records the measured
// one. Deterministic for a given seed; tasks `y1` and `y2`, regression with one output each.
#include <cstdint>
#include <filesystem>

#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data {

inline constexpr const char* kMmoePaperKind = "mmoe-paper";

struct SynthMmoePaperOptions {
  int64_t rows = 10000;           // total over train / val / test (70% / 15% / 15%), >= 20
  int64_t feature_dim = 100;      // d, >= 2
  double correlation = 0.5;       // p, in [-1, 1]
  double scale = 1.0;             // c, > 0
  int64_t sin_terms = 10;         // m, >= 0
  double noise_variance = 0.01;   // σ² of ε_k (the paper's 0.01); >= 0; not a CLI flag
  uint64_t seed = 0;
  int64_t rows_per_shard = 100000;
  ShardWriteOptions write;  // feature dtype and compression of the shards
};

// Everything the generator draws, in double precision except the features.
struct MmoePaperData {
  torch::Tensor features;      // float32 [rows, d]: x
  torch::Tensor y1;            // float32 [rows, 1]
  torch::Tensor y2;            // float32 [rows, 1]
  torch::Tensor u1, u2;        // float64 [d]
  torch::Tensor w1, w2;        // float64 [d]
  torch::Tensor alpha, beta;   // float64 [m]
};

// DataError (one line, naming the flag) when an option is out of range.
void validate_mmoe_paper_options(const SynthMmoePaperOptions& options);

// The pure generator: same options, same tensors. Labels are computed in double precision from
// the features as stored (float32), then rounded to float32.
MmoePaperData generate_mmoe_paper(const SynthMmoePaperOptions& options);

// Pearson correlation of two equally long vectors (any shape, flattened), in double precision.
double pearson_correlation(const torch::Tensor& a, const torch::Tensor& b);

// Writes shards and dataset.yaml into `out_dir` (created if missing; existing dataset files in it
// are replaced). The manifest's `synthetic` block holds the requested p and the measured Pearson
// correlation of y1 and y2 over all rows. Returns the manifest written.
DatasetManifest write_synth_mmoe_paper(const std::filesystem::path& out_dir, const SynthMmoePaperOptions& options);

}  // namespace mmoe::data
