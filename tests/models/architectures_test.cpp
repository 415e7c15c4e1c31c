// OMoE, shared-bottom, single-task and PLE (and MMoE where every type is compared): shapes, gate
// layouts, parameter groups, hand-computed forwards from the models' own parameters, gradient
// isolation, finite-difference gradients, and fitting a small multi-task problem.
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/fused_experts.h"
#include "models/make_model.h"
#include "models/masked_loss.h"
#include "models/omoe.h"
#include "models/ple.h"
#include "models/shared_bottom.h"
#include "models/single_task.h"
#include "tests/support/finite_difference.h"

namespace mmoe::models::architectures_test {
namespace {

const std::vector<ModelType> kAllTypes = {ModelType::kMmoe, ModelType::kOmoe, ModelType::kSharedBottom,
                                          ModelType::kSingleTask, ModelType::kPle};

TaskHeadSpec head(std::string name, TaskType type, int64_t outputs) {
  TaskHeadSpec task;
  task.name = std::move(name);
  task.type = type;
  task.output_dim = outputs;
  return task;
}

// One task of each type (label encodings in core/task_type.h).
std::vector<TaskHeadSpec> mixed_tasks() {
  auto price = head("price", TaskType::kRegression, 1);
  price.target_mean = {10.0};
  price.target_std = {2.0};
  return {head("color", TaskType::kMulticlass, 4), head("tags", TaskType::kMultilabel, 3), price};
}

std::vector<torch::Tensor> mixed_labels(int64_t rows, torch::Dtype dtype) {
  auto color = torch::randint(0, 4, {rows}, torch::kInt64);
  color[0] = -1;  // one missing label
  return {color, torch::randint(0, 2, {rows, 3}).to(dtype), torch::randn({rows, 1}, dtype) * 2 + 10};
}

ModelSpec spec_for(ModelType type) {
  ModelSpec spec;
  spec.type = type;
  spec.input_dim = 10;
  spec.tasks = mixed_tasks();
  spec.num_experts = 3;
  spec.expert_hidden = {8, 6};
  spec.tower_hidden = {5};
  spec.ple.levels = 2;
  spec.ple.task_experts = 2;
  spec.ple.shared_experts = 3;
  return spec;
}

torch::Tensor parameter(const torch::nn::Module& model, const std::string& name) {
  const auto named = model.named_parameters();
  const auto* found = named.find(name);
  if (found == nullptr) throw std::runtime_error("test: no parameter " + name);
  return *found;
}

// The optimizer group a parameter belongs in, from its name alone.
std::string expected_group(const std::string& name) {
  auto has = [&](const char* part) { return name.find(part) != std::string::npos; };
  if (name.rfind("input.", 0) == 0 || name.rfind("bottom.", 0) == 0) return "shared";
  if (has("gate")) return "gates";
  if (has("experts.")) return "experts";
  if (name.rfind("towers.", 0) == 0 || name.rfind("networks.", 0) == 0 || name == "loss_log_variances") {
    return "towers";
  }
  return "unknown: " + name;
}

TEST(Architectures, OutputAndGateShapesForEveryType) {
  torch::manual_seed(11);
  const std::map<ModelType, std::vector<int64_t>> gate_shapes = {
      {ModelType::kMmoe, {7, 3, 3}}, {ModelType::kOmoe, {7, 1, 3}}, {ModelType::kPle, {7, 3, 5}}};
  for (ModelType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    const auto model = make_model(spec_for(type));
    const auto out = model->forward(torch::randn({7, 10}));
    ASSERT_EQ(out.task_outputs.size(), 3u);
    EXPECT_EQ(out.task_outputs[0].sizes(), (std::vector<int64_t>{7, 4}));
    EXPECT_EQ(out.task_outputs[1].sizes(), (std::vector<int64_t>{7, 3}));
    EXPECT_EQ(out.task_outputs[2].sizes(), (std::vector<int64_t>{7, 1}));
    EXPECT_FALSE(out.aux_loss.defined());
    const auto layout = model->gate_layout();
    if (gate_shapes.count(type) == 0) {
      EXPECT_FALSE(out.gates.defined());
      EXPECT_FALSE(layout.has_gates());
      continue;
    }
    ASSERT_TRUE(out.gates.defined());
    EXPECT_EQ(out.gates.sizes(), gate_shapes.at(type));
    EXPECT_LT((out.gates.sum(2) - 1).abs().max().item<float>(), 1e-6);
    ASSERT_EQ(static_cast<int64_t>(layout.gate_names.size()), out.gates.size(1));
    for (const auto& experts : layout.expert_names) EXPECT_EQ(static_cast<int64_t>(experts.size()), out.gates.size(2));
  }
}

TEST(Architectures, GateLayoutsNameTheGates) {
  const auto omoe = make_model(spec_for(ModelType::kOmoe))->gate_layout();
  EXPECT_EQ(omoe.gate_names, (std::vector<std::string>{"shared"}));
  EXPECT_EQ(omoe.expert_names, (std::vector<std::vector<std::string>>{{"e0", "e1", "e2"}}));
  EXPECT_NE(omoe.description.find("shared by all tasks"), std::string::npos) << omoe.description;

  const auto ple = make_model(spec_for(ModelType::kPle))->gate_layout();
  EXPECT_EQ(ple.gate_names, (std::vector<std::string>{"color", "tags", "price"}));
  EXPECT_EQ(ple.expert_names[0],
            (std::vector<std::string>{"color.0", "color.1", "shared.0", "shared.1", "shared.2"}));
  EXPECT_EQ(ple.expert_names[2],
            (std::vector<std::string>{"price.0", "price.1", "shared.0", "shared.1", "shared.2"}));

  EXPECT_EQ(make_model(spec_for(ModelType::kSharedBottom))->gate_layout().description, "no gates (shared bottom)");
  EXPECT_FALSE(make_model(spec_for(ModelType::kSingleTask))->gate_layout().has_gates());
}

TEST(Architectures, ParameterGroupsPartitionParametersForEveryType) {
  for (ModelType type : kAllTypes) {
    for (int64_t shared_dim : {0, 12}) {
      for (LossWeighting weighting : {LossWeighting::kFixed, LossWeighting::kUncertainty}) {
        SCOPED_TRACE(std::string(to_string(type)) + " shared_dim " + std::to_string(shared_dim) +
                     (weighting == LossWeighting::kUncertainty ? " uncertainty" : " fixed"));
        auto spec = spec_for(type);
        spec.shared_dim = shared_dim;
        spec.loss_weighting = weighting;
        spec.ple.levels = 3;  // shared gates at two levels
        const auto model = make_model(spec);
        const auto groups = model->parameter_groups();
        std::map<const void*, std::string> grouped;
        size_t entries = 0;
        for (const auto& [group, members] : std::vector<std::pair<std::string, const std::vector<torch::Tensor>*>>{
                 {"shared", &groups.shared},
                 {"experts", &groups.experts},
                 {"gates", &groups.gates},
                 {"towers", &groups.towers}}) {
          for (const auto& p : *members) grouped[p.data_ptr()] = group;
          entries += members->size();
        }
        const auto named = model->named_parameters();
        EXPECT_EQ(entries, named.size());  // nothing listed twice ...
        EXPECT_EQ(grouped.size(), named.size());
        for (const auto& item : named) {  // ... and every parameter in its group
          const auto found = grouped.find(item.value().data_ptr());
          ASSERT_NE(found, grouped.end()) << item.key() << " is in no group";
          EXPECT_EQ(found->second, expected_group(item.key())) << item.key();
        }
        EXPECT_EQ(named.contains("loss_log_variances"), weighting == LossWeighting::kUncertainty);
        EXPECT_EQ(groups.shared.empty(), shared_dim == 0 && type != ModelType::kSharedBottom);
      }
    }
  }
}

TEST(Omoe, EveryTaskReadsTheSameMixture) {
  torch::manual_seed(12);
  for (ModelType type : {ModelType::kOmoe, ModelType::kMmoe}) {
    SCOPED_TRACE(to_string(type));
    auto spec = spec_for(type);
    spec.tasks = {head("a", TaskType::kMulticlass, 3), head("b", TaskType::kMulticlass, 3)};
    const auto model = make_model(spec);
    {  // tower b := tower a
      torch::NoGradGuard no_grad;
      for (const auto& item : model->named_parameters()) {
        if (item.key().rfind("towers.0.", 0) != 0) continue;
        parameter(*model, "towers.1." + item.key().substr(9)).copy_(item.value());
      }
    }
    const auto out = model->forward(torch::randn({9, 10}));
    if (type == ModelType::kOmoe) {
      EXPECT_EQ(out.gates.sizes(), (std::vector<int64_t>{9, 1, 3}));
      EXPECT_LT((out.gates.sum(2) - 1).abs().max().item<float>(), 1e-6);
      EXPECT_TRUE(torch::equal(out.task_outputs[0], out.task_outputs[1]));
    } else {  // control: MMoE's per-task gates mix differently, so equal towers still differ
      EXPECT_FALSE(torch::allclose(out.task_outputs[0], out.task_outputs[1]));
    }
  }
}

TEST(SharedBottom, MatchesAHandComputationFromItsParameters) {
  torch::manual_seed(13);
  ModelSpec spec;
  spec.type = ModelType::kSharedBottom;
  spec.input_dim = 5;
  spec.tasks = {head("color", TaskType::kMulticlass, 3), mixed_tasks()[2]};
  spec.expert_hidden = {99};  // ignored: bottom_hidden wins
  spec.bottom_hidden = {4, 3};
  spec.tower_hidden = {2};
  SharedBottom model(spec);
  model->to(torch::kDouble);
  const auto x = torch::randn({6, 5}, torch::kDouble);
  const auto out = model->forward(x);

  auto p = [&](const std::string& name) { return parameter(*model, name); };
  // Bottom (fused layout with one expert): W1 [5, 1, 4], b1 [1, 4], W2 [1, 4, 3], b2 [1, 3].
  const auto h1 = torch::relu(x.mm(p("bottom.weight_0").select(1, 0)) + p("bottom.bias_0")[0]);
  const auto h2 = torch::relu(h1.mm(p("bottom.weight_1")[0]) + p("bottom.bias_1")[0]);
  for (int t = 0; t < 2; ++t) {
    const std::string tower = "towers." + std::to_string(t) + ".layers.";
    const auto hidden = torch::relu(h2.mm(p(tower + "0.weight").t()) + p(tower + "0.bias"));
    auto expected = hidden.mm(p(tower + "1.weight").t()) + p(tower + "1.bias");
    if (t == 1) expected = expected * 2.0 + 10.0;  // regression in original units
    EXPECT_LT((out.task_outputs[static_cast<size_t>(t)] - expected).abs().max().item<double>(), 1e-6);
  }
  EXPECT_EQ(p("bottom.weight_0").sizes(), (std::vector<int64_t>{5, 1, 4}));
}

TEST(SingleTask, ATasksLossDoesNotReachAnotherTasksNetwork) {
  torch::manual_seed(14);
  SingleTask model(spec_for(ModelType::kSingleTask));
  const auto x = torch::randn({8, 10});
  const auto labels = mixed_labels(8, torch::kFloat32);
  for (int64_t source = 0; source < 3; ++source) {
    model->zero_grad();
    const auto losses = masked_task_losses(model->forward(x).task_outputs, labels, model->tasks(),
                                           loss_denominators(labels, model->tasks()));
    losses.per_task[static_cast<size_t>(source)].backward();  // one task's loss only

    // networks.weight_0 [D, T, H1] (expert t = task t), later weights [T, ...], biases [T, H].
    for (int64_t t = 0; t < 3; ++t) {
      SCOPED_TRACE("loss of task " + std::to_string(source) + ", network of task " + std::to_string(t));
      double magnitude = 0.0;
      for (const auto& item : model->named_parameters()) {
        const auto& grad = item.value().grad();
        if (!grad.defined()) continue;  // never reached by any backward so far
        if (item.key() == "networks.weight_0") {
          magnitude += grad.select(1, t).abs().sum().item<double>();
        } else if (item.key().rfind("networks.", 0) == 0) {
          magnitude += grad[t].abs().sum().item<double>();
        } else if (item.key().rfind("towers." + std::to_string(t) + ".", 0) == 0) {
          magnitude += grad.abs().sum().item<double>();
        }
      }
      if (t == source) {
        EXPECT_GT(magnitude, 0.0);
      } else {
        EXPECT_EQ(magnitude, 0.0);  // exactly
      }
    }
  }
}

torch::Tensor hand_softmax(const torch::Tensor& logits) {
  const auto e = torch::exp(logits - std::get<0>(logits.max(1, /*keepdim=*/true)));
  return e / e.sum(1, /*keepdim=*/true);
}

TEST(Ple, OneLevelTinyCaseMatchesAHandComputation) {
  torch::manual_seed(15);
  ModelSpec spec;
  spec.type = ModelType::kPle;
  spec.input_dim = 4;
  spec.tasks = {head("a", TaskType::kRegression, 1), head("b", TaskType::kMulticlass, 2)};
  spec.expert_hidden = {3};
  spec.tower_hidden = {};
  spec.gate.temperature = 0.5;
  spec.ple = {/*levels=*/1, /*shared_experts=*/1, /*task_experts=*/1};
  Ple model(spec);
  model->to(torch::kDouble);
  const auto x = torch::randn({5, 4}, torch::kDouble);
  const auto out = model->forward(x);

  auto p = [&](const std::string& name) { return parameter(*model, name); };
  const auto w = p("levels.0.experts.weight_0");  // [4, 3 experts (a, b, shared), 3]
  const auto b = p("levels.0.experts.bias_0");    // [3, 3]
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{4, 3, 3}));
  auto expert = [&](int64_t e) { return torch::relu(x.mm(w.select(1, e)) + b[e]); };
  const auto shared = expert(2);
  for (int64_t t = 0; t < 2; ++t) {
    const std::string gate = "levels.0.task_gates." + std::to_string(t) + ".linear.";
    const auto g = hand_softmax((x.mm(p(gate + "weight").t()) + p(gate + "bias")) / 0.5);  // [B, 2]
    const auto mixed = g.select(1, 0).unsqueeze(1) * expert(t) + g.select(1, 1).unsqueeze(1) * shared;
    const std::string tower = "towers." + std::to_string(t) + ".layers.0.";
    const auto expected = mixed.mm(p(tower + "weight").t()) + p(tower + "bias");
    EXPECT_LT((out.task_outputs[static_cast<size_t>(t)] - expected).abs().max().item<double>(), 1e-6);
    EXPECT_LT((out.gates.select(1, t) - g).abs().max().item<double>(), 1e-6);
  }
  EXPECT_FALSE(model->named_parameters().contains("levels.0.shared_gate.linear.weight"));
}

