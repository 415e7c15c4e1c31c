#pragma once
// Figures drawn by gnuplot: each Figure is gnuplot commands (data blocks and plot commands, no
// terminal or output) that render_figures writes into one script in a work directory and runs
// once for every figure and format. Used by `mmoe report` (report_figures.h, compare_report.h).
#include <filesystem>
#include <string>
#include <vector>

namespace mmoe::tracking {

enum class PlotFormat { kPng, kSvg };
const char* extension(PlotFormat format);  // "png", "svg"

struct Figure {
  std::string name;   // file stem: [A-Za-z0-9_-] only (see file_stem)
  std::string title;  // shown in report.html
  int width_px = 900;
  int height_px = 500;
  std::string commands;  // gnuplot commands; they may use data blocks they define
};

struct PlotFile {
  std::string name;
  std::string title;
  PlotFormat format = PlotFormat::kPng;
  std::filesystem::path path;  // out_dir / (name + "." + extension)
  int width_px = 0;
  int height_px = 0;
};

// Renders every figure in every format into `out_dir` (created if needed) with one gnuplot run
// of a script written to a fresh temporary directory (removed afterwards; kept, and named in the
// error, when gnuplot fails). PNG through pngcairo, SVG through svg, each at the figure's size.
// Throws ReportError (out_dir not creatable or writable) / GnuplotMissingError (gnuplot_runner.h).
std::vector<PlotFile> render_figures(const std::vector<Figure>& figures,
                                     const std::vector<PlotFormat>& formats,
                                     const std::filesystem::path& out_dir,
                                     const std::string& gnuplot = "gnuplot");

// Creates `dir` (and parents) and checks a file can be created in it; ReportError naming it.
void prepare_output_directory(const std::filesystem::path& dir);

// A gnuplot single-quoted string literal ('' stands for a quote inside).
std::string gnuplot_quote(const std::string& text);
// `text` with every character outside [A-Za-z0-9_-] replaced by '_' (a file stem).
std::string file_stem(const std::string& text);
// A number for a data block: "?" (gnuplot's missing marker, see kDataPreamble) for NaN/absent.
std::string data_value(double value);

// "plot A, B, ...\n", or, when there is nothing to plot (gnuplot refuses a plot without a valid
// point), empty axes with a centred "no data" label.
std::string plot_or_placeholder(const std::vector<std::string>& elements);

// Commands every figure starts with: missing data as "?", no enhanced text, a grid.
extern const char* const kDataPreamble;

}  // namespace mmoe::tracking
