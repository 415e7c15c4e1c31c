#include "data/dataset_verify.h"

#include <functional>

#include <torch/torch.h>

#include "core/sha256.h"
#include "data/data_error.h"
#include "data/dataset_manifest.h"
#include "data/shard_reader.h"

namespace mmoe::data {
namespace {

// The reader's messages start with "<path>: "; the report names the file in its own field.
std::string without_file_prefix(const std::string& message, const std::string& path) {
  const std::string prefix = path + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// Runs one check; a DataError becomes a problem of `file` / `dataset`. True when it passed.
bool check(VerifyReport& report, const std::string& file, const std::filesystem::path& path, const std::string& dataset,
           const std::function<void()>& action) {
  try {
    action();
    return true;
  } catch (const mmoe::Error& error) {
    report.problems.push_back({file, dataset, without_file_prefix(error.what(), path.string())});
  } catch (const c10::Error& error) {
    report.problems.push_back({file, dataset, error.what_without_backtrace()});
  }
  return false;
}

// "float32" for "float32", "f4", ...: the spellings a manifest's feature_dtype may use.
std::string canonical_dtype(const std::string& name) {
  if (name == "f2" || name == "half" || name == "<f2") return "float16";
  if (name == "f4" || name == "float" || name == "<f4") return "float32";
  if (name == "f8" || name == "double" || name == "<f8") return "float64";
  return name;
}

void verify_shard(VerifyReport& report, const std::filesystem::path& dir, const DatasetManifest& manifest,
                  const ShardEntry& entry) {
  const size_t problems_before = report.problems.size();
  ShardVerdict verdict{entry.file, entry.split};
  const auto path = dir / entry.file;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    report.problems.push_back({entry.file, "", "missing: dataset.yaml lists it but there is no such file"});
    verdict.ok = false;
    report.shards.push_back(verdict);
    return;
  }
  verdict.bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  if (entry.bytes > 0 && verdict.bytes != entry.bytes) {
    report.problems.push_back({entry.file, "", "is " + std::to_string(verdict.bytes) + " bytes but dataset.yaml records " +
                                                   std::to_string(entry.bytes) + " (truncated or replaced?)"});
  }
  if (entry.sha256.empty()) {
    verdict.checksum = ChecksumStatus::kNotRecorded;
    report.notes.push_back(entry.file + ": no sha256 in dataset.yaml; checksum not checked");
  } else {
    check(report, entry.file, path, "", [&] {
      const auto actual = sha256_file_hex(path);
      verdict.checksum = actual == entry.sha256 ? ChecksumStatus::kMatch : ChecksumStatus::kMismatch;
      if (verdict.checksum == ChecksumStatus::kMismatch) {
        throw DataError("checksum mismatch: SHA-256 is " + actual + " but dataset.yaml records " + entry.sha256 +
                        " (corrupt or replaced?)");
      }
    });
  }
  ShardHeader header;
  const bool readable = check(report, entry.file, path, "", [&] { header = read_shard_header(path); });
  if (readable) {
    if (header.feature_dim != manifest.feature_dim) {
      report.problems.push_back({entry.file, "/features", "has " + std::to_string(header.feature_dim) +
                                                              " features per row but dataset.yaml says feature_dim " +
                                                              std::to_string(manifest.feature_dim)});
    }
    const std::string expected_dtype = canonical_dtype(manifest.feature_dtype);
    if (header.feature_dtype.rfind("float", 0) != 0) {
      report.problems.push_back({entry.file, "/features", "is stored as " + header.feature_dtype +
                                                              "; features must be float16, float32 or float64"});
    } else if (header.feature_dtype != expected_dtype) {
      report.problems.push_back({entry.file, "/features", "is stored as " + header.feature_dtype +
                                                              " but dataset.yaml says feature_dtype " +
                                                              manifest.feature_dtype});
    }
    if (header.rows != entry.rows) {
      report.problems.push_back({entry.file, "", "holds " + std::to_string(header.rows) +
                                                     " rows but dataset.yaml says " + std::to_string(entry.rows)});
    }
    // Features (finite values), /sample_id and /view; then each task on its own, so one bad task
    // does not hide another.
    if (header.feature_dim == manifest.feature_dim) {
      check(report, entry.file, path, "", [&] { read_shard(path, {}, manifest.feature_dim); });
    }
    for (const auto& task : manifest.tasks) {
      check(report, entry.file, path, "/labels/" + task.name, [&] { read_task_labels(path, task, header.rows); });
    }
  }
  verdict.ok = report.problems.size() == problems_before;
  report.shards.push_back(verdict);
}

// Leftover "<shard>.partial" files are interrupted writes: harmless, worth a note.
void note_partial_files(VerifyReport& report, const std::filesystem::path& dir) {
  std::error_code error;
  for (const auto& item : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (item.path().extension() == ".partial") {
      report.notes.push_back(std::filesystem::relative(item.path(), dir).string() +
                             ": leftover of an interrupted write; never read, safe to delete");
    }
  }
}

}  // namespace

const char* to_string(ChecksumStatus status) {
  switch (status) {
    case ChecksumStatus::kMatch:
      return "match";
    case ChecksumStatus::kMismatch:
      return "mismatch";
    case ChecksumStatus::kNotRecorded:
      return "not recorded";
    case ChecksumStatus::kNotChecked:
      return "not checked";
  }
  return "?";
}

VerifyReport verify_dataset(const std::filesystem::path& dir) {
  VerifyReport report;
  report.dir = dir;
  DatasetManifest manifest;
  const auto manifest_path = dir / kManifestFileName;
  if (!check(report, kManifestFileName, manifest_path, "", [&] { manifest = load_manifest(dir); })) return report;
  if (manifest.shards.empty()) report.problems.push_back({kManifestFileName, "", "lists no shards"});
  for (const auto& entry : manifest.shards) verify_shard(report, dir, manifest, entry);
  for (const auto& split : manifest.split_names()) {
    if (manifest.rows_in_split(split) == 0) {
      report.problems.push_back({kManifestFileName, "", "split '" + split + "' is empty (0 rows)"});
    }
  }
  note_partial_files(report, dir);
  return report;
}

}  // namespace mmoe::data
