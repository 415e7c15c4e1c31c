// The local executor: up to `parallelism` concurrent `mmoe train` processes, watched through the
// store for early termination (see sweep_driver.h and docs/sweeps.md).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "experiments/child_process.h"
#include "experiments/sweep_driver.h"
#include "experiments/sweep_pruning.h"
#include "tracking/store.h"

namespace mmoe::experiments {
namespace {

using Clock = std::chrono::steady_clock;

// The exit code `mmoe train` gives when SIGINT stopped it (cli/exit_codes.h kExitInterrupted); the
// executor stops trials with SIGINT, as a person would: SIGTERM means preemption (exit 75).
constexpr int kInterruptedExit = 130;

struct Child {
  int64_t trial = 0;
  Clock::time_point started;
  std::set<std::string> earlier_runs;  // the trial's runs before this process
  std::string run_id;                  // found in the store once the process created it
  int64_t judged_epoch = 0;            // early termination has looked at epochs <= this
  std::string stop_reason;             // set once SIGINT was sent for early termination
  std::filesystem::path log;
};

class LocalSweep {
 public:
  LocalSweep(const SweepSpec& spec, const SweepRunOptions& options, tracking::Store& store, std::string sweep_id)
      : spec_(spec), options_(options), store_(store), id_(std::move(sweep_id)), planned_(planned_trials(spec)) {
    log_dir_ = options.work_dir / id_;
    std::filesystem::create_directories(log_dir_);
  }

  SweepOutcome run() {
    SweepOutcome outcome;
    outcome.sweep_id = id_;
    for (;;) {
      const auto runs = store_.sweep_runs(id_, spec_.metric);
      if (stopping()) break;
      const auto trials = summarize_trials(runs, store_.sweep_trials(id_), planned_, spec_.max_retries,
                                           spec_.direction, false);
      launch_pending(trials, runs, outcome);
      if (children_.empty()) break;
      watch(runs);
      reap();
      std::this_thread::sleep_for(options_.poll_interval);
    }
    if (stopping()) stop_all();
    outcome.trials = trial_summaries(store_, id_, spec_, planned_, false);
    bool exhausted = false;
    for (const auto& t : outcome.trials) exhausted = exhausted || t.state == TrialState::kExhausted;
    outcome.status = stopping() ? "interrupted" : exhausted ? "failed" : "finished";
    store_.set_sweep_status(id_, outcome.status);
    return outcome;
  }

 private:
  bool stopping() const { return options_.stop_requested != nullptr && options_.stop_requested->load(); }

  void note(const std::string& line) const {
    if (options_.on_note) options_.on_note(line);
  }

  bool is_running(int64_t trial) const {
    for (const auto& [pid, child] : children_) {
      if (child.trial == trial) return true;
    }
    return false;
  }

  void launch_pending(const std::vector<TrialSummary>& trials, const std::vector<tracking::SweepRunRecord>& runs,
                      SweepOutcome& outcome) {
    for (const auto& t : trials) {
      if (static_cast<int64_t>(children_.size()) >= spec_.parallelism) return;
      if (t.state != TrialState::kPending || is_running(t.trial)) continue;
      launch(t, runs);
      ++outcome.launched;
    }
  }

  void launch(const TrialSummary& t, const std::vector<tracking::SweepRunRecord>& runs) {
    const auto assignment = assign_trial(store_, id_, spec_, t.trial, planned_, false);
    Child child;
    child.trial = t.trial;
    for (const auto& r : runs) {
      if (r.trial == t.trial) child.earlier_runs.insert(r.run_id);
    }
    child.log = log_dir_ / fmt::format("trial-{}.log", t.trial);
    std::vector<std::string> argv = {options_.mmoe_binary, "train", spec_.base.string()};
    for (const auto& o : to_overrides(assignment)) argv.push_back(o);
    argv.push_back("tracking.store=" + options_.store.string());
    argv.insert(argv.end(), {"--sweep-id", id_, "--trial", std::to_string(t.trial)});
    child.started = Clock::now();
    const pid_t pid = spawn_process(argv, child.log);
    std::string values;
    for (const auto& o : to_overrides(assignment)) values += (values.empty() ? "" : " ") + o;
    const int64_t attempts = std::max(t.runs, t.failures);  // a failed launch has no run
    note(fmt::format("trial {} started{}: {}", t.trial, attempts > 0 ? fmt::format(" (attempt {})", attempts + 1) : "",
                     values.empty() ? "(no values)" : values));
    children_[pid] = std::move(child);
  }

