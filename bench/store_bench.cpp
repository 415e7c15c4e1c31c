// store_bench: what the experiment store costs a training run and a person querying it.
//  1. Store::log_epoch of one epoch with 16 tasks (train and val rows, 10 classes each) and 16
//     experts per gate, timed over --epochs epochs (target: mean under 10 ms).
//  2. Store::list_runs with a filter over --runs runs built in one transaction
//     (target: under 200 ms per query).
// Runs in a temporary directory; no LibTorch. Results: bench/README.md, section store_bench.
#include <fmt/format.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/store.h"

namespace {

namespace fs = std::filesystem;
using mmoe::tracking::Store;
using Clock = std::chrono::steady_clock;

constexpr int kTasks = 16;
constexpr int kExperts = 16;
constexpr int kClasses = 10;
constexpr int kParamsPerRun = 20;
constexpr int kEpochsPerRun = 10;

struct Options {
  int epochs = 200;
  int runs = 10000;
  int queries = 20;
  bool keep = false;  // leave the temporary directory (to look at the stores)
};

struct Stats {
  double mean_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Stats s;
  for (double v : ms) s.mean_ms += v;
  s.mean_ms /= static_cast<double>(ms.size());
  s.p95_ms = ms[std::min(ms.size() - 1, static_cast<std::size_t>(0.95 * static_cast<double>(ms.size())))];
  s.max_ms = ms.back();
  return s;
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// This thread's CPU time: what an operation costs when the machine is shared (wall time then
// includes waiting for a core).
double cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

struct Timed {
  Stats wall;
  Stats cpu;
};

mmoe::tracking::EpochRecord wide_epoch(int64_t epoch) {
  using namespace mmoe::tracking;
  EpochRecord record;
  record.epoch = epoch;
  record.step = epoch * 100;
  record.metrics = {{"train_loss", 1.0 / static_cast<double>(epoch)}, {"val_loss", 0.5}, {"val_weighted_f1", 0.8},
                    {"epoch_time_s", 12.0}, {"rows_per_s", 1e5}};
  for (const char* group : {"experts", "gates", "towers"}) record.metrics.emplace_back(std::string("lr/") + group, 3e-4);
  for (int t = 0; t < kTasks; ++t) {
    for (const char* split : {"train", "val"}) {
      TaskMetricsRecord row;
      row.task = fmt::format("task{:02}", t);
      row.split = split;
      row.labelled_rows = 10000;
      row.loss = 0.4;
      row.accuracy = 0.8;
      row.macro_f1 = 0.7;
      row.weighted_f1 = 0.75;
      row.micro_f1 = 0.8;
      row.auc = 0.9;
      for (int c = 0; c < kClasses; ++c) {
        row.classes.push_back(ClassMetricsRecord{c, fmt::format("class{}", c), 0.7, 0.6, 0.646, 1000});
      }
      record.task_metrics.push_back(std::move(row));
    }
    record.gates.push_back(
        GateRecord{fmt::format("task{:02}", t), std::vector<double>(kExperts, 1.0 / kExperts), 2.77, 1.0});
  }
  return record;
}

Timed bench_log_epoch(const fs::path& dir, int epochs) {
  Store store = Store::open(dir / "epochs.db");
  mmoe::tracking::NewRun run;
  run.experiment = "bench";
  run.config_yaml = "{}";
  run.config_hash = "0";
  run.host = "localhost";
  run.command_line = "store_bench";
  run.monitor = "val_weighted_f1";
  const std::string id = store.create_run(run);
  std::vector<double> ms;
  std::vector<double> cpu;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    const auto record = wide_epoch(epoch);  // built outside the timed region
    const double cpu_start = cpu_ms();
    const auto start = Clock::now();
    store.log_epoch(id, record);
    ms.push_back(elapsed_ms(start));
    cpu.push_back(cpu_ms() - cpu_start);
  }
  return Timed{stats(ms), stats(cpu)};
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
  }
}

