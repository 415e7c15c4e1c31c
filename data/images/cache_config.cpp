#include "data/images/cache_config.h"

#include <optional>

#include <yaml-cpp/yaml.h>

#include "data/import_labels.h"
#include "experiments/config_loader.h"
#include "experiments/yaml_reader.h"

namespace mmoe::data {
namespace {

using experiments::ConfigSources;
using experiments::MapReader;

template <typename Enum>
Enum read_choice(const MapReader& reader, const ConfigSources& sources, const std::string& key,
                 const std::vector<std::pair<std::string, Enum>>& choices, Enum fallback) {
  if (!reader.has(key)) return fallback;
  std::string text;
  reader.read(key, &text);
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
    names.push_back(name);
  }
  const auto nearest = experiments::nearest_name(text, names);
  sources.fail(reader.path_of(key), "unknown value '" + text + "'" +
                                        (nearest ? "; did you mean '" + *nearest + "'?" : "") +
                                        " (valid: " + experiments::join_names(names) + ")");
}

std::array<double, 3> read_triple(const MapReader& reader, const ConfigSources& sources, const std::string& key,
                                  std::array<double, 3> fallback) {
  if (!reader.has(key)) return fallback;
  const auto node = reader.value(key);
  std::array<double, 3> values{};
  if (!node.IsSequence() || node.size() != 3) sources.fail(reader.path_of(key), "expected three numbers [r, g, b]");
  for (size_t i = 0; i < 3; ++i) {
    try {
      values[i] = node[i].as<double>();
    } catch (const YAML::Exception&) {
      sources.fail(reader.path_of(key), "expected three numbers [r, g, b] (item " + std::to_string(i + 1) +
                                            " is '" + experiments::describe_node(node[i]) + "')");
    }
  }
  return values;
}

void require(bool ok, const ConfigSources& sources, const std::string& key, const std::string& what) {
  if (!ok) sources.fail(key, what);
}

void read_augment(const MapReader& root, const ConfigSources& sources, AugmentOptions& a) {
  const auto augment = root.child("augment", {"random_resized_crop", "horizontal_flip", "color_jitter", "coarse_dropout"});
  const auto crop = augment.child("random_resized_crop", {"enabled", "scale", "ratio"});
  crop.read("enabled", &a.random_resized_crop.enabled);
  crop.read_pair("scale", &a.random_resized_crop.scale[0], &a.random_resized_crop.scale[1]);
  crop.read_pair("ratio", &a.random_resized_crop.ratio[0], &a.random_resized_crop.ratio[1]);
  augment.read("horizontal_flip", &a.horizontal_flip);
  const auto jitter = augment.child("color_jitter", {"probability", "brightness", "contrast", "saturation", "hue"});
  jitter.read("probability", &a.color_jitter.probability);
  jitter.read("brightness", &a.color_jitter.brightness);
  jitter.read("contrast", &a.color_jitter.contrast);
  jitter.read("saturation", &a.color_jitter.saturation);
  jitter.read("hue", &a.color_jitter.hue);
  const auto dropout = augment.child("coarse_dropout", {"probability", "holes", "size"});
  dropout.read("probability", &a.coarse_dropout.probability);
  dropout.read("holes", &a.coarse_dropout.holes);
  dropout.read("size", &a.coarse_dropout.size);

  const auto& s = a.random_resized_crop.scale;
  const auto& r = a.random_resized_crop.ratio;
  require(s[0] > 0 && s[0] <= s[1] && s[1] <= 1, sources, "augment.random_resized_crop.scale",
          "needs 0 < min <= max <= 1");
  require(r[0] > 0 && r[0] <= r[1], sources, "augment.random_resized_crop.ratio", "needs 0 < min <= max");
  auto probability = [&](double p, const std::string& key) {
    require(p >= 0 && p <= 1, sources, key, "must be a probability in [0, 1] (got " + std::to_string(p) + ")");
  };
  probability(a.horizontal_flip, "augment.horizontal_flip");
  probability(a.color_jitter.probability, "augment.color_jitter.probability");
  probability(a.coarse_dropout.probability, "augment.coarse_dropout.probability");
  for (const auto& [value, key] : {std::pair{a.color_jitter.brightness, "brightness"},
                                   std::pair{a.color_jitter.contrast, "contrast"},
                                   std::pair{a.color_jitter.saturation, "saturation"}}) {
    require(value >= 0, sources, std::string("augment.color_jitter.") + key, "must be >= 0");
  }
  require(a.color_jitter.hue >= 0 && a.color_jitter.hue <= 0.5, sources, "augment.color_jitter.hue",
          "must be in [0, 0.5]");
  require(a.coarse_dropout.holes >= 0, sources, "augment.coarse_dropout.holes", "must be >= 0");
  require(a.coarse_dropout.size > 0 && a.coarse_dropout.size <= 1, sources, "augment.coarse_dropout.size",
          "must be in (0, 1] (a fraction of the crop side)");
}

}  // namespace

