#pragma once
// A ModelSpec as versioned, line-based `key=value` text: stored inside saved models and exported
// TorchScript files so a model can be rebuilt without the config that trained it.
//
// Format (version 1), one `key=value` per line, in this order, every key exactly once:
//   mmoe_model_spec=1            first line: the format version
//   type=mmoe                    mmoe | omoe | shared_bottom | single_task | ple
//   input_dim=1024
//   num_experts=8
//   expert_hidden=256,128        integer and real lists are comma-separated; empty list: nothing
//   activation=relu              relu | gelu | silu | tanh
//   expert_dropout=0  ...        reals are written with max_digits10 significant digits
//   gate.temperature=1  gate.top_k=0  gate.noisy=false  gate.load_balance_weight=0
//   standardize_features=false  shared_dim=0  shared_dropout=0  bottom_hidden=
//   ple.levels=1  ple.shared_experts=2  ple.task_experts=1
//   loss_weighting=fixed         fixed | uncertainty
//   tasks=3                      then per task t = 0, 1, ...:
//   task.0.name=color            names escape '\' as \\, newline as \n, carriage return as \r
//   task.0.type=multiclass  task.0.output_dim=4  task.0.loss_weight=1  task.0.label_smoothing=0
//   task.0.class_weights=  task.0.pos_weight=  task.0.regression_loss=mse  task.0.huber_delta=1
//   task.0.target_mean=  task.0.target_std=
// Parsing checks the version, every line's shape, key and value, and throws c10::Error naming the
// line number and its text. Values are not checked against model bounds (make_model does that).
#include <string>

#include "models/model_spec.h"

namespace mmoe::models {

inline constexpr int kModelSpecTextVersion = 1;

std::string model_spec_to_text(const ModelSpec& spec);
ModelSpec model_spec_from_text(const std::string& text);

}  // namespace mmoe::models
