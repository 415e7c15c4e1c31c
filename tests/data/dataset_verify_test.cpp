// `mmoe data verify`'s library: a clean dataset passes; every kind of damage is reported as a
// problem naming the shard and dataset, and damage in several shards is reported for each.
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/sha256.h"
#include "data/dataset_verify.h"
#include "data/shard_writer.h"
#include "data_test_util.h"

namespace mmoe::data::dataset_verify_test {
namespace {

using testing::contains;
using testing::fish_manifest;
using testing::fish_shard;
using testing::fish_tasks;

class Verify : public testing::DataDirTest {
 protected:
  // a.h5 (train, 6 rows), b.h5 (train, 5 rows), c.h5 (val, 4 rows); checksums recorded unless
  // `with_checksums` is false.
  void write_dataset(bool with_checksums = true) {
    std::vector<ShardEntry> entries;
    for (const auto& [file, split, rows] : std::vector<std::tuple<std::string, std::string, int64_t>>{
             {"a.h5", "train", 6}, {"b.h5", "train", 5}, {"c.h5", "val", 4}}) {
      const auto sha = write_shard(dir_ / file, fish_shard(rows, 3), fish_tasks(), ShardProvenance{});
      entries.push_back({file, split, rows, with_checksums ? sha : ""});
    }
    save_manifest(dir_, fish_manifest(3, entries));
  }
  std::string bytes_of(const std::string& file) {
    std::ifstream in(dir_ / file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  // Problems as "file|dataset|message" lines, for readable failures.
  static std::string problems(const VerifyReport& report) {
    std::string text;
    for (const auto& p : report.problems) text += p.file + "|" + p.dataset + "|" + p.message + "\n";
    return text;
  }
  static bool has(const VerifyReport& report, const std::string& file, const std::string& dataset,
                  const std::string& part) {
    for (const auto& p : report.problems) {
      if (p.file == file && p.dataset == dataset && p.message.find(part) != std::string::npos) return true;
    }
    return false;
  }
};

TEST_F(Verify, CleanDatasetHasNoProblemsAndEveryChecksumMatches) {
  write_dataset();
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(report.ok()) << problems(report);
  ASSERT_EQ(report.shards.size(), 3u);
  for (const auto& shard : report.shards) {
    EXPECT_EQ(shard.checksum, ChecksumStatus::kMatch) << shard.file;
    EXPECT_TRUE(shard.ok);
    EXPECT_EQ(shard.bytes, static_cast<int64_t>(std::filesystem::file_size(dir_ / shard.file)));
  }
  EXPECT_TRUE(report.notes.empty());
}

TEST_F(Verify, FlippedBytesAreAChecksumMismatch) {
  write_dataset();
  auto bytes = bytes_of("b.h5");
  // Flip bytes in the middle: HDF5 may or may not notice, the checksum always does.
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 8; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  testing::write_text_file(dir_ / "b.h5", bytes);
  const auto report = verify_dataset(dir_);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(has(report, "b.h5", "", "checksum mismatch: SHA-256 is " + sha256_file_hex(dir_ / "b.h5")))
      << problems(report);
  EXPECT_EQ(report.shards[1].checksum, ChecksumStatus::kMismatch);
  EXPECT_TRUE(report.shards[0].ok);
  EXPECT_FALSE(report.shards[1].ok);
  EXPECT_TRUE(report.shards[2].ok);
}

TEST_F(Verify, MissingShardIsReportedAndTheOthersStillChecked) {
  write_dataset();
  std::filesystem::remove(dir_ / "a.h5");
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "a.h5", "", "missing")) << problems(report);
  EXPECT_EQ(report.problems.size(), 1u) << problems(report);
  EXPECT_EQ(report.shards[1].checksum, ChecksumStatus::kMatch);
}

TEST_F(Verify, TruncatedShardIsAMismatchAndUnreadable) {
  write_dataset();
  const auto bytes = bytes_of("c.h5");
  testing::write_text_file(dir_ / "c.h5", bytes.substr(0, bytes.size() / 2));
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "c.h5", "", "checksum mismatch")) << problems(report);
  EXPECT_TRUE(has(report, "c.h5", "", "truncated or corrupt")) << problems(report);
}

TEST_F(Verify, RecordedSizeIsCompared) {
  write_dataset();
  auto manifest = load_manifest(dir_);
  manifest.shards[0].bytes = 12;
  save_manifest(dir_, manifest);
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "a.h5", "", "bytes but dataset.yaml records 12")) << problems(report);
}

