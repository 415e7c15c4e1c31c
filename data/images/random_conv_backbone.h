#pragma once
// A small fixed TorchScript backbone of random convolutional features, for the examples and the
// tests (no pretrained weights needed): two random 3x3 convolutions with ReLU, then adaptive
// average pooling to a grid x grid map whose cells are the patch tokens; the CLS token is a fixed
// random projection of all cells. forward: float [B, 3, S, S] -> tokens [B, 1 + grid^2, channels].
// The same seed gives the same weights; save() writes a file torch::jit::load reads.
#include <cstdint>

#include <torch/script.h>

namespace mmoe::data {

struct RandomConvBackboneOptions {
  int64_t channels = 64;  // D, the token width
  int64_t grid = 4;       // patch tokens per side
  uint64_t seed = 0;
};

torch::jit::Module make_random_conv_backbone(const RandomConvBackboneOptions& options);

}  // namespace mmoe::data
