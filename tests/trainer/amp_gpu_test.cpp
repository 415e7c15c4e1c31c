// train.amp=bf16 on CUDA (CTest label gpu): autocast is active inside the guard the training step
// uses (a matmul and the model's outputs come out in bfloat16), and a bf16 run trains to finite
// losses. Skipped, with the reason, where LibTorch sees no CUDA device (Debian's LibTorch is
// CPU-only: there this only compiles).
#include <gtest/gtest.h>

#include <cmath>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/autocast_guard.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

#define MMOE_REQUIRE_CUDA()                                                                           \
  do {                                                                                                \
    if (!torch::cuda::is_available()) {                                                               \
      GTEST_SKIP() << "no CUDA device visible to LibTorch (a CPU-only build or no GPU): bf16 autocast " \
                      "is not exercised";                                                             \
    }                                                                                                 \
  } while (0)

TEST(AmpGpu, MatmulUnderTheGuardIsBf16AndFloatAfter) {
  MMOE_REQUIRE_CUDA();
  const auto a = torch::randn({8, 8}, torch::Device(torch::kCUDA));
  {
    AutocastGuard guard(decide_amp(experiments::AmpMode::kBf16, a.device()).autocast);
    EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat);
  EXPECT_FALSE(at::autocast::is_enabled());
}

TEST(AmpGpu, Bf16RunHasBf16OutputsInTheStepAndFiniteLosses) {
  MMOE_REQUIRE_CUDA();
  testing::TempDataset dataset("amp-gpu", 800);
  auto config = testing::small_config(dataset.dir(), 2);
  config.train.device = experiments::Device::kCuda;
  config.train.amp = experiments::AmpMode::kBf16;
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  testing::Recorder recorder;
  const auto summary = trainer.train(recorder);
  EXPECT_TRUE(recorder.notes.empty());
  for (const auto& step : recorder.steps) EXPECT_TRUE(std::isfinite(step.loss)) << step.global_step;
  EXPECT_TRUE(std::isfinite(summary.last.val_loss));
  // The forward pass the step runs, under the step's guard.
  const auto x = torch::randn({4, 16}, torch::Device(torch::kCUDA));
  AutocastGuard guard(true);
  const auto out = trainer.model().forward(x);
  for (const auto& task_output : out.task_outputs) EXPECT_EQ(task_output.scalar_type(), torch::kBFloat16);
}

}  // namespace
}  // namespace mmoe::trainer
