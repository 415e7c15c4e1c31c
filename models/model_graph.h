#pragma once
// The architecture of a model as a Graphviz DOT graph: where the features come from (the frozen
// backbone), the input block, the experts (or shared bottom / per-task networks), one node per
// gate with edges to the experts it weighs, the mixing nodes, the towers and one output per task.
#include <cstdint>
#include <string>

#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

// Node ids are stable: backbone, input, standardize, shared, expert_<i> (i-th distinct expert name
// of the layout), gate_<g>, mix_<g>, bottom, network_<t>, tower_<t>, output_<t>.
std::string model_graph_dot(const ModelSpec& spec, const GateLayout& layout, int64_t param_count);

// Writes `dot` to `path` by extension: .dot or .gv as is; .png, .svg or .pdf rendered by Graphviz
// (`dot -T<format>`, run without a shell). Throws c10::Error naming the path when the extension is
// unknown, the file cannot be written, Graphviz is not installed or fails.
void write_model_graph(const std::string& dot, const std::string& path);

}  // namespace mmoe::models
