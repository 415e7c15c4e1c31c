#include "sweep_test_util.h"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include <gtest/gtest.h>

namespace mmoe::experiments::testing {

SweepDir::SweepDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("mmoe-sweep-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
  std::ofstream(path_ / "base.yaml") << "data:\n  dir: /d\ntrain:\n  epochs: 9\n";
}

SweepDir::~SweepDir() { std::filesystem::remove_all(path_); }

std::filesystem::path SweepDir::write(const std::string& text) const {
  const auto file = path_ / "sweep.yaml";
  std::ofstream(file) << text;
  return file;
}

SweepSpec SweepDir::load(const std::string& text) const {
  try {
    return load_sweep_file(write(text));
  } catch (const mmoe::Error& error) {
    ADD_FAILURE() << "unexpected error: " << error.what();
    return {};
  }
}

std::string SweepDir::error_of(const std::string& text) const {
  try {
    load_sweep_file(write(text));
  } catch (const mmoe::Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an error for:\n" << text;
  return "";
}

SweepSpec bare_spec(SearchMethod method, uint64_t seed, int64_t max_trials) {
  SweepSpec spec;
  spec.name = "t";
  spec.method = method;
  spec.seed = seed;
  spec.max_trials = max_trials;
  return spec;
}

}  // namespace mmoe::experiments::testing
