#include "models/torchscript_export.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <unordered_map>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/serialization/import.h>

#include "models/model_spec_text.h"

namespace mmoe::models {
namespace {

namespace jit = torch::jit;

constexpr const char* kExportClassName = "__torch__.mmoe_trainer.MultiTaskModel";
constexpr int64_t kExportTraceBatch = 5;  // the trace that becomes the method
constexpr int64_t kExportProbeBatch = 7;  // a second trace that reveals batch-dependent constants
constexpr int64_t kExportCheckBatch = 3;  // the exported file is checked at a batch size neither trace used

// Puts a module back into the training mode it had.
class ExportModeGuard {
 public:
  explicit ExportModeGuard(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {}
  ~ExportModeGuard() { module_.train(was_training_); }
  ExportModeGuard(const ExportModeGuard&) = delete;
  ExportModeGuard& operator=(const ExportModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

using ExportOutputs = std::function<c10::IValue(const ModelOutput&)>;

c10::IValue export_task_tuple(const ModelOutput& out) {
  return c10::ivalue::Tuple::create(std::vector<c10::IValue>(out.task_outputs.begin(), out.task_outputs.end()));
}

c10::IValue export_tasks_and_gates(const ModelOutput& out) {
  return c10::ivalue::Tuple::create({export_task_tuple(out), c10::IValue(out.gates)});
}

// Traces model.forward(x) with `self` as the module, so every parameter and buffer registered on
// `self` becomes an attribute read. Graph inputs: (self, x).
std::shared_ptr<jit::Graph> export_trace(jit::Module& self, MultiTaskModelImpl& model, const torch::Tensor& x,
                                         const ExportOutputs& outputs) {
  auto traced = [&model, &outputs](jit::Stack inputs) -> jit::Stack {
    return {outputs(model.forward(inputs.at(0).toTensor()))};
  };
  auto no_names = [](const torch::autograd::Variable&) { return std::string(); };
  auto result = jit::tracer::trace({x}, traced, no_names, /*strict=*/true, /*force_outplace=*/false, &self, {"x"});
  return result.first->graph;
}

bool export_same_constant(const c10::IValue& a, const c10::IValue& b) {
  if (a.isTensor() || b.isTensor()) {
    if (!a.isTensor() || !b.isTensor()) return false;
    const auto& ta = a.toTensor();
    const auto& tb = b.toTensor();
    return ta.sizes() == tb.sizes() && ta.dtype() == tb.dtype() && torch::equal(ta, tb);
  }
  return a == b;
}

// k when value == k * kExportTraceBatch and probe_value == k * kExportProbeBatch, k >= 1.
std::optional<int64_t> export_batch_multiple(int64_t value, int64_t probe_value) {
  if (value <= 0 || value % kExportTraceBatch != 0 || probe_value % kExportProbeBatch != 0) return std::nullopt;
  const int64_t k = value / kExportTraceBatch;
  if (probe_value / kExportProbeBatch != k) return std::nullopt;
  return k;
}

// Rewrites `graph` (traced at kExportTraceBatch) so that the constants that differ from the ones of
// `probe` (the same code traced at kExportProbeBatch) are computed from x.size(0).
class ExportBatchGeneraliser {
 public:
  ExportBatchGeneraliser(jit::Graph& graph, jit::Graph& probe) : graph_(graph), probe_(probe) {}

  void run() {
    TORCH_CHECK(graph_.inputs().size() == 2 && probe_.inputs().size() == 2,
                "the traced graphs should have inputs (self, x)");
    for (size_t i = 0; i < graph_.inputs().size(); ++i) peer_[graph_.inputs()[i]] = probe_.inputs()[i];
    const auto nodes = non_constant_nodes(graph_);
    const auto probe_nodes = non_constant_nodes(probe_);
    TORCH_CHECK(nodes.size() == probe_nodes.size(), "the model's forward runs different operations at batch sizes ",
                kExportTraceBatch, " and ", kExportProbeBatch, " (", nodes.size(), " vs ", probe_nodes.size(), ")");
    for (size_t k = 0; k < nodes.size(); ++k) match(nodes[k], probe_nodes[k]);
    TORCH_CHECK(graph_.outputs().size() == probe_.outputs().size(), "traces differ in their outputs");
    for (size_t i = 0; i < graph_.outputs().size(); ++i) {
      TORCH_CHECK(peer_.count(graph_.outputs()[i]) && peer_.at(graph_.outputs()[i]) == probe_.outputs()[i],
                  "traces differ in their outputs");
    }
  }

 private:
  static std::vector<jit::Node*> non_constant_nodes(jit::Graph& graph) {
    std::vector<jit::Node*> nodes;
    for (jit::Node* node : graph.nodes()) {
      if (node->kind() != c10::prim::Constant) nodes.push_back(node);
    }
    return nodes;
  }

  static bool is_constant(const jit::Value* value) { return value->node()->kind() == c10::prim::Constant; }

  void match(jit::Node* node, const jit::Node* probe) {
    TORCH_CHECK(node->kind() == probe->kind() && node->inputs().size() == probe->inputs().size() &&
                    node->outputs().size() == probe->outputs().size() && node->blocks().empty() &&
                    probe->blocks().empty(),
                "the model's forward runs different operations at different batch sizes (",
                node->kind().toQualString(), " vs ", probe->kind().toQualString(), ")");
    for (size_t i = 0; i < node->inputs().size(); ++i) {
      jit::Value* value = node->inputs()[i];
      const jit::Value* probe_value = probe->inputs()[i];
      if (!is_constant(value) || !is_constant(probe_value)) {
        const auto it = peer_.find(value);
        TORCH_CHECK(it != peer_.end() && it->second == probe_value, "input ", i, " of ",
                    node->kind().toQualString(), " is a constant at one batch size and computed at the other");
        continue;
      }
      const auto a = jit::toIValue(value);
      const auto b = jit::toIValue(probe_value);
      TORCH_CHECK(a && b, "unreadable constant in the traced graph");
      if (export_same_constant(*a, *b)) continue;
      node->replaceInput(i, batch_dependent(node, *a, *b));
    }
    for (size_t o = 0; o < node->outputs().size(); ++o) peer_[node->outputs()[o]] = probe->outputs()[o];
  }

  // The value that replaces a constant input of `node` that was `a` in the trace and `b` in the probe.
  jit::Value* batch_dependent(jit::Node* node, const c10::IValue& a, const c10::IValue& b) {
    jit::WithInsertPoint guard(node);
    if (a.isInt() && b.isInt()) {
      const auto k = export_batch_multiple(a.toInt(), b.toInt());
      if (k) return scaled_batch(*k);
    } else if (a.isIntList() && b.isIntList() && a.toIntVector().size() == b.toIntVector().size()) {
      const auto xs = a.toIntVector();
      const auto ys = b.toIntVector();
      std::vector<jit::Value*> items;
      bool ok = true;
      for (size_t j = 0; j < xs.size() && ok; ++j) {
        if (xs[j] == ys[j]) {
          items.push_back(graph_.insertConstant(xs[j]));
          continue;
        }
        const auto k = export_batch_multiple(xs[j], ys[j]);
        ok = k.has_value();
        if (ok) items.push_back(scaled_batch(*k));
      }
      if (ok) return graph_.insertNode(graph_.createList(c10::IntType::get(), items))->output();
    }
    TORCH_CHECK(false, "an argument of ", node->kind().toQualString(), " depends on the batch size in a way tracing ",
                "cannot capture (", a, " at batch ", kExportTraceBatch, ", ", b, " at batch ", kExportProbeBatch,
                "); compute it from the input's shape with view(-1, ...) or similar");
  }

  // k * x.size(0), inserted at the current insertion point (the batch size itself at the graph's start).
  jit::Value* scaled_batch(int64_t k) {
    if (batch_ == nullptr) {
      jit::WithInsertPoint at_start(*graph_.nodes().begin());
      batch_ = graph_.insert(c10::aten::size, {jit::NamedValue(graph_.inputs()[1]), jit::NamedValue(int64_t{0})});
    }
    if (k == 1) return batch_;
    return graph_.insert(c10::aten::mul, {jit::NamedValue(batch_), jit::NamedValue(k)});
  }

  jit::Graph& graph_;
  jit::Graph& probe_;
  std::unordered_map<const jit::Value*, const jit::Value*> peer_;
  jit::Value* batch_ = nullptr;
};

// Deterministic example rows [batch, dim] (no global random state is touched).
torch::Tensor export_example_input(int64_t batch, int64_t dim, const torch::TensorOptions& options) {
  return torch::sin(torch::arange(batch * dim, options) * 0.37 + static_cast<double>(batch)).reshape({batch, dim});
}

void export_add_method(jit::Module& self, MultiTaskModelImpl& model, const std::string& name,
                       const torch::TensorOptions& options, const ExportOutputs& outputs) {
  const int64_t dim = model.input_dim();
  auto graph = export_trace(self, model, export_example_input(kExportTraceBatch, dim, options), outputs);
  auto probe = export_trace(self, model, export_example_input(kExportProbeBatch, dim, options), outputs);
  ExportBatchGeneraliser(*graph, *probe).run();
  jit::EliminateDeadCode(graph);
  auto* function = self._ivalue()->compilation_unit()->create_function(
      c10::QualifiedName(*self.type()->name(), name), graph);
  self.type()->addMethod(function);
}

void export_expect_close(const torch::Tensor& got, const torch::Tensor& expected, const std::string& what) {
  TORCH_CHECK(got.sizes() == expected.sizes(), "the exported ", what, " has shape ", got.sizes(), ", the model's ",
              expected.sizes());
  TORCH_CHECK(torch::allclose(got, expected, /*rtol=*/1e-5, /*atol=*/1e-6), "the exported ", what,
              " differs from the model's by up to ", (got - expected).abs().max().item<double>());
}

// Loads the written file and compares it with the model at a batch size that neither trace used.
void export_verify(const std::string& file, MultiTaskModelImpl& model, const torch::TensorOptions& options,
                   bool has_gates) {
  jit::Module loaded = jit::load(file, options.device());
  torch::NoGradGuard no_grad;
  const auto x = export_example_input(kExportCheckBatch, model.input_dim(), options);
  const ModelOutput expected = model.forward(x);
  const auto got = loaded.forward({x}).toTupleRef().elements();
  TORCH_CHECK(got.size() == expected.task_outputs.size(), "the exported forward returns ", got.size(),
              " outputs for ", expected.task_outputs.size(), " tasks");
  for (size_t t = 0; t < got.size(); ++t) {
    export_expect_close(got[t].toTensor(), expected.task_outputs[t], "output of task '" + model.tasks()[t].name + "'");
  }
  if (has_gates) {
    const auto with_gates = loaded.get_method("forward_with_gates")({x}).toTupleRef().elements();
    export_expect_close(with_gates.at(1).toTensor(), expected.gates, "gates");
  }
}

c10::List<std::string> export_string_list(const std::vector<std::string>& items) {
  c10::List<std::string> list;
  for (const auto& item : items) list.push_back(item);
  return list;
}

}  // namespace

void export_torchscript(MultiTaskModelImpl& model, const ModelSpec& spec, const std::string& path) {
  TORCH_CHECK(spec.input_dim == model.input_dim() && static_cast<int64_t>(spec.tasks.size()) == model.num_tasks(),
              "export_torchscript '", path, "': the spec does not describe the model (input_dim or tasks differ)");
  const auto parameters = model.parameters();
  TORCH_CHECK(!parameters.empty(), "export_torchscript '", path, "': the model has no parameters");
  const auto options = torch::TensorOptions().dtype(parameters.front().dtype()).device(parameters.front().device());
  const std::string partial = path + ".partial";
  try {
    ExportModeGuard mode(model);
    model.eval();
    jit::Module exported{c10::QualifiedName(kExportClassName)};
    exported.register_attribute("training", c10::BoolType::get(), false);
    auto register_tensor = [&exported](const std::string& name, const torch::Tensor& tensor, bool is_buffer) {
      if (!tensor.defined()) return;
      std::string attribute = name;
      for (char& c : attribute) c = c == '.' ? '_' : c;
      TORCH_CHECK(!exported.hasattr(attribute), "two tensors map to the attribute name '", attribute, "'");
      exported.register_parameter(attribute, tensor, is_buffer);
    };
    for (const auto& item : model.named_parameters(/*recurse=*/true)) register_tensor(item.key(), item.value(), false);
    for (const auto& item : model.named_buffers(/*recurse=*/true)) register_tensor(item.key(), item.value(), true);

    const GateLayout layout = model.gate_layout();
    export_add_method(exported, model, "forward", options, export_task_tuple);
    if (layout.has_gates()) export_add_method(exported, model, "forward_with_gates", options, export_tasks_and_gates);

    std::vector<std::string> names, types;
    c10::List<int64_t> dims;
    for (const auto& task : model.tasks()) {
      names.push_back(task.name);
      types.push_back(to_string(task.type));
      dims.push_back(task.output_dim);
    }
    const std::string spec_text = model_spec_to_text(spec);
    exported.register_attribute("task_names", c10::ListType::ofStrings(), export_string_list(names));
    exported.register_attribute("task_types", c10::ListType::ofStrings(), export_string_list(types));
    exported.register_attribute("output_dims", c10::ListType::ofInts(), dims);
    exported.register_attribute("gate_names", c10::ListType::ofStrings(), export_string_list(layout.gate_names));
    exported.register_attribute("input_dim", c10::IntType::get(), model.input_dim());
    exported.register_attribute("model_spec", c10::StringType::get(), spec_text);
    exported.save(partial, {{"model_spec.txt", spec_text}});
    export_verify(partial, model, options, layout.has_gates());
  } catch (const c10::Error& error) {
    std::remove(partial.c_str());
    TORCH_CHECK(false, "export_torchscript '", path, "': ", error.what_without_backtrace());
  } catch (const std::exception& error) {  // the tracer throws std::runtime_error
    std::remove(partial.c_str());
    TORCH_CHECK(false, "export_torchscript '", path, "': ", error.what());
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const int code = errno;
    std::remove(partial.c_str());
    TORCH_CHECK(false, "export_torchscript: cannot rename '", partial, "' to '", path, "': ", std::strerror(code));
  }
}

}  // namespace mmoe::models