// `runs` runs in one transaction: 20 params (model.num_experts in 2..16), 2 tags, 10 epochs of
// 3 metrics, in 4 experiments.
void build_runs(const fs::path& path, int runs) {
  { Store store = Store::open(path); }  // schema
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  check(sqlite3_exec(db,
                     "INSERT INTO experiments (id, name, created_at) VALUES (1, 'fish', 't'), (2, 'fashion', 't'), "
                     "(3, 'birds', 't'), (4, 'cars', 't')",
                     nullptr, nullptr, nullptr),
        db, "experiments");
  sqlite3_stmt* run = nullptr;
  sqlite3_stmt* param = nullptr;
  sqlite3_stmt* tag = nullptr;
  sqlite3_stmt* epoch = nullptr;
  sqlite3_stmt* metric = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO runs (id, experiment_id, name, status, config_yaml, config_hash, host, "
                           "world_size, command_line, monitor, monitor_mode, started_at, heartbeat_at, best_epoch, "
                           "best_metric) VALUES (?1, ?2, ?3, 'finished', '{}', 'h', 'node', 1, 'c', "
                           "'val_weighted_f1', 'max', ?4, ?4, 5, ?5)",
                           -1, &run, nullptr),
        db, "prepare runs");
  check(sqlite3_prepare_v2(db, "INSERT INTO params VALUES (?1, ?2, ?3)", -1, &param, nullptr), db, "params");
  check(sqlite3_prepare_v2(db, "INSERT INTO tags VALUES (?1, ?2, ?3)", -1, &tag, nullptr), db, "tags");
  check(sqlite3_prepare_v2(db, "INSERT INTO epochs VALUES (?1, ?2, ?3, 't')", -1, &epoch, nullptr), db, "epochs");
  check(sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES (?1, ?2, ?3, ?3, ?4, 't')", -1, &metric, nullptr), db,
        "metrics");
  const auto text = [](sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  };
  const auto step = [&](sqlite3_stmt* s, const char* what) {
    check(sqlite3_step(s), db, what);
    sqlite3_reset(s);
  };
  for (int r = 0; r < runs; ++r) {
    const std::string id = fmt::format("{:012x}", r);
    const double f1 = 0.5 + 0.5 * static_cast<double>((r * 7919) % 1000) / 1000.0;
    text(run, 1, id);
    sqlite3_bind_int64(run, 2, 1 + r % 4);
    text(run, 3, fmt::format("run-{}", r));
    text(run, 4, fmt::format("2026-01-01T00:00:{:02}.{:03}Z", (r / 1000) % 60, r % 1000));
    sqlite3_bind_double(run, 5, f1);
    step(run, "run");
    for (int p = 0; p < kParamsPerRun; ++p) {
      text(param, 1, id);
      text(param, 2, p == 0 ? std::string("model.num_experts") : fmt::format("section{}.key{}", p % 5, p));
      text(param, 3, p == 0 ? std::to_string(2 + r % 15) : fmt::format("{}", 0.001 * p));
      step(param, "param");
    }
    for (const char* key : {"stage", "owner"}) {
      text(tag, 1, id);
      text(tag, 2, key);
      text(tag, 3, std::string(key) == "stage" ? (r % 10 == 0 ? "final" : "draft") : "ana");
      step(tag, "tag");
    }
    for (int e = 1; e <= kEpochsPerRun; ++e) {
      text(epoch, 1, id);
      sqlite3_bind_int64(epoch, 2, e);
      sqlite3_bind_int64(epoch, 3, e * 10);
      step(epoch, "epoch");
      for (const char* key : {"train_loss", "val_loss", "val_weighted_f1"}) {
        text(metric, 1, id);
        text(metric, 2, key);
        sqlite3_bind_int64(metric, 3, e);
        sqlite3_bind_double(metric, 4, std::strcmp(key, "val_weighted_f1") == 0 ? f1 * e / kEpochsPerRun : 1.0 / e);
        step(metric, "metric");
      }
    }
  }
  for (sqlite3_stmt* s : {run, param, tag, epoch, metric}) sqlite3_finalize(s);
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);
}

