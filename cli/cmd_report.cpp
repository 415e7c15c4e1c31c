// mmoe report RUN [--store PATH] [--out DIR] [--format png|svg|both]
// mmoe report --compare RUN RUN ... [--metric KEY] [--out DIR] [--format png|svg|both]
// (docs/report.md)
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_graph.h"
#include "cli/runs_commands.h"
#include "tracking/compare_report.h"
#include "tracking/metric_mode.h"
#include "tracking/report_error.h"
#include "tracking/run_report.h"

namespace mmoe::cli {
namespace {

struct ReportArgs {
  std::string store;
  std::vector<std::string> runs;
  std::string out;
  std::string format = "both";
  bool compare = false;
  std::string metric;
  std::string mode;
};

std::vector<tracking::PlotFormat> formats_of(const std::string& format) {
  if (format == "png") return {tracking::PlotFormat::kPng};
  if (format == "svg") return {tracking::PlotFormat::kSvg};
  return {tracking::PlotFormat::kPng, tracking::PlotFormat::kSvg};
}

int run_report(const ReportArgs& args) {
  if (args.runs.size() != 1) {
    throw tracking::ReportError(fmt::format(
        "mmoe report takes one run (got {}); to compare runs pass --compare", args.runs.size()));
  }
  const auto store = tracking::Store::open_existing(args.store);
  const tracking::RunDetail run = store.get_run(args.runs.front());
  tracking::RunReportOptions options;
  options.out_dir = args.out.empty() ? "report-" + run.summary.id : args.out;
  options.formats = formats_of(args.format);
  if (!run.epochs.empty()) {
    tracking::prepare_output_directory(options.out_dir);
    options.extras.push_back(architecture_figure(run, options.out_dir, args.format != "png"));
  }
  const tracking::RunReport report = tracking::write_run_report(store, run.summary.id, options);
  for (const std::string& warning : report.warnings) fmt::print(stderr, "{}\n", warning);
  for (const auto& plot : report.plots) fmt::print("{}\n", plot.path.string());
  for (const auto& extra : options.extras) {
    if (!extra.path.empty()) fmt::print("{}\n", extra.path.string());
    else fmt::print(stderr, "{}\n", extra.note);
  }
  fmt::print("{}\n", report.html.string());
  return kExitOk;
}

int run_compare(const ReportArgs& args) {
  const auto store = tracking::Store::open_existing(args.store);
  tracking::CompareReportOptions options;
  options.out_dir = args.out.empty() ? "compare-report" : args.out;
  options.formats = formats_of(args.format);
  options.metric = args.metric;
  if (!args.mode.empty()) options.mode = tracking::parse_metric_mode(args.mode);
  const tracking::CompareReport report = tracking::write_compare_report(store, args.runs, options);
  fmt::print("{}", tracking::format_compare_report(report));
  for (const auto& plot : report.plots) fmt::print("{}\n", plot.path.string());
  fmt::print("{}\n", report.html.string());
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, const CommandContext& context, Action& action) {
  auto args = std::make_shared<ReportArgs>();
  auto* command = app.add_subcommand(
      "report", "Plots and a self-contained HTML page of a run (routing, curves, confusion), or --compare runs");
  command->add_option("runs", args->runs, "Run id (or unique prefix); several with --compare")->required()->expected(1, -1);
  add_store_option(*command, args->store, context);
  command->add_option("--out", args->out, "Output directory (default report-<run id>, or compare-report)");
  command->add_option("--format", args->format, "png, svg or both")
      ->capture_default_str()
      ->check(CLI::IsMember({"png", "svg", "both"}));
  command->add_flag("--compare", args->compare, "Compare the runs: metric against each differing hyperparameter, ranked table");
  command->add_option("--metric", args->metric, "With --compare: the metrics key to rank by (default: the first run's monitor)");
  command->add_option("--mode", args->mode, "With --compare: max or min (default: from the metric's name)")
      ->check(CLI::IsMember({"max", "min"}));
  command->callback([args, &action] {
    action = [args]() -> int { return args->compare ? run_compare(*args) : run_report(*args); };
  });
}

}  // namespace mmoe::cli