// Independent PLE oracle: loops over levels, tasks and experts, reading the model's parameters.
struct PleOracle {
  const torch::nn::Module& model;
  const ModelSpec& spec;

  torch::Tensor p(const std::string& name) const { return parameter(model, name); }

  torch::Tensor expert(int64_t level, int64_t e, const torch::Tensor& input) const {
    const std::string prefix = "levels." + std::to_string(level) + ".experts.";
    auto h = input;
    for (size_t layer = 0; layer < spec.expert_hidden.size(); ++layer) {
      const auto w = p(prefix + "weight_" + std::to_string(layer));
      const auto b = p(prefix + "bias_" + std::to_string(layer))[e];
      h = torch::tanh(h.mm(layer == 0 ? w.select(1, e) : w[e]) + b);
    }
    return h;
  }

  torch::Tensor gate(const std::string& prefix, const torch::Tensor& input) const {
    return hand_softmax((input.mm(p(prefix + "linear.weight").t()) + p(prefix + "linear.bias")) /
                        spec.gate.temperature);
  }

  static torch::Tensor weighted_sum(const torch::Tensor& g, const std::vector<torch::Tensor>& experts) {
    auto sum = torch::zeros_like(experts[0]);
    for (size_t j = 0; j < experts.size(); ++j) {
      sum = sum + g.select(1, static_cast<int64_t>(j)).unsqueeze(1) * experts[j];
    }
    return sum;
  }

