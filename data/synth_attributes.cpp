#include "data/synth_attributes.h"

#include <cmath>

#include "data/feature_statistics.h"
#include "data/data_error.h"
#include "data/synth_splits.h"

namespace mmoe::data {
namespace {

struct SynthRows {
  torch::Tensor features;
  std::vector<torch::Tensor> labels;  // category, color, style, price
};

std::vector<TaskSchema> synth_tasks() {
  TaskSchema category{"category", TaskType::kMulticlass, {"tops", "dresses", "trousers", "shoes", "bags", "hats"}, 1};
  TaskSchema color{"color", TaskType::kMulticlass, {"black", "white", "red", "blue"}, 1};
  TaskSchema style{"style", TaskType::kMultilabel, {"casual", "formal", "sport", "vintage", "summer"}, 1};
  TaskSchema price{"price", TaskType::kRegression, {}, 1};
  return {category, color, style, price};
}

torch::Tensor argmax_with_noise(const torch::Tensor& logits, at::Generator& gen) {
  // Gumbel noise makes labels a noisy function of the latents: accuracy stays below 100%.
  const auto uniform = torch::rand(logits.sizes(), gen).clamp(1e-6, 1.0 - 1e-6);
  return (logits - torch::log(-torch::log(uniform)) * 0.5).argmax(1);
}

SynthRows generate(const SynthAttributesOptions& options) {
  auto gen = at::detail::createCPUGenerator(options.seed);
  const int64_t n = options.rows;
  const int64_t latent = options.latent_dim;
  const auto z = torch::randn({n, latent}, gen);
  const auto projection = torch::randn({latent, options.feature_dim}, gen) / std::sqrt(static_cast<double>(latent));
  const auto mixing = torch::randn({options.feature_dim, options.feature_dim}, gen) /
                      std::sqrt(static_cast<double>(options.feature_dim));
  auto features = torch::tanh(z.matmul(projection)) * 2.0;
  features = features + 0.3 * features.matmul(mixing) + options.noise * torch::randn({n, options.feature_dim}, gen);

  SynthRows rows;
  rows.features = features.to(torch::kFloat32);
  // category: 6 classes with a decreasing prior (log-prior bias) -> imbalanced.
  const auto category_weights = torch::randn({4, 6}, gen) * 2.0;
  const auto category_prior = torch::log(torch::tensor({0.3, 0.25, 0.15, 0.12, 0.1, 0.08}));
  rows.labels.push_back(argmax_with_noise(z.slice(1, 0, 4).matmul(category_weights) + category_prior, gen));
  const auto color_weights = torch::randn({4, 4}, gen) * 2.0;
  rows.labels.push_back(argmax_with_noise(z.slice(1, 3, 7).matmul(color_weights), gen));
  const auto style_weights = torch::randn({4, 5}, gen) * 2.0;
  const auto style_p = torch::sigmoid(z.slice(1, 6, 10).matmul(style_weights) - 0.5);
  rows.labels.push_back(torch::bernoulli(style_p, gen).to(torch::kFloat32));
  const auto price = 1.5 * z.select(1, 0) - z.select(1, 8) + 0.5 * torch::sin(2.0 * z.select(1, 10)) +
                     0.1 * torch::randn({n}, gen);
  rows.labels.push_back(price.unsqueeze(1).to(torch::kFloat32));

  // Missing labels, independently per task and row.
  for (size_t t = 0; t < rows.labels.size(); ++t) {
    const auto missing = torch::rand({n}, gen).lt(options.missing_fraction);
    auto& label = rows.labels[t];
    if (label.scalar_type() == torch::kInt64) {
      label.masked_fill_(missing, -1);
    } else {
      label.masked_fill_(missing.unsqueeze(1), std::numeric_limits<float>::quiet_NaN());
    }
  }
  return rows;
}

TaskLabelStats label_stats(const TaskSchema& task, const torch::Tensor& label) {
  TaskLabelStats stats;
  stats.rows = label.size(0);
  if (task.type == TaskType::kMulticlass) {
    const auto labelled = label.ge(0);
    stats.labelled = labelled.sum().item<int64_t>();
    const auto counts = torch::bincount(label.masked_select(labelled), {}, task.output_dim());
    for (int64_t c = 0; c < task.output_dim(); ++c) stats.class_counts.push_back(counts[c].item<int64_t>());
  } else {
    const auto labelled = torch::isfinite(label).all(1);
    stats.labelled = labelled.sum().item<int64_t>();
    if (task.type == TaskType::kMultilabel) {
      const auto positives = label.index({labelled}).sum(0);
      for (int64_t c = 0; c < task.output_dim(); ++c) stats.class_counts.push_back(positives[c].item<int64_t>());
    }
  }
  return stats;
}

}  // namespace

DatasetManifest write_synth_attributes(const std::filesystem::path& out_dir, const SynthAttributesOptions& options) {
  if (options.rows < 20) throw DataError("synth: --rows must be >= 20 (got " + std::to_string(options.rows) + ")");
  if (options.feature_dim < 1) throw DataError("synth: --feature-dim must be >= 1");
  if (options.latent_dim < 11) throw DataError("synth: latent_dim must be >= 11");
  if (!(options.missing_fraction >= 0.0 && options.missing_fraction < 1.0)) {
    throw DataError("synth: --missing must be in [0, 1) (got " + std::to_string(options.missing_fraction) + ")");
  }
  if (options.rows_per_shard < 1) throw DataError("synth: rows_per_shard must be >= 1");
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) throw DataError("synth: cannot create '" + out_dir.string() + "': " + error.message());

  const SynthRows rows = generate(options);
  DatasetManifest manifest;
  manifest.name = "synthetic-attributes";
  manifest.description = "mmoe synth --kind attributes: latent factors -> features; 4 tasks sharing some factors";
  manifest.feature_dim = options.feature_dim;
  manifest.tasks = synth_tasks();
  manifest.attributes = {{"generator", "attributes"},
                         {"seed", std::to_string(options.seed)},
                         {"rows", std::to_string(options.rows)},
                         {"noise", std::to_string(options.noise)},
                         {"missing_fraction", std::to_string(options.missing_fraction)}};

  manifest.shards = write_synth_shards(out_dir, rows.features, rows.labels, manifest.tasks, options.rows_per_shard,
                                       options.write);
  manifest.feature_dtype = feature_dtype_name(options.write);
  const int64_t train_end = synth_split_ranges(options.rows).front().end;
  for (size_t t = 0; t < manifest.tasks.size(); ++t) {
    manifest.label_stats[manifest.tasks[t].name] = label_stats(manifest.tasks[t], rows.labels[t].slice(0, 0, train_end));
  }
  manifest.feature_stats =
      make_feature_stats("train", stored_feature_values(rows.features.slice(0, 0, train_end), options.write));
  save_manifest(out_dir, manifest);
  return manifest;
}

}  // namespace mmoe::data
