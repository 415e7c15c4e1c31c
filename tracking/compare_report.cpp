#include "tracking/compare_report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "tracking/metric_mode.h"
#include "tracking/number_format.h"
#include "tracking/report_error.h"
#include "tracking/report_html.h"
#include "tracking/run_compare.h"
#include "tracking/run_report.h"
#include "tracking/text_table.h"

namespace mmoe::tracking {
namespace {

bool better(double a, double b, MetricMode mode) { return mode == MetricMode::kMax ? a > b : a < b; }

void best_of(const RunDetail& run, const std::string& metric, MetricMode mode, RankedTrial& trial) {
  for (const EpochRow& row : run.epochs) {
    const auto found = row.metrics.find(metric);
    if (found == row.metrics.end() || std::isnan(found->second)) continue;
    if (!trial.value || better(found->second, *trial.value, mode)) {
      trial.value = found->second;
      trial.epoch = row.epoch;
    }
  }
}

std::optional<double> as_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Metric against one param: numbers on a numeric x axis, anything else as categories.
Figure param_figure(const CompareReport& report, std::size_t p) {
  const std::string& param = report.params[p];
  bool numeric = true;
  for (const RankedTrial& trial : report.ranked) {
    numeric = numeric && (trial.params[p] == "-" || as_number(trial.params[p]).has_value());
  }
  std::vector<std::string> categories;
  std::string rows;
  for (const RankedTrial& trial : report.ranked) {
    if (!trial.value || trial.params[p] == "-") continue;
    double x = 0;
    if (numeric) {
      x = *as_number(trial.params[p]);
    } else {
      auto found = std::find(categories.begin(), categories.end(), trial.params[p]);
      if (found == categories.end()) found = categories.insert(categories.end(), trial.params[p]);
      x = static_cast<double>(found - categories.begin());
    }
    rows += fmt::format("{} {} {}\n", data_value(x), data_value(*trial.value), trial.summary.id.substr(0, 6));
  }
  Figure figure;
  figure.name = "metric_vs_" + file_stem(param);
  figure.title = fmt::format("{} against {}", report.metric, param);
  std::string commands = fmt::format("$runs << EOD\n{}EOD\nset title {}\nset xlabel {}\nset ylabel {}\nset offsets 0.5, 0.5, 0, 0\n",
                                     rows, gnuplot_quote(figure.title), gnuplot_quote(param),
                                     gnuplot_quote(report.metric));
  if (!numeric) {
    std::string tics;
    for (std::size_t c = 0; c < categories.size(); ++c) {
      tics += fmt::format("{}{} {}", c == 0 ? "" : ", ", gnuplot_quote(categories[c]), c);
    }
    commands += fmt::format("set xtics ({})\n", tics);
  }
  commands += rows.empty() ? plot_or_placeholder({})
                          : std::string("plot $runs using 1:2 with points pointtype 7 pointsize 1.5 notitle, "
                                        "$runs using 1:2:3 with labels offset 0,1 notitle\n");
  figure.commands = commands;
  return figure;
}

std::string ranked_table_html(const CompareReport& report) {
  std::string html = fmt::format("<h2>Runs ranked by {} ({} is better)</h2>\n<table>\n<tr><th>rank</th><th>run</th>"
                                 "<th>name</th><th>status</th><th>{}</th><th>epoch</th>",
                                 html_escape(report.metric), report.mode == MetricMode::kMax ? "higher" : "lower",
                                 html_escape(report.metric));
  for (const std::string& param : report.params) html += "<th>" + html_escape(param) + "</th>";
  html += "</tr>\n";
  for (std::size_t i = 0; i < report.ranked.size(); ++i) {
    const RankedTrial& trial = report.ranked[i];
    html += fmt::format("<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                        "<td class=\"num\">{}</td>",
                        i + 1, trial.summary.id, html_escape(trial.summary.name),
                        html_escape(display_status(trial.summary)), format_number(trial.value),
                        trial.epoch ? std::to_string(*trial.epoch) : "-");
    for (const std::string& value : trial.params) html += "<td>" + html_escape(value) + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

CompareReport rank_runs(const Store& store, const std::vector<std::string>& run_ids, const std::string& metric,
                        std::optional<MetricMode> mode) {
  if (run_ids.size() < 2) {
    throw ReportError(fmt::format("--compare needs at least two runs (got {}); name two or more run ids",
                                  run_ids.size()));
  }
  std::vector<RunDetail> runs;
  std::set<std::string> seen;
  for (const std::string& id : run_ids) {
    runs.push_back(store.get_run(id));
    if (!seen.insert(runs.back().summary.id).second) {
      throw ReportError(fmt::format("run '{}' is named twice in --compare; name each run once", runs.back().summary.id));
    }
  }
  CompareReport report;
  report.metric = metric.empty() ? runs.front().summary.monitor : metric;
  if (report.metric.empty()) {
    throw ReportError(fmt::format("run '{}' has no monitored metric; choose one with --metric",
                                  runs.front().summary.id));
  }
  report.mode = mode ? *mode : infer_metric_mode(report.metric);
  const RunComparison comparison = compare_runs(runs);
  for (const ComparisonRow& row : comparison.differing_params) report.params.push_back(row.key);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    RankedTrial trial;
    trial.summary = runs[r].summary;
    best_of(runs[r], report.metric, report.mode, trial);
    for (const ComparisonRow& row : comparison.differing_params) trial.params.push_back(row.values[r].value_or("-"));
    report.ranked.push_back(std::move(trial));
  }
  std::stable_sort(report.ranked.begin(), report.ranked.end(), [&](const RankedTrial& a, const RankedTrial& b) {
    if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
    return a.value && better(*a.value, *b.value, report.mode);
  });
  return report;
}

CompareReport write_compare_report(const Store& store, const std::vector<std::string>& run_ids,
                                   const CompareReportOptions& options) {
  CompareReport report = rank_runs(store, run_ids, options.metric, options.mode);
  std::vector<Figure> figures;
  for (std::size_t p = 0; p < report.params.size(); ++p) figures.push_back(param_figure(report, p));
  if (figures.empty()) {
    prepare_output_directory(options.out_dir);
  } else {
    report.plots = render_figures(figures, options.formats, options.out_dir, options.gnuplot);
  }
  std::string body = ranked_table_html(report);
  if (report.params.empty()) body += "<p class=\"note\">The runs share every hyperparameter: nothing to plot.</p>\n";
  body += figures_html(report.plots);
  report.html = options.out_dir / "compare.html";
  write_text_file(report.html, html_page(fmt::format("mmoe report: {} runs compared by {}", report.ranked.size(), report.metric), body));
  return report;
}

std::string format_compare_report(const CompareReport& report) {
  std::vector<std::string> header = {"rank", "id", "name", report.metric, "epoch"};
  for (const std::string& param : report.params) header.push_back(param);
  TextTable table(header);
  for (const std::size_t c : {0, 3, 4}) table.set_align(c, TextTable::Align::kRight);
  for (std::size_t i = 0; i < report.ranked.size(); ++i) {
    const RankedTrial& trial = report.ranked[i];
    std::vector<std::string> row = {std::to_string(i + 1), trial.summary.id, trial.summary.name,
                                    format_number(trial.value), trial.epoch ? std::to_string(*trial.epoch) : "-"};
    for (const std::string& value : trial.params) row.push_back(value);
    table.add_row(row);
  }
  return fmt::format("runs ranked by '{}' ({} is better)\n", report.metric,
                     report.mode == MetricMode::kMax ? "higher" : "lower") +
         table.render();
}

}  // namespace mmoe::tracking