  // -> per task outputs; final gates per task in *gates
  std::vector<torch::Tensor> forward(const torch::Tensor& x, std::vector<torch::Tensor>* gates) const {
    const auto tasks = static_cast<int64_t>(spec.tasks.size());
    const int64_t m = spec.ple.task_experts;
    const int64_t s = spec.ple.shared_experts;
    std::vector<torch::Tensor> task_in(static_cast<size_t>(tasks), x);
    torch::Tensor shared_in = x;
    for (int64_t level = 0; level < spec.ple.levels; ++level) {
      const std::string prefix = "levels." + std::to_string(level) + ".";
      std::vector<torch::Tensor> shared_experts, all_experts, task_out;
      for (int64_t t = 0; t < tasks; ++t) {
        const auto& input = task_in[static_cast<size_t>(t)];
        for (int64_t j = 0; j < m; ++j) all_experts.push_back(expert(level, t * m + j, input));
      }
      for (int64_t j = 0; j < s; ++j) shared_experts.push_back(expert(level, tasks * m + j, shared_in));
      all_experts.insert(all_experts.end(), shared_experts.begin(), shared_experts.end());
      gates->clear();
      for (int64_t t = 0; t < tasks; ++t) {
        std::vector<torch::Tensor> visible(all_experts.begin() + t * m, all_experts.begin() + (t + 1) * m);
        visible.insert(visible.end(), shared_experts.begin(), shared_experts.end());
        const auto g = gate(prefix + "task_gates." + std::to_string(t) + ".", task_in[static_cast<size_t>(t)]);
        gates->push_back(g);
        task_out.push_back(weighted_sum(g, visible));
      }
      if (level + 1 < spec.ple.levels) shared_in = weighted_sum(gate(prefix + "shared_gate.", shared_in), all_experts);
      task_in = task_out;
    }
    std::vector<torch::Tensor> outputs;
    for (int64_t t = 0; t < tasks; ++t) {
      const std::string tower = "towers." + std::to_string(t) + ".layers.";
      const auto& input = task_in[static_cast<size_t>(t)];
      const auto hidden = torch::tanh(input.mm(p(tower + "0.weight").t()) + p(tower + "0.bias"));
      auto out = hidden.mm(p(tower + "1.weight").t()) + p(tower + "1.bias");
      const auto& task = spec.tasks[static_cast<size_t>(t)];
      if (!task.target_mean.empty()) out = out * task.target_std[0] + task.target_mean[0];
      outputs.push_back(out);
    }
    return outputs;
  }
};

