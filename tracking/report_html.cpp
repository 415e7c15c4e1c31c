#include "tracking/report_html.h"

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "tracking/base64.h"
#include "tracking/number_format.h"
#include "tracking/report_error.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStyle = R"css(
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1000px; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warnings { border: 3px solid #c00; background: #fff0f0; padding: 0.5em 1em; margin: 1em 0; }
.warnings h2 { color: #c00; margin-top: 0.2em; }
.ok { border: 2px solid #2a2; background: #f0fff0; padding: 0.5em 1em; }
figure { margin: 2em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-weight: bold; margin-bottom: 0.5em; }
.note { color: #666; font-style: italic; }
)css";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ReportError(fmt::format("cannot read '{}' to embed it in the report; check it exists", path.string()));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string summary_table(const RunDetail& run) {
  const RunSummary& s = run.summary;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"run", s.id},
      {"experiment", s.experiment},
      {"name", s.name},
      {"status", display_status(s)},
      {"started", s.started_at},
      {"ended", s.ended_at.empty() ? "-" : s.ended_at},
      {"epochs", std::to_string(s.epochs_logged)},
      {"monitor", s.monitor.empty() ? "-" : s.monitor},
      {"best epoch", s.best_epoch ? std::to_string(*s.best_epoch) : "-"},
      {"best value", format_number(s.best_metric)},
      {"host", run.host},
      {"world size", std::to_string(run.world_size)},
      {"git commit", run.git_commit.empty() ? "-" : run.git_commit},
  };
  std::string html = "<h2>Summary</h2>\n<table>\n";
  for (const auto& [key, value] : rows) {
    html += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(key), html_escape(value));
  }
  return html + "</table>\n";
}

std::string final_metrics_table(const RunDetail& run) {
  if (run.final_task_metrics.empty()) return "";
  std::string html =
      "<h2>Final per-task metrics</h2>\n<table>\n<tr><th>task</th><th>split</th><th>rows</th><th>loss</th>"
      "<th>accuracy</th><th>macro F1</th><th>weighted F1</th><th>AUC</th><th>MAE</th><th>RMSE</th>"
      "<th>R&sup2;</th></tr>\n";
  for (const TaskMetricsRecord& row : run.final_task_metrics) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>", html_escape(row.task),
                        html_escape(row.split), row.labelled_rows);
    for (const auto* value : {&row.loss, &row.accuracy, &row.macro_f1, &row.weighted_f1, &row.auc, &row.mae,
                              &row.rmse, &row.r2}) {
      html += fmt::format("<td class=\"num\">{}</td>", format_number(*value));
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string warnings_box(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "<div class=\"ok\">No gate collapse at the final epoch.</div>\n";
  std::string html = fmt::format(
      "<div class=\"warnings\" id=\"collapse-warnings\">\n<h2>&#9888; Gate collapse: {} warning(s)</h2>\n<ul>\n",
      warnings.size());
  for (const std::string& warning : warnings) html += "<li>" + html_escape(warning) + "</li>\n";
  return html + "</ul>\n</div>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string image_data_uri(const fs::path& path) {
  const std::string type = path.extension() == ".svg" ? "image/svg+xml" : "image/png";
  return "data:" + type + ";base64," + base64_encode(read_file(path));
}

std::string html_page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n{}</body>\n</html>\n",
      html_escape(title), kStyle, html_escape(title), body);
}

std::string figures_html(const std::vector<PlotFile>& plots) {
  // One <figure> per plot name; the SVG is embedded when there is one (it scales), else the PNG.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PlotFile*>> by_name;
  for (const PlotFile& plot : plots) {
    if (!by_name.count(plot.name)) order.push_back(plot.name);
    by_name[plot.name].push_back(&plot);
  }
  std::string html;
  for (const std::string& name : order) {
    const std::vector<const PlotFile*>& files = by_name[name];
    const PlotFile* shown = files.front();
    std::string listed;
    for (const PlotFile* file : files) {
      if (file->format == PlotFormat::kSvg) shown = file;
      listed += (listed.empty() ? "" : " ") + file->path.filename().string();
    }
    html += fmt::format(
        "<figure id=\"{}\" data-files=\"{}\">\n<figcaption>{}</figcaption>\n"
        "<img alt=\"{}\" width=\"{}\" src=\"{}\">\n</figure>\n",
        html_escape(name), html_escape(listed), html_escape(shown->title), html_escape(shown->title),
        shown->width_px, image_data_uri(shown->path));
  }
  return html;
}

std::string run_report_html(const RunHistory& history, const std::vector<std::string>& warnings,
                            const std::vector<PlotFile>& plots, const std::vector<ExtraFigure>& extras) {
  std::string body = warnings_box(warnings) + summary_table(history.run) + final_metrics_table(history.run);
  body += "<h2>Figures</h2>\n" + figures_html(plots);
  for (const ExtraFigure& extra : extras) {
    body += fmt::format("<figure id=\"{}\" data-files=\"{}\">\n<figcaption>{}</figcaption>\n", html_escape(extra.name),
                        html_escape(extra.path.filename().string()), html_escape(extra.title));
    body += extra.path.empty()
                ? fmt::format("<p class=\"note\">{}</p>\n", html_escape(extra.note))
                : fmt::format("<img alt=\"{}\" src=\"{}\">\n", html_escape(extra.title), image_data_uri(extra.path));
    body += "</figure>\n";
  }
  const RunSummary& s = history.run.summary;
  return html_page(fmt::format("mmoe report: run {} ({} / {})", s.id, s.experiment, s.name), body);
}

}  // namespace mmoe::tracking
