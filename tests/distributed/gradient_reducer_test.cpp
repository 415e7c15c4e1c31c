// GradientReducer without MPI: a fake world of two identical ranks records when each bucket's
// all-reduce starts and reduces by doubling (the sum over two equal ranks).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/error.h"
#include "distributed/gradient_reducer.h"

namespace mmoe::distributed {
namespace {

// Two ranks holding the same gradients: the sum is twice the local value.
class TwinCommunicator final : public Communicator {
 public:
  struct Started {
    int64_t numel;
    bool during_backward;
  };
  int64_t rank() const override { return 0; }
  int64_t world_size() const override { return 2; }
  const char* backend_name() const override { return "twin"; }
  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) override {}
  std::unique_ptr<PendingReduce> all_reduce_async(torch::Tensor flat, ReduceOp op) override {
    started.push_back({flat.numel(), in_backward});
    return std::make_unique<Pending>(flat, op);
  }
  void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) override { ++broadcasts; }
  torch::Tensor all_gather(const torch::Tensor& tensor) override { return torch::stack({tensor, tensor}); }
  void barrier() override {}
  void abort(const std::string& reason) noexcept override {}

  bool in_backward = false;
  std::vector<Started> started;
  int broadcasts = 0;

 private:
  struct Pending final : PendingReduce {
    Pending(torch::Tensor flat, ReduceOp op) : flat(std::move(flat)), op(op) {}
    bool test() override { return true; }
    void wait() override {
      if (op == ReduceOp::kSum) flat.mul_(2);  // kAverage: (g + g) / 2 = g
    }
    torch::Tensor flat;
    ReduceOp op;
  };
};

// Linear(3 -> 4) then Linear(4 -> 2): parameters w1 [4,3], b1 [4], w2 [2,4], b2 [2].
struct TinyNet {
  TinyNet() : first(3, 4), second(4, 2) {
    torch::NoGradGuard no_grad;
    // Fixed weights so the hand check below does not depend on the initialiser.
    first->weight.copy_(torch::arange(12, torch::kFloat).reshape({4, 3}) / 10.0);
    first->bias.fill_(0.5);
    second->weight.copy_(torch::arange(8, torch::kFloat).reshape({2, 4}) / -10.0);
    second->bias.fill_(-1.0);
  }
  std::vector<torch::Tensor> parameters() const {
    return {first->weight, first->bias, second->weight, second->bias};
  }
  torch::Tensor loss(const torch::Tensor& x) { return second->forward(first->forward(x)).sum(); }
  torch::nn::Linear first;
  torch::nn::Linear second;
};

