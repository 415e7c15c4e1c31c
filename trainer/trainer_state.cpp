// Trainer::capture_state / restore_state: the trainer's side of checkpoints (trainer/train_state.h).
#include <ATen/CPUGeneratorImpl.h>

#include <sstream>

#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

std::string shape_text(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// Every parameter and buffer by its module name, parameters first.
std::vector<std::pair<std::string, torch::Tensor>> named_tensors(models::MultiTaskModelImpl& model) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : model.named_parameters(true)) tensors.emplace_back(item.key(), item.value());
  for (const auto& item : model.named_buffers(true)) tensors.emplace_back(item.key(), item.value());
  return tensors;
}

const char* const kRefit = "; resume with the config the checkpoint was written with";

}  // namespace

TrainingState Trainer::capture_state() {
  torch::NoGradGuard no_grad;
  TrainingState state;
  state.loop = loop_;
  state.policies = loop_state();
  state.sampler = sampler_->position();
  if (stopped_partial_) {
    state.partial = *stopped_partial_;
    state.sampler = data::SamplerPosition{stopped_partial_->epoch, stopped_partial_->next_batch};
  }
  if (scheduler_) state.scheduler = scheduler_->state();
  state.learning_rates = optimizer_.learning_rates();
  auto& adam_state = optimizer_.optimizer->state();
  for (auto& group : optimizer_.optimizer->param_groups()) {
    std::vector<std::optional<AdamMoments>> moments;
    for (auto& p : group.params()) {
      const auto found = adam_state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (found == adam_state.end()) {
        moments.emplace_back();
        continue;
      }
      const auto& s = static_cast<torch::optim::AdamWParamState&>(*found->second);
      moments.push_back(AdamMoments{s.step(), s.exp_avg().detach().cpu().clone(), s.exp_avg_sq().detach().cpu().clone()});
    }
    state.optimizer.push_back(std::move(moments));
  }
  for (const auto& [name, tensor] : named_tensors(*model_)) {
    state.model.emplace_back(name, tensor.detach().cpu().clone());
  }
  state.cpu_rng = at::detail::getDefaultCPUGenerator().get_state();
  if (torch::cuda::is_available()) {
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d) {
      const auto device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d));
      state.cuda_rng.push_back(at::globalContext().defaultGenerator(device).get_state());
    }
  }
  return state;
}

void Trainer::restore_state(const TrainingState& state) {
  torch::NoGradGuard no_grad;
  auto tensors = named_tensors(*model_);
  if (tensors.size() != state.model.size()) {
    throw TrainError("the checkpoint holds " + std::to_string(state.model.size()) +
                     " model tensors but the model built from the config has " + std::to_string(tensors.size()) +
                     kRefit);
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, saved] = state.model[i];
    auto& [model_name, tensor] = tensors[i];
    if (name != model_name || !saved.sizes().equals(tensor.sizes()) || saved.scalar_type() != tensor.scalar_type()) {
      throw TrainError("model tensor '" + model_name + "' " + shape_text(tensor) + " does not match the checkpoint's '" +
                       name + "' " + shape_text(saved) + kRefit);
    }
  }
  auto& groups = optimizer_.optimizer->param_groups();
  if (groups.size() != state.optimizer.size() || groups.size() != state.learning_rates.size()) {
    throw TrainError("the checkpoint has " + std::to_string(state.optimizer.size()) +
                     " optimizer parameter groups, the model built from the config " + std::to_string(groups.size()) +
                     kRefit);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].params().size() != state.optimizer[g].size()) {
      throw TrainError("optimizer group " + std::to_string(g) + " ('" + optimizer_.group_names[g] + "') has " +
                       std::to_string(groups[g].params().size()) + " parameters, the checkpoint " +
                       std::to_string(state.optimizer[g].size()) + kRefit);
    }
  }
  if (scheduler_.has_value() != !state.scheduler.empty()) {
    throw TrainError(std::string("the checkpoint ") + (state.scheduler.empty() ? "has no" : "has a") +
                     " scheduler state but scheduler.type is " + (scheduler_ ? "plateau" : "none") + kRefit);
  }

  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].second.copy_(state.model[i].second);
  auto& adam_state = optimizer_.optimizer->state();
  for (size_t g = 0; g < groups.size(); ++g) {
    auto& params = groups[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      const auto key = c10::guts::to_string(params[i].unsafeGetTensorImpl());
      adam_state.erase(key);
      const auto& saved = state.optimizer[g][i];
      if (!saved) continue;
      if (!saved->exp_avg.sizes().equals(params[i].sizes())) {
        throw TrainError("the optimizer moments of group " + std::to_string(g) + " parameter " + std::to_string(i) +
                         " have shape " + shape_text(saved->exp_avg) + ", the parameter " + shape_text(params[i]) +
                         kRefit);
      }
      auto moments = std::make_unique<torch::optim::AdamWParamState>();
      moments->step(saved->step);
      moments->exp_avg(saved->exp_avg.to(params[i].device()).clone());
      moments->exp_avg_sq(saved->exp_avg_sq.to(params[i].device()).clone());
      adam_state[key] = std::move(moments);
    }
  }
  optimizer_.set_learning_rates(state.learning_rates);
  if (scheduler_) scheduler_->load_state(state.scheduler);
  sampler_->restore(state.sampler);
  resume_partial_.reset();
  if (state.partial.epoch > 0) {
    if (state.partial.epoch != state.loop.completed_epoch + 1) {
      throw TrainError("the checkpoint's partial epoch " + std::to_string(state.partial.epoch) +
                       " does not follow its completed epoch " + std::to_string(state.loop.completed_epoch) +
                       "; the checkpoint is inconsistent");
    }
    resume_partial_ = state.partial;
    if (communicator_.rank() != 0) {
      // The sums are over every rank and rank 0 carries them; the epoch's end adds the others'.
      for (auto& sums : resume_partial_->metric_states) std::fill(sums.begin(), sums.end(), 0.0);
      for (auto& problems : resume_partial_->auc_scores) {
        for (auto& [positive, negative] : problems) {
          positive.clear();
          negative.clear();
        }
      }
      if (resume_partial_->gate_sums.defined()) resume_partial_->gate_sums = torch::zeros_like(resume_partial_->gate_sums);
    }
  }
  loop_ = state.loop;
  load_loop_state(state.policies);
  auto cpu_generator = at::detail::getDefaultCPUGenerator();  // a handle to the global generator
  cpu_generator.set_state(state.cpu_rng);
  if (torch::cuda::is_available()) {
    const auto devices = static_cast<size_t>(torch::cuda::device_count());
    for (size_t d = 0; d < std::min(devices, state.cuda_rng.size()); ++d) {
      auto generator = at::globalContext().defaultGenerator(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d)));
      generator.set_state(state.cuda_rng[d]);
    }
  }
}

}  // namespace mmoe::trainer
