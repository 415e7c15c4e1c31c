// mmoe model graph CONFIG [key=value ...] [--out FILE]
// mmoe model params CONFIG [key=value ...] [--json]
// Both build the model the config would train on its dataset (shapes from dataset.yaml) without
// reading any shard or training.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "experiments/config_loader.h"
#include "models/make_model.h"
#include "models/model_graph.h"
#include "models/param_budget.h"
#include "trainer/model_factory.h"

namespace mmoe::cli {
namespace {

struct ModelArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out;
  bool json = false;
};

int64_t numel_of(const std::vector<torch::Tensor>& tensors) {
  int64_t total = 0;
  for (const auto& t : tensors) total += t.numel();
  return total;
}

void add_config_arguments(CLI::App* cmd, ModelArgs& args) {
  cmd->add_option("config", args.config_path, "YAML config file (see docs/config.md)")->required();
  cmd->add_option("overrides", args.overrides, "section.key=value overrides; they beat the file")->expected(0, -1);
}

int run_graph(const ModelArgs& args) {
  const auto loaded = experiments::load_config_file(args.config_path, args.overrides);
  const auto spec = trainer::configured_model_spec(loaded.config);
  const auto model = models::make_model(spec);
  const auto dot = models::model_graph_dot(spec, model->gate_layout(), models::count_parameters(spec));
  if (args.out.empty()) {
    fmt::print("{}", dot);
  } else {
    models::write_model_graph(dot, args.out);
    fmt::print(stderr, "wrote {}\n", args.out);
  }
  return kExitOk;
}

int run_params(const ModelArgs& args) {
  const auto loaded = experiments::load_config_file(args.config_path, args.overrides);
  const auto spec = trainer::configured_model_spec(loaded.config);
  const auto model = models::make_model(spec);
  const auto groups = model->parameter_groups();
  const std::vector<std::pair<std::string, int64_t>> rows = {{"shared", numel_of(groups.shared)},
                                                              {"experts", numel_of(groups.experts)},
                                                              {"gates", numel_of(groups.gates)},
                                                              {"towers", numel_of(groups.towers)}};
  const int64_t total = models::count_parameters(spec);
  const auto layout = model->gate_layout();
  if (args.json) {
    nlohmann::json j;
    j["type"] = models::to_string(spec.type);
    j["total"] = total;
    for (const auto& [name, count] : rows) j["groups"][name] = count;
    j["routing"] = layout.description;
    if (!spec.bottom_hidden.empty()) j["bottom_hidden"] = spec.bottom_hidden;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("model {} on {} features, {} tasks; {}\n", models::to_string(spec.type), spec.input_dim,
             spec.tasks.size(), layout.description);
  if (!spec.bottom_hidden.empty()) fmt::print("bottom widths: {}\n", fmt::join(spec.bottom_hidden, ", "));
  for (const auto& [name, count] : rows) fmt::print("  {:<8} {:>12}\n", name, count);
  fmt::print("  {:<8} {:>12}\n", "total", total);
  return kExitOk;
}

}  // namespace

void add_model_commands(CLI::App& app, Action& action) {
  auto* model = app.add_subcommand("model", "Inspect the model a config builds: its graph and parameter counts");
  model->require_subcommand(1);

  auto graph_args = std::make_shared<ModelArgs>();
  auto* graph = model->add_subcommand("graph", "Graphviz DOT of the configured model (stdout, or --out FILE)");
  add_config_arguments(graph, *graph_args);
  graph->add_option("--out", graph_args->out,
                    "write to FILE: .dot/.gv as text; .png/.svg/.pdf rendered with Graphviz's dot");
  graph->callback([graph_args, &action] { action = [graph_args] { return run_graph(*graph_args); }; });

  auto params_args = std::make_shared<ModelArgs>();
  auto* params = model->add_subcommand("params", "Trainable parameters of the configured model, by group");
  add_config_arguments(params, *params_args);
  params->add_flag("--json", params_args->json, "print JSON instead of a table");
  params->callback([params_args, &action] { action = [params_args] { return run_params(*params_args); }; });
}

}  // namespace mmoe::cli