  // Finds each child's run and applies early termination to the epochs it logged since the last look.
  void watch(const std::vector<tracking::SweepRunRecord>& runs) {
    for (auto& [pid, child] : children_) {
      if (child.run_id.empty()) {
        for (const auto& r : runs) {
          if (r.trial == child.trial && child.earlier_runs.count(r.run_id) == 0) child.run_id = r.run_id;
        }
      }
      if (child.run_id.empty() || !child.stop_reason.empty() ||
          spec_.early_termination.method == PrunerKind::kNone) {
        continue;
      }
      const tracking::SweepRunRecord* mine = nullptr;
      std::map<int64_t, const MetricCurve*> others;  // the latest run of every other trial
      for (const auto& r : runs) {
        if (r.run_id == child.run_id) mine = &r;
        if (r.trial != child.trial) others[r.trial] = &r.curve;
      }
      if (mine == nullptr || mine->curve.empty()) continue;
      std::vector<MetricCurve> other_curves;
      for (const auto& [trial, curve] : others) other_curves.push_back(*curve);
      const int64_t latest = mine->curve.rbegin()->first;
      for (int64_t e = child.judged_epoch + 1; e <= latest && child.stop_reason.empty(); ++e) {
        if (auto reason = early_stop_reason(spec_.early_termination, spec_.direction, spec_.max_epochs, mine->curve,
                                            other_curves, e)) {
          child.stop_reason = *reason;
          note(fmt::format("trial {} stopped: {}", child.trial, *reason));
          kill(pid, SIGINT);
        }
      }
      child.judged_epoch = latest;
    }
  }

  void reap() {
    for (auto it = children_.begin(); it != children_.end();) {
      const auto code = reap_process(it->first, false);
      if (!code) {
        ++it;
        continue;
      }
      finish(it->second, *code);
      it = children_.erase(it);
    }
  }

  void finish(Child& child, int code) {
    const double seconds = std::chrono::duration<double>(Clock::now() - child.started).count();
    if (child.run_id.empty()) {  // created after the last look, or never
      for (const auto& r : store_.sweep_runs(id_, spec_.metric)) {
        if (r.trial == child.trial && child.earlier_runs.count(r.run_id) == 0) child.run_id = r.run_id;
      }
    }
    if (!child.run_id.empty()) {
      store_.set_tag(child.run_id, tracking::kProcessSecondsTag, fmt::format("{:.3f}", seconds));
      if (!child.stop_reason.empty() && code == kInterruptedExit) {
        store_.set_tag(child.run_id, tracking::kStoppedEarlyTag, child.stop_reason);
      }
    } else if (code != 0 && !stopping()) {
      store_.add_failed_launch(id_, child.trial);
    }
    if (code == 0) {
      note(fmt::format("trial {} finished (run {})", child.trial, child.run_id));
    } else if (!(child.stop_reason.empty() && code == kInterruptedExit && stopping())) {
      if (child.stop_reason.empty() || code != kInterruptedExit) {
        note(fmt::format("trial {} failed (exit {}); log: {}", child.trial, code, child.log.string()));
      }
    }
  }

  void stop_all() {
    for (const auto& [pid, child] : children_) kill(pid, SIGINT);
    for (auto& [pid, child] : children_) finish(child, reap_process(pid, true).value_or(-1));
    children_.clear();
  }

  const SweepSpec& spec_;
  const SweepRunOptions& options_;
  tracking::Store& store_;
  std::string id_;
  int64_t planned_;
  std::filesystem::path log_dir_;
  std::map<pid_t, Child> children_;
};

}  // namespace

SweepOutcome run_sweep_local(const SweepSpec& spec, const std::string& spec_text, const SweepRunOptions& options) {
  auto store = tracking::Store::open(options.store);
  const std::string id = open_sweep(store, spec, spec_text);
  store.set_sweep_status(id, "running");
  return LocalSweep(spec, options, store, id).run();
}

}  // namespace mmoe::experiments
