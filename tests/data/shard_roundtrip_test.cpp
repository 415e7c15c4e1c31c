// Shard format v1: write_shard then read_shard gives back the same bytes, the on-disk encoding
// is the documented one (checked with the raw HDF5 C API), and writes are atomic and checksummed.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/sha256.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data_test_util.h"

namespace mmoe::data::shard_roundtrip_test {
namespace {

using testing::bitwise_equal;
using testing::dataset_info;
using testing::fish_shard;
using testing::fish_tasks;
using testing::read_raw;

class ShardRoundTrip : public testing::DataDirTest {};

TEST_F(ShardRoundTrip, ReadGivesBackEveryTensorBitwise) {
  const auto shard = fish_shard(6, 3);
  const auto path = dir_ / "s.h5";
  write_shard(path, shard, fish_tasks(), ShardProvenance{});
  const auto back = read_shard(path, fish_tasks(), 3);

  EXPECT_TRUE(bitwise_equal(back.features, shard.features));
  EXPECT_TRUE(bitwise_equal(back.sample_id, shard.sample_id));
  EXPECT_TRUE(bitwise_equal(back.view, shard.view));
  ASSERT_EQ(back.labels.size(), 3u);
  EXPECT_TRUE(bitwise_equal(back.labels.at("family"), shard.labels.at("family")));
  EXPECT_TRUE(bitwise_equal(back.labels.at("habitat"), shard.labels.at("habitat")));
  EXPECT_TRUE(bitwise_equal(back.labels.at("trophic"), shard.labels.at("trophic")));

  // The hand-picked values themselves, so a wrong fixture cannot hide a wrong reader.
  EXPECT_EQ(back.features[5][2].item<float>(), 50.5f);
  EXPECT_EQ(back.sample_id[4].item<int64_t>(), 1004);
  EXPECT_EQ(back.view[5].item<int32_t>(), 2);
  const auto family = back.labels.at("family");
  EXPECT_EQ(family.scalar_type(), torch::kInt64);
  EXPECT_TRUE(bitwise_equal(family, torch::tensor({0, -1, 2, 0, 1, 2}, torch::kInt64)));
  const auto habitat = back.labels.at("habitat");
  EXPECT_TRUE(bitwise_equal(torch::isnan(habitat).any(1), torch::tensor({false, false, true, false, false, false})));
  EXPECT_TRUE(torch::isnan(habitat[2]).all().item<bool>());
  EXPECT_TRUE(bitwise_equal(habitat[5], torch::tensor({1.0f, 0.0f, 1.0f, 0.0f})));
  const auto trophic = back.labels.at("trophic");
  EXPECT_TRUE(bitwise_equal(torch::isnan(trophic).nonzero(), torch::tensor({{3, 1}}, torch::kInt64)));
  EXPECT_EQ(trophic[5][0].item<float>(), 2.5f);
  EXPECT_EQ(trophic[5][1].item<float>(), -5.0f);
}

TEST_F(ShardRoundTrip, OnDiskEncodingIsTheDocumentedOne) {
  const auto path = dir_ / "s.h5";
  write_shard(path, fish_shard(6, 3), fish_tasks(), ShardProvenance{});

  const auto features = dataset_info(path, "/features");
  EXPECT_EQ(features.type_class, H5T_FLOAT);
  EXPECT_EQ(features.type_size_bytes, 4u);
  EXPECT_EQ(features.dims, (std::vector<hsize_t>{6, 3}));
  EXPECT_EQ(features.chunk_dims, (std::vector<hsize_t>{6, 3}));  // 1 MiB of rows, clamped to N

  const auto sample_id = dataset_info(path, "/sample_id");
  EXPECT_EQ(sample_id.type_class, H5T_INTEGER);
  EXPECT_EQ(sample_id.type_size_bytes, 8u);
  EXPECT_EQ(sample_id.sign, H5T_SGN_2);
  const auto view = dataset_info(path, "/view");
  EXPECT_EQ(view.type_class, H5T_INTEGER);
  EXPECT_EQ(view.type_size_bytes, 4u);
  EXPECT_EQ(view.sign, H5T_SGN_2);

  const auto family = dataset_info(path, "/labels/family");
  EXPECT_EQ(family.type_class, H5T_INTEGER);
  EXPECT_EQ(family.type_size_bytes, 4u);
  EXPECT_EQ(family.sign, H5T_SGN_2);
  EXPECT_EQ(family.dims, (std::vector<hsize_t>{6}));
  EXPECT_TRUE(bitwise_equal(read_raw(path, "/labels/family", H5T_NATIVE_INT32, torch::kInt32),
                            torch::tensor({0, -1, 2, 0, 1, 2}, torch::kInt32)));

  const auto habitat = dataset_info(path, "/labels/habitat");
  EXPECT_EQ(habitat.type_class, H5T_INTEGER);
  EXPECT_EQ(habitat.type_size_bytes, 1u);
  EXPECT_EQ(habitat.sign, H5T_SGN_NONE);
  EXPECT_EQ(habitat.dims, (std::vector<hsize_t>{6, 4}));
  // Row r holds the low 4 bits of r; the missing row 2 is stored as zeros.
  EXPECT_TRUE(bitwise_equal(read_raw(path, "/labels/habitat", H5T_NATIVE_UINT8, torch::kUInt8),
                            torch::tensor({0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0},
                                          torch::kUInt8)
                                .view({6, 4})));
  const auto mask = dataset_info(path, "/label_masks/habitat");
  EXPECT_EQ(mask.type_class, H5T_INTEGER);
  EXPECT_EQ(mask.type_size_bytes, 1u);
  EXPECT_EQ(mask.sign, H5T_SGN_NONE);
  EXPECT_EQ(mask.dims, (std::vector<hsize_t>{6}));
  EXPECT_TRUE(bitwise_equal(read_raw(path, "/label_masks/habitat", H5T_NATIVE_UINT8, torch::kUInt8),
                            torch::tensor({1, 1, 0, 1, 1, 1}, torch::kUInt8)));

  const auto trophic = dataset_info(path, "/labels/trophic");
  EXPECT_EQ(trophic.type_class, H5T_FLOAT);
  EXPECT_EQ(trophic.type_size_bytes, 4u);
  EXPECT_EQ(trophic.dims, (std::vector<hsize_t>{6, 2}));

  EXPECT_EQ(testing::read_int_attribute_raw(path, "/", "format_version"), 1);
  EXPECT_EQ(testing::read_int_attribute_raw(path, "/", "feature_dim"), 3);
  EXPECT_EQ(testing::read_int_attribute_raw(path, "/labels/family", "output_dim"), 3);
  EXPECT_EQ(testing::read_int_attribute_raw(path, "/labels/habitat", "output_dim"), 4);
  EXPECT_EQ(testing::read_int_attribute_raw(path, "/labels/trophic", "output_dim"), 2);
}

TEST_F(ShardRoundTrip, FeatureChunksHoldAtMostOneMebibyteOfRows) {
  // D = 100 float32: 400-byte rows, so floor(1048576 / 400) = 2621 rows per chunk.
  const auto path = dir_ / "big.h5";
  write_shard(path, fish_shard(3000, 100), fish_tasks(), ShardProvenance{});
  const auto info = dataset_info(path, "/features");
  ASSERT_EQ(info.chunk_dims.size(), 2u);
  EXPECT_EQ(info.chunk_dims[0], 2621u);
  EXPECT_EQ(info.chunk_dims[1], 100u);
  const hsize_t chunk_bytes = info.chunk_dims[0] * 100 * 4;
  EXPECT_LE(chunk_bytes, hsize_t{1} << 20);
  EXPECT_GT(chunk_bytes, (hsize_t{1} << 20) - 400);
}

TEST_F(ShardRoundTrip, ReadsFloat16FeaturesAsFloat32) {
  // Other tools may store float16 features (h5py's float16 type: 1 sign, 5 exponent and 10
  // mantissa bits, bias 15); the reader converts them on read.
  const auto path = dir_ / "half.h5";
  write_shard(path, fish_shard(4, 2), fish_tasks(), ShardProvenance{});
  const hid_t half = H5Tcopy(H5T_IEEE_F32LE);
  ASSERT_GE(half, 0);
  ASSERT_GE(H5Tset_fields(half, 15, 10, 5, 0, 10), 0);
  ASSERT_GE(H5Tset_size(half, 2), 0);
  ASSERT_GE(H5Tset_ebias(half, 15), 0);
  const auto values = torch::tensor({{0.5f, -1.25f}, {3.0f, 1024.0f}, {-0.0f, 0.75f}, {2.5f, -8.0f}});
  testing::replace_dataset_raw(path, "/features", values.to(torch::kHalf), half, half);
  H5Tclose(half);
  EXPECT_EQ(dataset_info(path, "/features").type_size_bytes, 2u);
  const auto back = read_shard(path, fish_tasks(), 2);
  EXPECT_TRUE(bitwise_equal(back.features, values));
}

TEST_F(ShardRoundTrip, ReadsOtherWritersTypesAndOneDimensionalRegression) {
  // h5py defaults: int64 class ids and float64 values; a K = 1 regression task stored as [N].
  const auto path = dir_ / "other.h5";
  write_shard(path, fish_shard(4, 2), fish_tasks(), ShardProvenance{});
  testing::replace_dataset_raw(path, "/labels/family", torch::tensor({2, -1, 0, 1}, torch::kInt64), H5T_STD_I64LE,
                               H5T_NATIVE_INT64);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  testing::replace_dataset_raw(path, "/labels/trophic", torch::tensor({0.5, nan, -2.0, 8.0}, torch::kDouble),
                               H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  auto tasks = fish_tasks();
  tasks[2].num_outputs = 1;
  const auto back = read_shard(path, tasks, 2);
  EXPECT_TRUE(bitwise_equal(back.labels.at("family"), torch::tensor({2, -1, 0, 1}, torch::kInt64)));
  const auto trophic = back.labels.at("trophic");
  ASSERT_EQ(trophic.sizes(), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(trophic.scalar_type(), torch::kFloat32);
  EXPECT_EQ(trophic[0][0].item<float>(), 0.5f);
  EXPECT_TRUE(std::isnan(trophic[1][0].item<float>()));
  EXPECT_EQ(trophic[3][0].item<float>(), 8.0f);
}

TEST_F(ShardRoundTrip, WriteIsAtomicAndReturnsTheFileChecksum) {
  const auto path = dir_ / "train-0000.h5";
  const std::string checksum = write_shard(path, fish_shard(5, 4), fish_tasks(), ShardProvenance{});
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "train-0000.h5.partial"));
  EXPECT_EQ(checksum.size(), 64u);
  EXPECT_EQ(checksum, mmoe::sha256_file_hex(path));
  // A second write replaces the file in place and again leaves no temporary behind.
  const std::string second = write_shard(path, fish_shard(6, 4), fish_tasks(), ShardProvenance{});
  EXPECT_FALSE(std::filesystem::exists(dir_ / "train-0000.h5.partial"));
  EXPECT_EQ(second, mmoe::sha256_file_hex(path));
  EXPECT_EQ(read_shard(path, fish_tasks(), 4).features.size(0), 6);
}

TEST(Sha256, MatchesFips180KnownAnswers) {
  EXPECT_EQ(mmoe::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(mmoe::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // FIPS 180-4 two-block message (56 bytes: the padding spills into a second block).
  EXPECT_EQ(mmoe::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_F(ShardRoundTrip, FileChecksumEqualsTheChecksumOfTheBytes) {
  const auto path = dir_ / "abc.bin";
  testing::write_text_file(path, "abc");
  EXPECT_EQ(mmoe::sha256_file_hex(path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace mmoe::data::shard_roundtrip_test
