// Epoch order: a permutation that depends on (rows, seed, epoch) alone, cut into batches.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/batch_order.h"

namespace mmoe::data::batch_order_test {
namespace {

std::vector<int64_t> batch_sizes(const std::vector<torch::Tensor>& batches) {
  std::vector<int64_t> sizes;
  for (const auto& batch : batches) sizes.push_back(batch.size(0));
  return sizes;
}

TEST(EpochPermutation, IsAPermutationOfTheRows) {
  const auto order = epoch_permutation(1000, 42, 3);
  EXPECT_EQ(order.scalar_type(), torch::kInt64);
  ASSERT_EQ(order.sizes(), (std::vector<int64_t>{1000}));
  EXPECT_TRUE(torch::equal(std::get<0>(order.sort()), torch::arange(1000, torch::kInt64)));
  EXPECT_EQ(epoch_permutation(0, 42, 3).numel(), 0);
  EXPECT_TRUE(torch::equal(epoch_permutation(1, 42, 3), torch::zeros({1}, torch::kInt64)));
}

TEST(EpochPermutation, DependsOnRowsSeedAndEpochOnly) {
  EXPECT_TRUE(torch::equal(epoch_permutation(500, 7, 2), epoch_permutation(500, 7, 2)));
  EXPECT_FALSE(torch::equal(epoch_permutation(500, 7, 2), epoch_permutation(500, 7, 3)));
  EXPECT_FALSE(torch::equal(epoch_permutation(500, 7, 0), epoch_permutation(500, 7, 1)));
  EXPECT_FALSE(torch::equal(epoch_permutation(500, 7, 2), epoch_permutation(500, 8, 2)));
  // Not shuffled in place by a generator shared with other code: other draws do not move it.
  const auto before = epoch_permutation(500, 7, 2);
  (void)torch::rand({100});
  EXPECT_TRUE(torch::equal(before, epoch_permutation(500, 7, 2)));
}

TEST(SplitIntoBatches, KeepsTheShortLastBatchUnlessDropLast) {
  const auto order = torch::arange(10, torch::kInt64);
  const auto kept = split_into_batches(order, 4, false);
  EXPECT_EQ(batch_sizes(kept), (std::vector<int64_t>{4, 4, 2}));
  EXPECT_TRUE(torch::equal(kept[0], torch::tensor({0, 1, 2, 3}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(kept[2], torch::tensor({8, 9}, torch::kInt64)));
  EXPECT_EQ(batch_sizes(split_into_batches(order, 4, true)), (std::vector<int64_t>{4, 4}));
}

TEST(SplitIntoBatches, ExactMultiplesAndTinyInputs) {
  const auto order = torch::arange(12, torch::kInt64);
  EXPECT_EQ(batch_sizes(split_into_batches(order, 4, false)), (std::vector<int64_t>{4, 4, 4}));
  EXPECT_EQ(batch_sizes(split_into_batches(order, 4, true)), (std::vector<int64_t>{4, 4, 4}));
  EXPECT_EQ(batch_sizes(split_into_batches(order, 1, false)), std::vector<int64_t>(12, 1));
  EXPECT_EQ(batch_sizes(split_into_batches(order, 20, false)), (std::vector<int64_t>{12}));
  EXPECT_TRUE(split_into_batches(order, 20, true).empty());
  EXPECT_TRUE(split_into_batches(torch::arange(0, torch::kInt64), 4, false).empty());
}

TEST(SplitIntoBatches, BatchesFollowTheGivenOrder) {
  const auto order = epoch_permutation(9, 1, 0);
  const auto batches = split_into_batches(order, 4, false);
  EXPECT_TRUE(torch::equal(torch::cat(batches), order));
}

}  // namespace
}  // namespace mmoe::data::batch_order_test
