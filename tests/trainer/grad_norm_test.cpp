// The global gradient norm and clipping by it, on hand-set gradients; and the epoch's mean
// pre-clip norm in the EpochReport.
#include <gtest/gtest.h>

#include <cmath>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/grad_norm.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

// Two parameters with gradients [3, 4] and [[12]]: global norm sqrt(9 + 16 + 144) = 13.
std::vector<torch::Tensor> tiny_parameters() {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({1, 1}, torch::requires_grad());
  auto c = torch::zeros({3}, torch::requires_grad());  // no gradient: left out
  a.mutable_grad() = torch::tensor({3.0f, 4.0f});
  b.mutable_grad() = torch::tensor({{12.0f}});
  return {a, b, c};
}

TEST(GradNorm, ReturnsThePreClipNormAndClipsToMaxNorm) {
  auto params = tiny_parameters();
  EXPECT_NEAR(clip_grad_norm(params, 6.5), 13.0, 1e-6);
  // Scaled by 6.5 / (13 + 1e-6): [1.5, 2] and [[6]], global norm 6.5.
  EXPECT_NEAR(params[0].grad()[0].item<double>(), 1.5, 1e-6);
  EXPECT_NEAR(params[0].grad()[1].item<double>(), 2.0, 1e-6);
  EXPECT_NEAR(params[1].grad()[0][0].item<double>(), 6.0, 1e-6);
  EXPECT_FALSE(params[2].grad().defined());
  EXPECT_NEAR(clip_grad_norm(params, 0.0), 6.5, 1e-5);
}

TEST(GradNorm, LeavesGradientsBelowTheLimitOrWithClippingOff) {
  for (double max_norm : {0.0, 13.5, 100.0}) {
    auto params = tiny_parameters();
    EXPECT_NEAR(clip_grad_norm(params, max_norm), 13.0, 1e-6);
    EXPECT_EQ(params[0].grad()[1].item<float>(), 4.0f) << max_norm;
    EXPECT_EQ(params[1].grad()[0][0].item<float>(), 12.0f) << max_norm;
  }
  EXPECT_EQ(clip_grad_norm({torch::zeros({2}, torch::requires_grad())}, 1.0), 0.0);
}

TEST(GradNorm, EpochReportsTheMeanPreClipNorm) {
  testing::TempDataset dataset("grad-norm", 400);
  auto config = testing::small_config(dataset.dir(), 2);
  config.optim.max_grad_norm = 1e-4;  // clips every step; the reported norm is before clipping
  distributed::LocalCommunicator communicator;
  Trainer trainer(config, communicator);
  testing::Recorder recorder;
  trainer.train(recorder);
  for (const auto& report : recorder.epochs) {
    ASSERT_TRUE(report.grad_norm.has_value());
    EXPECT_GT(*report.grad_norm, 1e-3);
    EXPECT_TRUE(std::isfinite(*report.grad_norm));
    EXPECT_EQ(report.skipped_steps, 0);
  }
  EXPECT_EQ(trainer.loop_state().grad_norm.steps, 4);  // 280 / 64 steps of the last epoch
}

}  // namespace
}  // namespace mmoe::trainer
