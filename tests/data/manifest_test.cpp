// dataset.yaml: save_manifest then load_manifest keeps every field, the lookups answer from the
// shard list, and bad manifests fail with a DataError naming the file and the key.
#include <fstream>
#include <iterator>
#include <optional>

#include <gtest/gtest.h>

#include "data/dataset_manifest.h"
#include "data_test_util.h"

namespace mmoe::data::manifest_test {
namespace {

using testing::contains;
using testing::data_error_message;
using testing::write_text_file;

class Manifest : public testing::DataDirTest {
 protected:
  std::string manifest_path() const { return (dir_ / "dataset.yaml").string(); }
  // A valid manifest whose tasks section is `tasks` (YAML lines indented by two spaces).
  void write_manifest_with(const std::string& tasks, int64_t format_version = 1) {
    write_text_file(dir_ / "dataset.yaml",
                    "format_version: " + std::to_string(format_version) +
                        "\nname: fish\nfeature_dim: 8\ntasks:\n" + tasks +
                        "shards:\n  - {file: a.h5, split: train, rows: 4, sha256: ''}\n");
  }
};

DatasetManifest full_manifest() {
  DatasetManifest m;
  m.name = "reef-fish v2";
  m.description = "family: from photos; \"quoted\" and # not a comment";
  m.feature_dim = 768;
  m.feature_dtype = "float16";
  TaskSchema family{"family", TaskType::kMulticlass, {"cichlidae", "yes", "null", "1.5", "a: b"}, 1};
  TaskSchema habitat{"habitat", TaskType::kMultilabel, {"reef"}, 1};
  TaskSchema trophic{"trophic", TaskType::kRegression, {}, 3};
  m.tasks = {family, habitat, trophic};
  m.shards = {{"train-0000.h5", "train", 100, std::string(64, 'a')},
              {"val-0000.h5", "val", 20, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
              {"train-0001.h5", "train", 50, ""},
              {"test-0000.h5", "test", 0, std::string(64, 'f')}};
  m.label_stats["family"] = {150, 120, {60, 30, 20, 5, 5}};
  m.label_stats["habitat"] = {150, 149, {149}};
  m.label_stats["trophic"] = {150, 7, {}};
  m.attributes = {{"backbone", "dinov2_vitb14"}, {"seed", "0"}, {"missing_fraction", "0.200000"}, {"empty", ""}};
  m.synthetic = SyntheticInfo{"mmoe-paper", 18446744073709551615ull, -0.5, 0.47123456789012345};
  return m;
}

TEST_F(Manifest, SaveThenLoadKeepsEveryField) {
  const auto saved = full_manifest();
  save_manifest(dir_, saved);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "dataset.yaml.partial"));
  const auto loaded = load_manifest(dir_);

