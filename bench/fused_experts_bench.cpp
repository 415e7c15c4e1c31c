// Training step of an MMoE head with FusedExperts (one GEMM / batched GEMM per layer for all
// experts) against the same head with E separate torch::nn::Linear MLPs evaluated in a loop, in
// one run, plus the machine's GEMM rate measured in the same run.
//
//   fused_experts_bench [--steps N] [--warmup N] [--batch B] [--threads T] [--keep-memory]
//
// Both variants share everything but the experts: input [B, D], a gate Linear D -> T*E with a
// softmax per task, mixing bmm([B, T, E], [B, E, H]), towers H -> 64 -> 10 per task, summed
// cross-entropy, AdamW. Steps alternate between the variants (and which goes first) so that
// machine noise hits both alike. Prints per-phase medians (forward, backward, optimizer), samples/s,
// the fused/looped ratio, and the fraction of the measured GEMM rate the fused step reaches.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <ATen/Version.h>
#include <torch/torch.h>

#include "core/heap_tuning.h"
#include "models/fused_experts.h"
#include "trainer/inplace_adamw.h"

namespace {

using Clock = std::chrono::steady_clock;

struct BenchConfig {
  int64_t batch = 1024;
  int64_t input_dim = 1024;
  int64_t experts = 8;
  std::vector<int64_t> expert_hidden = {512, 256};
  int64_t tasks = 4;
  int64_t classes = 10;
  int64_t tower_hidden = 64;
  int steps = 20;
  int warmup = 3;
  int threads = 0;  // 0: leave LibTorch's default
  bool malloc_defaults = false;  // glibc's defaults instead of mmoe's retain_freed_heap_memory()
  bool torch_adamw = false;      // LibTorch's AdamW instead of the trainer's InPlaceAdamW
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// The MMoE head; `fused` picks the experts' implementation, everything else is identical.
class BenchMoeImpl : public torch::nn::Module {
 public:
  BenchMoeImpl(const BenchConfig& config, bool fused) : config_(config), fused_(fused) {
    if (fused_) {
      fused_experts_ = register_module(
          "experts", mmoe::models::FusedExperts(
                         mmoe::models::FusedExpertsOptions(config.input_dim, config.experts, config.expert_hidden)));
    } else {
      looped_experts_ = register_module("experts", torch::nn::ModuleList());
      for (int64_t e = 0; e < config.experts; ++e) {
        torch::nn::Sequential mlp;
        int64_t in = config.input_dim;
        for (int64_t width : config.expert_hidden) {
          mlp->push_back(torch::nn::Linear(in, width));
          mlp->push_back(torch::nn::ReLU());
          in = width;
        }
        looped_experts_->push_back(mlp);
      }
    }
    gate_ = register_module("gate", torch::nn::Linear(config.input_dim, config.tasks * config.experts));
    towers_ = register_module("towers", torch::nn::ModuleList());
    for (int64_t t = 0; t < config.tasks; ++t) {
      towers_->push_back(torch::nn::Sequential(torch::nn::Linear(config.expert_hidden.back(), config.tower_hidden),
                                               torch::nn::ReLU(),
                                               torch::nn::Linear(config.tower_hidden, config.classes)));
    }
  }

  // x [B, D] -> [E, B, H]
  torch::Tensor experts(const torch::Tensor& x) {
    if (fused_) return fused_experts_->forward(x);
    std::vector<torch::Tensor> outputs;
    for (const auto& mlp : *looped_experts_) outputs.push_back(mlp->as<torch::nn::Sequential>()->forward(x));
    return torch::stack(outputs);
  }

  // x [B, D] -> per-task logits [B, C]
  std::vector<torch::Tensor> forward(const torch::Tensor& x) {
    const auto expert_out = experts(x);  // [E, B, H]
    const auto gates = torch::softmax(gate_->forward(x).view({x.size(0), config_.tasks, config_.experts}), 2);
    const auto mixed = torch::bmm(gates, expert_out.transpose(0, 1));  // [B, T, H]
    std::vector<torch::Tensor> logits;
    for (int64_t t = 0; t < config_.tasks; ++t) {
      logits.push_back(towers_[static_cast<size_t>(t)]->as<torch::nn::Sequential>()->forward(mixed.select(1, t)));
    }
    return logits;
  }

