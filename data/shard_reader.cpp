#include "data/shard_reader.h"

#include <cmath>
#include <optional>

#include "data/data_error.h"
#include "data/hdf5_handle.h"

namespace mmoe::data {
namespace {

// Rows [begin, begin + count) of a dataset whose first dimension must be `total`; nullopt: all.
struct RowSlice {
  int64_t begin = 0;
  int64_t count = 0;
  int64_t total = 0;
};

// With `into` (a contiguous tensor of the slice's shape and `dtype`), the rows are read into it.
// The same on a dataset opened already.
torch::Tensor read_open_dataset(hid_t dataset, const std::string& name, torch::ScalarType dtype, hid_t memory_type,
                                const std::string& file, const std::optional<RowSlice>& slice,
                                const torch::Tensor& into) {
  auto dims = h5::dataset_dims(dataset, file, name);
  if (!slice) {
    std::vector<int64_t> sizes(dims.begin(), dims.end());
    auto tensor = torch::empty(sizes, dtype);
    if (tensor.numel() > 0) {
      h5::check_status(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()),
                       file, "reading " + name + " (truncated or corrupt file?)");
    }
    return tensor;
  }
  const int64_t stored_rows = dims.empty() ? 0 : static_cast<int64_t>(dims[0]);
  if (stored_rows != slice->total) {
    throw DataError(file + ": " + name + " has " + std::to_string(stored_rows) + " rows but /features has " +
                    std::to_string(slice->total));
  }
  // A hyperslab of whole rows: [begin, begin + count) x every other dimension.
  std::vector<hsize_t> start(dims.size(), 0);
  std::vector<hsize_t> count = dims;
  start[0] = static_cast<hsize_t>(slice->begin);
  count[0] = static_cast<hsize_t>(slice->count);
  std::vector<int64_t> sizes(count.begin(), count.end());
  torch::Tensor tensor;
  if (into.defined()) {
    if (into.sizes() != c10::IntArrayRef(sizes) || into.scalar_type() != dtype || !into.is_contiguous()) {
      throw DataError(file + ": " + name + " rows do not fit the buffer given (" + c10::str(into.sizes()) + " for " +
                      c10::str(c10::IntArrayRef(sizes)) + ")");
    }
    tensor = into;
  } else {
    tensor = torch::empty(sizes, dtype);
  }
  if (tensor.numel() == 0) return tensor;
  const h5::Handle file_space = h5::checked(H5Dget_space(dataset), H5Sclose, file, "reading the shape of " + name);
  h5::check_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                   file, "selecting rows of " + name);
  const h5::Handle memory_space = h5::checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                                              H5Sclose, file, "allocating rows of " + name);
  h5::check_status(H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT,
                           tensor.data_ptr()),
                   file, "reading rows " + std::to_string(slice->begin) + ".." +
                             std::to_string(slice->begin + slice->count) + " of " + name +
                             " (truncated or corrupt file?)");
  return tensor;
}

torch::Tensor read_dataset(hid_t file_id, const std::string& name, torch::ScalarType dtype, hid_t memory_type,
                           const std::string& file, const std::optional<RowSlice>& slice = std::nullopt,
                           const torch::Tensor& into = torch::Tensor()) {
  if (!h5::exists(file_id, name)) throw DataError(file + ": dataset '" + name + "' is missing");
  const h5::Handle dataset = h5::checked(H5Dopen2(file_id, name.c_str(), H5P_DEFAULT), H5Dclose, file,
                                         "opening " + name);
  return read_open_dataset(dataset.get(), name, dtype, memory_type, file, slice, into);
}

void require_rows(const torch::Tensor& t, int64_t rows, const std::string& file, const std::string& name) {
  if (t.dim() == 0 || t.size(0) != rows) {
    throw DataError(file + ": " + name + " has " + std::to_string(t.dim() == 0 ? 0 : t.size(0)) +
                    " rows but /features has " + std::to_string(rows));
  }
}

