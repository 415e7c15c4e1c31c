#pragma once
// How the gradient reducer groups parameters into buckets, as a pure function.
//
// Parameters are taken in REVERSE registration order (backward produces the last layers'
// gradients first, so the first bucket fills first) and packed greedily: a bucket holds
// parameters of one dtype whose total size is at most `bucket_bytes`; a parameter is never
// split, and one larger than `bucket_bytes` gets a bucket of its own.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace mmoe::distributed {

struct ParameterSlot {
  int64_t numel = 0;
  torch::ScalarType dtype = torch::kFloat32;
};

struct BucketPlan {
  std::vector<size_t> parameters;  // indices into the registration-order list, in bucket order
  std::vector<int64_t> offsets;    // element offset of each parameter in the flat buffer
  int64_t numel = 0;               // flat buffer length
  torch::ScalarType dtype = torch::kFloat32;
  int64_t bytes() const { return numel * static_cast<int64_t>(c10::elementSize(dtype)); }
};

// `bucket_bytes` > 0 (DistributedError otherwise, naming distributed.bucket_mb).
std::vector<BucketPlan> plan_buckets(const std::vector<ParameterSlot>& parameters, int64_t bucket_bytes);

// distributed.bucket_mb (MiB, > 0) in bytes.
int64_t bucket_bytes_from_mb(double bucket_mb);

}  // namespace mmoe::distributed
