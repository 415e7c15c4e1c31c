#include "models/param_budget.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/make_model.h"
#include "models/spec_options.h"

namespace mmoe::models {
namespace {

// base widths scaled so the widest becomes n
std::vector<int64_t> scaled_widths(const std::vector<int64_t>& base, int64_t n) {
  const double widest = static_cast<double>(*std::max_element(base.begin(), base.end()));
  std::vector<int64_t> widths;
  widths.reserve(base.size());
  for (int64_t w : base) {
    widths.push_back(std::max<int64_t>(1, std::llround(static_cast<double>(w) * static_cast<double>(n) / widest)));
  }
  return widths;
}

// The bottom networks' own weights and biases: a lower bound of the model's count, computed
// without building it (so an oversized probe is never allocated).
int64_t bottom_parameters(const ModelSpec& spec, const std::vector<int64_t>& widths) {
  const int64_t copies = spec.type == ModelType::kSingleTask ? static_cast<int64_t>(spec.tasks.size()) : 1;
  int64_t in = spec.shared_dim > 0 ? spec.shared_dim : spec.input_dim;
  int64_t total = 0;
  for (int64_t out : widths) {
    total += (in + 1) * out;
    in = out;
  }
  return copies * total;
}

}  // namespace

int64_t count_parameters(const ModelSpec& spec) {
  const auto model = make_model(spec);
  int64_t total = 0;
  for (const auto& p : model->parameters()) total += p.numel();
  return total;
}

ModelSpec fit_to_parameter_budget(ModelSpec spec, int64_t budget) {
  TORCH_CHECK(spec.type == ModelType::kSharedBottom || spec.type == ModelType::kSingleTask,
              "fit_to_parameter_budget: model type '", to_string(spec.type),
              "' has no bottom network to scale; use shared_bottom or single_task");
  const auto base = bottom_widths(spec);
  TORCH_CHECK(!base.empty(), "fit_to_parameter_budget: bottom_hidden (or expert_hidden) needs at least one width");
  for (int64_t w : base) TORCH_CHECK(w >= 1, "fit_to_parameter_budget: widths must be >= 1, got ", w);

  // count(n), or budget + 1 when the bottom alone already exceeds the budget
  auto count_at = [&](int64_t n) {
    const auto widths = scaled_widths(base, n);
    if (bottom_parameters(spec, widths) > budget) return budget + 1;
    ModelSpec probe = spec;
    probe.bottom_hidden = widths;
    return count_parameters(probe);
  };
  const int64_t smallest = count_at(1);
  TORCH_CHECK(smallest <= budget, "fit_to_parameter_budget: even a ", to_string(spec.type),
              " with every bottom width 1 has more parameters than the budget of ", budget,
              "; raise the budget or shrink the towers / shared layer");

  // Invariant: count_at(low) <= budget < count_at(high). The bottom grows at least linearly in n.
  int64_t low = 1;
  int64_t high = 2;
  while (count_at(high) <= budget) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const int64_t mid = low + (high - low) / 2;
    (count_at(mid) <= budget ? low : high) = mid;
  }
  spec.bottom_hidden = scaled_widths(base, low);
  return spec;
}

}  // namespace mmoe::models
