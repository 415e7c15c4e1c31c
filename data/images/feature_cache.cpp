#include "data/images/feature_cache.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>

#include <torch/torch.h>

#include "core/sha256.h"
#include "data/data_error.h"
#include "data/dataset_info.h"
#include "data/images/backbone_runner.h"
#include "data/images/cache_plan.h"
#include "data/images/image_decode.h"
#include "data/images/image_manifest.h"
#include "data/images/image_transform.h"
#include "data/images/thread_pool.h"
#include "data/images/unit_record.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"

namespace mmoe::data {
namespace {

// One image's views [V, 3, S, S], or why it was left out.
struct DecodedImage {
  torch::Tensor views;
  std::optional<BadImage> bad;
};

DecodedImage decode_views(const ImageManifest& manifest, const CacheConfig& config, const CacheUnit& unit,
                          int64_t row) {
  const auto& path = manifest.paths[static_cast<size_t>(row)];
  try {
    const auto image = decode_image(path);
    std::vector<torch::Tensor> views;
    for (int64_t v = 0; v < unit.views; ++v) {
      views.push_back(preprocess_view(image, config.preprocess, config.seed, static_cast<uint64_t>(row),
                                      unit.first_view + v));
    }
    return {torch::stack(views), std::nullopt};
  } catch (const ImageError& e) {
    return {torch::Tensor(), BadImage{row, path.string(), e.kind(), e.what()}};
  } catch (const c10::Error& e) {  // e.g. a transform that cannot apply to this image's size
    return {torch::Tensor(), BadImage{row, path.string(), ImageErrorKind::kUnsupported,
                                      path.string() + ": " + e.what_without_backtrace()}};
  }
}

// The provenance of every shard of this config: the shard's backbone, weights_hash and pooling
// attributes, and a preprocessing attribute naming every setting, the views, the seed, the
// backbone dtype and the manifest's SHA-256.
ShardProvenance make_provenance(const CacheConfig& config, const std::string& backbone_sha256,
                                const std::string& manifest_sha256) {
  ShardProvenance provenance;
  provenance.backbone = config.backbone.filename().string();
  provenance.weights_hash = backbone_sha256;
  provenance.preprocessing = describe(config.preprocess, config.views) + " seed=" + std::to_string(config.seed) +
                             " dtype=" + to_string(config.dtype) + " manifest_sha256=" + manifest_sha256;
  provenance.pooling = to_string(config.pooling);
  return provenance;
}

std::string provenance_hash(const ShardProvenance& p) {
  return sha256_hex(p.backbone + "\n" + p.weights_hash + "\n" + p.preprocessing + "\n" + p.pooling);
}

// True when the unit is complete from an earlier run with this provenance.
bool unit_is_complete(const CacheConfig& config, const CacheUnit& unit, const std::string& provenance_sha256) {
  const auto shard = config.out_dir / unit.file();
  const auto record = read_unit_record(shard);
  if (!record) return false;
  if (record->provenance_sha256 != provenance_sha256) {
    throw DataError(shard.string() + ".done: written with another backbone, preprocessing, pooling, views, seed or " +
                    "manifest (provenance " + record->provenance_sha256.substr(0, 12) + ", this config " +
                    provenance_sha256.substr(0, 12) + "); use a new out_dir or delete the old shards");
  }
  if (record->rows == 0) return true;
  return std::filesystem::exists(shard) && sha256_file_hex(shard) == record->sha256;
}

class UnitWriter {
 public:
  UnitWriter(const CacheConfig& config, const ImageManifest& manifest, BackboneRunner& backbone, ThreadPool& pool,
             const ShardProvenance& provenance)
      : config_(config), manifest_(manifest), backbone_(backbone), pool_(pool), provenance_(provenance) {}

