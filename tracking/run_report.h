#pragma once
// `mmoe report RUN`: the run's figures (report_figures.h) as PNG and/or SVG plus one
// self-contained report.html in an output directory (docs/report.md).
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/plot_render.h"
#include "tracking/report_html.h"
#include "tracking/store.h"

namespace mmoe::tracking {

struct RunReportOptions {
  std::filesystem::path out_dir;
  std::vector<PlotFormat> formats = {PlotFormat::kPng, PlotFormat::kSvg};
  std::string gnuplot = "gnuplot";
  // Images made by the caller (the architecture graph needs LibTorch, which tracking/ must not
  // link), shown after the figures.
  std::vector<ExtraFigure> extras;
};

struct RunReport {
  std::string run_id;
  std::vector<PlotFile> plots;
  std::filesystem::path html;              // out_dir / "report.html"
  std::vector<std::string> warnings;       // gate collapse at the final epoch (gate_health.h)
};

// Throws StoreError (unknown run), ReportError (a run with no epochs, an output directory that is
// not writable, gnuplot failing), GnuplotMissingError.
RunReport write_run_report(const Store& store, const std::string& run_id_or_prefix,
                           const RunReportOptions& options);

// Writes `text` to `path`; ReportError naming the path when it cannot.
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace mmoe::tracking