  EXPECT_EQ(loaded.format_version, 1);
  EXPECT_EQ(loaded.name, "reef-fish v2");
  EXPECT_EQ(loaded.description, saved.description);
  EXPECT_EQ(loaded.feature_dim, 768);
  EXPECT_EQ(loaded.feature_dtype, "float16");
  ASSERT_EQ(loaded.tasks.size(), 3u);
  for (size_t t = 0; t < 3; ++t) {
    EXPECT_EQ(loaded.tasks[t].name, saved.tasks[t].name);
    EXPECT_EQ(loaded.tasks[t].type, saved.tasks[t].type);
    EXPECT_EQ(loaded.tasks[t].class_names, saved.tasks[t].class_names);
    EXPECT_EQ(loaded.tasks[t].num_outputs, saved.tasks[t].num_outputs);
  }
  EXPECT_EQ(loaded.tasks[0].class_names, (std::vector<std::string>{"cichlidae", "yes", "null", "1.5", "a: b"}));
  EXPECT_EQ(loaded.tasks[2].num_outputs, 3);
  EXPECT_EQ(loaded.tasks[2].output_dim(), 3);
  EXPECT_EQ(loaded.tasks[1].output_dim(), 1);
  ASSERT_EQ(loaded.shards.size(), 4u);
  for (size_t s = 0; s < 4; ++s) {
    EXPECT_EQ(loaded.shards[s].file, saved.shards[s].file);
    EXPECT_EQ(loaded.shards[s].split, saved.shards[s].split);
    EXPECT_EQ(loaded.shards[s].rows, saved.shards[s].rows);
    EXPECT_EQ(loaded.shards[s].sha256, saved.shards[s].sha256);
  }
  ASSERT_EQ(loaded.label_stats.size(), 3u);
  for (const auto& [task, stats] : saved.label_stats) {
    ASSERT_EQ(loaded.label_stats.count(task), 1u) << task;
    EXPECT_EQ(loaded.label_stats.at(task).rows, stats.rows) << task;
    EXPECT_EQ(loaded.label_stats.at(task).labelled, stats.labelled) << task;
    EXPECT_EQ(loaded.label_stats.at(task).class_counts, stats.class_counts) << task;
  }
  EXPECT_EQ(loaded.attributes, saved.attributes);
  ASSERT_TRUE(loaded.synthetic.has_value());
  EXPECT_EQ(loaded.synthetic->kind, "mmoe-paper");
  EXPECT_EQ(loaded.synthetic->seed, 18446744073709551615ull);
  EXPECT_EQ(loaded.synthetic->correlation, -0.5);
  // Written as the shortest text that reads back as the same double.
  EXPECT_EQ(loaded.synthetic->measured_label_correlation, 0.47123456789012345);
}

TEST_F(Manifest, SyntheticBlockAndItsCorrelationsAreOptional) {
  auto m = full_manifest();
  m.synthetic.reset();
  save_manifest(dir_, m);
  std::ifstream file(dir_ / "dataset.yaml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("synthetic"), std::string::npos) << text;
  EXPECT_FALSE(load_manifest(dir_).synthetic.has_value());

  m.synthetic = SyntheticInfo{"attributes", 3, std::nullopt, std::nullopt};
  save_manifest(dir_, m);
  const auto loaded = load_manifest(dir_);
  ASSERT_TRUE(loaded.synthetic.has_value());
  EXPECT_EQ(loaded.synthetic->kind, "attributes");
  EXPECT_EQ(loaded.synthetic->seed, 3u);
  EXPECT_FALSE(loaded.synthetic->correlation.has_value());
  EXPECT_FALSE(loaded.synthetic->measured_label_correlation.has_value());
}

TEST_F(Manifest, MalformedSyntheticBlockIsNamed) {
  const std::string tasks = "tasks:\n  - {name: y1, type: regression}\n";
  write_text_file(dir_ / "dataset.yaml", "format_version: 1\nfeature_dim: 8\n" + tasks + "synthetic: 3\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       manifest_path() + ": key 'synthetic' must be a mapping"));
  write_text_file(dir_ / "dataset.yaml", "format_version: 1\nfeature_dim: 8\n" + tasks + "synthetic: {kind: x}\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       manifest_path() + ": synthetic: missing key 'seed'"));
  write_text_file(dir_ / "dataset.yaml", "format_version: 1\nfeature_dim: 8\n" + tasks +
                                             "synthetic: {kind: x, seed: 1, measured_label_correlation: high}\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       manifest_path() + ": synthetic: key 'measured_label_correlation' has the wrong type"));
}

TEST_F(Manifest, FileStartsWithACommentNamingTheFormatDocument) {
  save_manifest(dir_, full_manifest());
  std::ifstream file(dir_ / "dataset.yaml");
  std::string first_line;
  std::getline(file, first_line);
  EXPECT_EQ(first_line, "# mmoe dataset manifest (docs/shard-format.md)");
}

TEST(ManifestLookups, SplitNamesRowsAndTasksComeFromTheLists) {
  const auto m = full_manifest();
  EXPECT_EQ(m.split_names(), (std::vector<std::string>{"train", "val", "test"}));
  EXPECT_EQ(m.rows_in_split("train"), 150);
  EXPECT_EQ(m.rows_in_split("val"), 20);
  EXPECT_EQ(m.rows_in_split("test"), 0);
  EXPECT_EQ(m.rows_in_split("holdout"), 0);
  ASSERT_NE(m.find_task("trophic"), nullptr);
  EXPECT_EQ(m.find_task("trophic"), &m.tasks[2]);
  EXPECT_EQ(m.find_task("family")->type, TaskType::kMulticlass);
  EXPECT_EQ(m.find_task("Family"), nullptr);
  EXPECT_EQ(m.find_task(""), nullptr);
  EXPECT_TRUE(DatasetManifest{}.split_names().empty());
}

TEST_F(Manifest, MissingDirectoryIsNamed) {
  const auto missing = dir_ / "nowhere";
  const auto message = data_error_message([&] { load_manifest(missing); });
  EXPECT_TRUE(contains(message, "dataset directory '" + missing.string() + "' does not exist"));
  EXPECT_TRUE(contains(message, "mmoe synth"));
}

TEST_F(Manifest, DirectoryWithoutDatasetYamlIsNamed) {
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ": missing"));
  EXPECT_TRUE(contains(message, "not an mmoe dataset directory"));
}

TEST_F(Manifest, MalformedYamlGivesLineAndColumn) {
  // Line 3 opens a flow sequence that line 4 closes with a brace.
  write_text_file(dir_ / "dataset.yaml", "format_version: 1\nname: fish\nfeature_dim: [8,\n  9}\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ":4:4: malformed YAML"));
}

TEST_F(Manifest, UnknownTaskTypeIsNamedWithTheValidTypes) {
  write_manifest_with("  - {name: family, type: classification, classes: [a, b]}\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path()));
  EXPECT_TRUE(contains(message, "task 'family' has unknown type 'classification'"));
  EXPECT_TRUE(contains(message, "multiclass, multilabel, regression"));
}

TEST_F(Manifest, DuplicateTaskIsNamed) {
  write_manifest_with("  - {name: family, type: multiclass, classes: [a, b]}\n"
                      "  - {name: family, type: regression}\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ": task 'family' is listed twice"));
}

TEST_F(Manifest, NewerFormatVersionIsRefused) {
  write_manifest_with("  - {name: family, type: multiclass, classes: [a, b]}\n", 2);
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ": format_version 2 is newer than this mmoe reads (1)"));
}

TEST_F(Manifest, MissingRequiredKeyIsNamed) {
  write_text_file(dir_ / "dataset.yaml", "format_version: 1\ntasks:\n  - {name: t, type: regression}\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ": missing key 'feature_dim'"));
}

TEST_F(Manifest, MulticlassTaskNeedsTwoClasses) {
  write_manifest_with("  - {name: family, type: multiclass, classes: [only]}\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, manifest_path() + ": task 'family' needs at least 2 classes"));
}

}  // namespace
}  // namespace mmoe::data::manifest_test
