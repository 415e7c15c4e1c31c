// The streaming loader (data.cache none) against a plain sequential read of the same shard files,
// and a training epoch with data.cache none against host, in one run (bench/README.md).
//
//   loader_bench [--rows N] [--dim D] [--rows-per-shard R] [--batch B] [--reps K] [--threads T] [--dir PATH]
//                [--keep] [--probe] [--skip-training]
//
// --dir: use (or write and keep) the dataset there; --probe: also time ShardRowReader alone.
//
// 1. Writes a feature dataset (float32 features from N(0, 1), a 10-class task and a regression
//    task; a val split of rows / 20) with the shard writer, unless --dir already holds one.
// 2. Reads every train shard once with read(2) so the files sit in the page cache.
// 3. Alternating K times: a plain read(2) of the train shard files (4 MiB reads), and one epoch of
//    the prefetching loader over the train split (shuffle on, world size 1, the config defaults
//    chunk_rows 4096, shuffle_window_chunks 8, prefetch_batches 4; --threads workers, default 2).
//    Prints medians: GB/s of file bytes for read(2); rows/s and GB/s of delivered feature + label
//    bytes for the loader; the ratio.
// 4. Alternating K times: one training epoch (small MMoE, batch B) with data.cache host and none;
//    the epoch time is the trainer's (training steps only, not evaluation or loading). Prints
//    medians and the ratio none / host.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/heap_tuning.h"
#include "data/dataset_manifest.h"
#include "data/prefetch_loader.h"
#include "data/row_sampler.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/split_data.h"
#include "distributed/communicator.h"
#include "trainer/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct BenchConfig {
  int64_t rows = 200000;
  int64_t dim = 1024;
  int64_t rows_per_shard = 50000;
  int64_t batch = 1024;
  int reps = 3;
  int64_t threads = 2;
  fs::path dir;
  bool keep = false;
  bool probe = false;
  bool skip_training = false;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<mmoe::data::TaskSchema> bench_tasks() {
  mmoe::data::TaskSchema kind;
  kind.name = "kind";
  kind.type = mmoe::TaskType::kMulticlass;
  for (int c = 0; c < 10; ++c) kind.class_names.push_back("c" + std::to_string(c));
  mmoe::data::TaskSchema score;
  score.name = "score";
  score.type = mmoe::TaskType::kRegression;
  return {kind, score};
}

void write_dataset(const BenchConfig& config) {
  const auto tasks = bench_tasks();
  mmoe::data::DatasetManifest manifest;
  manifest.name = "loader-bench";
  manifest.feature_dim = config.dim;
  manifest.tasks = tasks;
  auto generator = at::detail::createCPUGenerator(1);
  const auto write = [&](const std::string& split, int64_t rows, int index) {
    mmoe::data::ShardTensors shard;
    shard.features = torch::randn({rows, config.dim}, generator);
    const auto w = torch::randn({config.dim, 10}, generator);
    shard.labels["kind"] = shard.features.matmul(w).argmax(1);
    shard.labels["score"] = shard.features.narrow(1, 0, 4).sum(1, true);
    shard.sample_id = torch::arange(rows, torch::kInt64);
    shard.view = torch::zeros({rows}, torch::kInt32);
    char name[64];
    std::snprintf(name, sizeof(name), "%s-%04d.h5", split.c_str(), index);
    const auto sha = mmoe::data::write_shard(config.dir / name, shard, tasks, mmoe::data::ShardProvenance{});
    manifest.shards.push_back({name, split, rows, sha, static_cast<int64_t>(fs::file_size(config.dir / name))});
  };
  int index = 0;
  for (int64_t first = 0; first < config.rows; first += config.rows_per_shard) {
    write("train", std::min(config.rows_per_shard, config.rows - first), index++);
  }
  write("val", std::max<int64_t>(1, config.rows / 20), 0);
  mmoe::data::save_manifest(config.dir, manifest);
}

// read(2) of whole files in 4 MiB reads; returns the bytes read.
int64_t read_files(const std::vector<fs::path>& files) {
  static std::vector<char> buffer(4 << 20);
  int64_t total = 0;
  for (const auto& file : files) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open " + file.string());
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0) throw std::runtime_error("cannot read " + file.string());
      if (n == 0) break;
      total += n;
    }
    ::close(fd);
  }
  return total;
}

class EpochTimes final : public mmoe::trainer::TrainingObserver {
 public:
  void on_step(const mmoe::trainer::StepProgress&) override {}
  void on_epoch(const mmoe::trainer::EpochReport& report) override { seconds = report.epoch_seconds; }
  double seconds = 0.0;
};

double training_epoch(const BenchConfig& config, mmoe::experiments::DataCache cache) {
  mmoe::experiments::Config c;
  c.data.dir = config.dir.string();
  c.data.cache = cache;
  c.train.epochs = 1;
  c.train.batch_size = config.batch;
  c.train.eval_batch_size = 4096;
  c.train.device = mmoe::experiments::Device::kCpu;
  c.train.log_every_steps = 1000000;
  c.model.num_experts = 4;
  c.model.expert_hidden = {64};
  c.model.tower_hidden = {16};
  mmoe::distributed::LocalCommunicator communicator;
  mmoe::trainer::Trainer trainer(c, communicator);
  EpochTimes times;
  trainer.train(times);
  return times.seconds;
}

