#include "tracking/report_figures.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace mmoe::tracking {
namespace {

int stacked_height(std::size_t panels) {
  return std::max(kMinFigureHeightPx, kPanelHeightPx * static_cast<int>(panels));
}

// The task names of the gates, in first-logged order.
std::vector<std::string> gate_tasks(const RunHistory& history) {
  std::vector<std::string> tasks;
  for (const auto& [epoch, gates] : history.gates) {
    for (const GateRecord& gate : gates) {
      if (std::find(tasks.begin(), tasks.end(), gate.task) == tasks.end()) tasks.push_back(gate.task);
    }
  }
  return tasks;
}

const GateRecord* find_gate(const std::vector<GateRecord>& gates, const std::string& task) {
  for (const GateRecord& gate : gates) {
    if (gate.task == task) return &gate;
  }
  return nullptr;
}

std::size_t max_experts(const RunHistory& history) {
  std::size_t experts = 0;
  for (const auto& [epoch, gates] : history.gates) {
    for (const GateRecord& gate : gates) experts = std::max(experts, gate.utilization.size());
  }
  return experts;
}

std::string block(const std::string& name, const std::string& rows) {
  return fmt::format("${} << EOD\n{}EOD\n", name, rows);
}

// Cells as palette-filled boxes (works for any grid, even 1 x 1, unlike `with image`).
std::string cells(const std::string& data) {
  return fmt::format("{} using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder "
                     "linecolor palette notitle",
                     data);
}

std::string heatmap_style(double max_value) {
  return fmt::format("set palette rgbformulae 33,13,10\nset cbrange [0:{}]\nunset grid\n",
                     data_value(max_value > 0 ? max_value : 1.0));
}

}  // namespace

std::optional<Figure> router_affinity_figure(const RunHistory& history) {
  if (history.gates.empty()) return std::nullopt;
  const auto& [epoch, gates] = history.gates.back();
  const std::size_t experts = max_experts(history);
  std::string rows;
  std::string ytics;
  for (std::size_t t = 0; t < gates.size(); ++t) {
    for (std::size_t e = 0; e < gates[t].utilization.size(); ++e) {
      rows += fmt::format("{} {} {}\n", e, t, data_value(gates[t].utilization[e]));
    }
    ytics += fmt::format("{}{} {}", t == 0 ? "" : ", ", gnuplot_quote(gates[t].task), t);
  }
  Figure figure;
  figure.name = "router_affinity";
  figure.title = fmt::format("Router affinity (mean gate weight per task and expert), epoch {}", epoch);
  figure.width_px = kFigureWidthPx;
  figure.height_px = stacked_height(gates.size());
  figure.commands = block("affinity", rows) + heatmap_style(1.0) +
                    fmt::format("set title {}\nset xlabel 'expert'\nset ylabel 'task'\n"
                                "set xrange [-0.5:{}]\nset yrange [-0.5:{}]\nset xtics 1\nset ytics ({})\n",
                                gnuplot_quote(figure.title), experts - 0.5, gates.size() - 0.5, ytics) +
                    "plot " + cells("$affinity") +
                    ", $affinity using 1:2:(sprintf('%.2f', $3)) with labels notitle\n";
  return figure;
}

