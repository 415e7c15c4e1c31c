// `mmoe data import` -> `data info` -> `data verify` -> `train` on the imported data; verify and
// train after a shard is damaged; bad import inputs fail with one line naming file and place.
#include <cstring>
#include <fstream>
#include <random>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class DataCli : public MmoeCli {
 protected:
  static constexpr int kRows = 400;
  static constexpr int kDim = 8;

  // f.npy: float32 [400, 8] from a seeded normal, written byte by byte (format 1.0 header);
  // l.csv: kind (a|b from x0), tags (p, q from x1, x2; empty = missing), value (x3 + x4 / 2).
  void write_inputs() {
    std::mt19937 random(5);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(kRows * kDim);
    for (auto& v : x) v = normal(random);
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(kRows) + ", " +
                       std::to_string(kDim) + "), }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
    bytes += static_cast<char>(dict.size() & 0xff);
    bytes += static_cast<char>(dict.size() >> 8);
    bytes += dict;
    bytes.append(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float));  // little-endian host
    std::ofstream(test_dir_ / "f.npy", std::ios::binary) << bytes;

    std::string csv = "sample_id,kind,tags,value\n";
    for (int r = 0; r < kRows; ++r) {
      const float* row = &x[static_cast<size_t>(r) * kDim];
      std::string tags = row[1] > 0 ? "p" : "";
      if (row[2] > 0) tags += tags.empty() ? "q" : "|q";
      csv += std::to_string(r) + "," + (r % 10 == 3 ? "" : row[0] > 0 ? "a" : "b") + "," + tags + "," +
             std::to_string(row[3] + row[4] / 2) + "\n";
    }
    write_file("l.csv", csv);
  }
  ProcessResult import_data(const std::string& out) {
    return mmoe({"data", "import", "--features", (test_dir_ / "f.npy").string(), "--labels",
                 (test_dir_ / "l.csv").string(), "--out", (test_dir_ / out).string(), "--seed", "3",
                 "--rows-per-shard", "100"});
  }
  // `mmoe data import` with these files must fail with one line on stderr.
  ProcessResult import_fails(const std::string& features, const std::string& labels) {
    auto result = mmoe({"data", "import", "--features", (test_dir_ / features).string(), "--labels",
                        (test_dir_ / labels).string(), "--out", (test_dir_ / "bad").string()});
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_EQ(count_lines(result.err), 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("mmoe: error: "));
    return result;
  }
  static void flip_bytes(const std::filesystem::path& path) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(0, std::ios::end);
    const auto middle = static_cast<std::streamoff>(file.tellg()) / 2;
    file.seekp(middle);
    file.write("\xde\xad\xbe\xef", 4);
  }
};

TEST_F(DataCli, ImportInfoVerifyTrainThenVerifyCatchesACorruptShard) {
  write_inputs();
  const auto imported = import_data("ds");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, AllOf(HasSubstr("train 280"), HasSubstr("val 60"), HasSubstr("test 60"),
                                  HasSubstr("kind (multiclass, 2; inferred"), HasSubstr("tags (multilabel, 2"),
                                  HasSubstr("value (regression, 1")));
  const auto ds = (test_dir_ / "ds").string();

  const auto info = mmoe({"data", "info", ds});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, AllOf(HasSubstr("features: dim 8, float32"), HasSubstr("train-0002.h5"),
                              HasSubstr("kind (multiclass, 2 classes)"), HasSubstr("splits: train 280 val 60 test 60")));
  const auto info_json = mmoe({"data", "info", ds, "--json"});
  ASSERT_EQ(info_json.exit_code, 0) << info_json.err;
  EXPECT_THAT(info_json.out, AllOf(HasSubstr("\"class_counts\""), HasSubstr("\"coverage\""), HasSubstr("\"mean\"")));

  const auto verified = mmoe({"data", "verify", ds});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("ok: 5 shards"));

  const auto config = write_file("c.yaml", "data:\n  dir: " + ds +
                                               "\nmodel:\n  num_experts: 2\n  expert_hidden: [16]\n  tower_hidden: [8]\n"
                                               "train:\n  epochs: 2\n  batch_size: 32\n  seed: 1\n");
  const auto trained = mmoe({"train", config.string(), "tracking.store=" + store_.string()});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(query(store_, "SELECT status FROM runs")[0][0], "finished");

  flip_bytes(test_dir_ / "ds" / "train-0001.h5");
  const auto corrupt = mmoe({"data", "verify", ds});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_THAT(corrupt.out, AllOf(HasSubstr("train-0001.h5: checksum mismatch"), HasSubstr("FAILED")));
  const auto corrupt_json = mmoe({"data", "verify", ds, "--json"});
  EXPECT_EQ(corrupt_json.exit_code, 1);
  EXPECT_THAT(corrupt_json.out, AllOf(HasSubstr("\"ok\": false"), HasSubstr("\"mismatch\"")));
}

TEST_F(DataCli, TrainingRefusesATruncatedShardByItsSize) {
  write_inputs();
  ASSERT_EQ(import_data("ds").exit_code, 0);
  const auto shard = test_dir_ / "ds" / "val-0000.h5";
  std::filesystem::resize_file(shard, std::filesystem::file_size(shard) - 100);
  const auto config = write_file("c.yaml", "data:\n  dir: " + (test_dir_ / "ds").string() + "\ntrain:\n  epochs: 1\n");
  const auto r = mmoe({"train", config.string(), "tracking.store=" + store_.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("val-0000.h5: is "), HasSubstr("bytes but dataset.yaml records")));
  const auto verified = mmoe({"data", "verify", (test_dir_ / "ds").string()});
  EXPECT_EQ(verified.exit_code, 1);
  EXPECT_THAT(verified.out, HasSubstr("val-0000.h5: checksum mismatch"));
}

TEST_F(DataCli, VerifyReportsAMissingShard) {
  write_inputs();
  ASSERT_EQ(import_data("ds").exit_code, 0);
  std::filesystem::remove(test_dir_ / "ds" / "test-0000.h5");
  const auto r = mmoe({"data", "verify", (test_dir_ / "ds").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("test-0000.h5: missing"));
}

TEST_F(DataCli, ImportBadInputsFailWithOneLine) {
  write_file("l.csv", "kind\na\nb\n");
  EXPECT_THAT(import_fails("absent.npy", "l.csv").err, HasSubstr("absent.npy' does not exist"));
  write_file("f.csv", "1,2\n3,x\n");
  EXPECT_THAT(import_fails("f.csv", "l.csv").err, HasSubstr("f.csv: line 2 column 2: 'x' is not a number"));
  write_file("g.csv", "1,2\n3,4\n5,6\n");
  EXPECT_THAT(import_fails("g.csv", "l.csv").err, HasSubstr("row count mismatch"));
  const auto r = mmoe({"data", "import", "--features", "g.csv", "--labels", "l.csv", "--out", "x", "--task", "kind:ordinal"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown task type 'ordinal'"));
}

}  // namespace
}  // namespace mmoe::e2e
