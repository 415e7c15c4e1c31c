#include "distributed/gradient_reducer.h"

#include <string>

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include "distributed/collective_error.h"

namespace mmoe::distributed {

// Runs after AccumulateGrad has written the parameter's .grad.
struct GradientReducer::Hook final : public torch::autograd::FunctionPostHook {
  Hook(GradientReducer& reducer, size_t parameter) : reducer_(reducer), parameter_(parameter) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& inputs) override {
    reducer_.mark_ready(parameter_);
    return outputs;
  }
  GradientReducer& reducer_;
  size_t parameter_;
};

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                                 GradientReducerOptions options)
    : parameters_(std::move(parameters)), communicator_(communicator), options_(options) {
  if (options_.op == ReduceOp::kMax) {
    throw DistributedError("GradientReducer: gradients are summed or averaged, not reduced by max");
  }
  std::vector<ParameterSlot> slots;
  std::vector<size_t> reduced;  // registration indices of parameters that require grad
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const auto& p = parameters_[i];
    if (!p.defined()) throw DistributedError("GradientReducer: parameter " + std::to_string(i) + " is undefined");
    if (p.device() != parameters_.front().device()) {
      throw DistributedError("GradientReducer: parameter " + std::to_string(i) + " is on " + p.device().str() +
                             " but parameter 0 is on " + parameters_.front().device().str() +
                             "; move the whole model to one device first");
    }
    if (!p.requires_grad()) continue;
    reduced.push_back(i);
    slots.push_back({p.numel(), p.scalar_type()});
  }
  plans_ = plan_buckets(slots, bucket_bytes_from_mb(options_.bucket_mb));
  bucket_of_.assign(parameters_.size(), -1);
  for (size_t b = 0; b < plans_.size(); ++b) {
    auto& plan = plans_[b];
    for (auto& index : plan.parameters) {
      index = reduced[index];  // slot index -> registration index
      bucket_of_[index] = static_cast<int64_t>(b);
    }
    flat_.push_back(torch::empty({plan.numel}, parameters_.front().options().dtype(plan.dtype).requires_grad(false)));
    waiting_.push_back(static_cast<int64_t>(plan.parameters.size()));
  }
  pending_.resize(plans_.size());
  ready_.assign(parameters_.size(), false);
  for (const size_t i : reduced) {
    auto accumulator = torch::autograd::impl::grad_accumulator(parameters_[i]);
    MMOE_ASSERT(accumulator != nullptr, "parameter " + std::to_string(i) + " has no gradient accumulator");
    hook_keys_.push_back(accumulator->add_post_hook(std::make_unique<Hook>(*this, i)));
    accumulators_.push_back(std::move(accumulator));
  }
}

GradientReducer::~GradientReducer() {
  for (size_t k = 0; k < accumulators_.size(); ++k) accumulators_[k]->del_post_hook(hook_keys_[k]);
}

void GradientReducer::broadcast_parameters() {
  torch::NoGradGuard no_grad;
  communicator_.broadcast(parameters_, 0);
}

void GradientReducer::mark_ready(size_t parameter) {
  const int64_t bucket = bucket_of_[parameter];
  MMOE_ASSERT(bucket >= 0, "a gradient hook fired for parameter " + std::to_string(parameter) + " outside every bucket");
  if (ready_[parameter]) {
    throw InternalError("GradientReducer: parameter " + std::to_string(parameter) +
                        " received a second gradient before finalize(); call finalize() after every backward");
  }
  ready_[parameter] = true;
  if (--waiting_[static_cast<size_t>(bucket)] == 0) launch_ready_buckets();
  // Give in-flight reductions a chance to progress (MPI progresses only inside MPI calls).
  for (size_t b = 0; b < next_launch_; ++b) {
    if (pending_[b]) pending_[b]->test();
  }
}

void GradientReducer::launch_ready_buckets() {
  torch::NoGradGuard no_grad;
  const bool single = communicator_.world_size() == 1;
  while (next_launch_ < plans_.size() && waiting_[next_launch_] == 0) {
    const auto& plan = plans_[next_launch_];
    auto& flat = flat_[next_launch_];
    if (!single) {
      for (size_t k = 0; k < plan.parameters.size(); ++k) {
        const auto& grad = parameters_[plan.parameters[k]].grad();
        flat.narrow(0, plan.offsets[k], grad.numel()).copy_(grad.reshape({-1}));
      }
      pending_[next_launch_] = communicator_.all_reduce_async(flat, options_.op);
    }
    ++next_launch_;
  }
}

void GradientReducer::finalize() {
  if (next_launch_ < plans_.size()) {
    for (const size_t p : plans_[next_launch_].parameters) {
      if (!ready_[p]) {
        throw InternalError("GradientReducer::finalize: parameter " + std::to_string(p) + " (bucket " +
                            std::to_string(next_launch_) +
                            ") got no gradient this step; every parameter that requires grad must take part in "
                            "the loss (the reducer has no unused-parameter search)");
      }
    }
    MMOE_ASSERT(false, "bucket " + std::to_string(next_launch_) + " is complete but was never started");
  }
  torch::NoGradGuard no_grad;
  for (size_t b = 0; b < plans_.size(); ++b) {
    if (pending_[b]) {
      pending_[b]->wait();
      pending_[b].reset();
      const auto& plan = plans_[b];
      for (size_t k = 0; k < plan.parameters.size(); ++k) {
        auto grad = parameters_[plan.parameters[k]].grad();
        grad.copy_(flat_[b].narrow(0, plan.offsets[k], grad.numel()).view(grad.sizes()));
      }
    }
    waiting_[b] = static_cast<int64_t>(plans_[b].parameters.size());
  }
  std::fill(ready_.begin(), ready_.end(), false);
  next_launch_ = 0;
}

}  // namespace mmoe::distributed
