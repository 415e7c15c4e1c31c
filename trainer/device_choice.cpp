#include "trainer/device_choice.h"

#include "trainer/train_error.h"

namespace mmoe::trainer {

torch::Device choose_device(experiments::Device requested, int64_t local_rank) {
  const bool cuda = torch::cuda::is_available();
  if (requested == experiments::Device::kCuda && !cuda) {
    throw TrainError("train.device: 'cuda' requested but LibTorch sees no CUDA device; use train.device=cpu or auto");
  }
  if (requested == experiments::Device::kCpu || !cuda) return torch::Device(torch::kCPU);
  const auto gpus = static_cast<int64_t>(torch::cuda::device_count());
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % gpus));
}

}  // namespace mmoe::trainer
