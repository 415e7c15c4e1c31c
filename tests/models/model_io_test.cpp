// Spec text round trips and errors, save/load of every architecture (bitwise identical outputs),
// load errors, and TorchScript export (outputs equal the C++ model's at an unseen batch size).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include "models/make_model.h"
#include "models/model_io.h"
#include "models/model_spec_text.h"
#include "models/torchscript_export.h"

namespace mmoe::models {
namespace model_io_test {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "mmoe_io_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path_), {})); }

 private:
  std::string path_;
};

// Every field away from its default, with names and reals that stress the text format.
ModelSpec io_spec(ModelType type) {
  ModelSpec spec;
  spec.type = type;
  spec.input_dim = 6;
  spec.tasks.resize(3);
  spec.tasks[0].name = "color";
  spec.tasks[0].output_dim = 4;
  spec.tasks[0].loss_weight = 0.7;
  spec.tasks[0].label_smoothing = 0.1;
  spec.tasks[0].class_weights = {1.0, 2.5, 1.0 / 3.0, 4.0};
  spec.tasks[1].name = "tags=a,b";
  spec.tasks[1].type = TaskType::kMultilabel;
  spec.tasks[1].output_dim = 3;
  spec.tasks[1].pos_weight = {1.0, 2.0, 1e-300};
  spec.tasks[2].name = "price \\ in\nEUR";
  spec.tasks[2].type = TaskType::kRegression;
  spec.tasks[2].output_dim = 2;
  spec.tasks[2].regression_loss = RegressionLoss::kHuber;
  spec.tasks[2].huber_delta = 0.25;
  spec.tasks[2].target_mean = {10.0, -1.5};
  spec.tasks[2].target_std = {2.0, 0.1};
  spec.num_experts = 3;
  spec.expert_hidden = {8, 5};
  spec.activation = Activation::kGelu;
  spec.expert_dropout = 0.1;
  spec.tower_hidden = {4};
  spec.tower_dropout = 0.2;
  spec.gate.temperature = 0.7;
  spec.standardize_features = true;
  spec.shared_dim = 7;
  spec.shared_dropout = 0.05;
  spec.bottom_hidden = {9, 5};
  spec.ple.levels = 2;
  spec.ple.shared_experts = 2;
  spec.ple.task_experts = 1;
  spec.loss_weighting = LossWeighting::kUncertainty;
  return spec;
}

void expect_same_spec(const ModelSpec& a, const ModelSpec& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.input_dim, b.input_dim);
  EXPECT_EQ(a.num_experts, b.num_experts);
  EXPECT_EQ(a.expert_hidden, b.expert_hidden);
  EXPECT_EQ(a.activation, b.activation);
  EXPECT_EQ(a.expert_dropout, b.expert_dropout);
  EXPECT_EQ(a.tower_hidden, b.tower_hidden);
  EXPECT_EQ(a.tower_dropout, b.tower_dropout);
  EXPECT_EQ(a.gate.temperature, b.gate.temperature);
  EXPECT_EQ(a.gate.top_k, b.gate.top_k);
  EXPECT_EQ(a.gate.noisy, b.gate.noisy);
  EXPECT_EQ(a.gate.load_balance_weight, b.gate.load_balance_weight);
  EXPECT_EQ(a.standardize_features, b.standardize_features);
  EXPECT_EQ(a.shared_dim, b.shared_dim);
  EXPECT_EQ(a.shared_dropout, b.shared_dropout);
  EXPECT_EQ(a.bottom_hidden, b.bottom_hidden);
  EXPECT_EQ(a.ple.levels, b.ple.levels);
  EXPECT_EQ(a.ple.shared_experts, b.ple.shared_experts);
  EXPECT_EQ(a.ple.task_experts, b.ple.task_experts);
  EXPECT_EQ(a.loss_weighting, b.loss_weighting);
  ASSERT_EQ(a.tasks.size(), b.tasks.size());
  for (size_t t = 0; t < a.tasks.size(); ++t) {
    const auto& x = a.tasks[t];
    const auto& y = b.tasks[t];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.output_dim, y.output_dim);
    EXPECT_EQ(x.loss_weight, y.loss_weight);  // exact: reals round-trip bit for bit
    EXPECT_EQ(x.label_smoothing, y.label_smoothing);
    EXPECT_EQ(x.class_weights, y.class_weights);
    EXPECT_EQ(x.pos_weight, y.pos_weight);
    EXPECT_EQ(x.regression_loss, y.regression_loss);
    EXPECT_EQ(x.huber_delta, y.huber_delta);
    EXPECT_EQ(x.target_mean, y.target_mean);
    EXPECT_EQ(x.target_std, y.target_std);
  }
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const c10::Error& error) {
    return error.what_without_backtrace();
  }
  return "(no error)";
}

