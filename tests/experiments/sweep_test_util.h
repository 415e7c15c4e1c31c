#pragma once
// A temporary directory with a small base config (data.dir /d, train.epochs 9) and helpers to
// load sweep files against it and capture their error messages.
#include <filesystem>
#include <string>

#include "experiments/sweep_parse.h"

namespace mmoe::experiments::testing {

class SweepDir {
 public:
  SweepDir();
  ~SweepDir();
  SweepDir(const SweepDir&) = delete;
  SweepDir& operator=(const SweepDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to <dir>/sweep.yaml and returns its path.
  std::filesystem::path write(const std::string& text) const;
  // load_sweep_file of `text`; fails the test if it throws.
  SweepSpec load(const std::string& text) const;
  // The message of the mmoe::Error that load_sweep_file throws (fails the test when none).
  std::string error_of(const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// A spec built in code (no file): the given method, seed and budget, no parameters.
SweepSpec bare_spec(SearchMethod method, uint64_t seed, int64_t max_trials);

}  // namespace mmoe::experiments::testing
