// The training loop's keys: warmup (scheduler.warmup_*), early stopping, the non-finite loss
// policy, progress and AMP (train.*): defaults, values, and each bad input's one-line error.
#include <string>

#include <gtest/gtest.h>

#include "config_test_util.h"
#include "experiments/config_emit.h"
#include "experiments/config_equal.h"
#include "experiments/config_loader.h"

namespace mmoe::experiments {
namespace {

using testing::error_of;
using testing::load;

TEST(ConfigLoop, DefaultsAreOff) {
  const Config c = load("data: {dir: /d}\n").config;
  EXPECT_EQ(c.scheduler.warmup_steps, 0);
  EXPECT_EQ(c.scheduler.warmup_epochs, 0);
  EXPECT_EQ(c.scheduler.warmup_start_factor, 0.0);
  EXPECT_EQ(c.train.early_stopping_patience, 0);
  EXPECT_EQ(c.train.early_stopping_min_delta, 0.0);
  EXPECT_EQ(c.train.nonfinite_loss, NonFiniteLoss::kError);
  EXPECT_EQ(c.train.progress, ProgressMode::kAuto);
  EXPECT_EQ(c.train.amp, AmpMode::kNone);
}

TEST(ConfigLoop, ValuesParseAndRoundTrip) {
  const LoadedConfig loaded = load(
      "data: {dir: /d}\nscheduler: {warmup_epochs: 2, warmup_start_factor: 0.25}\n"
      "train: {early_stopping_patience: 3, early_stopping_min_delta: 0.01, nonfinite_loss: skip,\n"
      "        progress: lines, amp: bf16}\n");
  const Config& c = loaded.config;
  EXPECT_EQ(c.scheduler.warmup_epochs, 2);
  EXPECT_EQ(c.scheduler.warmup_start_factor, 0.25);
  EXPECT_EQ(c.train.early_stopping_patience, 3);
  EXPECT_EQ(c.train.early_stopping_min_delta, 0.01);
  EXPECT_EQ(c.train.nonfinite_loss, NonFiniteLoss::kSkip);
  EXPECT_EQ(c.train.progress, ProgressMode::kLines);
  EXPECT_EQ(c.train.amp, AmpMode::kBf16);
  const LoadedConfig again = load(loaded.resolved_yaml);
  EXPECT_TRUE(again.config == c);
  EXPECT_EQ(again.resolved_yaml, loaded.resolved_yaml);
  EXPECT_NE(loaded.resolved_yaml.find("\n  warmup_steps: 0\n  warmup_epochs: 2\n  warmup_start_factor: 0.25\n"),
            std::string::npos);
  EXPECT_NE(loaded.resolved_yaml.find("\n  early_stopping_patience: 3\n  early_stopping_min_delta: 0.01\n"
                                      "  nonfinite_loss: skip\n  progress: lines\n  amp: bf16\n"),
            std::string::npos);
  // Each choice by override.
  for (const char* mode : {"auto", "bar", "lines", "none"}) {
    EXPECT_EQ(to_string(load("data: {dir: /d}\n", {std::string("train.progress=") + mode}).config.train.progress),
              std::string(mode));
  }
  EXPECT_EQ(load("data: {dir: /d}\n", {"scheduler.warmup_steps=100", "scheduler.warmup_start_factor=1"})
                .config.scheduler.warmup_steps,
            100);
}

TEST(ConfigLoop, EqualityComparesTheNewKeys) {
  const Config base = load("data: {dir: /d}\n").config;
  for (const char* override : {"scheduler.warmup_steps=1", "scheduler.warmup_epochs=1",
                               "scheduler.warmup_start_factor=0.5", "train.early_stopping_patience=1",
                               "train.early_stopping_min_delta=0.5", "train.nonfinite_loss=skip",
                               "train.progress=none", "train.amp=bf16"}) {
    EXPECT_FALSE(load("data: {dir: /d}\n", {override}).config == base) << override;
  }
}

TEST(ConfigLoop, BadValuesAreOneLineErrors) {
  EXPECT_EQ(error_of("data: {dir: /d}\nscheduler: {warmup_steps: -1}\n"),
            "cfg.yaml: scheduler.warmup_steps: must be >= 0 (got -1); 0 disables warmup");
  EXPECT_EQ(error_of("data: {dir: /d}\nscheduler: {warmup_epochs: -2}\n"),
            "cfg.yaml: scheduler.warmup_epochs: must be >= 0 (got -2); 0 disables warmup");
  EXPECT_EQ(error_of("data: {dir: /d}\nscheduler: {warmup_steps: 10, warmup_epochs: 1}\n"),
            "cfg.yaml: scheduler.warmup_epochs: cannot be set together with scheduler.warmup_steps (got 1 and 10); "
            "set one of them and leave the other 0");
  EXPECT_EQ(error_of("data: {dir: /d}\nscheduler: {warmup_start_factor: 1.5}\n"),
            "cfg.yaml: scheduler.warmup_start_factor: must be in [0, 1] (got 1.5); the first warmup step uses this "
            "fraction of the learning rate");
  EXPECT_EQ(error_of("data: {dir: /d}\nscheduler: {warmup_start_factor: -0.1}\n"),
            "cfg.yaml: scheduler.warmup_start_factor: must be in [0, 1] (got -0.1); the first warmup step uses this "
            "fraction of the learning rate");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {early_stopping_patience: -1}\n"),
            "cfg.yaml: train.early_stopping_patience: must be >= 0 (got -1); 0 disables early stopping");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {early_stopping_min_delta: -0.5}\n"),
            "cfg.yaml: train.early_stopping_min_delta: must be >= 0 (got -0.5); it is in the units of train.monitor");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {nonfinite_loss: ignore}\n"),
            "cfg.yaml: train.nonfinite_loss: must be one of error, skip (got 'ignore')");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {progress: bars}\n"),
            "cfg.yaml: train.progress: must be one of auto, bar, lines, none (got 'bars'); did you mean 'bar'?");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {amp: fp16}\n"),
            "cfg.yaml: train.amp: must be one of none, bf16 (got 'fp16')");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {amp: float16}\n"),
            "cfg.yaml: train.amp: must be one of none, bf16 (got 'float16')");
  EXPECT_EQ(error_of("data: {dir: /d}\ntrain: {amp: bf15}\n"),
            "cfg.yaml: train.amp: must be one of none, bf16 (got 'bf15'); did you mean 'bf16'?");
}

}  // namespace
}  // namespace mmoe::experiments
