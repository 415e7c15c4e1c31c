#include "tracking/plot_render.h"

#include <stdlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "tracking/gnuplot_runner.h"
#include "tracking/report_error.h"

namespace mmoe::tracking {

namespace fs = std::filesystem;

const char* const kDataPreamble =
    "set datafile missing '?'\n"
    "set termoption noenhanced\n"
    "set grid\n"
    "set key outside right top\n";

const char* extension(PlotFormat format) { return format == PlotFormat::kPng ? "png" : "svg"; }

std::string gnuplot_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out + "'";
}

std::string file_stem(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "_" : out;
}

std::string data_value(double value) {
  return std::isfinite(value) ? fmt::format("{:.17g}", value) : std::string("?");
}

std::string plot_or_placeholder(const std::vector<std::string>& elements) {
  if (elements.empty()) {
    return "set label 1 'no data' at graph 0.5, 0.5 center\nplot [0:1] [0:1] 2 notitle\nunset label 1\n";
  }
  std::string out = "plot ";
  for (std::size_t i = 0; i < elements.size(); ++i) out += (i == 0 ? "" : ", ") + elements[i];
  return out + "\n";
}

namespace {

std::string terminal(PlotFormat format, const Figure& figure) {
  // pngcairo: antialiased; svg: fixed size so width/height attributes are the figure's.
  return format == PlotFormat::kPng
             ? fmt::format("set terminal pngcairo size {},{} font 'sans,10' noenhanced\n",
                           figure.width_px, figure.height_px)
             : fmt::format("set terminal svg size {},{} fixed font 'sans,10' noenhanced\n",
                           figure.width_px, figure.height_px);
}

// A fresh directory under the system temp dir.
fs::path make_work_directory() {
  std::string pattern = (fs::temp_directory_path() / "mmoe-plots-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw ReportError(fmt::format("cannot create a temporary directory from '{}': {}; set TMPDIR to a "
                                  "writable directory", pattern, std::strerror(errno)));
  }
  return pattern;
}

}  // namespace

void prepare_output_directory(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (!error && !fs::is_directory(dir)) error = std::make_error_code(std::errc::not_a_directory);
  if (!error) {
    const fs::path probe = dir / ".mmoe-write-probe";
    std::ofstream out(probe);
    if (out) {
      out.close();
      fs::remove(probe, error);
    } else {
      error = std::make_error_code(std::errc::permission_denied);
    }
  }
  if (error) {
    throw ReportError(fmt::format("output directory '{}' is not writable ({}); pass a writable --out",
                                  dir.string(), error.message()));
  }
}

std::vector<PlotFile> render_figures(const std::vector<Figure>& figures,
                                     const std::vector<PlotFormat>& formats, const fs::path& out_dir,
                                     const std::string& gnuplot) {
  prepare_output_directory(out_dir);
  const fs::path work_dir = make_work_directory();
  std::string script;
  std::vector<PlotFile> files;
  for (const Figure& figure : figures) {
    for (const PlotFormat format : formats) {
      PlotFile file{figure.name, figure.title, format,
                    out_dir / (figure.name + "." + extension(format)), figure.width_px,
                    figure.height_px};
      script += "reset session\n";
      script += terminal(format, figure);
      script += "set output " + gnuplot_quote(file.path.string()) + "\n";
      script += kDataPreamble;
      script += figure.commands;
      script += "\nunset multiplot\nset output\n";
      files.push_back(std::move(file));
    }
  }
  const fs::path script_path = work_dir / "plots.gp";
  {
    std::ofstream out(script_path);
    out << script;
    if (!out) {
      throw ReportError(fmt::format("cannot write gnuplot script '{}'; check the directory is writable",
                                    script_path.string()));
    }
  }
  run_gnuplot(script_path, gnuplot);  // on failure the script stays for a look
  std::error_code ignored;
  fs::remove_all(work_dir, ignored);
  for (const PlotFile& file : files) {
    if (!fs::exists(file.path)) {
      throw ReportError(fmt::format("gnuplot did not write '{}'; check that '{}' is writable",
                                    file.path.string(), out_dir.string()));
    }
  }
  return files;
}

}  // namespace mmoe::tracking