std::optional<Figure> router_affinity_epochs_figure(const RunHistory& history) {
  const std::vector<std::string> tasks = gate_tasks(history);
  if (tasks.empty()) return std::nullopt;
  const std::size_t experts = max_experts(history);
  const int64_t first = history.gates.front().first;
  const int64_t last = history.gates.back().first;
  Figure figure;
  figure.name = "router_affinity_epochs";
  figure.title = "Router affinity across epochs (mean gate weight per epoch and expert)";
  figure.width_px = kFigureWidthPx;
  figure.height_px = stacked_height(tasks.size());
  std::string commands = heatmap_style(1.0);
  commands += fmt::format("set multiplot layout {},1 title {}\n", tasks.size(), gnuplot_quote(figure.title));
  commands += fmt::format("set xrange [{}:{}]\nset yrange [-0.5:{}]\nset ytics 1\nset xlabel 'epoch'\n"
                          "set ylabel 'expert'\n",
                          first - 0.5, last + 0.5, experts - 0.5);
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    std::string rows;
    for (const auto& [epoch, gates] : history.gates) {
      if (const GateRecord* gate = find_gate(gates, tasks[t])) {
        for (std::size_t e = 0; e < gate->utilization.size(); ++e) {
          rows += fmt::format("{} {} {}\n", epoch, e, data_value(gate->utilization[e]));
        }
      }
    }
    const std::string name = fmt::format("task{}", t);
    commands += block(name, rows);
    commands += fmt::format("set title {}\nplot {}\n", gnuplot_quote("task " + tasks[t]), cells("$" + name));
  }
  figure.commands = commands;
  return figure;
}

std::optional<Figure> expert_utilization_figure(const RunHistory& history) {
  const std::vector<std::string> tasks = gate_tasks(history);
  if (tasks.empty()) return std::nullopt;
  Figure figure;
  figure.name = "expert_utilization";
  figure.title = "Expert utilization per task over epochs";
  figure.width_px = kFigureWidthPx;
  figure.height_px = stacked_height(tasks.size());
  std::string commands = fmt::format("set multiplot layout {},1 title {}\n", tasks.size(),
                                     gnuplot_quote(figure.title));
  commands += "set xlabel 'epoch'\nset ylabel 'utilization'\nset yrange [0:*]\n";
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    std::string rows;
    std::size_t experts = 0;
    for (const auto& [epoch, gates] : history.gates) {
      const GateRecord* gate = find_gate(gates, tasks[t]);
      if (gate == nullptr) continue;
      experts = std::max(experts, gate->utilization.size());
      rows += fmt::format("{}", epoch);
      for (const double u : gate->utilization) rows += " " + data_value(u);
      rows += "\n";
    }
    const std::string name = fmt::format("task{}", t);
    commands += block(name, rows);
    commands += fmt::format(
        "set title {}\nplot for [e=0:{}] ${} using 1:(column(e+2)) with linespoints "
        "title sprintf('expert %d', e)\n",
        gnuplot_quote("task " + tasks[t]), static_cast<int64_t>(experts) - 1, name);
  }
  figure.commands = commands;
  return figure;
}

std::optional<Figure> gate_entropy_figure(const RunHistory& history) {
  const std::vector<std::string> tasks = gate_tasks(history);
  if (tasks.empty()) return std::nullopt;
  const std::size_t experts = max_experts(history);
  std::string commands;
  std::string plots;
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    std::string rows;
    for (const auto& [epoch, gates] : history.gates) {
      if (const GateRecord* gate = find_gate(gates, tasks[t])) {
        rows += fmt::format("{} {}\n", epoch, data_value(gate->entropy_nats));
      }
    }
    const std::string name = fmt::format("task{}", t);
    commands += block(name, rows);
    plots += fmt::format("${} using 1:2 with linespoints title {}, ", name, gnuplot_quote(tasks[t]));
  }
  Figure figure;
  figure.name = "gate_entropy";
  figure.title = fmt::format("Gate entropy per task over epochs (log E = {:.4f} nats for E = {})",
                             std::log(static_cast<double>(experts)), experts);
  figure.width_px = kFigureWidthPx;
  figure.height_px = kMinFigureHeightPx;
  commands += fmt::format("set title {}\nset xlabel 'epoch'\nset ylabel 'entropy (nats)'\nset yrange [0:*]\n",
                          gnuplot_quote(figure.title));
  commands += fmt::format("plot {}{} with lines dashtype 2 linecolor rgb 'black' title 'log E'\n", plots,
                          data_value(std::log(static_cast<double>(experts))));
  figure.commands = commands;
  return figure;
}

