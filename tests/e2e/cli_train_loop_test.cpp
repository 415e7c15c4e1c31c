// mmoe train's loop policies through the binary: progress on a non-terminal (plain lines, never
// '\r'), the forced bar, early stopping (console, summary, store), the non-finite loss policy,
// and the CPU note for train.amp=bf16.
#include <algorithm>
#include <string>

#include <gmock/gmock.h>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TrainingLoop : public MmoeCli {
 protected:
  // 3000 rows -> 2100 train rows, batch 64: 32 steps per epoch.
  std::vector<std::string> train_args(std::vector<std::string> overrides) const {
    std::vector<std::string> args = {"train", config_path_.string(), "tracking.store=" + store_.string(),
                                     "train.epochs=2"};
    args.insert(args.end(), overrides.begin(), overrides.end());
    return args;
  }
  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
};

TEST_F(TrainingLoop, ANonTerminalGetsPlainLinesEveryLogStepAndOneLinePerTask) {
  const auto r = mmoe(train_args({"train.log_every_steps=10"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  // Steps 10, 20, 30 and the epoch's last (32), in each of the 2 epochs.
  EXPECT_EQ(count(r.err, " step "), 8) << r.err;
  EXPECT_THAT(r.err, HasSubstr("epoch 1/2 step 10/32 loss "));
  EXPECT_THAT(r.err, HasSubstr("epoch 2/2 step 32/32 loss "));
  for (const char* task : {"category", "color", "style", "price"}) {
    EXPECT_EQ(count(r.err, std::string("epoch 2/2 ") + task), 1) << task << "\n" << r.err;
  }
  EXPECT_THAT(r.err, HasSubstr(" | val loss "));
  // The epoch metrics of the loop are in the store.
  EXPECT_EQ(query(store_, "SELECT count(*) FROM metrics WHERE key = 'grad_norm' AND value > 0")[0][0], "2");
  EXPECT_EQ(query(store_, "SELECT count(*) FROM metrics WHERE key = 'skipped_steps' AND value = 0")[0][0], "2");
}

TEST_F(TrainingLoop, ProgressBarRedrawsInPlaceAndNoneWritesNoSteps) {
  const auto bar = mmoe(train_args({"train.progress=bar"}));
  ASSERT_EQ(bar.exit_code, 0) << bar.err;
  EXPECT_THAT(bar.err, HasSubstr("\repoch 1/2 ["));
  EXPECT_THAT(bar.err, HasSubstr("rows/s eta "));
  const auto none = mmoe(train_args({"train.progress=none"}));
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.err.find('\r'), std::string::npos);
  EXPECT_THAT(none.err, Not(HasSubstr(" step ")));
  EXPECT_THAT(none.err, HasSubstr("epoch 2/2 train_loss "));
}

TEST_F(TrainingLoop, EarlyStoppingFinishesTheRunAndSaysSo) {
  const auto r = mmoe(train_args({"train.epochs=6", "train.early_stopping_patience=1",
                                  "train.early_stopping_min_delta=1000", "train.progress=none"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("early stopping: val_weighted_f1 has not improved"));
  EXPECT_THAT(r.err, HasSubstr("training ends after epoch 2"));
  EXPECT_THAT(r.out, HasSubstr("finished: 2 epochs (stopped early after epoch 2)"));
  EXPECT_EQ(query(store_, "SELECT status FROM runs")[0][0], "finished");
  const auto stopped = query(store_, "SELECT epoch, value FROM metrics WHERE key = 'early_stopped_epoch'");
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0][0], "2");
  EXPECT_EQ(std::stod(stopped[0][1]), 2.0);
  EXPECT_EQ(query(store_, "SELECT count(DISTINCT epoch) FROM metrics WHERE key = 'train_loss'")[0][0], "2");
}

TEST_F(TrainingLoop, SkippingNonFiniteLossesStillFailsWhenEveryStepIsNonFinite) {
  const auto r = mmoe(train_args({"optim.lr=1e30", "scheduler.type=none", "train.nonfinite_loss=skip"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("after 10 skipped steps in a row (train.nonfinite_loss: skip allows 10)"));
  const auto runs = query(store_, "SELECT status, error FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0][0], "failed");
  EXPECT_THAT(runs[0][1], HasSubstr("skipped steps in a row"));
}

TEST_F(TrainingLoop, Bf16OnTheCpuTrainsInFp32WithANote) {
  const auto r = mmoe(train_args({"train.amp=bf16", "train.device=cpu", "train.epochs=1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.err, "note: train.amp=bf16 applies to CUDA devices only; training on the CPU in fp32"), 1);
}

}  // namespace
}  // namespace mmoe::e2e
