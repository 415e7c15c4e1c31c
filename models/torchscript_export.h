#pragma once
// Export of a trained model as a TorchScript module for deployment: loadable by torch::jit::load in
// C++ and by torch.jit.load in Python, with no mmoe-trainer code.
//
// The exported module (class __torch__.mmoe_trainer.MultiTaskModel) has
//   forward(x: Tensor[B, input_dim]) -> Tuple[Tensor, ...]   one output per task, in task order:
//       logits (multiclass, multilabel) or predictions in original units (regression)
//   forward_with_gates(x) -> Tuple[Tuple[Tensor, ...], Tensor]   (only for models with gates)
//       the task outputs and the gate weights [B, G, E_g]
// and the attributes task_names, task_types (List[str]), output_dims (List[int]), gate_names
// (List[str]), input_dim (int), model_spec (str, models/model_spec_text.h); the spec is also in
// the file's extra file "model_spec.txt". Parameters and buffers are flat attributes named after
// their C++ path with '.' replaced by '_' (e.g. experts_weight_0).
//
// How: the C++ module is traced in eval mode (torch::jit::tracer::trace) with the exported
// module as `self`, so parameters become attribute reads rather than constants. A C++ trace
// records x.size(0) as a constant, so the model is traced at two batch sizes and every constant
// that differs between the traces as k * batch is replaced by k * x.size(0); any other difference
// is an error. Before the file is renamed into place it is loaded back and its outputs are
// compared with the C++ model's at a third batch size.
#include <string>

#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

// Writes `model` (built from `spec`) to `path` (atomically, via "<path>.partial"). The model is
// traced in eval mode and its training mode restored afterwards. Throws c10::Error naming the path
// and the reason when the model cannot be exported faithfully.
void export_torchscript(MultiTaskModelImpl& model, const ModelSpec& spec, const std::string& path);

}  // namespace mmoe::models
