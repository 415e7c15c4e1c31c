// plan_buckets: reverse registration order, size limit, never splitting, one dtype per bucket.
#include <gtest/gtest.h>

#include "distributed/bucket_plan.h"
#include "distributed/collective_error.h"

namespace mmoe::distributed {
namespace {

using Indices = std::vector<size_t>;

TEST(BucketPlan, ReverseOrderPackedUpToTheLimit) {
  // float32 parameters of 10, 20, 5, 30 and 8 elements = 40, 80, 20, 120, 32 bytes; limit 100.
  const std::vector<ParameterSlot> slots = {{10, torch::kFloat32}, {20, torch::kFloat32}, {5, torch::kFloat32},
                                            {30, torch::kFloat32}, {8, torch::kFloat32}};
  const auto buckets = plan_buckets(slots, 100);
  // From the end: 4 (32 B); + 3 (120 B) would be 152 > 100 -> 3 alone (larger than a bucket);
  // 2 (20 B) + 1 (80 B) = 100 fits exactly; 0 (40 B) starts the last bucket.
  ASSERT_EQ(buckets.size(), 4u);
  EXPECT_EQ(buckets[0].parameters, (Indices{4}));
  EXPECT_EQ(buckets[1].parameters, (Indices{3}));
  EXPECT_EQ(buckets[2].parameters, (Indices{2, 1}));
  EXPECT_EQ(buckets[3].parameters, (Indices{0}));
  EXPECT_EQ(buckets[2].offsets, (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(buckets[2].numel, 25);
  EXPECT_EQ(buckets[2].bytes(), 100);
  EXPECT_EQ(buckets[1].bytes(), 120);
}

TEST(BucketPlan, EveryParameterExactlyOnceAndNoBucketOverTheLimitUnlessAlone) {
  std::vector<ParameterSlot> slots;
  for (int64_t i = 0; i < 40; ++i) slots.push_back({(i * 37) % 50 + 1, torch::kFloat32});
  const int64_t limit = 160;
  const auto buckets = plan_buckets(slots, limit);
  std::vector<int> seen(slots.size(), 0);
  size_t expected_next = slots.size();
  for (const auto& bucket : buckets) {
    if (bucket.parameters.size() > 1) {
      EXPECT_LE(bucket.bytes(), limit);
    }
    for (const size_t p : bucket.parameters) {
      ++seen[p];
      EXPECT_EQ(p, --expected_next);  // strictly reverse registration order across buckets
    }
  }
  for (const int count : seen) EXPECT_EQ(count, 1);
}

TEST(BucketPlan, DtypeChangeStartsANewBucket) {
  const std::vector<ParameterSlot> slots = {{2, torch::kFloat64}, {2, torch::kFloat32}, {2, torch::kFloat32}};
  const auto buckets = plan_buckets(slots, 1 << 20);
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].parameters, (Indices{2, 1}));
  EXPECT_EQ(buckets[0].dtype, torch::kFloat32);
  EXPECT_EQ(buckets[1].parameters, (Indices{0}));
  EXPECT_EQ(buckets[1].bytes(), 16);
}

TEST(BucketPlan, BucketMbIsMebibytesAndMustBePositive) {
  EXPECT_EQ(bucket_bytes_from_mb(25.0), 25 * 1024 * 1024);
  EXPECT_EQ(bucket_bytes_from_mb(1e-9), 1);  // tiny: one parameter per bucket
  for (const double bad : {0.0, -1.0, std::nan("")}) {
    try {
      bucket_bytes_from_mb(bad);
      ADD_FAILURE() << "accepted bucket_mb " << bad;
    } catch (const DistributedError& e) {
      EXPECT_NE(std::string(e.what()).find("distributed.bucket_mb"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(plan_buckets({{1, torch::kFloat32}}, 0), DistributedError);
}

}  // namespace
}  // namespace mmoe::distributed
