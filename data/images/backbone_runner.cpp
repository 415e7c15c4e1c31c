#include "data/images/backbone_runner.h"

#include "core/sha256.h"

namespace mmoe::data {

const char* to_string(Pooling pooling) {
  switch (pooling) {
    case Pooling::kCls: return "cls";
    case Pooling::kMean: return "mean";
    case Pooling::kBoth: return "both";
  }
  return "unknown";
}

const char* to_string(BackboneDtype dtype) {
  switch (dtype) {
    case BackboneDtype::kFloat32: return "fp32";
    case BackboneDtype::kFloat16: return "fp16";
    case BackboneDtype::kBfloat16: return "bf16";
  }
  return "unknown";
}

BackboneRunner::BackboneRunner(const std::filesystem::path& path, Pooling pooling, BackboneDtype dtype)
    : file_(path.string()), pooling_(pooling) {
  if (!std::filesystem::is_regular_file(path)) {
    throw DataError("backbone '" + file_ + "' does not exist; export one with torch.jit.trace (docs/cache.md)");
  }
  sha256_ = sha256_file_hex(path);
  if (torch::cuda::is_available()) device_ = torch::Device(torch::kCUDA, 0);
  if (dtype != BackboneDtype::kFloat32 && !device_.is_cuda()) {
    throw DataError(std::string("cache: dtype ") + to_string(dtype) +
                    " needs a CUDA device; this machine runs the backbone on the CPU in fp32 only (set dtype: fp32)");
  }
  dtype_ = dtype == BackboneDtype::kFloat16 ? torch::kHalf : dtype == BackboneDtype::kBfloat16 ? torch::kBFloat16
                                                                                                : torch::kFloat32;
  try {
    module_ = torch::jit::load(file_, device_);
  } catch (const c10::Error& e) {
    throw DataError("backbone '" + file_ + "' is not a TorchScript module (torch::jit::load: " +
                    e.what_without_backtrace() + ")");
  }
  module_.eval();
  module_.to(dtype_);
}

torch::Tensor BackboneRunner::features(const torch::Tensor& images) {
  torch::InferenceMode guard;
  auto input = images.to(device_, dtype_, /*non_blocking=*/true);
  torch::IValue output;
  try {
    output = module_.forward({input});
  } catch (const c10::Error& e) {
    throw DataError("backbone '" + file_ + "' failed on input [" + std::to_string(images.size(0)) + ", 3, " +
                    std::to_string(images.size(2)) + ", " + std::to_string(images.size(3)) +
                    "]: " + e.what_without_backtrace());
  }
  if (!output.isTensor()) {
    throw DataError("backbone '" + file_ + "' returned " + output.tagKind() +
                    ", not a tensor; wrap it to return [B, T, D] tokens or [B, D] (docs/cache.md)");
  }
  const auto out = output.toTensor();
  if (out.dim() == 2) {
    if (pooling_ != Pooling::kCls) {
      throw DataError("backbone '" + file_ + "' returns pooled [B, D] features, so pooling must be cls (got " +
                      to_string(pooling_) + "); return [B, T, D] tokens for mean or both");
    }
    return out.to(torch::kCPU, torch::kFloat32).contiguous();
  }
  if (out.dim() != 3 || out.size(0) != images.size(0)) {
    throw DataError("backbone '" + file_ + "' returned shape " + c10::str(out.sizes()) +
                    "; expected [B, T, D] tokens or [B, D] with B = " + std::to_string(images.size(0)));
  }
  if (pooling_ != Pooling::kCls && out.size(1) < 2) {
    throw DataError("backbone '" + file_ + "' returned a single token; pooling " + to_string(pooling_) +
                    " needs patch tokens after the CLS token");
  }
  const auto tokens = out.to(torch::kFloat32);  // [B, T, D]
  torch::Tensor pooled;
  if (pooling_ == Pooling::kCls) pooled = tokens.select(1, 0);
  if (pooling_ == Pooling::kMean) pooled = tokens.slice(1, 1).mean(1);
  if (pooling_ == Pooling::kBoth) pooled = torch::cat({tokens.select(1, 0), tokens.slice(1, 1).mean(1)}, 1);
  return pooled.to(torch::kCPU).contiguous();  // [B, D] or [B, 2D]
}

}  // namespace mmoe::data
