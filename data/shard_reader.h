#pragma once
// Reads a whole shard into memory, validating it against the tasks the manifest declares.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/shard_format.h"

namespace mmoe::data {

// Throws DataError naming the file and dataset when the shard is missing, not HDF5 (truncated
// or corrupt), from a newer format version, of another feature dimension, lacks a task's labels,
// has label arrays of the wrong length, class ids outside [-1, C), or non-finite features.
// With NonFiniteRows::kSkip, rows whose features hold NaN or Inf are left out of every tensor
// instead, and counted in ShardTensors::skipped_rows.
// `rows` limits the read to a row range of the shard (a split given as row ranges); row numbers
// in messages stay the shard's.
struct ShardRows {
  int64_t begin = 0;
  int64_t end = -1;  // one past the last row; -1: through the shard's last row
};
ShardTensors read_shard(const std::filesystem::path& path, const std::vector<TaskSchema>& tasks,
                        int64_t expected_feature_dim, NonFiniteRows non_finite = NonFiniteRows::kError,
                        ShardRows rows = {});

// What a shard says about itself without reading any data: its format version and the shape and
// stored type of /features. DataError as read_shard for a missing, non-HDF5 or newer-version
// file, or a /features that is missing or not 2-D.
struct ShardHeader {
  int64_t format_version = 0;
  int64_t rows = 0;
  int64_t feature_dim = 0;
  std::string feature_dtype;  // as stored: "float32", "float16", "float64", "int32", ...
};
ShardHeader read_shard_header(const std::filesystem::path& path);

// Reads and validates the labels of one task as read_shard does (same checks, same in-memory
// encoding), without reading /features; `rows` is the shard's row count (ShardHeader::rows).
torch::Tensor read_task_labels(const std::filesystem::path& path, const TaskSchema& task, int64_t rows);

// Whether ShardRowReader::read_rows checks the features it read for NaN / Inf (kByCaller: the
// caller checks them itself, e.g. the loader while it copies rows out).
enum class FiniteCheck { kCheck, kByCaller };

// Reads row ranges of one shard with HDF5 hyperslabs (the streaming loader, data.cache none),
// keeping the file and /features open between reads (/features without HDF5's chunk cache, so
// unfiltered chunks go from the file straight into the caller's buffer). The constructor makes read_shard's structure checks on
// shapes (feature dim, /sample_id and /view rows, every task's labels present); read_rows makes
// its value checks on the rows read (finite features, label shapes, class ids, 0/1 bits), with
// the same messages and row numbers of the shard. Every HDF5 call holds h5::library_mutex().
class ShardRowReader {
 public:
  ShardRowReader(const std::filesystem::path& path, std::vector<TaskSchema> tasks, int64_t expected_feature_dim);
  ShardRowReader(const ShardRowReader&) = delete;
  ShardRowReader& operator=(const ShardRowReader&) = delete;
  ~ShardRowReader();

  int64_t rows() const { return rows_; }
  const std::string& file() const { return file_name_; }
  // Rows [begin, end): features float32 [end - begin, D] and labels by task name (sample_id and
  // view are left undefined). With `features_into` (contiguous float32 [end - begin, D]), the
  // features are read into it (the loader reuses its buffers). The finiteness check runs after
  // the HDF5 lock is released.
  ShardTensors read_rows(int64_t begin, int64_t end, const torch::Tensor& features_into = torch::Tensor(),
                         FiniteCheck check = FiniteCheck::kCheck);

 private:
  void open_and_check(const std::filesystem::path& path, int64_t expected_feature_dim);  // holds the lock

  std::string file_name_;
  std::vector<TaskSchema> tasks_;
  struct OpenFile;  // the HDF5 file handle (hdf5.h stays out of this header)
  std::unique_ptr<OpenFile> open_;
  int64_t rows_ = 0;
};

}  // namespace mmoe::data
