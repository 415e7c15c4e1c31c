#include "data/shard_writer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>

#include "core/sha256.h"
#include "data/data_error.h"
#include "data/hdf5_handle.h"

namespace mmoe::data {
namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// IEEE 754 half precision, little-endian, as h5py writes np.float16 (HDF5 1.10 has no predefined
// half type): sign bit 15, exponent bits 10..14 (bias 15), mantissa bits 0..9.
h5::Handle half_float_type(const std::string& file) {
  h5::Handle type = h5::checked(H5Tcopy(H5T_IEEE_F32LE), H5Tclose, file, "half-float type");
  h5::check_status(H5Tset_fields(type.get(), 15, 10, 5, 0, 10), file, "half-float fields");
  h5::check_status(H5Tset_size(type.get(), 2), file, "half-float size");
  h5::check_status(H5Tset_ebias(type.get(), 15), file, "half-float exponent bias");
  return type;
}

// Writes a contiguous CPU tensor as a dataset of the given file type, chunked by rows
// (compressed with shuffle + deflate when gzip_level > 0).
h5::Handle write_dataset(hid_t parent, const std::string& name, const torch::Tensor& values,
                         hid_t file_type, hid_t memory_type, const std::string& file, int gzip_level = 0) {
  const auto tensor = values.contiguous();
  std::vector<hsize_t> dims(tensor.sizes().begin(), tensor.sizes().end());
  const h5::Handle space = h5::checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                       H5Sclose, file, "dataspace for " + name);
  const h5::Handle create = h5::checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, file, "properties");
  if (dims[0] > 0) {
    std::vector<hsize_t> chunk = dims;
    const hsize_t row_bytes = std::max<hsize_t>(1, tensor.numel() / std::max<int64_t>(1, tensor.size(0))) *
                              static_cast<hsize_t>(tensor.element_size());
    chunk[0] = std::clamp<hsize_t>((hsize_t{1} << 20) / row_bytes, 1, dims[0]);
    h5::check_status(H5Pset_chunk(create.get(), static_cast<int>(chunk.size()), chunk.data()), file,
                     "chunking " + name);
    if (gzip_level > 0) {
      h5::check_status(H5Pset_shuffle(create.get()), file, "shuffle filter for " + name);
      h5::check_status(H5Pset_deflate(create.get(), static_cast<unsigned>(gzip_level)), file,
                       "deflate filter for " + name);
    }
  }
  h5::Handle dataset = h5::checked(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                              create.get(), H5P_DEFAULT),
                                   H5Dclose, file, "creating dataset " + name);
  if (tensor.numel() > 0) {
    h5::check_status(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()),
                     file, "writing dataset " + name);
  }
  return dataset;
}

void write_labels(hid_t labels_group, hid_t masks_group, const TaskSchema& task,
                  const torch::Tensor& label, int64_t rows, const std::string& file) {
  const std::string name = "/labels/" + task.name;
  if (label.size(0) != rows) {
    throw DataError(file + ": labels of task '" + task.name + "' have " + std::to_string(label.size(0)) +
                    " rows but features have " + std::to_string(rows));
  }
  // Refuse what read_shard would refuse, so a written shard is always readable.
  if (task.type == TaskType::kMulticlass) {
    const auto ids = label.to(torch::kInt64);
    if (ids.dim() != 1 || torch::logical_or(ids.lt(-1), ids.ge(task.output_dim())).any().item<bool>()) {
      throw DataError(file + ": labels of task '" + task.name + "' must be class ids in [-1, " +
                      std::to_string(task.output_dim()) + ") of shape [N]");
    }
  } else if (task.type == TaskType::kMultilabel) {
    const auto known = label.masked_select(torch::isfinite(label));
    if (label.dim() != 2 || label.size(1) != task.output_dim() ||
        torch::logical_and(known.ne(0), known.ne(1)).any().item<bool>()) {
      throw DataError(file + ": labels of task '" + task.name + "' must be 0/1 of shape [N, " +
                      std::to_string(task.output_dim()) + "] (a row of NaN = missing)");
    }
  }
  h5::Handle dataset;
  switch (task.type) {
    case TaskType::kMulticlass:
      dataset = write_dataset(labels_group, task.name, label.to(torch::kInt32), H5T_STD_I32LE,
                              H5T_NATIVE_INT32, file);
      break;
    case TaskType::kMultilabel: {
      const auto mask = torch::isfinite(label).all(1);
      const auto bits = torch::where(mask.unsqueeze(1), label, torch::zeros_like(label)).to(torch::kUInt8);
      dataset = write_dataset(labels_group, task.name, bits, H5T_STD_U8LE, H5T_NATIVE_UINT8, file);
      write_dataset(masks_group, task.name, mask.to(torch::kUInt8), H5T_STD_U8LE, H5T_NATIVE_UINT8, file);
      break;
    }
    case TaskType::kRegression:
      // A 0-row label has no rows to infer K from: take it from the task.
      dataset = write_dataset(labels_group, task.name,
                              label.to(torch::kFloat32).view({rows, rows > 0 ? -1 : task.output_dim()}),
                              H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, file);
      break;
  }
  h5::write_string_attribute(dataset.get(), "task_type", to_string(task.type), file);
  h5::write_int_attribute(dataset.get(), "output_dim", task.output_dim(), file);
}

}  // namespace