namespace {

struct Curve {
  std::string metric;  // "accuracy", "weighted_f1", "rmse"
  std::optional<double> TaskMetricsRecord::*field;
};

// The main metric of a task: the first of accuracy, weighted F1, RMSE, MAE that it logged.
Curve main_metric(const RunHistory& history, const std::string& task) {
  const Curve candidates[] = {{"accuracy", &TaskMetricsRecord::accuracy},
                              {"weighted_f1", &TaskMetricsRecord::weighted_f1},
                              {"rmse", &TaskMetricsRecord::rmse},
                              {"mae", &TaskMetricsRecord::mae}};
  for (const Curve& curve : candidates) {
    for (const auto& [epoch, row] : history.task_metrics) {
      if (row.task == task && (row.*curve.field).has_value()) return curve;
    }
  }
  return {"", nullptr};
}

std::string value_or_missing(const std::optional<double>& value) {
  return value ? data_value(*value) : std::string("?");
}

}  // namespace

std::optional<Figure> task_curves_figure(const RunHistory& history) {
  std::vector<std::string> tasks;
  for (const auto& [epoch, row] : history.task_metrics) {
    if (std::find(tasks.begin(), tasks.end(), row.task) == tasks.end()) tasks.push_back(row.task);
  }
  if (tasks.empty()) return std::nullopt;
  Figure figure;
  figure.name = "task_curves";
  figure.title = "Per-task loss and main metric over epochs (train and validation)";
  figure.width_px = kFigureWidthPx;
  figure.height_px = stacked_height(tasks.size());
  std::string commands = fmt::format("set multiplot layout {},2 title {}\nset xlabel 'epoch'\n",
                                     tasks.size(), gnuplot_quote(figure.title));
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const Curve metric = main_metric(history, tasks[t]);
    // epoch train_loss val_loss train_metric val_metric
    std::map<int64_t, std::array<std::string, 4>> by_epoch;
    for (const auto& [epoch, row] : history.task_metrics) {
      if (row.task != tasks[t] || (row.split != "train" && row.split != "val")) continue;
      auto& cells = by_epoch.try_emplace(epoch, std::array<std::string, 4>{"?", "?", "?", "?"}).first->second;
      const std::size_t offset = row.split == "train" ? 0 : 1;
      cells[offset] = value_or_missing(row.loss);
      if (metric.field != nullptr) cells[2 + offset] = value_or_missing(row.*metric.field);
    }
    std::string rows;
    std::array<bool, 4> has_data{};  // gnuplot refuses a plot whose every point is missing
    for (const auto& [epoch, cells] : by_epoch) {
      rows += fmt::format("{} {} {} {} {}\n", epoch, cells[0], cells[1], cells[2], cells[3]);
      for (std::size_t c = 0; c < 4; ++c) has_data[c] = has_data[c] || cells[c] != "?";
    }
    const std::string name = fmt::format("task{}", t);
    commands += block(name, rows);
    const auto panel = [&](std::size_t first) {
      std::vector<std::string> elements;
      for (std::size_t c = first; c < first + 2; ++c) {
        if (!has_data[c]) continue;
        elements.push_back(fmt::format("${} using 1:{} with linespoints title '{}'", name, c + 2,
                                       c % 2 == 0 ? "train" : "val"));
      }
      return plot_or_placeholder(elements);
    };
    commands += fmt::format("set title {}\nset ylabel 'loss'\n", gnuplot_quote(tasks[t] + " loss")) + panel(0);
    const std::string label = metric.field == nullptr ? "no metric" : metric.metric;
    commands += fmt::format("set title {}\nset ylabel {}\n", gnuplot_quote(tasks[t] + " " + label),
                            gnuplot_quote(label)) +
                panel(2);
  }
  figure.commands = commands;
  return figure;
}

