#include "distributed/bucket_plan.h"

#include <cmath>
#include <string>

#include "distributed/collective_error.h"

namespace mmoe::distributed {

int64_t bucket_bytes_from_mb(double bucket_mb) {
  if (!(bucket_mb > 0.0) || !std::isfinite(bucket_mb)) {
    throw DistributedError("distributed.bucket_mb = " + std::to_string(bucket_mb) +
                           " must be a positive number of MiB (default 25)");
  }
  // At least one byte: a tiny bucket_mb gives one bucket per parameter.
  return std::max<int64_t>(1, static_cast<int64_t>(bucket_mb * 1024.0 * 1024.0));
}

std::vector<BucketPlan> plan_buckets(const std::vector<ParameterSlot>& parameters, int64_t bucket_bytes) {
  if (bucket_bytes <= 0) {
    throw DistributedError("gradient bucket size " + std::to_string(bucket_bytes) +
                           " bytes must be positive; set distributed.bucket_mb > 0");
  }
  std::vector<BucketPlan> buckets;
  for (size_t k = parameters.size(); k-- > 0;) {
    const auto& slot = parameters[k];
    const int64_t bytes = slot.numel * static_cast<int64_t>(c10::elementSize(slot.dtype));
    const bool start_new = buckets.empty() || buckets.back().dtype != slot.dtype ||
                           (buckets.back().numel > 0 && buckets.back().bytes() + bytes > bucket_bytes);
    if (start_new) {
      buckets.emplace_back();
      buckets.back().dtype = slot.dtype;
    }
    auto& bucket = buckets.back();
    bucket.parameters.push_back(k);
    bucket.offsets.push_back(bucket.numel);
    bucket.numel += slot.numel;
  }
  return buckets;
}

}  // namespace mmoe::distributed