  // Decodes ahead in the pool while the backbone runs on full batches.
  void write(const CacheUnit& unit, CacheRankResult& result) {
    const auto shard = config_.out_dir / unit.file();
    std::error_code ignored;
    std::filesystem::remove(shard.string() + ".partial", ignored);
    const auto window = static_cast<size_t>(std::max<int64_t>(2 * config_.batch_size, 4 * config_.threads));
    std::deque<std::pair<int64_t, std::future<DecodedImage>>> pending;
    size_t next = 0;
    std::vector<torch::Tensor> batch, features;
    std::vector<int64_t> row_of, view_of;  // per feature row: manifest row, view
    UnitRecord record;
    int64_t batch_rows = 0;
    auto flush = [&] {
      if (batch.empty()) return;
      features.push_back(backbone_.features(torch::cat(batch)));  // [rows, D]
      batch.clear();
      batch_rows = 0;
    };
    while (next < unit.rows.size() || !pending.empty()) {
      while (next < unit.rows.size() && pending.size() < window) {
        const int64_t row = unit.rows[next++];
        // The job refers to the manifest, config and unit only: they outlive the pool, this writer may not.
        pending.emplace_back(row, pool_.submit([&manifest = manifest_, &config = config_, &unit, row] {
          return decode_views(manifest, config, unit, row);
        }));
      }
      auto [row, future] = std::move(pending.front());
      pending.pop_front();
      auto decoded = future.get();
      ++result.images;
      if (decoded.bad) {
        record.bad_images.push_back(*decoded.bad);
        continue;
      }
      for (int64_t v = 0; v < unit.views; ++v) {
        row_of.push_back(row);
        view_of.push_back(unit.first_view + v);
      }
      batch.push_back(decoded.views);
      batch_rows += unit.views;
      if (batch_rows >= config_.batch_size) flush();
    }
    flush();
    record.rows = static_cast<int64_t>(row_of.size());
    record.provenance_sha256 = provenance_hash(provenance_);
    if (record.rows > 0) {
      const auto rows = torch::tensor(row_of, torch::kInt64);
      ShardTensors tensors;
      tensors.features = torch::cat(features);
      tensors.sample_id = manifest_.labels.sample_id.index_select(0, rows);
      tensors.view = torch::tensor(view_of, torch::kInt64).to(torch::kInt32);
      for (size_t t = 0; t < manifest_.labels.tasks.size(); ++t) {
        tensors.labels[manifest_.labels.tasks[t].name] = manifest_.labels.labels[t].index_select(0, rows);
      }
      record.sha256 = write_shard(shard, tensors, manifest_.labels.tasks, provenance_, config_.write);
    } else {
      std::filesystem::remove(shard, ignored);
    }
    write_unit_record(shard, record);
    result.rows += record.rows;
    result.bad_images.insert(result.bad_images.end(), record.bad_images.begin(), record.bad_images.end());
  }

