#pragma once
// The device this process trains on: train.device (cpu | cuda | auto) and, for CUDA, the GPU its
// node-local rank picks (local_rank mod the visible GPU count, so one process per GPU under
// mpirun, and GPU 0 when srun / CUDA_VISIBLE_DEVICES already gives each process one GPU).
#include <cstdint>

#include <torch/torch.h>

#include "experiments/config.h"

namespace mmoe::trainer {

// TrainError when cuda is requested and LibTorch sees no CUDA device.
torch::Device choose_device(experiments::Device requested, int64_t local_rank);

}  // namespace mmoe::trainer
