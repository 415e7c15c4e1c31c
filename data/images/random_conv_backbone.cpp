#include "data/images/random_conv_backbone.h"

#include <cmath>

#include <torch/torch.h>

namespace mmoe::data {

torch::jit::Module make_random_conv_backbone(const RandomConvBackboneOptions& options) {
  const int64_t c = options.channels, g = options.grid;
  auto generator = at::detail::createCPUGenerator(options.seed);
  auto normal = [&](std::vector<int64_t> shape, double fan_in) {
    return torch::randn(shape, generator, torch::kFloat32) * std::sqrt(2.0 / fan_in);
  };
  torch::jit::Module module("RandomConvBackbone");
  module.register_parameter("conv1_weight", normal({c, 3, 3, 3}, 27.0), false);
  module.register_parameter("conv1_bias", torch::zeros({c}), false);
  module.register_parameter("conv2_weight", normal({c, c, 3, 3}, 9.0 * c), false);
  module.register_parameter("conv2_bias", torch::zeros({c}), false);
  module.register_parameter("cls_projection", normal({g * g * c, c}, static_cast<double>(g * g * c)), false);
  module.register_attribute("grid", c10::IntType::get(), g);
  module.define(R"JIT(
def forward(self, x):
    h = torch.relu(torch.conv2d(x, self.conv1_weight, self.conv1_bias, [2, 2], [1, 1]))
    h = torch.relu(torch.conv2d(h, self.conv2_weight, self.conv2_bias, [1, 1], [1, 1]))
    h = torch.adaptive_avg_pool2d(h, [self.grid, self.grid])
    patches = h.flatten(2).transpose(1, 2)
    cls = torch.relu(torch.matmul(patches.flatten(1), self.cls_projection))
    return torch.cat([cls.unsqueeze(1), patches], 1)
)JIT");
  module.eval();
  return module;
}

}  // namespace mmoe::data