ModelSpec deep_ple_spec() {
  auto spec = spec_for(ModelType::kPle);
  spec.input_dim = 6;
  spec.expert_hidden = {5, 4};
  spec.tower_hidden = {3};
  spec.activation = Activation::kTanh;
  spec.gate.temperature = 0.7;
  spec.ple = {/*levels=*/3, /*shared_experts=*/2, /*task_experts=*/2};
  return spec;
}

TEST(Ple, ThreeLevelsMatchALoopedOracle) {
  torch::manual_seed(16);
  const auto spec = deep_ple_spec();
  Ple model(spec);
  model->to(torch::kDouble);
  const auto x = torch::randn({7, 6}, torch::kDouble);
  const auto out = model->forward(x);
  std::vector<torch::Tensor> gates;
  const auto expected = PleOracle{*model, spec}.forward(x, &gates);
  for (size_t t = 0; t < expected.size(); ++t) {
    EXPECT_LT((out.task_outputs[t] - expected[t]).abs().max().item<double>(), 1e-9) << "task " << t;
    EXPECT_LT((out.gates.select(1, static_cast<int64_t>(t)) - gates[t]).abs().max().item<double>(), 1e-9);
  }
}

TEST(Ple, TwoLevelGradientsMatchFiniteDifferences) {
  torch::manual_seed(17);
  auto spec = deep_ple_spec();
  spec.ple.levels = 2;
  spec.ple.task_experts = 1;
  Ple model(spec);
  model->to(torch::kDouble);
  const auto x = torch::randn({6, 6}, torch::kDouble);
  const auto labels = mixed_labels(6, torch::kDouble);
  const auto& tasks = model->tasks();
  const auto denominators = loss_denominators(labels, tasks);
  auto loss = [&] { return masked_task_losses(model->forward(x).task_outputs, labels, tasks, denominators).total; };
  for (const auto& item : model->named_parameters()) {
    EXPECT_LT(testing::max_gradient_error(loss, item.value()), 1e-6) << item.key();
  }
  // the level-1 shared gate only reaches the loss through level 2's shared experts
  EXPECT_TRUE(model->named_parameters().contains("levels.0.shared_gate.linear.weight"));
}