std::string write_shard(const std::filesystem::path& path, const ShardTensors& shard,
                        const std::vector<TaskSchema>& tasks, const ShardProvenance& provenance,
                        const ShardWriteOptions& options) {
  // Another thread may be in the library (a prefetching loader reading while shards are written).
  std::unique_lock<std::mutex> hdf5_lock(h5::library_mutex());
  h5::silence_library_errors();
  const std::string file = path.string();
  TORCH_CHECK(shard.features.dim() == 2, "write_shard: features must be [N, D]");
  const int64_t rows = shard.features.size(0);
  if (options.gzip_level < 0 || options.gzip_level > 9) {
    throw DataError(file + ": gzip level must be in 0..9 (got " + std::to_string(options.gzip_level) + ")");
  }
  if (options.gzip_level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
    throw DataError(file + ": this HDF5 library has no deflate (gzip) filter; write without compression");
  }
  const std::filesystem::path partial = path.string() + ".partial";
  try {
    const h5::Handle out = h5::checked(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                       H5Fclose, partial.string(), "creating the shard (is the directory writable?)");
    if (options.float16_features) {
      // The half type serves as file and memory type: torch::kHalf is IEEE half, little-endian here.
      const h5::Handle half = half_float_type(file);
      write_dataset(out.get(), "features", shard.features.to(torch::kHalf), half.get(), half.get(), file,
                    options.gzip_level);
    } else {
      write_dataset(out.get(), "features", shard.features.to(torch::kFloat32), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                    file, options.gzip_level);
    }
    write_dataset(out.get(), "sample_id", shard.sample_id.to(torch::kInt64), H5T_STD_I64LE, H5T_NATIVE_INT64, file);
    write_dataset(out.get(), "view", shard.view.to(torch::kInt32), H5T_STD_I32LE, H5T_NATIVE_INT32, file);
    const h5::Handle labels = h5::checked(H5Gcreate2(out.get(), "labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                          H5Gclose, file, "creating /labels");
    const h5::Handle masks = h5::checked(H5Gcreate2(out.get(), "label_masks", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                         H5Gclose, file, "creating /label_masks");
    for (const auto& task : tasks) {
      const auto found = shard.labels.find(task.name);
      if (found == shard.labels.end()) throw DataError(file + ": no labels given for task '" + task.name + "'");
      write_labels(labels.get(), masks.get(), task, found->second, rows, file);
    }
    h5::write_int_attribute(out.get(), "format_version", kShardFormatVersion, file);
    h5::write_int_attribute(out.get(), "feature_dim", shard.features.size(1), file);
    h5::write_string_attribute(out.get(), "feature_dtype", feature_dtype_name(options), file);
    h5::write_string_attribute(out.get(), "backbone", provenance.backbone, file);
    h5::write_string_attribute(out.get(), "weights_hash", provenance.weights_hash, file);
    h5::write_string_attribute(out.get(), "preprocessing", provenance.preprocessing, file);
    h5::write_string_attribute(out.get(), "pooling", provenance.pooling, file);
    h5::write_string_attribute(out.get(), "created_at", utc_now_iso8601(), file);
    h5::check_status(H5Fflush(out.get(), H5F_SCOPE_GLOBAL), file, "flushing");
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);  // a partial shard never survives
    throw;
  }
  hdf5_lock.unlock();
  const std::string checksum = sha256_file_hex(partial);
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) throw DataError(file + ": cannot move the finished shard into place: " + error.message());
  return checksum;
}

}  // namespace mmoe::data