BenchConfig parse(int argc, char** argv) {
  BenchConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--rows") {
      config.rows = std::stoll(value());
    } else if (arg == "--dim") {
      config.dim = std::stoll(value());
    } else if (arg == "--rows-per-shard") {
      config.rows_per_shard = std::stoll(value());
    } else if (arg == "--batch") {
      config.batch = std::stoll(value());
    } else if (arg == "--reps") {
      config.reps = std::stoi(value());
    } else if (arg == "--threads") {
      config.threads = std::stoll(value());
    } else if (arg == "--dir") {
      config.dir = value();
    } else if (arg == "--skip-training") {
      config.skip_training = true;
    } else if (arg == "--probe") {
      config.probe = true;
    } else if (arg == "--keep") {
      config.keep = true;
    } else {
      throw std::runtime_error("unknown argument " + arg +
                               "; usage: loader_bench [--rows N] [--dim D] [--rows-per-shard R] [--batch B] "
                               "[--reps K] [--threads T] [--dir PATH] [--keep] [--probe] [--skip-training]");
    }
  }
  if (config.dir.empty()) config.dir = fs::temp_directory_path() / ("mmoe-loader-bench-" + std::to_string(getpid()));
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto config = parse(argc, argv);
    const std::string malloc_line = mmoe::retain_freed_heap_memory();  // as the mmoe binary does
    const bool existing = fs::exists(config.dir / mmoe::data::kManifestFileName);
    std::cout << std::fixed << std::setprecision(3);
    if (!existing) {
      fs::create_directories(config.dir);
      const auto start = Clock::now();
      write_dataset(config);
      std::cout << "wrote: " << config.dir.string() << " rows: " << config.rows << " dim: " << config.dim
                << " seconds: " << seconds_since(start) << "\n";
    }
    const auto manifest = mmoe::data::load_manifest(config.dir);
    const auto source = mmoe::data::split_source(config.dir, manifest, "train", bench_tasks());
    std::vector<fs::path> files;
    for (const auto& shard : source.shards) files.push_back(shard.path);
    const int64_t file_bytes = read_files(files);  // into the page cache
    std::cout << "dataset: train rows " << source.rows() << ", dim " << source.feature_dim << ", " << files.size()
              << " shards, " << file_bytes / 1e9 << " GB of files\n";
    std::cout << "threads: torch intra-op " << torch::get_num_threads() << "; malloc: " << malloc_line << "\n";

    if (config.probe) {
      // ShardRowReader alone, sequential 4096-row reads of every train shard on this thread: the
      // loader's upper bound. Run twice; the second figure is past first-use costs.
      for (int pass = 1; pass <= 2; ++pass) {
        const auto start = Clock::now();
        int64_t rows = 0;
        for (const auto& shard : source.shards) {
          mmoe::data::ShardRowReader reader(shard.path, source.tasks, source.feature_dim);
          for (int64_t b = 0; b < reader.rows(); b += 4096) {
            rows += reader.read_rows(b, std::min(reader.rows(), b + 4096)).features.size(0);
          }
        }
        const double seconds = seconds_since(start);
        std::cout << "probe pass " << pass << ": ShardRowReader alone " << rows / seconds << " rows/s, "
                  << static_cast<double>(rows) * static_cast<double>(source.feature_dim) * 4.0 / seconds / 1e9
                  << " GB/s of features\n";
      }
    }
    std::vector<double> plain_gbps;
    std::vector<double> loader_gbps;
    std::vector<double> loader_rows_per_s;
    for (int rep = 0; rep < config.reps; ++rep) {
      auto start = Clock::now();
      const int64_t bytes = read_files(files);
      plain_gbps.push_back(static_cast<double>(bytes) / seconds_since(start) / 1e9);

      mmoe::data::RowSamplerOptions sampling;
      sampling.rows = source.rows();
      sampling.batch_size = config.batch;
      sampling.block_rows = 4096;
      const mmoe::data::RowSampler sampler(sampling);
      mmoe::data::LoaderOptions options;
      options.batch_size = config.batch;
      options.shuffle = true;
      options.epoch = rep + 1;
      options.threads = config.threads;
      start = Clock::now();
      mmoe::data::PrefetchLoader loader(source, sampler.epoch_ranges(rep + 1), options);
      int64_t rows = 0;
      int64_t delivered = 0;
      while (auto batch = loader.next()) {
        rows += batch->features.size(0);
        delivered += batch->features.nbytes();
        for (const auto& label : batch->labels) delivered += label.nbytes();
      }
      const double seconds = seconds_since(start);
      loader_gbps.push_back(static_cast<double>(delivered) / seconds / 1e9);
      loader_rows_per_s.push_back(static_cast<double>(rows) / seconds);
    }
    const double plain = median(plain_gbps);
    const double loaded = median(loader_gbps);
    std::cout << "plain read(2): " << plain << " GB/s (median of " << config.reps << ")\n";
    std::cout << "loader (cache none, " << config.threads << " threads): " << median(loader_rows_per_s)
              << " rows/s, " << loaded << " GB/s\n";
    std::cout << "loader / plain: " << loaded / plain << " (target >= 0.70)\n";

    if (config.skip_training) return 0;
    std::vector<double> host_seconds;
    std::vector<double> none_seconds;
    for (int rep = 0; rep < config.reps; ++rep) {
      const bool host_first = rep % 2 == 0;
      for (int k = 0; k < 2; ++k) {
        const bool host = (k == 0) == host_first;
        const double s = training_epoch(config, host ? mmoe::experiments::DataCache::kHost
                                                      : mmoe::experiments::DataCache::kNone);
        (host ? host_seconds : none_seconds).push_back(s);
        std::cout << "epoch " << (host ? "host" : "none") << ": " << s << " s\n";
      }
    }
    const double host = median(host_seconds);
    const double none = median(none_seconds);
    std::cout << "training epoch: host " << host << " s, none " << none << " s (medians); none / host: " << none / host
              << " (target <= 1.05)\n";
    if (!existing && !config.keep) fs::remove_all(config.dir);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "loader_bench: " << error.what() << "\n";
    return 1;
  }
}
