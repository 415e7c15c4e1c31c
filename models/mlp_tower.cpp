#include "models/mlp_tower.h"

#include "models/model_spec.h"

namespace mmoe::models {

MlpTowerOptions tower_options_for(const TaskHeadSpec& task, int64_t input_dim, const ModelSpec& spec) {
  return MlpTowerOptions(input_dim, spec.tower_hidden, task.output_dim)
      .activation(spec.activation)
      .dropout(spec.tower_dropout)
      .output_mean(task.type == TaskType::kRegression ? task.target_mean : std::vector<double>{})
      .output_std(task.type == TaskType::kRegression ? task.target_std : std::vector<double>{});
}

MlpTowerImpl::MlpTowerImpl(MlpTowerOptions options) : options_(std::move(options)) {
  TORCH_CHECK(options_.output_dim() >= 1, "MlpTower: output_dim must be >= 1");
  const auto dim = static_cast<size_t>(options_.output_dim());
  TORCH_CHECK(options_.output_mean().size() == options_.output_std().size() &&
                  (options_.output_mean().empty() || options_.output_mean().size() == dim),
              "MlpTower: output_mean and output_std need ", dim, " entries each (or none)");
  for (double s : options_.output_std()) TORCH_CHECK(s > 0.0, "MlpTower: output_std entries must be > 0");
  reset();
}

void MlpTowerImpl::reset() {
  layers_ = register_module("layers", torch::nn::ModuleList());
  int64_t in = options_.input_dim();
  for (int64_t width : options_.hidden()) {
    layers_->push_back(torch::nn::Linear(in, width));
    in = width;
  }
  layers_->push_back(torch::nn::Linear(in, options_.output_dim()));
  if (!options_.output_mean().empty()) {
    output_mean_ = register_buffer("output_mean", torch::tensor(options_.output_mean(), torch::kFloat32));
    output_std_ = register_buffer("output_std", torch::tensor(options_.output_std(), torch::kFloat32));
  }
}

torch::Tensor MlpTowerImpl::forward(const torch::Tensor& x) {
  auto h = x;
  const size_t last = layers_->size() - 1;
  for (size_t i = 0; i < layers_->size(); ++i) {
    h = layers_[i]->as<torch::nn::Linear>()->forward(h);
    if (i == last) {
      if (output_mean_.defined()) h = h * output_std_ + output_mean_;
      break;
    }
    h = apply_activation(h, options_.activation());
    if (options_.dropout() > 0.0) h = torch::dropout(h, options_.dropout(), is_training());
  }
  return h;
}

}  // namespace mmoe::models