std::optional<Figure> learning_rate_figure(const RunHistory& history) {
  std::vector<std::string> groups;
  std::map<std::string, std::string> rows;
  bool positive = true;
  for (const MetricPoint& point : history.metric_points) {
    if (point.key.rfind("lr/", 0) != 0) continue;
    if (std::find(groups.begin(), groups.end(), point.key) == groups.end()) groups.push_back(point.key);
    rows[point.key] += fmt::format("{} {}\n", point.epoch, data_value(point.value));
    positive = positive && point.value > 0;
  }
  if (groups.empty()) return std::nullopt;
  Figure figure;
  figure.name = "learning_rate";
  figure.title = "Learning rate per optimizer group";
  figure.width_px = kFigureWidthPx;
  figure.height_px = kMinFigureHeightPx;
  std::string commands;
  std::string plots;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    commands += block(fmt::format("group{}", g), rows[groups[g]]);
    plots += fmt::format("{}$group{} using 1:2 with linespoints title {}", g == 0 ? "" : ", ", g,
                         gnuplot_quote(groups[g].substr(3)));
  }
  commands += fmt::format("set title {}\nset xlabel 'epoch'\nset ylabel 'learning rate'\n{}",
                          gnuplot_quote(figure.title), positive ? "set logscale y\n" : "");
  figure.commands = commands + "plot " + plots + "\n";
  return figure;
}

std::vector<Figure> confusion_figures(const RunHistory& history) {
  std::vector<Figure> figures;
  for (const ConfusionMatrixRecord& matrix : history.final_confusion) {
    if (matrix.num_classes < 1) continue;
    // Class names from the final per-class rows of the same task and split, when logged.
    std::map<int64_t, std::string> names;
    for (const TaskMetricsRecord& row : history.run.final_task_metrics) {
      if (row.task != matrix.task || row.split != matrix.split) continue;
      for (const ClassMetricsRecord& c : row.classes) names[c.class_index] = c.class_name;
    }
    const int64_t c = matrix.num_classes;
    std::string rows;
    std::string tics;
    int64_t largest = 0;
    for (int64_t t = 0; t < c; ++t) {
      for (int64_t p = 0; p < c; ++p) {
        const int64_t count = matrix.counts[static_cast<std::size_t>(t * c + p)];
        largest = std::max(largest, count);
        rows += fmt::format("{} {} {}\n", p, t, count);
      }
      const std::string name = names.count(t) && !names[t].empty() ? names[t] : std::to_string(t);
      tics += fmt::format("{}{} {}", t == 0 ? "" : ", ", gnuplot_quote(name), t);
    }
    Figure figure;
    figure.name = "confusion_" + file_stem(matrix.task);
    figure.title = fmt::format("Confusion matrix of task {} ({} split, latest epoch)", matrix.task, matrix.split);
    figure.width_px = kFigureWidthPx;
    figure.height_px = std::max(kMinFigureHeightPx, static_cast<int>(std::min<int64_t>(c, 40)) * 24 + 160);
    figure.commands = block("cm", rows) + heatmap_style(static_cast<double>(largest)) +
                      fmt::format("set title {}\nset xlabel 'predicted'\nset ylabel 'true'\n"
                                  "set xrange [-0.5:{}]\nset yrange [{}:-0.5]\nset xtics ({}) rotate by 45 right\n"
                                  "set ytics ({})\n",
                                  gnuplot_quote(figure.title), c - 0.5, c - 0.5, tics, tics) +
                      "plot " + cells("$cm") +
                      (c <= 20 ? ", $cm using 1:2:(sprintf('%d', int($3))) with labels notitle\n" : "\n");
    figures.push_back(std::move(figure));
  }
  return figures;
}

std::vector<Figure> run_report_figures(const RunHistory& history) {
  std::vector<Figure> figures;
  for (auto build : {router_affinity_figure, router_affinity_epochs_figure, expert_utilization_figure,
                     gate_entropy_figure, task_curves_figure, learning_rate_figure}) {
    if (auto figure = build(history)) figures.push_back(std::move(*figure));
  }
  for (Figure& figure : confusion_figures(history)) figures.push_back(std::move(figure));
  return figures;
}

}  // namespace mmoe::tracking
