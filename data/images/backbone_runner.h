#pragma once
// Runs a frozen TorchScript backbone (torch::jit::load) on batches of preprocessed images and
// pools its output into one feature row per image. Inference runs under torch::InferenceMode.
//
// The module's forward takes float [B, 3, S, S] and returns a tensor:
//   [B, T, D] tokens, token 0 the CLS token -> pooling cls (out[:, 0]), mean (out[:, 1:].mean(1))
//                                              or both ([cls, mean] concatenated, 2D)
//   [B, D]    an already pooled vector      -> pooling cls only
#include <cstdint>
#include <filesystem>
#include <string>

#include <torch/script.h>
#include <torch/torch.h>

#include "data/data_error.h"

namespace mmoe::data {

enum class Pooling { kCls, kMean, kBoth };
const char* to_string(Pooling pooling);

// The backbone's compute dtype. CPU runs fp32 only (fp16 / bf16 need a CUDA device).
enum class BackboneDtype { kFloat32, kFloat16, kBfloat16 };
const char* to_string(BackboneDtype dtype);

class BackboneRunner {
 public:
  // DataError naming the file when it is missing or not a TorchScript module, or `dtype` is not
  // fp32 on a machine without CUDA.
  BackboneRunner(const std::filesystem::path& path, Pooling pooling, BackboneDtype dtype);

  // images float32 [B, 3, S, S] (CPU) -> features float32 [B, D'] (CPU). DataError when the
  // output is not a tensor of 2 or 3 dims, or is [B, D] with pooling mean / both.
  torch::Tensor features(const torch::Tensor& images);

  const std::string& sha256() const { return sha256_; }
  const torch::Device& device() const { return device_; }

 private:
  std::string file_;
  std::string sha256_;
  Pooling pooling_;
  torch::Device device_ = torch::kCPU;
  torch::ScalarType dtype_ = torch::kFloat32;
  torch::jit::Module module_;
};

}  // namespace mmoe::data
