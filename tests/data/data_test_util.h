#pragma once
// Helpers shared by the data tests: a fresh directory per test, a small three-task shard with
// hand-picked values, raw HDF5 edits that bypass mmoe::data (to build broken shards), and
// checks for exact tensor equality and DataError messages.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/data_error.h"
#include "data/dataset_manifest.h"
#include "data/shard_format.h"

namespace mmoe::data::testing {

// Base fixture: dir_ is a new, empty directory under the system temp dir, removed in TearDown.
class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::filesystem::path dir_;
};

// Tasks of the fish example: family (multiclass, 3 classes), habitat (multilabel, 4 labels),
// trophic (regression, 2 outputs).
std::vector<TaskSchema> fish_tasks();

// A shard of `rows` rows (rows >= 4) and `dim` features for fish_tasks(). Features are
// row * 10 + column / 4 (exact in float32); sample_id = 1000 + row; view = row % 3.
// family: row % 3 with row 1 missing (-1); habitat: bits of row with row 2 missing (NaN row);
// trophic: (row / 2, -row) with trophic[3][1] = NaN.
ShardTensors fish_shard(int64_t rows, int64_t dim);

// A manifest with fish_tasks(), feature_dim `dim` and the given shards.
DatasetManifest fish_manifest(int64_t dim, const std::vector<ShardEntry>& shards);

// Writes `text` to `path` as is.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// True when both tensors have the same dtype, shape and bytes (NaN payloads included).
::testing::AssertionResult bitwise_equal(const torch::Tensor& actual, const torch::Tensor& expected);
::testing::AssertionResult contains(const std::string& text, const std::string& part);

// The message of the DataError that `action` throws; fails the test when it throws nothing or
// something else.
template <typename Action>
std::string data_error_message(Action&& action) {
  try {
    action();
  } catch (const DataError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected a DataError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected a DataError, nothing was thrown";
  return {};
}

// Raw HDF5 access (the C API, not mmoe::data::h5), for checking the on-disk encoding and for
// breaking valid shards on purpose.
struct DatasetInfo {
  H5T_class_t type_class = H5T_NO_CLASS;
  size_t type_size_bytes = 0;
  H5T_sign_t sign = H5T_SGN_ERROR;   // integers only
  std::vector<hsize_t> dims;
  std::vector<hsize_t> chunk_dims;  // empty when not chunked
};
DatasetInfo dataset_info(const std::filesystem::path& file, const std::string& dataset);
// Reads a whole dataset converted to `memory_type` into a tensor of `dtype`.
torch::Tensor read_raw(const std::filesystem::path& file, const std::string& dataset, hid_t memory_type,
                       torch::ScalarType dtype);
int64_t read_int_attribute_raw(const std::filesystem::path& file, const std::string& object,
                               const std::string& name);
// Overwrites an existing integer attribute.
void set_int_attribute_raw(const std::filesystem::path& file, const std::string& object,
                           const std::string& name, int64_t value);
// Deletes `dataset` (if present) and writes `values` (contiguous CPU) in its place as `file_type`.
void replace_dataset_raw(const std::filesystem::path& file, const std::string& dataset,
                         const torch::Tensor& values, hid_t file_type, hid_t memory_type);

}  // namespace mmoe::data::testing
