// train.amp on the CPU: bf16 falls back to fp32 with one note and trains bitwise identically to
// amp none; the autocast guard sets and restores LibTorch's thread-local autocast state.
#include <gtest/gtest.h>

#include "distributed/communicator.h"
#include "tests/trainer/loop_test_util.h"
#include "trainer/autocast_guard.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

TEST(Amp, DecisionFollowsModeAndDevice) {
  EXPECT_FALSE(decide_amp(experiments::AmpMode::kNone, torch::Device(torch::kCPU)).autocast);
  EXPECT_TRUE(decide_amp(experiments::AmpMode::kNone, torch::Device(torch::kCPU)).note.empty());
  EXPECT_FALSE(decide_amp(experiments::AmpMode::kNone, torch::Device(torch::kCUDA)).autocast);
  const auto cpu = decide_amp(experiments::AmpMode::kBf16, torch::Device(torch::kCPU));
  EXPECT_FALSE(cpu.autocast);
  EXPECT_EQ(cpu.note, "train.amp=bf16 applies to CUDA devices only; training on the CPU in fp32");
  const auto cuda = decide_amp(experiments::AmpMode::kBf16, torch::Device(torch::kCUDA));
  EXPECT_TRUE(cuda.autocast);
  EXPECT_TRUE(cuda.note.empty());
}

TEST(Amp, GuardSetsAndRestoresTheAutocastState) {
  ASSERT_FALSE(at::autocast::is_enabled());
  const auto dtype_before = at::autocast::get_autocast_gpu_dtype();
  {
    AutocastGuard off(false);
    EXPECT_FALSE(at::autocast::is_enabled());
  }
  {
    AutocastGuard on(true);
    EXPECT_TRUE(at::autocast::is_enabled());
    EXPECT_EQ(at::autocast::get_autocast_gpu_dtype(), at::kBFloat16);
    {
      AutocastGuard nested(true);
      EXPECT_TRUE(at::autocast::is_enabled());
    }
    EXPECT_TRUE(at::autocast::is_enabled());  // the outer guard still holds
    // CUDA autocast leaves CPU tensors alone.
    EXPECT_EQ(torch::mm(torch::ones({2, 2}), torch::ones({2, 2})).scalar_type(), torch::kFloat);
  }
  EXPECT_FALSE(at::autocast::is_enabled());
  EXPECT_EQ(at::autocast::get_autocast_gpu_dtype(), dtype_before);
}

TEST(Amp, Bf16OnTheCpuTrainsBitwiseLikeNoneWithOneNote) {
  testing::TempDataset dataset("amp-cpu", 400);
  auto run = [&](experiments::AmpMode amp) {
    auto config = testing::small_config(dataset.dir(), 2);
    config.train.amp = amp;
    distributed::LocalCommunicator communicator;
    Trainer trainer(config, communicator);
    testing::Recorder recorder;
    trainer.train(recorder);
    return recorder;
  };
  const auto none = run(experiments::AmpMode::kNone);
  const auto bf16 = run(experiments::AmpMode::kBf16);
  EXPECT_TRUE(none.notes.empty());
  ASSERT_EQ(bf16.notes.size(), 1u);
  EXPECT_NE(bf16.notes[0].find("fp32"), std::string::npos);
  ASSERT_EQ(none.steps.size(), bf16.steps.size());
  for (size_t s = 0; s < none.steps.size(); ++s) EXPECT_EQ(none.steps[s].loss, bf16.steps[s].loss) << "step " << s;
  ASSERT_EQ(none.epochs.size(), bf16.epochs.size());
  for (size_t e = 0; e < none.epochs.size(); ++e) {
    EXPECT_EQ(none.epochs[e].train_loss, bf16.epochs[e].train_loss);
    EXPECT_EQ(none.epochs[e].val_loss, bf16.epochs[e].val_loss);
    EXPECT_EQ(none.epochs[e].monitor_value, bf16.epochs[e].monitor_value);
    EXPECT_EQ(none.epochs[e].grad_norm, bf16.epochs[e].grad_norm);
  }
}

}  // namespace
}  // namespace mmoe::trainer