 private:
  const CacheConfig& config_;
  const ImageManifest& manifest_;
  BackboneRunner& backbone_;
  ThreadPool& pool_;
  const ShardProvenance& provenance_;
};

std::string tsv_cell(std::string text) {
  for (auto& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

CacheRankResult cache_rank(const CacheConfig& config, int64_t rank, int64_t world_size, const CacheProgress& progress) {
  const auto manifest = read_image_manifest(config.manifest, config.tasks);
  BackboneRunner backbone(config.backbone, config.pooling, config.dtype);
  const auto provenance = make_provenance(config, backbone.sha256(), manifest.sha256);
  std::error_code error;
  std::filesystem::create_directories(config.out_dir, error);
  if (error) throw DataError("cache: cannot create out_dir '" + config.out_dir.string() + "': " + error.message());
  const auto units = plan_cache_units(manifest, config);
  std::vector<const CacheUnit*> mine;
  for (size_t u = 0; u < units.size(); ++u) {
    if (unit_belongs_to(static_cast<int64_t>(u), rank, world_size)) mine.push_back(&units[u]);
  }
  CacheRankResult result;
  ThreadPool pool(config.threads);
  UnitWriter writer(config, manifest, backbone, pool, provenance);
  int64_t done = 0;
  for (const auto* unit : mine) {
    if (unit_is_complete(config, *unit, provenance_hash(provenance))) {
      ++result.units_skipped;
    } else {
      writer.write(*unit, result);
      ++result.units_written;
    }
    if (progress) progress(++done, static_cast<int64_t>(mine.size()));
  }
  return result;
}

CacheSummary finish_cache(const CacheConfig& config) {
  const auto image_manifest = read_image_manifest(config.manifest, config.tasks);
  const auto units = plan_cache_units(image_manifest, config);
  CacheSummary summary;
  summary.images = static_cast<int64_t>(image_manifest.paths.size());
  auto& manifest = summary.manifest;
  manifest.name = config.name.empty() ? config.out_dir.filename().string() : config.name;
  if (manifest.name.empty()) manifest.name = config.out_dir.parent_path().filename().string();
  manifest.description = "mmoe cache of " + config.manifest.filename().string() + " with " +
                         config.backbone.filename().string();
  manifest.feature_dtype = feature_dtype_name(config.write);
  manifest.tasks = image_manifest.labels.tasks;
  std::string provenance_sha256;
  std::map<std::string, std::vector<torch::Tensor>> train_labels;
  for (const auto& unit : units) {
    const auto shard = config.out_dir / unit.file();
    const auto record = read_unit_record(shard);
    if (!record) {
      throw DataError(shard.string() + ": unit not finished (no " + shard.filename().string() +
                      ".done); a rank failed or was stopped: rerun mmoe cache with the same config to complete it");
    }
    if (!provenance_sha256.empty() && record->provenance_sha256 != provenance_sha256) {
      throw DataError(shard.string() + ".done: provenance differs from the other shards; rerun mmoe cache into a new out_dir");
    }
    provenance_sha256 = record->provenance_sha256;
    summary.bad_images.insert(summary.bad_images.end(), record->bad_images.begin(), record->bad_images.end());
    if (record->rows == 0) continue;
    const auto header = read_shard_header(shard);
    manifest.feature_dim = header.feature_dim;
    manifest.shards.push_back({unit.file(), unit.split, record->rows, record->sha256,
                               static_cast<int64_t>(std::filesystem::file_size(shard))});
    if (unit.split == kTrainSplit) {
      for (const auto& task : manifest.tasks) train_labels[task.name].push_back(read_task_labels(shard, task, header.rows));
    }
  }
  if (manifest.shards.empty()) {
    throw DataError("cache: every image of " + config.manifest.string() + " failed; see " +
                    (config.out_dir / kCacheReportFileName).string());
  }
  for (const auto& task : manifest.tasks) {
    if (train_labels[task.name].empty()) continue;
    const auto labels = summarize_labels(task, torch::cat(train_labels[task.name]));
    manifest.label_stats[task.name] = {labels.rows, labels.labelled, labels.class_counts};
  }
  manifest.attributes = {{"generator", "cache"},
                         {"manifest", config.manifest.string()},
                         {"backbone", config.backbone.string()},
                         {"pooling", to_string(config.pooling)},
                         {"views", std::to_string(config.views)},
                         {"seed", std::to_string(config.seed)},
                         {"provenance_sha256", provenance_sha256},
                         {"bad_images", std::to_string(summary.bad_images.size())}};
  std::sort(summary.bad_images.begin(), summary.bad_images.end(),
            [](const BadImage& a, const BadImage& b) { return a.row < b.row; });
  std::ofstream report(config.out_dir / kCacheReportFileName);
  report << "row\tpath\tkind\tmessage\n";
  for (const auto& bad : summary.bad_images) {
    report << bad.row << '\t' << tsv_cell(bad.path) << '\t' << to_string(bad.kind) << '\t' << tsv_cell(bad.message) << '\n';
    ++summary.bad_by_kind[bad.kind];
  }
  if (!report) throw DataError((config.out_dir / kCacheReportFileName).string() + ": cannot write the report");
  save_manifest(config.out_dir, manifest);
  return summary;
}

}  // namespace mmoe::data
