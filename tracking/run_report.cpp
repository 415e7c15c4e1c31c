#include "tracking/run_report.h"

#include <fstream>

#include <fmt/format.h>

#include "tracking/gate_health.h"
#include "tracking/report_error.h"
#include "tracking/report_figures.h"

namespace mmoe::tracking {

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    throw ReportError(fmt::format("cannot write '{}'; check that its directory exists and is writable",
                                  path.string()));
  }
}

RunReport write_run_report(const Store& store, const std::string& run_id_or_prefix,
                           const RunReportOptions& options) {
  const RunHistory history = store.get_history(run_id_or_prefix);
  const RunSummary& summary = history.run.summary;
  if (history.run.epochs.empty()) {
    throw ReportError(fmt::format(
        "run '{}' in store '{}' has no epochs logged, so there is nothing to plot; report a run that "
        "finished at least one epoch",
        summary.id, store.path().string()));
  }
  RunReport report;
  report.run_id = summary.id;
  report.plots = render_figures(run_report_figures(history), options.formats, options.out_dir, options.gnuplot);
  const std::vector<GateRecord> final_gates = history.gates.empty() ? std::vector<GateRecord>{}
                                                                    : history.gates.back().second;
  report.warnings = collapse_warnings(final_gates);
  report.html = options.out_dir / "report.html";
  write_text_file(report.html, run_report_html(history, report.warnings, report.plots, options.extras));
  return report;
}

}  // namespace mmoe::tracking