Timed bench_query(const Store& store, const mmoe::tracking::RunFilter& filter, int queries, std::size_t& matched) {
  std::vector<double> ms;
  std::vector<double> cpu;
  for (int i = 0; i < queries; ++i) {
    const double cpu_start = cpu_ms();
    const auto start = Clock::now();
    matched = store.list_runs(filter).size();
    ms.push_back(elapsed_ms(start));
    cpu.push_back(cpu_ms() - cpu_start);
  }
  return Timed{stats(ms), stats(cpu)};
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--keep") {
      options.keep = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "usage: store_bench [--epochs N] [--runs N] [--queries N] [--keep]\n");
      return 2;
    }
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--epochs") options.epochs = value;
    else if (flag == "--runs") options.runs = value;
    else if (flag == "--queries") options.queries = value;
    else {
      fmt::print(stderr, "usage: store_bench [--epochs N] [--runs N] [--queries N] [--keep]\n");
      return 2;
    }
  }
  if (options.epochs < 1 || options.runs < 1 || options.queries < 1) {
    fmt::print(stderr, "store_bench: --epochs, --runs and --queries must be at least 1\n");
    return 2;
  }
  std::string pattern = (fs::temp_directory_path() / "mmoe-store-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    fmt::print(stderr, "store_bench: cannot create a temporary directory\n");
    return 1;
  }
  const fs::path dir = pattern;
  int code = 0;
  try {
    fmt::print("store_bench: SQLite {}, temporary store in {}\n", sqlite3_libversion(), dir.string());
    const Timed epoch = bench_log_epoch(dir, options.epochs);
    fmt::print("log_epoch, {} tasks x (train, val) x {} classes, {} experts, {} epochs: wall mean {:.2f} ms, p95 "
               "{:.2f} ms, max {:.2f} ms; CPU mean {:.2f} ms, p95 {:.2f} ms; target < 10 ms (wall mean): {}\n",
               kTasks, kClasses, kExperts, options.epochs, epoch.wall.mean_ms, epoch.wall.p95_ms, epoch.wall.max_ms,
               epoch.cpu.mean_ms, epoch.cpu.p95_ms, verdict(epoch.wall.mean_ms < 10.0));

    const fs::path many = dir / "runs.db";
    const auto build_start = Clock::now();
    build_runs(many, options.runs);
    fmt::print("built {} runs ({} params, 2 tags, {} epochs x 3 metrics each) in one transaction: {:.0f} ms\n",
               options.runs, kParamsPerRun, kEpochsPerRun, elapsed_ms(build_start));
    Store store = Store::open_existing(many);
    struct Case {
      const char* label;
      const char* where;
      const char* sort;
      int64_t limit;
    };
    bool all_met = true;
    for (const Case& c : {
             Case{"issue filter, all matches", "params.model.num_experts >= 8 and (metrics.val_weighted_f1 > 0.8 or tags.stage = \"final\")", "", 0},
             Case{"issue filter, sorted by -metrics.val_weighted_f1, top 20", "params.model.num_experts >= 8 and (metrics.val_weighted_f1 > 0.8 or tags.stage = \"final\")", "-metrics.val_weighted_f1", 20},
             Case{"no filter, newest 50", "", "", 50},
         }) {
      mmoe::tracking::RunFilter filter;
      filter.where = c.where;
      filter.sort = c.sort;
      filter.limit = c.limit;
      std::size_t matched = 0;
      const Timed query = bench_query(store, filter, options.queries, matched);
      all_met = all_met && query.wall.p95_ms < 200.0;
      fmt::print("list_runs over {} runs, {} ({} runs returned), {} queries: wall mean {:.1f} ms, p95 {:.1f} ms, "
                 "max {:.1f} ms; CPU mean {:.1f} ms, p95 {:.1f} ms; target < 200 ms (wall p95): {}\n",
                 options.runs, c.label, matched, options.queries, query.wall.mean_ms, query.wall.p95_ms,
                 query.wall.max_ms, query.cpu.mean_ms, query.cpu.p95_ms, verdict(query.wall.p95_ms < 200.0));
    }
    if (epoch.wall.mean_ms >= 10.0 || !all_met) code = 3;
  } catch (const std::exception& error) {
    fmt::print(stderr, "store_bench: {}\n", error.what());
    code = 1;
  }
  std::error_code ignored;
  if (!options.keep) fs::remove_all(dir, ignored);
  return code;
}
