// TensorPool / BatchPool: a buffer comes back to its pool when the last tensor sharing it is
// destroyed (not before), batches keep their bytes after the pool is gone, and batch tensors have
// the label encodings of core/task_type.h.
#include <gtest/gtest.h>

#include "data/batch_pool.h"
#include "data_test_util.h"

namespace mmoe::data {
namespace {

TEST(TensorPool, ABufferIsReusedOnlyOnceEveryTensorSharingItIsGone) {
  TensorPool pool({3}, torch::kFloat32, 4, false, 1);
  EXPECT_EQ(pool.allocated(), 1);
  auto a = pool.take(4);
  const void* first = a.data_ptr();
  auto view = a.narrow(0, 1, 2);  // shares a's storage
  a = torch::Tensor();
  auto b = pool.take(2);  // the only buffer is still in use through `view`: a new one
  EXPECT_EQ(pool.allocated(), 2);
  EXPECT_NE(b.data_ptr(), first);
  view = torch::Tensor();
  auto c = pool.take(3);  // now the first buffer is free again
  EXPECT_EQ(c.data_ptr(), first);
  EXPECT_EQ(pool.allocated(), 2);
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_THROW(pool.take(5), std::invalid_argument);
}

TEST(TensorPool, TensorsOutliveThePool) {
  torch::Tensor kept;
  {
    TensorPool pool({2}, torch::kInt64, 2, false, 0);
    kept = pool.take(2);
    kept.copy_(torch::tensor({{1, 2}, {3, 4}}, torch::kInt64));
  }
  EXPECT_TRUE(kept.equal(torch::tensor({{1, 2}, {3, 4}}, torch::kInt64)));
}

TEST(BatchPool, LabelTensorsFollowTheTaskEncodings) {
  BatchPool pool(5, 7, testing::fish_tasks(), false, 2);
  torch::Tensor features;
  std::vector<torch::Tensor> labels;
  pool.take(3, features, labels);
  EXPECT_EQ(features.sizes(), (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(features.scalar_type(), torch::kFloat32);
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].sizes(), (std::vector<int64_t>{3}));  // family: multiclass ids
  EXPECT_EQ(labels[0].scalar_type(), torch::kInt64);
  EXPECT_EQ(labels[1].sizes(), (std::vector<int64_t>{3, 4}));  // habitat: 4 labels
  EXPECT_EQ(labels[1].scalar_type(), torch::kFloat32);
  EXPECT_EQ(labels[2].sizes(), (std::vector<int64_t>{3, 2}));  // trophic: 2 outputs
  EXPECT_EQ(labels[2].scalar_type(), torch::kFloat32);
  EXPECT_EQ(pool.allocated(), 2);
}

}  // namespace
}  // namespace mmoe::data
