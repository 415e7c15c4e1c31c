#include "data_test_util.h"

#include <stdlib.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace mmoe::data::testing {
namespace {

// Fails the current test (and stops the helper) when an HDF5 call returned a negative id or status.
int64_t check_h5(int64_t result, const std::string& what) {
  if (result < 0) throw std::runtime_error("test helper: HDF5 call failed: " + what);
  return result;
}

// Closes an HDF5 identifier on scope exit.
struct ScopedId {
  hid_t id;
  herr_t (*closer)(hid_t);
  ~ScopedId() {
    if (id >= 0) closer(id);
  }
};

}  // namespace

void DataDirTest::SetUp() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string pattern = (std::filesystem::temp_directory_path() /
                         (std::string("mmoe-data-") + info->test_suite_name() + "-" + info->name() + "-XXXXXX"))
                            .string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  dir_ = pattern;
}

void DataDirTest::TearDown() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::vector<TaskSchema> fish_tasks() {
  TaskSchema family{"family", TaskType::kMulticlass, {"cichlidae", "salmonidae", "gobiidae"}, 1};
  TaskSchema habitat{"habitat", TaskType::kMultilabel, {"reef", "river", "lake", "open_sea"}, 1};
  TaskSchema trophic{"trophic", TaskType::kRegression, {}, 2};
  return {family, habitat, trophic};
}

ShardTensors fish_shard(int64_t rows, int64_t dim) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ShardTensors shard;
  shard.features = torch::empty({rows, dim}, torch::kFloat32);
  shard.sample_id = torch::empty({rows}, torch::kInt64);
  shard.view = torch::empty({rows}, torch::kInt32);
  auto family = torch::empty({rows}, torch::kInt64);
  auto habitat = torch::empty({rows, 4}, torch::kFloat32);
  auto trophic = torch::empty({rows, 2}, torch::kFloat32);
  auto features_a = shard.features.accessor<float, 2>();
  auto habitat_a = habitat.accessor<float, 2>();
  auto trophic_a = trophic.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < dim; ++c) features_a[r][c] = static_cast<float>(r * 10) + static_cast<float>(c) / 4.0f;
    shard.sample_id[r] = 1000 + r;
    shard.view[r] = static_cast<int32_t>(r % 3);
    family[r] = r == 1 ? -1 : r % 3;
    for (int64_t c = 0; c < 4; ++c) habitat_a[r][c] = r == 2 ? nan : static_cast<float>((r >> c) & 1);
    trophic_a[r][0] = static_cast<float>(r) / 2.0f;
    trophic_a[r][1] = r == 3 ? nan : -static_cast<float>(r);
  }
  shard.labels = {{"family", family}, {"habitat", habitat}, {"trophic", trophic}};
  return shard;
}

DatasetManifest fish_manifest(int64_t dim, const std::vector<ShardEntry>& shards) {
  DatasetManifest manifest;
  manifest.name = "fish";
  manifest.feature_dim = dim;
  manifest.tasks = fish_tasks();
  manifest.shards = shards;
  return manifest;
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  if (!file.flush()) throw std::runtime_error("test helper: cannot write " + path.string());
}