// make_model, or nullptr for the architectures that are not built yet.
MultiTaskModel make_or_skip(const ModelSpec& spec) {
  try {
    return make_model(spec);
  } catch (const c10::Error& error) {
    if (std::string(error.what()).find("not built yet") != std::string::npos) return nullptr;
    throw;
  }
}

// Buffers away from their initial values, so a load that skipped them would show.
void scramble_buffers(MultiTaskModelImpl& model) {
  torch::NoGradGuard no_grad;
  for (auto& buffer : model.buffers()) {
    if (buffer.is_floating_point()) {
      buffer.copy_(torch::rand_like(buffer) + 0.5);
    } else {
      buffer.fill_(7);
    }
  }
}

void expect_identical(const ModelOutput& a, const ModelOutput& b) {
  ASSERT_EQ(a.task_outputs.size(), b.task_outputs.size());
  for (size_t t = 0; t < a.task_outputs.size(); ++t) EXPECT_TRUE(torch::equal(a.task_outputs[t], b.task_outputs[t]));
  EXPECT_EQ(a.gates.defined(), b.gates.defined());
  if (a.gates.defined()) {
    EXPECT_TRUE(torch::equal(a.gates, b.gates));
  }
}

const ModelType kAllTypes[] = {ModelType::kMmoe, ModelType::kOmoe, ModelType::kSharedBottom, ModelType::kSingleTask,
                               ModelType::kPle};

TEST(SpecTextIo, RoundTripsEveryFieldExactly) {
  for (ModelType type : kAllTypes) {
    auto spec = io_spec(type);
    spec.gate.top_k = 2;
    spec.gate.noisy = true;
    spec.gate.load_balance_weight = 0.01;
    const std::string text = model_spec_to_text(spec);
    expect_same_spec(model_spec_from_text(text), spec);
    EXPECT_EQ(model_spec_to_text(model_spec_from_text(text)), text);
  }
}

TEST(SpecTextIo, WritesTheDocumentedLines) {
  ModelSpec spec = io_spec(ModelType::kMmoe);
  const std::string text = model_spec_to_text(spec);
  EXPECT_EQ(text.rfind("mmoe_model_spec=1\ntype=mmoe\ninput_dim=6\n", 0), 0u) << text;
  // 0.7 with 17 significant digits (as printf("%.17g", 0.7)).
  EXPECT_NE(text.find("\ngate.temperature=0.69999999999999996\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nexpert_hidden=8,5\n"), std::string::npos);
  EXPECT_NE(text.find("\nactivation=gelu\n"), std::string::npos);
  EXPECT_NE(text.find("\nloss_weighting=uncertainty\n"), std::string::npos);
  EXPECT_NE(text.find("\ntask.1.name=tags=a,b\n"), std::string::npos);
  EXPECT_NE(text.find("\ntask.2.name=price \\\\ in\\nEUR\n"), std::string::npos);
  EXPECT_NE(text.find("\ntask.2.regression_loss=huber\n"), std::string::npos);
  EXPECT_NE(text.find("\ntask.0.class_weights=1,2.5,0.33333333333333331,4\n"), std::string::npos);
}

TEST(SpecTextIo, ParsesHandWrittenTextInAnyOrder) {
  std::string text = model_spec_to_text(io_spec(ModelType::kMmoe));
  // Move the type line to the end and use CRLF line ends: still the same spec.
  const size_t at = text.find("type=mmoe\n");
  text.erase(at, 10);
  text += "type=omoe\r\n";
  const ModelSpec parsed = model_spec_from_text(text);
  EXPECT_EQ(parsed.type, ModelType::kOmoe);
  EXPECT_EQ(parsed.tasks[2].name, "price \\ in\nEUR");
  EXPECT_EQ(parsed.tasks[0].class_weights[2], 1.0 / 3.0);
}