TEST(GradientReducer, BucketsStartDuringBackwardInReverseOrder) {
  TinyNet net;
  TwinCommunicator twin;
  // 40 bytes: b2 (8 B) + w2 (32 B) = 40 fit; b1 (16 B) + w1 (48 B) does not -> b1 alone, w1 alone.
  GradientReducer reducer(net.parameters(), twin, {40.0 / (1024.0 * 1024.0), ReduceOp::kSum});
  ASSERT_EQ(reducer.buckets().size(), 3u);
  EXPECT_EQ(reducer.buckets()[0].parameters, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(reducer.buckets()[1].parameters, (std::vector<size_t>{1}));
  EXPECT_EQ(reducer.buckets()[2].parameters, (std::vector<size_t>{0}));

  const auto x = torch::ones({1, 3});
  twin.in_backward = true;
  net.loss(x).backward();
  twin.in_backward = false;
  ASSERT_EQ(twin.started.size(), 3u);  // all three started by the hooks, before finalize()
  EXPECT_EQ(twin.started[0].numel, 10);
  EXPECT_EQ(twin.started[1].numel, 4);
  EXPECT_EQ(twin.started[2].numel, 12);
  for (const auto& s : twin.started) EXPECT_TRUE(s.during_backward);
  reducer.finalize();

  // By hand: loss = sum(W2 (W1 x + b1) + b2). d/db2 = 1 per output; d/dW2[o][h] = h1[h] where
  // h1 = W1 x + b1 = row sums of W1 + 0.5 = {0.8, 1.7, 2.6, 3.5}; d/db1[h] = sum_o W2[o][h] =
  // {-0.4, -0.6, -0.8, -1.0}; d/dW1[h][i] = d/db1[h] * x[i]. kSum over two twins doubles each.
  EXPECT_TRUE(torch::allclose(net.second->bias.grad(), torch::full({2}, 2.0f)));
  const auto h1 = torch::tensor({0.8f, 1.7f, 2.6f, 3.5f});
  EXPECT_TRUE(torch::allclose(net.second->weight.grad(), 2 * h1.unsqueeze(0).expand({2, 4})));
  const auto db1 = torch::tensor({-0.4f, -0.6f, -0.8f, -1.0f});
  EXPECT_TRUE(torch::allclose(net.first->bias.grad(), 2 * db1));
  EXPECT_TRUE(torch::allclose(net.first->weight.grad(), 2 * db1.unsqueeze(1).expand({4, 3})));
}

TEST(GradientReducer, AverageOfEqualRanksLeavesTheGradientAndReusesBuffersEveryStep) {
  TinyNet net;
  TwinCommunicator twin;
  GradientReducer reducer(net.parameters(), twin, {});
  ASSERT_EQ(reducer.buckets().size(), 1u);  // 25 MiB holds everything
  for (int step = 0; step < 3; ++step) {
    for (auto& p : net.parameters()) p.mutable_grad() = torch::Tensor();
    net.loss(torch::ones({1, 3})).backward();
    reducer.finalize();
    EXPECT_TRUE(torch::allclose(net.second->bias.grad(), torch::ones({2})));
    EXPECT_TRUE(torch::allclose(net.first->bias.grad(), torch::tensor({-0.4f, -0.6f, -0.8f, -1.0f})));
  }
  EXPECT_EQ(twin.started.size(), 3u);
  reducer.broadcast_parameters();
  EXPECT_EQ(twin.broadcasts, 1);
}

TEST(GradientReducer, AParameterWithoutGradientIsAnInternalErrorNamingIt) {
  TinyNet net;
  TwinCommunicator twin;
  auto parameters = net.parameters();
  auto unused = torch::zeros({5}, torch::requires_grad());
  parameters.insert(parameters.begin(), unused);  // index 0, never in the loss
  GradientReducer reducer(parameters, twin, {});
  net.loss(torch::ones({1, 3})).backward();
  try {
    reducer.finalize();
    FAIL() << "finalize accepted a parameter without gradient";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 0 "), std::string::npos) << e.what();
  }
}

TEST(GradientReducer, TwoBackwardsWithoutFinalizeAreRefused) {
  TinyNet net;
  TwinCommunicator twin;
  GradientReducer reducer(net.parameters(), twin, {});
  net.loss(torch::ones({1, 3})).backward();
  EXPECT_THROW(net.loss(torch::ones({1, 3})).backward(), std::exception);
}

TEST(GradientReducer, HooksAreRemovedWithTheReducer) {
  TinyNet net;
  TwinCommunicator twin;
  { GradientReducer reducer(net.parameters(), twin, {}); }
  net.loss(torch::ones({1, 3})).backward();
  EXPECT_TRUE(twin.started.empty());
}

TEST(GradientReducer, BadOptionsAndParametersAreRefused) {
  TinyNet net;
  TwinCommunicator twin;
  EXPECT_THROW(GradientReducer(net.parameters(), twin, {0.0, ReduceOp::kAverage}), DistributedError);
  EXPECT_THROW(GradientReducer(net.parameters(), twin, {25.0, ReduceOp::kMax}), DistributedError);
  EXPECT_THROW(GradientReducer({torch::Tensor()}, twin, {}), DistributedError);
}

}  // namespace
}  // namespace mmoe::distributed
