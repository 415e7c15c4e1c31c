// The .npy reader against hand-assembled files: exact values for float32 and float16 (bit
// patterns chosen by hand), header versions 1-3, and one clear error per malformed file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/import_npy.h"
#include "data_test_util.h"
#include "npy_test_util.h"

namespace mmoe::data::import_npy_test {
namespace {

using testing::contains;
using testing::data_error_message;
using testing::f16_bits;
using testing::f32_bits;
using testing::npy_bytes;
using testing::npy_dict;

class NpyReader : public testing::DataDirTest {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    testing::write_text_file(dir_ / name, bytes);
    return dir_ / name;
  }
  std::string error(const std::string& bytes) {
    const auto path = write("x.npy", bytes);
    return data_error_message([&] { read_npy_features(path); });
  }
  // 1.0, -2.5, 0.25 / 3.0, 100.0, -0.5 as IEEE-754 single bit patterns.
  const std::string six_floats_ = f32_bits({0x3F800000, 0xC0200000, 0x3E800000, 0x40400000, 0x42C80000, 0xBF000000});
};

TEST_F(NpyReader, Float32ValuesComeBackExactlyInCOrder) {
  const auto path = write("f.npy", npy_bytes(npy_dict("<f4", false, "(2, 3)"), six_floats_));
  const auto features = read_npy_features(path);
  const auto expected = torch::tensor({{1.0f, -2.5f, 0.25f}, {3.0f, 100.0f, -0.5f}});
  EXPECT_TRUE(testing::bitwise_equal(features, expected));
}

TEST_F(NpyReader, Float16IsWidenedToFloat32) {
  // 0x3C00 = 1, 0xC000 = -2, 0x3800 = 0.5, 0x7BFF = 65504 (largest half).
  const auto path = write("h.npy", npy_bytes(npy_dict("<f2", false, "(2, 2)"), f16_bits({0x3C00, 0xC000, 0x3800, 0x7BFF})));
  EXPECT_TRUE(testing::bitwise_equal(read_npy_features(path), torch::tensor({{1.0f, -2.0f}, {0.5f, 65504.0f}})));
}

TEST_F(NpyReader, HeaderVersions2And3UseAFourByteLength) {
  for (int major : {2, 3}) {
    const auto path = write("v.npy", npy_bytes(npy_dict("<f4", false, "(3, 2)"), six_floats_, major));
    EXPECT_TRUE(testing::bitwise_equal(read_npy_features(path),
                                       torch::tensor({{1.0f, -2.5f}, {0.25f, 3.0f}, {100.0f, -0.5f}})))
        << "version " << major;
  }
}

TEST_F(NpyReader, KeysInAnyOrderAndWithoutTrailingComma) {
  const auto path = write("k.npy", npy_bytes("{'shape': (1, 2), 'fortran_order': False, 'descr': '<f4'}",
                                             f32_bits({0x3F800000, 0x40400000})));
  EXPECT_TRUE(testing::bitwise_equal(read_npy_features(path), torch::tensor({{1.0f, 3.0f}})));
}

TEST_F(NpyReader, MissingFileIsNamed) {
  const auto path = dir_ / "absent.npy";
  EXPECT_TRUE(contains(data_error_message([&] { read_npy_features(path); }), path.string()));
}

TEST_F(NpyReader, TruncatedDataSaysHowManyBytesAreMissing) {
  const auto bytes = npy_bytes(npy_dict("<f4", false, "(2, 3)"), six_floats_);
  const auto message = error(bytes.substr(0, bytes.size() - 5));
  EXPECT_TRUE(contains(message, "x.npy: truncated: shape (2, 3) needs " + std::to_string(bytes.size()) +
                                    " bytes but the file has " + std::to_string(bytes.size() - 5)));
}

TEST_F(NpyReader, TruncatedHeaderIsRefused) {
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict("<f4", false, "(2, 3)"), "").substr(0, 30)), "truncated .npy header"));
}

TEST_F(NpyReader, Float64IsRefusedWithTheConversionToUse) {
  const auto message = error(npy_bytes(npy_dict("<f8", false, "(1, 1)"), std::string(8, '\0')));
  EXPECT_TRUE(contains(message, "x.npy: dtype '<f8' is not supported"));
  EXPECT_TRUE(contains(message, "astype(np.float32)"));
}

TEST_F(NpyReader, BigEndianAndIntegerDtypesAreRefused) {
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict(">f4", false, "(1, 1)"), std::string(4, '\0'))), "dtype '>f4'"));
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict("<i4", false, "(1, 1)"), std::string(4, '\0'))), "dtype '<i4'"));
}

TEST_F(NpyReader, FortranOrderIsRefused) {
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict("<f4", true, "(2, 3)"), six_floats_)),
                       "x.npy: array is in Fortran order"));
}

TEST_F(NpyReader, OneDimensionalArrayIsRefused) {
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict("<f4", false, "(6,)"), six_floats_)),
                       "x.npy: array has 1 dimensions; features must be 2-D"));
}

TEST_F(NpyReader, ExtraBytesAfterTheDataAreRefused) {
  EXPECT_TRUE(contains(error(npy_bytes(npy_dict("<f4", false, "(1, 3)"), six_floats_)), "12 bytes after the array data"));
}

TEST_F(NpyReader, BadMagicIsNotAnNpyFile) {
  EXPECT_TRUE(contains(error("1.0,2.0\n3.0,4.0\n"), "x.npy: not a NumPy .npy file"));
}

TEST_F(NpyReader, MalformedDictNamesTheProblem) {
  EXPECT_TRUE(contains(error(npy_bytes("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1, 1)}", six_floats_)),
                       "malformed .npy header (expected True or False"));
}

TEST_F(NpyReader, NanFeatureNamesRowAndColumn) {
  const auto message =
      error(npy_bytes(npy_dict("<f4", false, "(2, 2)"), f32_bits({0x3F800000, 0x3F800000, 0x3F800000, 0x7FC00000})));
  EXPECT_TRUE(contains(message, "x.npy: row 1 column 1 (0-based) is NaN or Inf"));
}

}  // namespace
}  // namespace mmoe::data::import_npy_test
