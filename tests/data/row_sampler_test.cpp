// The row sampler against sets computed here: evaluation partitions cover every row exactly once,
// training shares are equal and disjoint, order depends on (seed, epoch) alone, and a restored
// position continues with the same batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "data/batch_order.h"
#include "data/row_sampler.h"

namespace mmoe::data {
namespace {

std::vector<int64_t> to_vector(const torch::Tensor& rows) {
  const auto contiguous = rows.contiguous();
  return {contiguous.data_ptr<int64_t>(), contiguous.data_ptr<int64_t>() + contiguous.numel()};
}

RowSamplerOptions options(int64_t rows, int64_t world, int64_t rank, SamplerMode mode, int64_t block = 1) {
  RowSamplerOptions o;
  o.rows = rows;
  o.world_size = world;
  o.rank = rank;
  o.mode = mode;
  o.batch_size = 2;
  o.seed = 7;
  o.block_rows = block;
  return o;
}

const std::vector<int64_t> kRowCounts = {1, 2, 3, 5, 7, 11, 13, 97};

TEST(RowSampler, EvaluationCoversEveryRowExactlyOnce) {
  for (int64_t n : kRowCounts) {
    for (int64_t w = 1; w <= 5; ++w) {
      std::vector<int64_t> seen;
      int64_t smallest = n;
      int64_t largest = 0;
      for (int64_t r = 0; r < w; ++r) {
        const RowSampler sampler(options(n, w, r, SamplerMode::kEval));
        const auto rows = to_vector(sampler.epoch_rows(1));
        EXPECT_EQ(static_cast<int64_t>(rows.size()), sampler.rows_per_rank());
        smallest = std::min<int64_t>(smallest, static_cast<int64_t>(rows.size()));
        largest = std::max<int64_t>(largest, static_cast<int64_t>(rows.size()));
        seen.insert(seen.end(), rows.begin(), rows.end());
      }
      std::vector<int64_t> all(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
      EXPECT_EQ(seen, all) << "N=" << n << " W=" << w;  // contiguous, in rank order
      EXPECT_LE(largest - smallest, 1) << "N=" << n << " W=" << w;
    }
  }
}

TEST(RowSampler, TrainingSharesAreEqualAndDisjoint) {
  for (int64_t block : {1, 3}) {
    for (int64_t n : kRowCounts) {
      for (int64_t w = 1; w <= 5; ++w) {
        std::set<int64_t> seen;
        std::vector<int64_t> batches;
        for (int64_t r = 0; r < w; ++r) {
          const RowSampler sampler(options(n, w, r, SamplerMode::kTrain, block));
          const auto rows = to_vector(sampler.epoch_rows(3));
          ASSERT_EQ(static_cast<int64_t>(rows.size()), n / w) << "N=" << n << " W=" << w << " block=" << block;
          for (int64_t row : rows) {
            EXPECT_TRUE(row >= 0 && row < n);
            EXPECT_TRUE(seen.insert(row).second) << "row " << row << " twice, N=" << n << " W=" << w;
          }
          batches.push_back(sampler.batches_per_epoch());
        }
        EXPECT_EQ(static_cast<int64_t>(seen.size()), (n / w) * w);
        EXPECT_TRUE(std::all_of(batches.begin(), batches.end(), [&](int64_t b) { return b == batches.front(); }));
      }
    }
  }
}

TEST(RowSampler, RanksTogetherReproduceOneProcessWithTheGlobalBatch) {
  // Data parallelism's contract: with N divisible by W, the ranks' k-th batches (batch B) are,
  // concatenated in rank order, the k-th batch of one process with batch W * B.
  for (int64_t block : {1, 3}) {
    for (int64_t w : {2, 3, 4}) {
      for (int64_t n : {w * 1, w * 5, w * 7, w * 16}) {
        for (int64_t b : {1, 2, 3}) {
          auto single_options = options(n, 1, 0, SamplerMode::kTrain, block);
          single_options.batch_size = w * b;
          RowSampler single(single_options);
          single.set_epoch(4);
          std::vector<RowSampler> ranks;
          for (int64_t r = 0; r < w; ++r) {
            auto rank_options = options(n, w, r, SamplerMode::kTrain, block);
            rank_options.batch_size = b;
            ranks.emplace_back(rank_options);
            ranks.back().set_epoch(4);
            ASSERT_EQ(ranks.back().batches_per_epoch(), single.batches_per_epoch())
                << "N=" << n << " W=" << w << " B=" << b << " block=" << block;
          }
          while (auto expected = single.next_batch()) {
            std::vector<int64_t> together;
            for (auto& rank : ranks) {
              const auto rows = to_vector(*rank.next_batch());
              together.insert(together.end(), rows.begin(), rows.end());
            }
            EXPECT_EQ(together, to_vector(*expected)) << "N=" << n << " W=" << w << " B=" << b << " block=" << block;
          }
          for (auto& rank : ranks) EXPECT_FALSE(rank.next_batch().has_value());
        }
      }
    }
  }
}

TEST(RowSampler, WorldOneRowOrderIsTheEpochPermutation) {
  const RowSampler sampler(options(97, 1, 0, SamplerMode::kTrain));
  EXPECT_TRUE(sampler.epoch_rows(4).equal(epoch_permutation(97, 7, 4)));
}

TEST(RowSampler, OrderDependsOnSeedAndEpochOnly) {
  for (int64_t block : {1, 4}) {
    const RowSampler a(options(97, 3, 1, SamplerMode::kTrain, block));
    const RowSampler b(options(97, 3, 1, SamplerMode::kTrain, block));
    EXPECT_TRUE(a.epoch_rows(2).equal(b.epoch_rows(2)));
    EXPECT_FALSE(a.epoch_rows(2).equal(a.epoch_rows(3)));
    auto other_seed = options(97, 3, 1, SamplerMode::kTrain, block);
    other_seed.seed = 8;
    EXPECT_FALSE(RowSampler(other_seed).epoch_rows(2).equal(a.epoch_rows(2)));
  }
}

TEST(RowSampler, SkippedRowsChangeFromEpochToEpoch) {
  // N = 13, W = 5: 3 rows are left out each epoch; over 10 epochs, more than 3 distinct rows.
  std::set<int64_t> skipped_ever;
  for (int64_t epoch = 1; epoch <= 10; ++epoch) {
    std::set<int64_t> taken;
    for (int64_t r = 0; r < 5; ++r) {
      const auto rows = to_vector(RowSampler(options(13, 5, r, SamplerMode::kTrain)).epoch_rows(epoch));
      taken.insert(rows.begin(), rows.end());
    }
    for (int64_t row = 0; row < 13; ++row) {
      if (taken.count(row) == 0) skipped_ever.insert(row);
    }
  }
  EXPECT_GT(skipped_ever.size(), 3u);
}

TEST(RowSampler, BlocksKeepRowsContiguous) {
  // block_rows 4 over 97 rows: every range starts at a block start or continues the share's cut.
  const RowSampler sampler(options(97, 2, 0, SamplerMode::kTrain, 4));
  int64_t rows = 0;
  for (const auto& range : sampler.epoch_ranges(1)) {
    EXPECT_LE(range.size(), 8);  // adjacent blocks may merge; never more than two in this case
    rows += range.size();
  }
  EXPECT_EQ(rows, 48);
}

TEST(RowSampler, RestoredPositionGivesTheSameRemainingBatches) {
  auto o = options(97, 3, 2, SamplerMode::kTrain);
  o.batch_size = 5;
  o.drop_last = true;
  RowSampler first(o);
  first.set_epoch(2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(first.next_batch().has_value());
  const SamplerPosition saved = first.position();
  EXPECT_EQ(saved, (SamplerPosition{2, 3}));
  RowSampler resumed(o);
  resumed.restore(saved);
  int remaining = 0;
  while (auto expected = first.next_batch()) {
    const auto actual = resumed.next_batch();
    ASSERT_TRUE(actual.has_value());
    EXPECT_TRUE(actual->equal(*expected));
    ++remaining;
  }
  EXPECT_FALSE(resumed.next_batch().has_value());
  EXPECT_EQ(remaining, 32 / 5 - 3);  // 97 / 3 = 32 rows, 6 full batches, 3 left
}

TEST(RowSampler, RefusesBadOptions) {
  EXPECT_THROW(RowSampler(options(0, 1, 0, SamplerMode::kTrain)), std::invalid_argument);
  EXPECT_THROW(RowSampler(options(5, 2, 2, SamplerMode::kTrain)), std::invalid_argument);
  EXPECT_THROW(RowSampler(options(5, 0, 0, SamplerMode::kTrain)), std::invalid_argument);
}

}  // namespace
}  // namespace mmoe::data
