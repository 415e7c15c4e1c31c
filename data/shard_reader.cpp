#include "data/shard_reader.h"

#include "data/data_error.h"
#include "data/hdf5_handle.h"

namespace mmoe::data {
namespace {

torch::Tensor read_dataset(hid_t file_id, const std::string& name, torch::ScalarType dtype,
                           hid_t memory_type, const std::string& file) {
  if (!h5::exists(file_id, name)) throw DataError(file + ": dataset '" + name + "' is missing");
  const h5::Handle dataset = h5::checked(H5Dopen2(file_id, name.c_str(), H5P_DEFAULT), H5Dclose, file,
                                         "opening " + name);
  const auto dims = h5::dataset_dims(dataset.get(), file, name);
  std::vector<int64_t> sizes(dims.begin(), dims.end());
  auto tensor = torch::empty(sizes, dtype);
  if (tensor.numel() > 0) {
    h5::check_status(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()),
                     file, "reading " + name + " (truncated or corrupt file?)");
  }
  return tensor;
}

void require_rows(const torch::Tensor& t, int64_t rows, const std::string& file, const std::string& name) {
  if (t.dim() == 0 || t.size(0) != rows) {
    throw DataError(file + ": " + name + " has " + std::to_string(t.dim() == 0 ? 0 : t.size(0)) +
                    " rows but /features has " + std::to_string(rows));
  }
}

torch::Tensor read_task_labels(hid_t file_id, const TaskSchema& task, int64_t rows, const std::string& file) {
  const std::string name = "/labels/" + task.name;
  if (!h5::exists(file_id, name)) {
    throw DataError(file + ": no dataset '" + name + "' for task '" + task.name +
                    "' named in dataset.yaml; was the shard written with other tasks?");
  }
  const int64_t classes = task.output_dim();
  switch (task.type) {
    case TaskType::kMulticlass: {
      auto ids = read_dataset(file_id, name, torch::kInt32, H5T_NATIVE_INT32, file).to(torch::kInt64);
      require_rows(ids, rows, file, name);
      if (ids.dim() != 1) {
        throw DataError(file + ": " + name + " must be [N] class ids for multiclass task '" + task.name + "', got " +
                        c10::str(ids.sizes()));
      }
      const auto bad = torch::logical_or(ids.lt(-1), ids.ge(classes)).nonzero();
      if (bad.size(0) > 0) {
        const int64_t row = bad[0][0].item<int64_t>();
        throw DataError(file + ": " + name + " row " + std::to_string(row) + " has class " +
                        std::to_string(ids[row].item<int64_t>()) + " but task '" + task.name + "' has " +
                        std::to_string(classes) + " classes (valid: 0.." + std::to_string(classes - 1) +
                        ", -1 = missing)");
      }
      return ids;
    }
    case TaskType::kMultilabel: {
      auto bits = read_dataset(file_id, name, torch::kUInt8, H5T_NATIVE_UINT8, file);
      require_rows(bits, rows, file, name);
      if (bits.dim() != 2 || bits.size(1) != classes) {
        throw DataError(file + ": " + name + " must be [N, " + std::to_string(classes) + "] for task '" +
                        task.name + "'");
      }
      if (bits.gt(1).any().item<bool>()) throw DataError(file + ": " + name + " holds values other than 0 and 1");
      const std::string mask_name = "/label_masks/" + task.name;
      auto mask = read_dataset(file_id, mask_name, torch::kUInt8, H5T_NATIVE_UINT8, file);
      require_rows(mask, rows, file, mask_name);
      auto labels = bits.to(torch::kFloat32);
      labels.masked_fill_(mask.eq(0).unsqueeze(1), std::numeric_limits<float>::quiet_NaN());
      return labels;
    }
    case TaskType::kRegression: {
      auto values = read_dataset(file_id, name, torch::kFloat32, H5T_NATIVE_FLOAT, file);
      require_rows(values, rows, file, name);
      // A 0-row shard has no rows to infer K from: take it from the stored shape.
      values = values.view({rows, rows > 0 ? -1 : (values.dim() >= 2 ? values.size(1) : 1)});
      if (values.size(1) != classes) {
        throw DataError(file + ": " + name + " has " + std::to_string(values.size(1)) + " outputs but task '" +
                        task.name + "' declares " + std::to_string(classes));
      }
      return values;
    }
  }
  throw DataError(file + ": unknown task type for '" + task.name + "'");
}

// Opens a shard read-only after checking that it exists, is HDF5 and is not from a newer version.
h5::Handle open_shard(const std::filesystem::path& path) {
  h5::silence_library_errors();
  const std::string file = path.string();
  if (!std::filesystem::exists(path)) {
    throw DataError("shard '" + file + "' does not exist; the dataset is incomplete (re-create it or fix dataset.yaml)");
  }
  if (H5Fis_hdf5(file.c_str()) <= 0) {
    throw DataError(file + ": not a readable HDF5 file (truncated or corrupt?); re-create the shard");
  }
  h5::Handle shard_file = h5::checked(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, file,
                                      "opening the shard (truncated or corrupt?)");
  const int64_t version = h5::read_int_attribute(shard_file.get(), "format_version", file);
  if (version > kShardFormatVersion) {
    throw DataError(file + ": shard format version " + std::to_string(version) + " is newer than this mmoe reads (" +
                    std::to_string(kShardFormatVersion) + "); upgrade mmoe-trainer");
  }
  return shard_file;
}

// "float32", "float16", "int64", "uint8", ... for a dataset's stored type.
std::string stored_type_name(hid_t dataset, const std::string& file, const std::string& name) {
  const h5::Handle type = h5::checked(H5Dget_type(dataset), H5Tclose, file, "reading the type of " + name);
  const std::string bits = std::to_string(H5Tget_size(type.get()) * 8);
  switch (H5Tget_class(type.get())) {
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_INTEGER:
      return (H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + bits;
    default:
      return "non-numeric";
  }
}

}  // namespace

ShardTensors read_shard(const std::filesystem::path& path, const std::vector<TaskSchema>& tasks,
                        int64_t expected_feature_dim) {
  const std::string file = path.string();
  const h5::Handle shard_file = open_shard(path);
  const hid_t id = shard_file.get();
  ShardTensors shard;
  shard.features = read_dataset(id, "/features", torch::kFloat32, H5T_NATIVE_FLOAT, file);
  if (shard.features.dim() != 2 || shard.features.size(1) != expected_feature_dim) {
    throw DataError(file + ": /features has shape " + c10::str(shard.features.sizes()) + " but the dataset's feature_dim is " +
                    std::to_string(expected_feature_dim));
  }
  const int64_t rows = shard.features.size(0);
  if (!torch::isfinite(shard.features).all().item<bool>()) {
    const int64_t row = (~torch::isfinite(shard.features).all(1)).nonzero()[0][0].item<int64_t>();
    throw DataError(file + ": /features row " + std::to_string(row) + " holds NaN or Inf; re-create the shard");
  }
  shard.sample_id = read_dataset(id, "/sample_id", torch::kInt64, H5T_NATIVE_INT64, file);
  require_rows(shard.sample_id, rows, file, "/sample_id");
  shard.view = read_dataset(id, "/view", torch::kInt32, H5T_NATIVE_INT32, file);
  require_rows(shard.view, rows, file, "/view");
  for (const auto& task : tasks) shard.labels[task.name] = read_task_labels(id, task, rows, file);
  return shard;
}

ShardHeader read_shard_header(const std::filesystem::path& path) {
  const std::string file = path.string();
  const h5::Handle shard_file = open_shard(path);
  ShardHeader header;
  header.format_version = h5::read_int_attribute(shard_file.get(), "format_version", file);
  if (!h5::exists(shard_file.get(), "/features")) throw DataError(file + ": dataset '/features' is missing");
  const h5::Handle features = h5::checked(H5Dopen2(shard_file.get(), "/features", H5P_DEFAULT), H5Dclose, file,
                                          "opening /features");
  const auto dims = h5::dataset_dims(features.get(), file, "/features");
  if (dims.size() != 2) {
    throw DataError(file + ": /features has " + std::to_string(dims.size()) + " dimensions, expected 2 [N, D]");
  }
  header.rows = static_cast<int64_t>(dims[0]);
  header.feature_dim = static_cast<int64_t>(dims[1]);
  header.feature_dtype = stored_type_name(features.get(), file, "/features");
  return header;
}

torch::Tensor read_task_labels(const std::filesystem::path& path, const TaskSchema& task, int64_t rows) {
  const h5::Handle shard_file = open_shard(path);
  return read_task_labels(shard_file.get(), task, rows, path.string());
}

}  // namespace mmoe::data