CacheConfig load_cache_config(const std::filesystem::path& path) {
  const ConfigSources sources(path.string());
  if (!std::filesystem::is_regular_file(path)) {
    throw experiments::ConfigError(path.string() + ": cache config does not exist");
  }
  YAML::Node document;
  try {
    document = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw experiments::ConfigError(path.string() + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  const MapReader root(document, "",
                       {"manifest", "backbone", "out_dir", "name", "tasks", "preprocess", "augment", "pooling", "dtype",
                        "views", "batch_size", "rows_per_shard", "threads", "seed", "feature_dtype"},
                       sources);
  CacheConfig config;
  const auto base = path.parent_path();
  auto read_path = [&](const std::string& key, std::filesystem::path& out) {
    std::string text;
    root.read(key, &text);
    if (text.empty()) sources.fail(key, "is required (a file or directory path)");
    const std::filesystem::path value = text;
    out = value.is_absolute() ? value : base / value;
  };
  read_path("manifest", config.manifest);
  read_path("backbone", config.backbone);
  read_path("out_dir", config.out_dir);
  root.read("name", &config.name);
  for (const auto& [name, node] : experiments::read_named_entries(document["tasks"], "tasks", "task", sources)) {
    const auto type = parse_task_type(experiments::read_string(node, "tasks." + name, sources));
    if (!type) sources.fail("tasks." + name, "unknown task type (valid: multiclass, multilabel, regression)");
    config.tasks[name] = *type;
  }
  auto& p = config.preprocess;
  const auto pre = root.child("preprocess", {"resize", "crop", "antialias", "mean", "std"});
  pre.read("resize", &p.resize);
  pre.read("crop", &p.crop);
  pre.read("antialias", &p.antialias);
  p.mean = read_triple(pre, sources, "mean", p.mean);
  p.std = read_triple(pre, sources, "std", p.std);
  read_augment(root, sources, p.augment);
  config.pooling = read_choice<Pooling>(root, sources, "pooling",
                                        {{"cls", Pooling::kCls}, {"mean", Pooling::kMean}, {"both", Pooling::kBoth}},
                                        config.pooling);
  config.dtype = read_choice<BackboneDtype>(
      root, sources, "dtype",
      {{"fp32", BackboneDtype::kFloat32}, {"fp16", BackboneDtype::kFloat16}, {"bf16", BackboneDtype::kBfloat16}},
      config.dtype);
  config.write.float16_features =
      read_choice<bool>(root, sources, "feature_dtype", {{"float32", false}, {"float16", true}}, false);
  root.read("views", &config.views);
  root.read("batch_size", &config.batch_size);
  root.read("rows_per_shard", &config.rows_per_shard);
  root.read("threads", &config.threads);
  root.read("seed", &config.seed);

  require(p.resize >= 0, sources, "preprocess.resize", "must be >= 0 (0: no resize)");
  require(p.crop >= 1, sources, "preprocess.crop", "must be >= 1");
  for (size_t c = 0; c < 3; ++c) require(p.std[c] > 0, sources, "preprocess.std", "every value must be > 0");
  require(config.views >= 0, sources, "views", "must be >= 0 (0: the plain view only)");
  require(config.batch_size >= 1, sources, "batch_size", "must be >= 1");
  require(config.threads >= 1, sources, "threads", "must be >= 1");
  require(config.rows_per_shard >= std::max<int64_t>(1, config.views), sources, "rows_per_shard",
          "must be >= max(1, views) (a shard holds every view of its images)");
  return config;
}

}  // namespace mmoe::data
