#pragma once
// The self-contained report.html of `mmoe report`: every image embedded as a base64 data URI
// (nothing is fetched from elsewhere), collapse warnings in a styled box at the top, a summary
// table and the final per-task metrics. Each figure is a <figure id="NAME" data-files="..."> that
// names its files in the output directory.
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/plot_render.h"
#include "tracking/store.h"

namespace mmoe::tracking {

// An image that is not a gnuplot figure (the architecture graph rendered by Graphviz), or a note
// in its place when it could not be made.
struct ExtraFigure {
  std::string name;
  std::string title;
  std::filesystem::path path;  // PNG or SVG; empty: show `note` instead
  std::string note;
};

std::string html_escape(const std::string& text);

// A data URI of the image file at `path` ("data:image/png;base64,..." or image/svg+xml).
std::string image_data_uri(const std::filesystem::path& path);

// Reads every file named in `plots` and `extras`; ReportError naming one that cannot be read.
std::string run_report_html(const RunHistory& history, const std::vector<std::string>& warnings,
                            const std::vector<PlotFile>& plots, const std::vector<ExtraFigure>& extras);

// One <figure id="NAME" data-files="NAME.png NAME.svg"> per figure name, its SVG embedded when
// there is one, else its PNG. ReportError naming a file that cannot be read.
std::string figures_html(const std::vector<PlotFile>& plots);

// The page frame shared by the run and compare pages: head with inline CSS, then `body`.
std::string html_page(const std::string& title, const std::string& body);

}  // namespace mmoe::tracking