TEST(Ple, LoadBalancingLossIsTheMeanOverAllGates) {
  auto spec = spec_for(ModelType::kPle);
  spec.gate.load_balance_weight = 0.1;
  Ple model(spec);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameter_groups().gates) p.zero_();
  }
  // Uniform gates route every row to expert 0: each gate's loss is weight * E * (1 * 1/E) = weight.
  const auto out = model->forward(torch::randn({9, 10}));
  ASSERT_TRUE(out.aux_loss.defined());
  EXPECT_NEAR(out.aux_loss.item<double>(), 0.1, 1e-6);
}

TEST(Ple, RejectsBadLevelSpecs) {
  for (auto change : std::vector<std::function<void(ModelSpec&)>>{
           [](ModelSpec& s) { s.ple.levels = 0; }, [](ModelSpec& s) { s.ple.task_experts = 0; },
           [](ModelSpec& s) { s.ple.shared_experts = 0; }, [](ModelSpec& s) { s.expert_hidden.clear(); }}) {
    auto spec = spec_for(ModelType::kPle);
    change(spec);
    EXPECT_THROW(make_model(spec), c10::Error);
  }
}

TEST(FusedExperts, GroupedForwardGivesEachExpertItsOwnInput) {
  torch::manual_seed(18);
  FusedExperts experts(FusedExpertsOptions(6, 4, {5, 3}));
  const auto x = torch::randn({4, 9, 6});  // [E, B, D]
  const auto grouped = experts->forward_grouped(x);
  ASSERT_EQ(grouped.sizes(), (std::vector<int64_t>{4, 9, 3}));
  for (int64_t e = 0; e < 4; ++e) {
    EXPECT_LT((grouped[e] - experts->forward(x[e])[e]).abs().max().item<float>(), 1e-6);
  }
  EXPECT_THROW(experts->forward_grouped(torch::randn({3, 9, 6})), c10::Error);
}

