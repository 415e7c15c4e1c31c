// ShardWriteOptions: float16 features and gzip compression write shards that read back as the
// format says (checked with the raw HDF5 API), and bad options are refused before any file exists.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data_test_util.h"

namespace mmoe::data::shard_write_options_test {
namespace {

using testing::bitwise_equal;
using testing::fish_shard;
using testing::fish_tasks;

class ShardWriteOptionsTest : public testing::DataDirTest {};

// Number of filters on /features and the size of its file type in bytes.
std::pair<int, size_t> feature_storage(const std::filesystem::path& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dataset = H5Dopen2(file, "/features", H5P_DEFAULT);
  const hid_t create = H5Dget_create_plist(dataset);
  const hid_t type = H5Dget_type(dataset);
  const std::pair<int, size_t> result = {H5Pget_nfilters(create), H5Tget_size(type)};
  H5Tclose(type);
  H5Pclose(create);
  H5Dclose(dataset);
  H5Fclose(file);
  return result;
}

TEST_F(ShardWriteOptionsTest, Float16FeaturesAreStoredAsHalfAndReadBackRoundedToHalf) {
  auto shard = fish_shard(6, 3);
  shard.features = shard.features + 0.123f;  // not exactly representable in half precision
  ShardWriteOptions options;
  options.float16_features = true;
  write_shard(dir_ / "h.h5", shard, fish_tasks(), ShardProvenance{}, options);
  EXPECT_EQ(feature_storage(dir_ / "h.h5"), (std::pair<int, size_t>{0, 2}));
  const auto back = read_shard(dir_ / "h.h5", fish_tasks(), 3);
  // The oracle: LibTorch's own float -> half -> float rounding.
  EXPECT_TRUE(bitwise_equal(back.features, shard.features.to(torch::kHalf).to(torch::kFloat32)));
  EXPECT_FALSE(torch::equal(back.features, shard.features));
  EXPECT_TRUE(bitwise_equal(back.labels.at("family"), shard.labels.at("family")));
  EXPECT_EQ(read_shard_header(dir_ / "h.h5").feature_dtype, "float16");
}

TEST_F(ShardWriteOptionsTest, GzipShrinksCompressibleFeaturesAndReadsBackBitwise) {
  auto shard = fish_shard(4000, 64);
  shard.features = torch::ones({4000, 64});  // as compressible as it gets
  write_shard(dir_ / "plain.h5", shard, fish_tasks(), ShardProvenance{});
  ShardWriteOptions options;
  options.gzip_level = 6;
  write_shard(dir_ / "gzip.h5", shard, fish_tasks(), ShardProvenance{}, options);
  EXPECT_EQ(feature_storage(dir_ / "plain.h5").first, 0);
  EXPECT_EQ(feature_storage(dir_ / "gzip.h5").first, 2);  // shuffle + deflate
  EXPECT_LT(std::filesystem::file_size(dir_ / "gzip.h5") * 4, std::filesystem::file_size(dir_ / "plain.h5"));
  const auto back = read_shard(dir_ / "gzip.h5", fish_tasks(), 64);
  EXPECT_TRUE(bitwise_equal(back.features, shard.features));
  EXPECT_TRUE(bitwise_equal(back.labels.at("trophic"), shard.labels.at("trophic")));
}

TEST_F(ShardWriteOptionsTest, GzipLevelOutsideZeroToNineIsRefusedAndWritesNothing) {
  for (int level : {-1, 10}) {
    ShardWriteOptions options;
    options.gzip_level = level;
    const auto message = testing::data_error_message(
        [&] { write_shard(dir_ / "bad.h5", fish_shard(4, 2), fish_tasks(), ShardProvenance{}, options); });
    EXPECT_EQ(message, (dir_ / "bad.h5").string() + ": gzip level must be in 0..9 (got " + std::to_string(level) + ")");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.h5"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.h5.partial"));
  }
}

}  // namespace
}  // namespace mmoe::data::shard_write_options_test