TEST_F(Verify, ProblemsInSeveralShardsAndDatasetsAreAllReported) {
  write_dataset(/*with_checksums=*/false);
  // a.h5: class id 3 of 3 classes in row 4; NaN in a feature.
  testing::replace_dataset_raw(dir_ / "a.h5", "/labels/family", torch::tensor({0, -1, 2, 0, 3, 2}, torch::kInt32),
                               H5T_STD_I32LE, H5T_NATIVE_INT32);
  auto features = fish_shard(6, 3).features;
  features[2][1] = std::nanf("");
  testing::replace_dataset_raw(dir_ / "a.h5", "/features", features, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  // b.h5: habitat labels of another length; c.h5: from a newer format version.
  testing::replace_dataset_raw(dir_ / "b.h5", "/labels/habitat", torch::zeros({4, 4}, torch::kUInt8), H5T_STD_U8LE,
                               H5T_NATIVE_UINT8);
  testing::set_int_attribute_raw(dir_ / "c.h5", "/", "format_version", 2);
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "a.h5", "/labels/family", "/labels/family row 4 has class 3")) << problems(report);
  EXPECT_TRUE(has(report, "a.h5", "", "/features row 2 holds NaN or Inf")) << problems(report);
  EXPECT_TRUE(has(report, "b.h5", "/labels/habitat", "/labels/habitat has 4 rows but /features has 5"))
      << problems(report);
  EXPECT_TRUE(has(report, "c.h5", "", "shard format version 2 is newer")) << problems(report);
  EXPECT_EQ(report.problems.size(), 4u) << problems(report);
  EXPECT_EQ(report.notes.size(), 3u);  // no checksums recorded
  for (const auto& shard : report.shards) EXPECT_EQ(shard.checksum, ChecksumStatus::kNotRecorded);
}

TEST_F(Verify, ShapeTypeAndRowCountsAgainstTheManifest) {
  write_dataset(false);
  // a.h5: features stored as float64; b.h5: 4 features per row; c.h5: manifest says 5 rows.
  testing::replace_dataset_raw(dir_ / "a.h5", "/features", fish_shard(6, 3).features.to(torch::kFloat64),
                               H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  write_shard(dir_ / "b.h5", fish_shard(5, 4), fish_tasks(), ShardProvenance{});
  auto manifest = load_manifest(dir_);
  manifest.shards[2].rows = 5;
  save_manifest(dir_, manifest);
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "a.h5", "/features", "is stored as float64 but dataset.yaml says feature_dtype float32"))
      << problems(report);
  EXPECT_TRUE(has(report, "b.h5", "/features", "has 4 features per row but dataset.yaml says feature_dim 3"))
      << problems(report);
  EXPECT_TRUE(has(report, "c.h5", "", "holds 4 rows but dataset.yaml says 5")) << problems(report);
  EXPECT_EQ(report.problems.size(), 3u) << problems(report);
}

TEST_F(Verify, TaskAbsentFromAShardIsNamed) {
  write_dataset(false);
  const hid_t file = H5Fopen((dir_ / "c.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_GE(H5Ldelete(file, "/labels/trophic", H5P_DEFAULT), 0);
  H5Fclose(file);
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "c.h5", "/labels/trophic", "no dataset '/labels/trophic' for task 'trophic'"))
      << problems(report);
}

TEST_F(Verify, ManifestProblemsAreReportedNotThrown) {
  auto report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "dataset.yaml", "", "missing; ")) << problems(report);
  write_dataset();
  auto manifest = load_manifest(dir_);
  manifest.shards[2].rows = 0;
  save_manifest(dir_, manifest);
  report = verify_dataset(dir_);
  EXPECT_TRUE(has(report, "dataset.yaml", "", "split 'val' is empty")) << problems(report);
}

TEST_F(Verify, LeftoverPartialFileIsANoteNotAProblem) {
  write_dataset();
  testing::write_text_file(dir_ / "d.h5.partial", "x");
  const auto report = verify_dataset(dir_);
  EXPECT_TRUE(report.ok()) << problems(report);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_TRUE(contains(report.notes[0], "d.h5.partial: leftover"));
}

}  // namespace
}  // namespace mmoe::data::dataset_verify_test
