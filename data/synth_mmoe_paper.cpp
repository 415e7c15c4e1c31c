#include "data/synth_mmoe_paper.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "data/feature_statistics.h"
#include "data/data_error.h"
#include "data/synth_splits.h"

namespace mmoe::data {
namespace {

constexpr int64_t kLabelChunkRows = 1 << 16;  // bounds the [rows, 2, m] temporary

std::vector<TaskSchema> mmoe_paper_tasks() {
  return {TaskSchema{"y1", TaskType::kRegression, {}, 1}, TaskSchema{"y2", TaskType::kRegression, {}, 1}};
}

// Labels without noise for rows of `x` (float32): t_k = w_kᵀx, y_k = t_k + Σ_i sin(α_i·t_k + β_i).
// `w` is [d, 2]; returns float64 [rows, 2].
torch::Tensor noiseless_labels(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& alpha,
                               const torch::Tensor& beta) {
  const auto t = x.to(torch::kFloat64).matmul(w);  // [rows, 2]
  if (alpha.numel() == 0) return t;
  return t + torch::sin(t.unsqueeze(2) * alpha + beta).sum(2);
}

}  // namespace

void validate_mmoe_paper_options(const SynthMmoePaperOptions& options) {
  if (options.rows < 20) {
    throw DataError(fmt::format("synth: --rows must be >= 20 so that train, val and test get rows (got {})", options.rows));
  }
  if (options.feature_dim < 2) {
    throw DataError(fmt::format("synth: --feature-dim must be >= 2 for --kind mmoe-paper (got {})", options.feature_dim));
  }
  if (!(std::abs(options.correlation) <= 1.0)) {
    throw DataError(fmt::format("synth: --correlation must be in [-1, 1] (got {})", options.correlation));
  }
  if (!(options.scale > 0.0 && std::isfinite(options.scale))) {
    throw DataError(fmt::format("synth: --scale must be a finite number > 0 (got {})", options.scale));
  }
  if (options.sin_terms < 0) {
    throw DataError(fmt::format("synth: --sin-terms must be >= 0 (got {})", options.sin_terms));
  }
  if (!(options.noise_variance >= 0.0 && std::isfinite(options.noise_variance))) {
    throw DataError(fmt::format("synth: noise_variance must be a finite number >= 0 (got {})", options.noise_variance));
  }
  if (options.rows_per_shard < 1) {
    throw DataError(fmt::format("synth: --rows-per-shard must be >= 1 (got {})", options.rows_per_shard));
  }
}

MmoePaperData generate_mmoe_paper(const SynthMmoePaperOptions& options) {
  validate_mmoe_paper_options(options);
  auto gen = at::detail::createCPUGenerator(options.seed);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t n = options.rows;
  const int64_t d = options.feature_dim;
  const double p = options.correlation;
  const double c = options.scale;

  // The order of the draws is part of the format of a seed: g1, g2, α, β, x, ε.
  MmoePaperData data;
  const auto g1 = torch::randn({d}, gen, f64);
  const auto g2 = torch::randn({d}, gen, f64);
  data.u1 = g1 / g1.norm();
  auto v = g2 - g2.dot(data.u1) * data.u1;
  v = v - v.dot(data.u1) * data.u1;  // a second pass removes the rounding left by the first
  // |v| = 0 needs g2 parallel to g1: probability zero for d >= 2.
  MMOE_ASSERT(v.norm().item<double>() > 0.0, "two Gaussian draws were parallel");
  data.u2 = v / v.norm();
  data.w1 = c * data.u1;
  data.w2 = c * (p * data.u1 + std::sqrt(std::max(0.0, 1.0 - p * p)) * data.u2);
  data.alpha = torch::randn({options.sin_terms}, gen, f64);
  data.beta = torch::randn({options.sin_terms}, gen, f64);
  data.features = torch::randn({n, d}, gen, torch::TensorOptions().dtype(torch::kFloat32));
  const auto noise = torch::randn({n, 2}, gen, f64) * std::sqrt(options.noise_variance);

  // Labels from the features as stored (float32), in double, in row chunks.
  const auto w = torch::stack({data.w1, data.w2}, 1);
  auto y = torch::empty({n, 2}, f64);
  for (int64_t start = 0; start < n; start += kLabelChunkRows) {
    const int64_t stop = std::min(n, start + kLabelChunkRows);
    y.slice(0, start, stop).copy_(noiseless_labels(data.features.slice(0, start, stop), w, data.alpha, data.beta));
  }
  y += noise;
  data.y1 = y.slice(1, 0, 1).to(torch::kFloat32).contiguous();
  data.y2 = y.slice(1, 1, 2).to(torch::kFloat32).contiguous();
  return data;
}

double pearson_correlation(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.numel() != b.numel() || a.numel() < 2) {
    throw mmoe::Error(fmt::format("pearson_correlation needs two vectors of the same length >= 2 (got {} and {})",
                                  a.numel(), b.numel()));
  }
  const auto x = a.reshape({-1}).to(torch::kFloat64);
  const auto y = b.reshape({-1}).to(torch::kFloat64);
  const auto xc = x - x.mean();
  const auto yc = y - y.mean();
  return (xc.dot(yc) / (xc.norm() * yc.norm())).item<double>();
}

DatasetManifest write_synth_mmoe_paper(const std::filesystem::path& out_dir, const SynthMmoePaperOptions& options) {
  validate_mmoe_paper_options(options);
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) throw DataError("synth: cannot create '" + out_dir.string() + "': " + error.message());

  const MmoePaperData data = generate_mmoe_paper(options);
  DatasetManifest manifest;
  manifest.name = "synthetic-mmoe-paper";
  manifest.description =
      "mmoe synth --kind mmoe-paper: two regression tasks with task correlation p (Ma et al., KDD 2018)";
  manifest.feature_dim = options.feature_dim;
  manifest.tasks = mmoe_paper_tasks();
  manifest.attributes = {{"generator", kMmoePaperKind},
                         {"seed", std::to_string(options.seed)},
                         {"rows", std::to_string(options.rows)},
                         {"correlation", fmt::format("{}", options.correlation)},
                         {"scale", fmt::format("{}", options.scale)},
                         {"sin_terms", std::to_string(options.sin_terms)},
                         {"noise_variance", fmt::format("{}", options.noise_variance)}};
  manifest.synthetic = SyntheticInfo{kMmoePaperKind, options.seed, options.correlation,
                                     pearson_correlation(data.y1, data.y2)};

  manifest.shards = write_synth_shards(out_dir, data.features, {data.y1, data.y2}, manifest.tasks,
                                       options.rows_per_shard, options.write);
  manifest.feature_dtype = feature_dtype_name(options.write);
  const int64_t train_rows = synth_split_ranges(options.rows).front().end;
  for (const auto& task : manifest.tasks) manifest.label_stats[task.name] = {train_rows, train_rows, {}};
  manifest.feature_stats =
      make_feature_stats("train", stored_feature_values(data.features.slice(0, 0, train_rows), options.write));
  save_manifest(out_dir, manifest);
  return manifest;
}

}  // namespace mmoe::data
