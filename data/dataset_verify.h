#pragma once
// `mmoe data verify`: checks a feature dataset against its dataset.yaml and reports every
// problem found instead of stopping at the first (docs/data.md lists the checks).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mmoe::data {

struct VerifyProblem {
  std::string file;     // shard file as dataset.yaml names it, or "dataset.yaml"
  std::string dataset;  // HDF5 dataset ("/features", "/labels/family") or "" for the whole file
  std::string message;  // one line, without the file name
};

enum class ChecksumStatus { kMatch, kMismatch, kNotRecorded, kNotChecked };
const char* to_string(ChecksumStatus status);  // "match", "mismatch", "not recorded", "not checked"

struct ShardVerdict {
  std::string file;
  std::string split;
  int64_t bytes = -1;  // -1 when the file is missing
  ChecksumStatus checksum = ChecksumStatus::kNotChecked;
  bool ok = true;  // no problem in this shard
};

struct VerifyReport {
  std::filesystem::path dir;
  std::vector<ShardVerdict> shards;
  std::vector<VerifyProblem> problems;
  std::vector<std::string> notes;  // worth knowing, not failures: no checksum recorded, leftover .partial
  bool ok() const { return problems.empty(); }
};

// Never throws for a problem of the dataset (an unreadable dataset.yaml is a problem too);
// exceptions only for our own bugs.
VerifyReport verify_dataset(const std::filesystem::path& dir);

}  // namespace mmoe::data