TEST(SpecTextIo, ErrorsNameTheLine) {
  const std::string good = model_spec_to_text(io_spec(ModelType::kMmoe));
  auto with_line = [&good](const std::string& line) { return good + line + "\n"; };
  const int last = static_cast<int>(std::count(good.begin(), good.end(), '\n')) + 1;
  const std::string at_last = "line " + std::to_string(last);

  EXPECT_NE(error_of([&] { model_spec_from_text("mmoe_model_spec=2\ntype=mmoe\n"); }).find("line 1 'mmoe_model_spec=2': unsupported model spec version"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model_spec_from_text("type=mmoe\n"); }).find("line 1 'type=mmoe': expected the version line"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model_spec_from_text(with_line("no equals sign")); }).find(at_last + " 'no equals sign': expected key=value"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model_spec_from_text(with_line("colour=red")); }).find(at_last + " 'colour=red': unknown key"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model_spec_from_text(with_line("input_dim=7")); }).find(at_last + " 'input_dim=7': duplicate key"),
            std::string::npos);
  std::string bad = good;
  bad.replace(bad.find("num_experts=3"), 13, "num_experts=3x");
  EXPECT_NE(error_of([&] { model_spec_from_text(bad); }).find("line 4 'num_experts=3x': '3x' is not an integer"),
            std::string::npos);
  bad = good;
  bad.replace(bad.find("activation=gelu"), 15, "activation=swish");
  EXPECT_NE(error_of([&] { model_spec_from_text(bad); }).find("expected one of relu, gelu, silu, tanh"), std::string::npos);
  bad = good;
  bad.replace(bad.find("expert_hidden=8,5"), 17, "expert_hidden=8,,5");
  EXPECT_NE(error_of([&] { model_spec_from_text(bad); }).find("empty list item"), std::string::npos);
  bad = good;
  bad.erase(bad.find("gate.top_k=0\n"), 13);
  EXPECT_NE(error_of([&] { model_spec_from_text(bad); }).find("missing key 'gate.top_k'"), std::string::npos);
  EXPECT_NE(error_of([&] { model_spec_from_text(""); }).find("empty"), std::string::npos);
}

TEST(ModelIo, SaveLoadGivesBitwiseIdenticalOutputsForEveryArchitecture) {
  ScratchDir dir;
  int built = 0;
  for (ModelType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    const ModelSpec spec = io_spec(type);
    torch::manual_seed(11);
    MultiTaskModel model = make_or_skip(spec);
    if (!model) continue;  // not built yet
    ++built;
    scramble_buffers(*model);
    {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters()) p.add_(0.01);  // differs from any fresh initialisation
    }
    model->eval();
    const auto x = torch::randn({9, spec.input_dim});
    const ModelOutput before = model->forward(x);

    const std::string path = dir.file(std::string(to_string(type)) + ".mmoe");
    save_model(path, spec, *model);
    EXPECT_FALSE(fs::exists(path + ".partial"));
    torch::manual_seed(99);  // the rebuilt model starts from other random values
    LoadedModel loaded = load_model(path);
    expect_same_spec(loaded.spec, spec);
    EXPECT_FALSE(loaded.model->is_training());
    expect_identical(loaded.model->forward(x), before);

    const auto saved = model->named_parameters();
    const auto restored = loaded.model->named_parameters();
    ASSERT_EQ(saved.size(), restored.size());
    for (const auto& item : saved) EXPECT_TRUE(torch::equal(item.value(), restored[item.key()])) << item.key();
    for (const auto& item : model->named_buffers()) {
      EXPECT_TRUE(torch::equal(item.value(), loaded.model->named_buffers()[item.key()])) << item.key();
    }
  }
  EXPECT_GE(built, 1);  // at least mmoe
}

TEST(ModelIo, LoadErrorsNameThePath) {
  ScratchDir dir;
  const std::string missing = dir.file("missing.mmoe");
  EXPECT_NE(error_of([&] { load_model(missing); }).find("cannot open '" + missing + "'"), std::string::npos);

  const std::string text_file = dir.file("notes.mmoe");
  std::ofstream(text_file) << "not a zip archive\n";
  const std::string not_archive = error_of([&] { load_model(text_file); });
  EXPECT_NE(not_archive.find("'" + text_file + "' is not a model file written by save_model"), std::string::npos)
      << not_archive;

  const std::string other_archive = dir.file("other.pt");
  {
    torch::serialize::OutputArchive archive;
    archive.write("weights", torch::ones({2}));
    archive.save_to(other_archive);
  }
  EXPECT_NE(error_of([&] { load_model(other_archive); }).find("'" + other_archive + "' is a LibTorch archive but not a model file"),
            std::string::npos);

  const std::string future = dir.file("future.mmoe");
  {
    torch::serialize::OutputArchive archive;
    archive.write("mmoe_format_version", c10::IValue(int64_t{99}));
    archive.save_to(future);
  }
  const std::string version = error_of([&] { load_model(future); });
  EXPECT_NE(version.find("'" + future + "' has model file format version 99; this build reads version 1"), std::string::npos)
      << version;
}

TEST(ModelIo, SaveIntoAMissingDirectoryFailsWithThePath) {
  const ModelSpec spec = io_spec(ModelType::kMmoe);
  MultiTaskModel model = make_model(spec);
  const std::string path = "/nonexistent-mmoe-dir/model.mmoe";
  EXPECT_NE(error_of([&] { save_model(path, spec, *model); }).find(path), std::string::npos);
}