::testing::AssertionResult bitwise_equal(const torch::Tensor& actual, const torch::Tensor& expected) {
  if (actual.scalar_type() != expected.scalar_type()) {
    return ::testing::AssertionFailure() << "dtype " << actual.scalar_type() << " != " << expected.scalar_type();
  }
  if (actual.sizes() != expected.sizes()) {
    return ::testing::AssertionFailure() << "shape " << actual.sizes() << " != " << expected.sizes();
  }
  const auto a = actual.contiguous();
  const auto e = expected.contiguous();
  if (a.numel() > 0 && std::memcmp(a.data_ptr(), e.data_ptr(), a.numel() * a.element_size()) != 0) {
    return ::testing::AssertionFailure() << "bytes differ:\n" << a << "\nexpected:\n" << e;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

DatasetInfo dataset_info(const std::filesystem::path& file, const std::string& dataset) {
  ScopedId f{static_cast<hid_t>(check_h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open")), H5Fclose};
  ScopedId d{static_cast<hid_t>(check_h5(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset)), H5Dclose};
  ScopedId type{static_cast<hid_t>(check_h5(H5Dget_type(d.id), "type")), H5Tclose};
  ScopedId space{static_cast<hid_t>(check_h5(H5Dget_space(d.id), "space")), H5Sclose};
  ScopedId create{static_cast<hid_t>(check_h5(H5Dget_create_plist(d.id), "plist")), H5Pclose};
  DatasetInfo info;
  info.type_class = H5Tget_class(type.id);
  info.type_size_bytes = H5Tget_size(type.id);
  if (info.type_class == H5T_INTEGER) info.sign = H5Tget_sign(type.id);
  const int rank = static_cast<int>(check_h5(H5Sget_simple_extent_ndims(space.id), "rank"));
  info.dims.resize(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id, info.dims.data(), nullptr);
  if (H5Pget_layout(create.id) == H5D_CHUNKED) {
    info.chunk_dims.resize(static_cast<size_t>(rank));
    check_h5(H5Pget_chunk(create.id, rank, info.chunk_dims.data()), "chunk");
  }
  return info;
}

torch::Tensor read_raw(const std::filesystem::path& file, const std::string& dataset, hid_t memory_type,
                       torch::ScalarType dtype) {
  const auto info = dataset_info(file, dataset);
  auto tensor = torch::empty(std::vector<int64_t>(info.dims.begin(), info.dims.end()), dtype);
  ScopedId f{static_cast<hid_t>(check_h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open")), H5Fclose};
  ScopedId d{static_cast<hid_t>(check_h5(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset)), H5Dclose};
  if (tensor.numel() > 0) {
    check_h5(H5Dread(d.id, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()), "read " + dataset);
  }
  return tensor;
}

int64_t read_int_attribute_raw(const std::filesystem::path& file, const std::string& object,
                               const std::string& name) {
  ScopedId f{static_cast<hid_t>(check_h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open")), H5Fclose};
  ScopedId a{static_cast<hid_t>(check_h5(H5Aopen_by_name(f.id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                                         "open attribute " + name)),
             H5Aclose};
  int64_t value = 0;
  check_h5(H5Aread(a.id, H5T_NATIVE_INT64, &value), "read attribute " + name);
  return value;
}

void set_int_attribute_raw(const std::filesystem::path& file, const std::string& object, const std::string& name,
                           int64_t value) {
  ScopedId f{static_cast<hid_t>(check_h5(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open")), H5Fclose};
  ScopedId a{static_cast<hid_t>(check_h5(H5Aopen_by_name(f.id, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                                         "open attribute " + name)),
             H5Aclose};
  check_h5(H5Awrite(a.id, H5T_NATIVE_INT64, &value), "write attribute " + name);
}

void replace_dataset_raw(const std::filesystem::path& file, const std::string& dataset, const torch::Tensor& values,
                         hid_t file_type, hid_t memory_type) {
  const auto tensor = values.contiguous();
  ScopedId f{static_cast<hid_t>(check_h5(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open")), H5Fclose};
  if (H5Lexists(f.id, dataset.c_str(), H5P_DEFAULT) > 0) {
    check_h5(H5Ldelete(f.id, dataset.c_str(), H5P_DEFAULT), "delete " + dataset);
  }
  std::vector<hsize_t> dims(tensor.sizes().begin(), tensor.sizes().end());
  ScopedId space{static_cast<hid_t>(check_h5(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                             "space")),
                 H5Sclose};
  ScopedId d{static_cast<hid_t>(check_h5(H5Dcreate2(f.id, dataset.c_str(), file_type, space.id, H5P_DEFAULT,
                                                    H5P_DEFAULT, H5P_DEFAULT),
                                         "create " + dataset)),
             H5Dclose};
  if (tensor.numel() > 0) {
    check_h5(H5Dwrite(d.id, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()), "write " + dataset);
  }
}

}  // namespace mmoe::data::testing