  // Copies the fused experts' weights into this (looped) model's Linear layers.
  void copy_experts_from(mmoe::models::FusedExpertsImpl& fused) {
    torch::NoGradGuard no_grad;
    for (int64_t e = 0; e < config_.experts; ++e) {
      auto mlp = looped_experts_[static_cast<size_t>(e)]->as<torch::nn::Sequential>();
      for (size_t layer = 0; layer < config_.expert_hidden.size(); ++layer) {
        auto linear = (*mlp)[2 * layer]->as<torch::nn::Linear>();
        const auto& w = fused.weights()[layer];
        linear->weight.copy_(layer == 0 ? w.select(1, e).t() : w[e].t());
        linear->bias.copy_(fused.biases()[layer][e]);
      }
    }
  }

  mmoe::models::FusedExperts& fused_experts() { return fused_experts_; }

 private:
  BenchConfig config_;
  bool fused_;
  mmoe::models::FusedExperts fused_experts_{nullptr};
  torch::nn::ModuleList looped_experts_{nullptr};
  torch::nn::Linear gate_{nullptr};
  torch::nn::ModuleList towers_{nullptr};
};
TORCH_MODULE(BenchMoe);

struct PhaseTimes {
  std::vector<double> forward, backward, optimizer, step, page_faults;
};

struct Variant {
  std::string name;
  BenchMoe model{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer;
  PhaseTimes times;
};

void train_step(Variant& v, const torch::Tensor& x, const std::vector<torch::Tensor>& labels, bool record) {
  const long faults = minor_page_faults();
  const auto start = Clock::now();
  auto logits = v.model->forward(x);
  torch::Tensor loss;
  for (size_t t = 0; t < logits.size(); ++t) {
    const auto term = torch::nn::functional::cross_entropy(logits[t], labels[t]);
    loss = loss.defined() ? loss + term : term;
  }
  const double forward = seconds_since(start);
  const auto backward_start = Clock::now();
  loss.backward();
  const double backward = seconds_since(backward_start);
  const auto optimizer_start = Clock::now();
  v.optimizer->step();
  v.optimizer->zero_grad();
  const double optimizer = seconds_since(optimizer_start);
  if (!record) return;
  v.times.forward.push_back(forward);
  v.times.backward.push_back(backward);
  v.times.optimizer.push_back(optimizer);
  v.times.step.push_back(seconds_since(start));
  v.times.page_faults.push_back(static_cast<double>(minor_page_faults() - faults));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Best-of-`repeats` rate of `fn`, which does `flops` floating-point operations.
double gemm_rate(const std::function<void()>& fn, double flops, int repeats) {
  fn();
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    fn();
    best = std::min(best, seconds_since(start));
  }
  return flops / best;
}

struct GemmRates {
  double mm = 0.0;   // layer 0's [B, D] x [D, E*H1] (FLOP/s): the reference for "fraction of the GEMM rate"
  double bmm = 0.0;  // layer 1's E x [B, H1] x [H1, H2]
};

// Prints the GEMM rates of the step's main shapes.
GemmRates measure_gemm(const BenchConfig& config) {
  torch::NoGradGuard no_grad;
  const int64_t b = config.batch, d = config.input_dim, e = config.experts;
  const int64_t h1 = config.expert_hidden[0], h2 = config.expert_hidden[1];
  const auto a = torch::randn({b, d});
  const auto w0 = torch::randn({d, e * h1});
  const auto g0 = torch::randn({b, e * h1});
  const auto a1 = torch::randn({e, b, h1});
  const auto w1 = torch::randn({e, h1, h2});
  const double layer0_flops = 2.0 * b * d * e * h1;
  GemmRates rates;
  rates.mm = gemm_rate([&] { torch::mm(a, w0); }, layer0_flops, 10);
  const double mm_t_rate = gemm_rate([&] { torch::mm(a.t(), g0); }, layer0_flops, 10);
  rates.bmm = gemm_rate([&] { torch::bmm(a1, w1); }, 2.0 * e * b * h1 * h2, 10);
  std::cout << std::fixed << std::setprecision(1);
  std::cout << "gemm: mm [" << b << "," << d << "]x[" << d << "," << e * h1 << "] " << rates.mm / 1e9
            << " GFLOP/s; mm [" << d << "," << b << "]x[" << b << "," << e * h1 << "] (weight grad) "
            << mm_t_rate / 1e9 << " GFLOP/s; bmm " << e << "x[" << b << "," << h1 << "]x[" << h1 << "," << h2
            << "] " << rates.bmm / 1e9 << " GFLOP/s (best of 10 each)\n";
  return rates;
}

// The cost of first-touching fresh memory (page faults), which every large temporary of a step pays
// again when the allocator hands freed memory back to the OS, against rewriting mapped memory.
// Uses mmap directly so that the allocator's own policy does not hide it. Best of 3.
void measure_fresh_memory() {
  const size_t bytes = size_t{16} << 20;  // the size of the [B, E*H1] activations
  double fresh = 1e30, mapped = 1e30;
  for (int i = 0; i < 3; ++i) {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return;
    auto start = Clock::now();
    std::memset(memory, 1, bytes);
    fresh = std::min(fresh, seconds_since(start));
    start = Clock::now();
    std::memset(memory, 2, bytes);
    mapped = std::min(mapped, seconds_since(start));
    munmap(memory, bytes);
  }
  std::cout << std::fixed << std::setprecision(1) << "memory: first touch of 16 MiB of fresh pages " << fresh * 1e3
            << " ms (" << fresh * 1e6 / static_cast<double>(bytes / 4096) << " us per 4 KiB page), rewrite "
            << mapped * 1e3 << " ms\n";
}

// Matmul FLOPs of one training step (forward, and backward counted per GEMM: the weight gradient
// always, the input gradient only where the input needs one: not for layers fed by the data).
struct StepFlops {
  double forward = 0.0;
  double backward = 0.0;
  double batched = 0.0;  // of those, the expert layers k >= 1 (batched GEMMs, forward and backward)
};

StepFlops step_flops(const BenchConfig& c) {
  const double b = static_cast<double>(c.batch);
  const double e = static_cast<double>(c.experts);
  StepFlops f;
  // One GEMM of [B, in] x [in, out], with `input_grad` when its input needs a gradient.
  auto gemm = [&f, b](double in, double out, double copies, bool input_grad) {
    const double fwd = 2.0 * b * in * out * copies;
    f.forward += fwd;
    f.backward += fwd * (input_grad ? 2.0 : 1.0);
  };
  double in = static_cast<double>(c.input_dim);
  for (size_t layer = 0; layer < c.expert_hidden.size(); ++layer) {
    const double out = static_cast<double>(c.expert_hidden[layer]);
    const double before = f.forward + f.backward;
    gemm(in, out, e, layer > 0);
    if (layer > 0) f.batched += f.forward + f.backward - before;
    in = out;
  }
  gemm(static_cast<double>(c.input_dim), static_cast<double>(c.tasks) * e, 1.0, false);  // gates
  // mixing: [T, E] x [E, H] per row; gradients for both gates and experts
  const double mix = 2.0 * b * static_cast<double>(c.tasks) * e * in;
  f.forward += mix;
  f.backward += 2.0 * mix;
  gemm(in, static_cast<double>(c.tower_hidden), static_cast<double>(c.tasks), true);
  gemm(static_cast<double>(c.tower_hidden), static_cast<double>(c.classes), static_cast<double>(c.tasks), true);
  return f;
}

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}

std::string blas_line() {
  const std::string config = at::show_config();
  std::string out;
  for (const char* key : {"BLAS_INFO=", "LAPACK_INFO=", "USE_MKLDNN=", "USE_OPENMP="}) {
    const size_t at = config.find(key);
    if (at == std::string::npos) continue;
    const size_t end = config.find_first_of(",\n", at);
    out += (out.empty() ? "" : " ") + config.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  // The BLAS library actually loaded (Debian's "generic" BLAS is whichever libblas.so.3 alternative).
  std::ifstream maps("/proc/self/maps");
  std::string line, loaded;
  while (std::getline(maps, line)) {
    const size_t at = line.find('/');
    if (at == std::string::npos || line.find("blas", at) == std::string::npos) continue;
    std::error_code error;
    const std::string path = std::filesystem::canonical(line.substr(at), error).string();
    if (!error && loaded.find(path) == std::string::npos) loaded += " " + path;
  }
  return (out.empty() ? "unknown" : out) + ";" + (loaded.empty() ? " (no BLAS library mapped)" : loaded);
}

int usage(const char* program, const std::string& problem) {
  std::cerr << program << ": " << problem << "\nusage: " << program
            << " [--steps N] [--warmup N] [--batch B] [--threads T] [--keep-memory]\n";
  return 2;
}

bool parse_positive(const char* text, int64_t& out) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < 1) return false;
  out = value;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  BenchConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << "usage: " << argv[0]
                << " [--steps N] [--warmup N] [--batch B] [--threads T] [--malloc-defaults] [--torch-adamw]\n";
      return 0;
    }
    if (flag == "--malloc-defaults") {
      config.malloc_defaults = true;
      continue;
    }
    if (flag == "--torch-adamw") {
      config.torch_adamw = true;
      continue;
    }
    if (flag != "--steps" && flag != "--warmup" && flag != "--batch" && flag != "--threads") {
      return usage(argv[0], "unknown flag " + flag);
    }
    if (i + 1 >= argc) return usage(argv[0], "missing value for " + flag);
    int64_t value = 0;
    if (!parse_positive(argv[++i], value)) return usage(argv[0], flag + " needs a positive integer, got '" + argv[i] + "'");
    if (flag == "--steps") config.steps = static_cast<int>(value);
    else if (flag == "--warmup") config.warmup = static_cast<int>(value);
    else if (flag == "--batch") config.batch = value;
    else config.threads = static_cast<int>(value);
  }
  if (config.threads > 0) torch::set_num_threads(config.threads);
  // The mmoe binary's settings (core/heap_tuning.h) unless --malloc-defaults.
  const std::string malloc_line = config.malloc_defaults ? "glibc defaults (--malloc-defaults)" : mmoe::retain_freed_heap_memory();
  torch::manual_seed(0);

  const std::time_t now = std::time(nullptr);
  std::cout << "fused_experts_bench  " << std::put_time(std::gmtime(&now), "%Y-%m-%dT%H:%M:%SZ") << "\n";
  std::cout << "config: batch=" << config.batch << " input_dim=" << config.input_dim << " experts=" << config.experts
            << " expert_hidden=" << config.expert_hidden[0] << "," << config.expert_hidden[1] << " tasks="
            << config.tasks << "x" << config.classes << " classes, tower_hidden=" << config.tower_hidden
            << ", AdamW, steps=" << config.steps << " per variant (alternating), warmup=" << config.warmup << "\n";
  std::cout << "threads: OPENBLAS_NUM_THREADS=" << env_or("OPENBLAS_NUM_THREADS", "(unset)")
            << " OMP_NUM_THREADS=" << env_or("OMP_NUM_THREADS", "(unset)")
            << " torch::get_num_threads()=" << torch::get_num_threads()
            << " torch::get_num_interop_threads()=" << torch::get_num_interop_threads() << "\n";
  std::cout << "blas: " << blas_line() << "\n";
  std::cout << "malloc: " << malloc_line << "; optimizer: "
            << (config.torch_adamw ? "torch::optim::AdamW (--torch-adamw)" : "mmoe InPlaceAdamW") << "; MALLOC_MMAP_THRESHOLD_=" << env_or("MALLOC_MMAP_THRESHOLD_", "(unset)")
            << " MALLOC_TRIM_THRESHOLD_=" << env_or("MALLOC_TRIM_THRESHOLD_", "(unset)") << "\n";
  measure_fresh_memory();

  const GemmRates gemm = measure_gemm(config);  // the machine's GEMM rates on the step's own shapes
  const double mm_rate = gemm.mm;
  const StepFlops flops = step_flops(config);
  // What the step would take if it were nothing but its GEMMs, each at the rate measured above.
  const double gemm_only = (flops.forward + flops.backward - flops.batched) / gemm.mm + flops.batched / gemm.bmm;
  std::cout << std::setprecision(2) << "step matmul FLOPs: forward " << flops.forward / 1e9 << " G, backward "
            << flops.backward / 1e9 << " G, total " << (flops.forward + flops.backward) / 1e9
            << " G; at the measured mm/bmm rates the GEMMs alone take " << std::setprecision(1) << gemm_only * 1e3
            << " ms\n";

  // Both variants, the looped one starting from the fused one's expert weights.
  std::vector<Variant> variants(2);
  variants[0].name = "fused";
  variants[0].model = BenchMoe(config, true);
  variants[1].name = "looped";
  variants[1].model = BenchMoe(config, false);
  variants[1].model->copy_experts_from(*variants[0].model->fused_experts());
  const auto x = torch::randn({config.batch, config.input_dim});
  {
    torch::NoGradGuard no_grad;
    const auto fused = variants[0].model->experts(x);
    const auto looped = variants[1].model->experts(x);
    std::cout << std::scientific << std::setprecision(1) << "check: looped experts == fused experts, max |diff| "
              << (fused - looped).abs().max().item<double>() << "\n"
              << std::fixed;
  }
  std::vector<torch::Tensor> labels;
  for (int64_t t = 0; t < config.tasks; ++t) labels.push_back(torch::randint(0, config.classes, {config.batch}));
  for (auto& v : variants) {
    std::vector<torch::optim::OptimizerParamGroup> groups = {torch::optim::OptimizerParamGroup(v.model->parameters())};
    if (config.torch_adamw) {
      v.optimizer = std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(1e-3));
    } else {
      v.optimizer = std::make_unique<mmoe::trainer::InPlaceAdamW>(std::move(groups), torch::optim::AdamWOptions(1e-3));
    }
  }
  for (int i = 0; i < config.warmup; ++i) {
    for (auto& v : variants) train_step(v, x, labels, false);
  }
  for (int i = 0; i < config.steps; ++i) {
    const bool fused_first = i % 2 == 0;  // alternate the order too
    train_step(variants[fused_first ? 0 : 1], x, labels, true);
    train_step(variants[fused_first ? 1 : 0], x, labels, true);
  }

  std::cout << std::setprecision(1);
  std::cout << "variant   step_ms  forward_ms  backward_ms  optimizer_ms  (medians)  min_step_ms  samples/s  "
               "matmul_GFLOP/s  of_mm_rate  page_faults\n";
  std::vector<double> rates;
  for (const auto& v : variants) {
    const double step = median(v.times.step);
    const double rate = static_cast<double>(config.batch) / step;
    const double achieved = (flops.forward + flops.backward) / step;
    rates.push_back(rate);
    std::cout << std::left << std::setw(8) << v.name << std::right << std::setw(9) << step * 1e3 << std::setw(12)
              << median(v.times.forward) * 1e3 << std::setw(13) << median(v.times.backward) * 1e3 << std::setw(14)
              << median(v.times.optimizer) * 1e3 << std::setw(24)
              << *std::min_element(v.times.step.begin(), v.times.step.end()) * 1e3 << std::setw(11) << rate
              << std::setw(16) << achieved / 1e9 << std::setw(11) << 100.0 * achieved / mm_rate << "%" << std::setw(13) << std::setprecision(0)
              << median(v.times.page_faults) << std::setprecision(1) << "\n";
  }
  const auto& fused = variants[0].times;
  const auto& looped = variants[1].times;
  const double ratio = rates[0] / rates[1];
  const double fraction = (flops.forward + flops.backward) / median(fused.step) / mm_rate;
  const double matmul_fraction = (flops.forward + flops.backward) /
                                 (median(fused.forward) + median(fused.backward)) / mm_rate;
  std::cout << std::setprecision(2) << "ratio fused/looped samples/s: " << ratio << "x  (forward "
            << median(looped.forward) / median(fused.forward) << "x, backward "
            << median(looped.backward) / median(fused.backward) << "x, optimizer "
            << median(looped.optimizer) / median(fused.optimizer) << "x)  target >= 1.40x: "
            << (ratio >= 1.4 ? "met" : "NOT met") << "\n";
  std::cout << std::setprecision(1) << "fused step beyond its GEMMs (elementwise ops, reductions, loss, optimizer, page faults): "
            << (median(fused.step) - gemm_only) * 1e3 << " ms of " << median(fused.step) * 1e3 << " ms\n";
  std::cout << "fused step reaches " << 100.0 * fraction
            << "% of the measured mm rate (forward+backward alone: " << 100.0 * matmul_fraction
            << "%)  target >= 85%: " << (fraction >= 0.85 ? "met" : "NOT met") << "\n";
  return 0;
}