TEST(Architectures, EveryTypeFitsASmallSyntheticMultiTaskProblem) {
  torch::manual_seed(19);
  const auto x = torch::randn({256, 8});
  const auto w = torch::randn({8, 2});
  const std::vector<torch::Tensor> labels = {(x.matmul(w.select(1, 0)) > 0).to(torch::kInt64),
                                             x.matmul(w.select(1, 1)).unsqueeze(1)};
  for (ModelType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    torch::manual_seed(20);
    ModelSpec spec;
    spec.type = type;
    spec.input_dim = 8;
    spec.tasks = {head("sign", TaskType::kMulticlass, 2), head("value", TaskType::kRegression, 1)};
    spec.num_experts = 4;
    spec.expert_hidden = {16};
    spec.tower_hidden = {8};
    spec.ple = {/*levels=*/2, /*shared_experts=*/2, /*task_experts=*/1};
    const auto model = make_model(spec);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    const auto denominators = loss_denominators(labels, model->tasks());
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 200; ++step) {
      optimizer.zero_grad();
      auto losses = masked_task_losses(model->forward(x).task_outputs, labels, model->tasks(), denominators);
      losses.total.backward();
      optimizer.step();
      if (step == 0) first = losses.total.item<double>();
      last = losses.total.item<double>();
    }
    EXPECT_LT(last, 0.1 * first);
  }
}

}  // namespace
}  // namespace mmoe::models::architectures_test