TEST(ModelIo, SaveRefusesASpecThatDoesNotDescribeTheModel) {
  ScratchDir dir;
  const ModelSpec spec = io_spec(ModelType::kMmoe);
  MultiTaskModel model = make_model(spec);
  ModelSpec other = spec;
  other.tasks[0].name = "colour";
  EXPECT_NE(error_of([&] { save_model(dir.file("m.mmoe"), other, *model); }).find("task 0 is 'colour' in the spec"),
            std::string::npos);
  EXPECT_EQ(dir.entries(), 0u);
}

// Exported forward at a batch size neither trace used (the exporter traces at 5 and 7, checks at 3).
void expect_export_matches(const ModelSpec& spec, MultiTaskModelImpl& model, const std::string& path) {
  export_torchscript(model, spec, path);
  EXPECT_FALSE(fs::exists(path + ".partial"));
  torch::jit::Module exported = torch::jit::load(path);
  exported.eval();
  model.eval();
  torch::NoGradGuard no_grad;
  for (int64_t batch : {1, 11, 64}) {
    const auto x = torch::randn({batch, spec.input_dim});
    const ModelOutput expected = model.forward(x);
    const auto got = exported.forward({x}).toTupleRef().elements();
    ASSERT_EQ(got.size(), spec.tasks.size());
    for (size_t t = 0; t < got.size(); ++t) {
      ASSERT_EQ(got[t].toTensor().sizes(), expected.task_outputs[t].sizes());
      EXPECT_LE((got[t].toTensor() - expected.task_outputs[t]).abs().max().item<double>(), 1e-6);
    }
    if (expected.gates.defined()) {
      const auto with_gates = exported.get_method("forward_with_gates")({x}).toTupleRef().elements();
      EXPECT_LE((with_gates.at(1).toTensor() - expected.gates).abs().max().item<double>(), 1e-6);
    } else {
      EXPECT_FALSE(exported.find_method("forward_with_gates").has_value());
    }
  }
  const auto names = exported.attr("task_names").toListRef();
  ASSERT_EQ(names.size(), spec.tasks.size());
  for (size_t t = 0; t < names.size(); ++t) EXPECT_EQ(names[t].toStringRef(), spec.tasks[t].name);
  EXPECT_EQ(exported.attr("input_dim").toInt(), spec.input_dim);
  expect_same_spec(model_spec_from_text(exported.attr("model_spec").toStringRef()), spec);
  torch::jit::ExtraFilesMap extra{{"model_spec.txt", ""}};
  torch::jit::load(path, c10::nullopt, extra);
  EXPECT_EQ(extra["model_spec.txt"], model_spec_to_text(spec));
}

TEST(TorchscriptExport, MmoeOutputsMatchTheModelAtAnUnseenBatchSize) {
  ScratchDir dir;
  torch::manual_seed(3);
  const ModelSpec spec = io_spec(ModelType::kMmoe);
  MultiTaskModel model = make_model(spec);
  scramble_buffers(*model);
  model->train();
  expect_export_matches(spec, *model, dir.file("mmoe.pt"));
}

TEST(TorchscriptExport, RestoresTrainingMode) {
  ScratchDir dir;
  const ModelSpec spec = io_spec(ModelType::kMmoe);
  MultiTaskModel model = make_model(spec);
  model->train();
  export_torchscript(*model, spec, dir.file("m.pt"));
  EXPECT_TRUE(model->is_training());
}

TEST(TorchscriptExport, SparseAndNoisyGatesExport) {
  ScratchDir dir;
  torch::manual_seed(4);
  ModelSpec spec = io_spec(ModelType::kMmoe);
  spec.num_experts = 4;
  spec.gate.top_k = 2;
  spec.gate.noisy = true;
  spec.gate.load_balance_weight = 0.01;
  MultiTaskModel model = make_model(spec);
  expect_export_matches(spec, *model, dir.file("sparse.pt"));
}

TEST(TorchscriptExport, EveryBuiltArchitectureExports) {
  ScratchDir dir;
  for (ModelType type : kAllTypes) {
    SCOPED_TRACE(to_string(type));
    torch::manual_seed(5);
    const ModelSpec spec = io_spec(type);
    MultiTaskModel model = make_or_skip(spec);
    if (!model) continue;
    scramble_buffers(*model);
    expect_export_matches(spec, *model, dir.file(std::string(to_string(type)) + ".pt"));
  }
}

}  // namespace
}  // namespace model_io_test
}  // namespace mmoe::models
