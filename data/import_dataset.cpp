#include "data/import_dataset.h"

#include <cmath>
#include <cstdio>

#include <torch/torch.h>

#include "data/feature_statistics.h"
#include "data/data_error.h"
#include "data/dataset_info.h"
#include "data/import_csv.h"
#include "data/import_labels.h"
#include "data/import_npy.h"
#include "data/shard_writer.h"

namespace mmoe::data {
namespace {

torch::Tensor read_features(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw DataError("features file '" + path.string() + "' does not exist");
  const auto extension = path.extension().string();
  if (extension == ".npy") return read_npy_features(path);
  if (extension == ".csv") return read_csv_features(path);
  throw DataError(path.string() + ": unknown features format '" + extension + "' (use .npy or .csv)");
}

void check_options(const ImportOptions& options) {
  auto fraction_ok = [](double f) { return f >= 0.0 && f < 1.0; };
  if (!fraction_ok(options.val_fraction) || !fraction_ok(options.test_fraction) ||
      options.val_fraction + options.test_fraction >= 1.0) {
    throw DataError("import: --val-fraction " + std::to_string(options.val_fraction) + " and --test-fraction " +
                    std::to_string(options.test_fraction) + " must each be in [0, 1) and sum to less than 1");
  }
  if (options.rows_per_shard < 1) throw DataError("import: --rows-per-shard must be >= 1");
  if (!std::filesystem::exists(options.labels)) {
    throw DataError("labels file '" + options.labels.string() + "' does not exist");
  }
  if (std::filesystem::exists(options.out_dir / kManifestFileName)) {
    throw DataError("import: '" + (options.out_dir / kManifestFileName).string() +
                    "' already exists; choose another --out or delete that dataset");
  }
}

std::string shard_name(const std::string& split, int64_t index) {
  std::string number = std::to_string(index);
  if (number.size() < 4) number.insert(0, 4 - number.size(), '0');
  return split + "-" + number + ".h5";
}

std::string fraction_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

}  // namespace

ImportResult import_dataset(const ImportOptions& options) {
  check_options(options);
  const auto features = read_features(options.features);  // float32 [N, D]
  const auto labels = read_labels_csv(options.labels, options.declared);
  const int64_t rows = features.size(0);
  if (labels.rows != rows) {
    throw DataError("row count mismatch: " + options.features.string() + " has " + std::to_string(rows) +
                    " rows but " + options.labels.string() + " has " + std::to_string(labels.rows) +
                    " data rows (after its header)");
  }
  const auto n_val = static_cast<int64_t>(std::llround(static_cast<double>(rows) * options.val_fraction));
  const auto n_test = static_cast<int64_t>(std::llround(static_cast<double>(rows) * options.test_fraction));
  if (rows - n_val - n_test < 1) {
    throw DataError("import: " + std::to_string(rows) + " rows leave no training rows with these fractions");
  }
  // split_of[row]: 0 train, 1 val, 2 test; rows keep their input order inside each split.
  auto generator = at::detail::createCPUGenerator(options.seed);
  const auto order = torch::randperm(rows, generator, torch::kInt64);
  auto split_of = torch::zeros({rows}, torch::kInt64);
  split_of.index_fill_(0, order.slice(0, 0, n_val), 1);
  split_of.index_fill_(0, order.slice(0, n_val, n_val + n_test), 2);

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) throw DataError("import: cannot create '" + options.out_dir.string() + "': " + error.message());

  ImportResult result;
  result.declared = labels.declared;
  auto& manifest = result.manifest;
  manifest.name = options.name.empty() ? options.out_dir.filename().string() : options.name;
  if (manifest.name.empty()) manifest.name = options.out_dir.parent_path().filename().string();
  manifest.description = "mmoe data import from " + options.features.filename().string() + " and " +
                         options.labels.filename().string();
  manifest.feature_dim = features.size(1);
  manifest.feature_dtype = feature_dtype_name(options.write);
  manifest.tasks = labels.tasks;
  manifest.attributes = {{"generator", "import"},
                         {"features", options.features.string()},
                         {"labels", options.labels.string()},
                         {"seed", std::to_string(options.seed)},
                         {"val_fraction", fraction_text(options.val_fraction)},
                         {"test_fraction", fraction_text(options.test_fraction)}};
  ShardProvenance provenance;
  provenance.backbone = "unknown";
  provenance.preprocessing = "imported";
  provenance.pooling = "unknown";
  const std::vector<std::string> split_names = {"train", "val", "test"};
  for (int64_t s = 0; s < 3; ++s) {
    const auto indices = split_of.eq(s).nonzero().reshape({-1});  // ascending
    const int64_t split_rows = indices.size(0);
    for (int64_t start = 0, index = 0; start < split_rows; start += options.rows_per_shard, ++index) {
      const auto part = indices.slice(0, start, std::min(split_rows, start + options.rows_per_shard));
      ShardTensors shard;
      shard.features = features.index_select(0, part);
      shard.sample_id = labels.sample_id.index_select(0, part);
      shard.view = torch::zeros({part.size(0)}, torch::kInt32);
      for (size_t t = 0; t < labels.tasks.size(); ++t) {
        shard.labels[labels.tasks[t].name] = labels.labels[t].index_select(0, part);
      }
      const auto file = shard_name(split_names[static_cast<size_t>(s)], index);
      const auto checksum = write_shard(options.out_dir / file, shard, manifest.tasks, provenance, options.write);
      const auto bytes = static_cast<int64_t>(std::filesystem::file_size(options.out_dir / file));
      manifest.shards.push_back({file, split_names[static_cast<size_t>(s)], part.size(0), checksum, bytes});
    }
    if (s == 0) {
      for (size_t t = 0; t < labels.tasks.size(); ++t) {
        const auto summary = summarize_labels(labels.tasks[t], labels.labels[t].index_select(0, indices));
        manifest.label_stats[labels.tasks[t].name] = {summary.rows, summary.labelled, summary.class_counts};
      }
      manifest.feature_stats = make_feature_stats(
          split_names[static_cast<size_t>(s)], stored_feature_values(features.index_select(0, indices), options.write));
    }
  }
  save_manifest(options.out_dir, manifest);
  return result;
}

}  // namespace mmoe::data
