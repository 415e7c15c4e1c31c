#pragma once
// The figures of `mmoe report RUN` (docs/report.md), as gnuplot commands over the run's history.
// Each builder returns nothing (std::nullopt) when the run logged nothing it could plot.
#include <optional>
#include <vector>

#include "tracking/plot_render.h"
#include "tracking/store.h"

namespace mmoe::tracking {

// Panel heights: a figure of N stacked panels is kPanelHeightPx * N tall (at least
// kMinFigureHeightPx); every figure is kFigureWidthPx wide.
constexpr int kFigureWidthPx = 900;
constexpr int kPanelHeightPx = 320;
constexpr int kMinFigureHeightPx = 480;

// Task x expert mean gate weight at the final epoch ("router_affinity").
std::optional<Figure> router_affinity_figure(const RunHistory& history);
// One panel per task: epoch x expert mean gate weight ("router_affinity_epochs").
std::optional<Figure> router_affinity_epochs_figure(const RunHistory& history);
// One panel per task: each expert's utilization over epochs ("expert_utilization").
std::optional<Figure> expert_utilization_figure(const RunHistory& history);
// Gate entropy (nats) per task over epochs with the log E reference line ("gate_entropy").
std::optional<Figure> gate_entropy_figure(const RunHistory& history);
// Per task: loss (train, val) and its main metric (accuracy, weighted F1, or RMSE) over epochs
// ("task_curves").
std::optional<Figure> task_curves_figure(const RunHistory& history);
// The learning rate of every optimizer group (metrics lr/<group>) over epochs ("learning_rate").
std::optional<Figure> learning_rate_figure(const RunHistory& history);
// One per multiclass task with a stored confusion matrix ("confusion_<task>").
std::vector<Figure> confusion_figures(const RunHistory& history);

// Every figure above that has data, in that order.
std::vector<Figure> run_report_figures(const RunHistory& history);

}  // namespace mmoe::tracking
