#pragma once
// `mmoe report --compare RUN RUN ...` (and, later, `mmoe sweep report`): one metric against every
// hyperparameter whose value differs between the runs, and the runs ranked by that metric, as
// figures plus a self-contained compare.html (docs/report.md).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tracking/plot_render.h"
#include "tracking/store.h"

namespace mmoe::tracking {

struct CompareReportOptions {
  std::filesystem::path out_dir;
  std::vector<PlotFormat> formats = {PlotFormat::kPng, PlotFormat::kSvg};
  std::string gnuplot = "gnuplot";
  std::string metric;  // a metrics key; empty: the first run's monitor
  std::optional<MetricMode> mode;  // nullopt: inferred from the metric's name (metric_mode.h)
};

struct RankedTrial {
  RunSummary summary;
  std::optional<double> value;  // the run's best value of the metric over its epochs
  std::optional<int64_t> epoch;  // where it was logged (the earliest when tied)
  std::vector<std::string> params;  // one per CompareReport::params; "-" when the run lacks it
};

struct CompareReport {
  std::string metric;
  MetricMode mode = MetricMode::kMax;
  std::vector<std::string> params;   // the differing params, in config order
  std::vector<RankedTrial> ranked;   // best first; runs without the metric last
  std::vector<PlotFile> plots;       // one figure per differing param: "metric_vs_<param>"
  std::filesystem::path html;        // out_dir / "compare.html"
};

// The ranking alone (no files): what write_compare_report plots. StoreError for an unknown run;
// ReportError when fewer than two runs are given, one is given twice, or no metric can be chosen.
CompareReport rank_runs(const Store& store, const std::vector<std::string>& run_ids,
                        const std::string& metric, std::optional<MetricMode> mode);

// rank_runs, then the figures and compare.html. ReportError / GnuplotMissingError as render_figures.
CompareReport write_compare_report(const Store& store, const std::vector<std::string>& run_ids,
                                   const CompareReportOptions& options);

// The ranked table as text for the terminal.
std::string format_compare_report(const CompareReport& report);

}  // namespace mmoe::tracking