// `rows`: the shard's rows; with a slice, only its rows are read (and checked).
torch::Tensor read_task_labels(hid_t file_id, const TaskSchema& task, int64_t rows, const std::string& file,
                               const std::optional<RowSlice>& slice = std::nullopt) {
  if (slice) rows = slice->count;
  const std::string name = "/labels/" + task.name;
  if (!h5::exists(file_id, name)) {
    throw DataError(file + ": no dataset '" + name + "' for task '" + task.name +
                    "' named in dataset.yaml; was the shard written with other tasks?");
  }
  const int64_t classes = task.output_dim();
  switch (task.type) {
    case TaskType::kMulticlass: {
      auto ids = read_dataset(file_id, name, torch::kInt32, H5T_NATIVE_INT32, file, slice).to(torch::kInt64);
      require_rows(ids, rows, file, name);
      if (ids.dim() != 1) {
        throw DataError(file + ": " + name + " must be [N] class ids for multiclass task '" + task.name + "', got " +
                        c10::str(ids.sizes()));
      }
      const auto bad = torch::logical_or(ids.lt(-1), ids.ge(classes)).nonzero();
      if (bad.size(0) > 0) {
        const int64_t row = bad[0][0].item<int64_t>();
        throw DataError(file + ": " + name + " row " + std::to_string(row + (slice ? slice->begin : 0)) +
                        " has class " + std::to_string(ids[row].item<int64_t>()) + " but task '" + task.name + "' has " +
                        std::to_string(classes) + " classes (valid: 0.." + std::to_string(classes - 1) +
                        ", -1 = missing)");
      }
      return ids;
    }
    case TaskType::kMultilabel: {
      auto bits = read_dataset(file_id, name, torch::kUInt8, H5T_NATIVE_UINT8, file, slice);
      require_rows(bits, rows, file, name);
      if (bits.dim() != 2 || bits.size(1) != classes) {
        throw DataError(file + ": " + name + " must be [N, " + std::to_string(classes) + "] for task '" +
                        task.name + "'");
      }
      if (bits.gt(1).any().item<bool>()) throw DataError(file + ": " + name + " holds values other than 0 and 1");
      const std::string mask_name = "/label_masks/" + task.name;
      auto mask = read_dataset(file_id, mask_name, torch::kUInt8, H5T_NATIVE_UINT8, file, slice);
      require_rows(mask, rows, file, mask_name);
      auto labels = bits.to(torch::kFloat32);
      labels.masked_fill_(mask.eq(0).unsqueeze(1), std::numeric_limits<float>::quiet_NaN());
      return labels;
    }
    case TaskType::kRegression: {
      auto values = read_dataset(file_id, name, torch::kFloat32, H5T_NATIVE_FLOAT, file, slice);
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

void require_finite(const torch::Tensor& features, int64_t first_row, const std::string& file) {
  // The sum is finite when every value is (or overflowed: then the exact check below passes);
  // a reduction, so no [N, D] mask is allocated for the common case.
  if (std::isfinite(features.sum().item<double>())) return;
  if (!torch::isfinite(features).all().item<bool>()) {
    const int64_t row = (~torch::isfinite(features).all(1)).nonzero()[0][0].item<int64_t>();
    throw DataError(file + ": /features row " + std::to_string(first_row + row) +
                    " holds NaN or Inf; re-create the shard, or train with data.nonfinite_features=skip");
  }
}

// Rows of /features, without reading it; DataError when it is missing or not 2-D.
int64_t stored_feature_rows(hid_t file_id, const std::string& file) {
  if (!h5::exists(file_id, "/features")) throw DataError(file + ": dataset '/features' is missing");
  const h5::Handle features = h5::checked(H5Dopen2(file_id, "/features", H5P_DEFAULT), H5Dclose, file,
                                          "opening /features");
  const auto dims = h5::dataset_dims(features.get(), file, "/features");
  if (dims.size() != 2) {
    throw DataError(file + ": /features has " + std::to_string(dims.size()) + " dimensions, expected 2 [N, D]");
  }
  return static_cast<int64_t>(dims[0]);
}

}  // namespace

ShardTensors read_shard(const std::filesystem::path& path, const std::vector<TaskSchema>& tasks,
                        int64_t expected_feature_dim, NonFiniteRows non_finite, ShardRows range) {
  const std::lock_guard<std::mutex> lock(h5::library_mutex());
  const std::string file = path.string();
  const h5::Handle shard_file = open_shard(path);
  const hid_t id = shard_file.get();
  const int64_t stored_rows = stored_feature_rows(id, file);
  const int64_t end = range.end < 0 ? stored_rows : range.end;
  if (range.begin < 0 || end < range.begin || end > stored_rows) {
    throw DataError(file + ": rows [" + std::to_string(range.begin) + ", " + std::to_string(end) +
                    ") are outside the shard's " + std::to_string(stored_rows) + " rows; fix splits in dataset.yaml");
  }
  const RowSlice slice{range.begin, end - range.begin, stored_rows};
  ShardTensors shard;
  shard.features = read_dataset(id, "/features", torch::kFloat32, H5T_NATIVE_FLOAT, file, slice);
  if (shard.features.dim() != 2 || shard.features.size(1) != expected_feature_dim) {
    throw DataError(file + ": /features has shape " + c10::str(shard.features.sizes()) + " but the dataset's feature_dim is " +
                    std::to_string(expected_feature_dim));
  }
  const int64_t rows = shard.features.size(0);
  if (non_finite == NonFiniteRows::kError) require_finite(shard.features, range.begin, file);
  shard.sample_id = read_dataset(id, "/sample_id", torch::kInt64, H5T_NATIVE_INT64, file, slice);
  require_rows(shard.sample_id, rows, file, "/sample_id");
  shard.view = read_dataset(id, "/view", torch::kInt32, H5T_NATIVE_INT32, file, slice);
  require_rows(shard.view, rows, file, "/view");
  for (const auto& task : tasks) shard.labels[task.name] = read_task_labels(id, task, stored_rows, file, slice);
  if (non_finite == NonFiniteRows::kSkip && rows > 0) {
    const auto finite_rows = torch::isfinite(shard.features).all(1);
    const int64_t kept = finite_rows.sum().item<int64_t>();
    if (kept < rows) {
      const auto keep = finite_rows.nonzero().squeeze(1);
      shard.features = shard.features.index_select(0, keep);
      shard.sample_id = shard.sample_id.index_select(0, keep);
      shard.view = shard.view.index_select(0, keep);
      for (auto& [name, labels] : shard.labels) labels = labels.index_select(0, keep);
      shard.skipped_rows = rows - kept;
    }
  }
  return shard;
}

ShardHeader read_shard_header(const std::filesystem::path& path) {
  const std::lock_guard<std::mutex> lock(h5::library_mutex());
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
  const std::lock_guard<std::mutex> lock(h5::library_mutex());
  const h5::Handle shard_file = open_shard(path);
  return read_task_labels(shard_file.get(), task, rows, path.string());
}

struct ShardRowReader::OpenFile {
  h5::Handle file;
  h5::Handle features;  // /features, opened without a chunk cache
};

ShardRowReader::ShardRowReader(const std::filesystem::path& path, std::vector<TaskSchema> tasks,
                               int64_t expected_feature_dim)
    : file_name_(path.string()), tasks_(std::move(tasks)) {
  const std::lock_guard<std::mutex> lock(h5::library_mutex());
  open_ = std::make_unique<OpenFile>();
  // A check that fails closes the handles here, under the lock (not in the member destructors).
  try {
    open_and_check(path, expected_feature_dim);
  } catch (...) {
    open_->features.close();
    open_->file.close();
    throw;
  }
}

void ShardRowReader::open_and_check(const std::filesystem::path& path, int64_t expected_feature_dim) {
  open_->file = open_shard(path);
  const hid_t id = open_->file.get();
  if (!h5::exists(id, "/features")) throw DataError(file_name_ + ": dataset '/features' is missing");
  {
    // Without a chunk cache, HDF5 reads an unfiltered chunk straight into the caller's buffer
    // (a 1 MiB chunk fits the default 1 MiB cache and would be copied through it); filtered
    // chunks are decompressed through a temporary buffer either way.
    const h5::Handle access = h5::checked(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, file_name_,
                                          "creating access properties for /features");
    h5::check_status(H5Pset_chunk_cache(access.get(), 0, 0, 1.0), file_name_, "setting the chunk cache of /features");
    open_->features = h5::checked(H5Dopen2(id, "/features", access.get()), H5Dclose, file_name_, "opening /features");
    const auto dims = h5::dataset_dims(open_->features.get(), file_name_, "/features");
    if (dims.size() != 2 || static_cast<int64_t>(dims[1]) != expected_feature_dim) {
      const std::vector<int64_t> shape(dims.begin(), dims.end());
      throw DataError(file_name_ + ": /features has shape " + c10::str(c10::IntArrayRef(shape)) +
                      " but the dataset's feature_dim is " + std::to_string(expected_feature_dim));
    }
    rows_ = static_cast<int64_t>(dims[0]);
  }
  // Structure checks that read_shard makes on whole arrays, made here on shapes once.
  for (const char* name : {"/sample_id", "/view"}) {
    if (!h5::exists(id, name)) throw DataError(file_name_ + ": dataset '" + std::string(name) + "' is missing");
    const h5::Handle dataset = h5::checked(H5Dopen2(id, name, H5P_DEFAULT), H5Dclose, file_name_,
                                           std::string("opening ") + name);
    const auto dims = h5::dataset_dims(dataset.get(), file_name_, name);
    const int64_t stored = dims.empty() ? 0 : static_cast<int64_t>(dims[0]);
    if (stored != rows_) {
      throw DataError(file_name_ + ": " + name + " has " + std::to_string(stored) + " rows but /features has " +
                      std::to_string(rows_));
    }
  }
  for (const auto& task : tasks_) {
    if (!h5::exists(id, "/labels/" + task.name)) {
      throw DataError(file_name_ + ": no dataset '/labels/" + task.name + "' for task '" + task.name +
                      "' named in dataset.yaml; was the shard written with other tasks?");
    }
  }
}

ShardRowReader::~ShardRowReader() {
  const std::lock_guard<std::mutex> lock(h5::library_mutex());
  if (open_) {
    open_->features.close();
    open_->file.close();
  }
}

ShardTensors ShardRowReader::read_rows(int64_t begin, int64_t end, const torch::Tensor& features_into,
                                       FiniteCheck check) {
  if (begin < 0 || end < begin || end > rows_) {
    throw DataError(file_name_ + ": rows " + std::to_string(begin) + ".." + std::to_string(end) +
                    " are outside the shard's " + std::to_string(rows_) + " rows");
  }
  const RowSlice slice{begin, end - begin, rows_};
  ShardTensors shard;
  {
    const std::lock_guard<std::mutex> lock(h5::library_mutex());
    const hid_t id = open_->file.get();
    shard.features = read_open_dataset(open_->features.get(), "/features", torch::kFloat32, H5T_NATIVE_FLOAT,
                                       file_name_, slice, features_into);
    for (const auto& task : tasks_) shard.labels[task.name] = read_task_labels(id, task, rows_, file_name_, slice);
  }
  // Outside the lock: another thread may read meanwhile.
  if (check == FiniteCheck::kCheck) require_finite(shard.features, begin, file_name_);
  return shard;
}

}  // namespace mmoe::data
