#include "cli/report_graph.h"

#include <fmt/format.h>

#include "core/error.h"
#include "experiments/config_loader.h"
#include "models/make_model.h"
#include "models/model_graph.h"
#include "models/param_budget.h"
#include "trainer/model_factory.h"

namespace mmoe::cli {

tracking::ExtraFigure architecture_figure(const tracking::RunDetail& run, const std::filesystem::path& out_dir,
                                          bool svg) {
  tracking::ExtraFigure figure{"architecture", "Architecture (from the run's stored config)", {}, {}};
  const std::filesystem::path path = out_dir / (svg ? "architecture.svg" : "architecture.png");
  try {
    const auto loaded = experiments::load_config_text(run.config_yaml, fmt::format("run {} config", run.summary.id));
    const auto spec = trainer::configured_model_spec(loaded.config);
    const auto model = models::make_model(spec);
    models::write_model_graph(models::model_graph_dot(spec, model->gate_layout(), models::count_parameters(spec)),
                              path.string());
    figure.path = path;
  } catch (const mmoe::Error& error) {
    figure.note = fmt::format("architecture graph not drawn: {}", error.what());
  } catch (const c10::Error& error) {
    figure.note = fmt::format("architecture graph not drawn: {}", error.what_without_backtrace());
  }
  return figure;
}

}  // namespace mmoe::cli
