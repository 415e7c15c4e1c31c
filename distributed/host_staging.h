#pragma once
// MPI reduces host memory. A CUDA tensor is copied into a pinned host buffer, reduced there and
// copied back (only in builds with CUDA; the Debian LibTorch has no CUDA tensors at all).
#include <torch/torch.h>

namespace mmoe::distributed {

// `flat` itself when it is on the CPU, else a pinned host copy of it. `collective` names the
// caller in errors (a CUDA tensor in a build without CUDA is a DistributedError).
torch::Tensor stage_to_host(const torch::Tensor& flat, const char* collective);

// Copies `host` back into `flat` when stage_to_host made a copy; otherwise nothing.
void unstage_from_host(const torch::Tensor& host, torch::Tensor& flat);

}  // namespace mmoe::distributed
