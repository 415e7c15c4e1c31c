// The gradient reducer against a raw all-reduce of the same bytes, in one run under mpirun:
//
//   mpirun -np 2 reducer_bench [--layers L] [--width D] [--batch B] [--bucket-mb M] [--steps N]
//
// Model: L Linear(D, D) layers with ReLU (float32), batch B per rank. Per step, every rank in
// lockstep (a barrier before each measurement), on rank 0's clock:
//   raw        one blocking all_reduce of a flat tensor holding every gradient's bytes
//   reduce     the reducer alone: gradients already there, every parameter marked ready in
//              backward order, then finalize (pack, bucketed all-reduces, unpack)
//   backward   backward of an identical model without the reducer
//   overlapped backward + finalize of the model with the reducer (hooks launch buckets as
//              backward produces them)
// and prints medians, the reducer's overhead over raw (target <= 10%), algorithm and bus
// bandwidth of raw (busbw = algbw * 2(n-1)/n, as nccl-tests reports), and the share of the
// reducer's communication hidden behind backward: 1 - (overlapped - backward) / reduce
// (target >= 50% with several buckets).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "distributed/gradient_reducer.h"
#include "distributed/mpi_communicator.h"
#include "distributed/mpi_context.h"

namespace {

using Clock = std::chrono::steady_clock;
using mmoe::distributed::GradientReducer;
using mmoe::distributed::MpiCommunicator;
using mmoe::distributed::ReduceOp;

struct Options {
  int64_t layers = 12;
  int64_t width = 1024;
  int64_t batch = 128;
  double bucket_mb = 8.0;
  int steps = 12;
  int warmup = 2;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--layers") {
      o.layers = std::stoll(value());
    } else if (arg == "--width") {
      o.width = std::stoll(value());
    } else if (arg == "--batch") {
      o.batch = std::stoll(value());
    } else if (arg == "--bucket-mb") {
      o.bucket_mb = std::stod(value());
    } else if (arg == "--steps") {
      o.steps = std::stoi(value());
    } else {
      throw std::invalid_argument("unknown argument '" + arg +
                                  "' (use --layers, --width, --batch, --bucket-mb, --steps)");
    }
  }
  return o;
}

torch::nn::Sequential make_model(const Options& o) {
  torch::manual_seed(0);
  torch::nn::Sequential model;
  for (int64_t l = 0; l < o.layers; ++l) {
    model->push_back(torch::nn::Linear(o.width, o.width));
    if (l + 1 < o.layers) model->push_back(torch::nn::ReLU());
  }
  return model;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int run(int argc, char** argv) {
  const auto options = parse(argc, argv);
  torch::set_num_threads(1);
  auto context = mmoe::distributed::MpiContext::acquire();
  MpiCommunicator world(context, std::chrono::seconds(600));
  const bool root = world.is_root();

  auto plain = make_model(options);
  auto reduced = make_model(options);
  GradientReducer reducer(reduced->parameters(), world, {options.bucket_mb, ReduceOp::kSum});
  int64_t numel = 0;
  for (const auto& p : reduced->parameters()) numel += p.numel();
  auto flat = torch::randn({numel});
  const auto x = torch::randn({options.batch, options.width});

  std::vector<double> raw, reduce, backward, overlapped;
  for (int step = 0; step < options.warmup + options.steps; ++step) {
    const bool keep = step >= options.warmup;
    world.barrier();
    auto start = Clock::now();
    {
      std::vector<torch::Tensor> tensors = {flat};
      world.all_reduce(tensors, ReduceOp::kSum);
    }
    if (keep) raw.push_back(seconds_since(start));

    // The reducer alone: gradients present, parameters marked ready in backward order.
    auto parameters = reduced->parameters();
    for (auto& p : parameters) p.mutable_grad() = torch::ones_like(p);
    world.barrier();
    start = Clock::now();
    for (size_t i = parameters.size(); i-- > 0;) reducer.mark_ready(i);
    reducer.finalize();
    if (keep) reduce.push_back(seconds_since(start));
    for (auto& p : parameters) p.mutable_grad() = torch::Tensor();

    const auto plain_loss = plain->forward(x).square().mean();
    world.barrier();
    start = Clock::now();
    plain_loss.backward();
    if (keep) backward.push_back(seconds_since(start));
    plain->zero_grad();

    const auto reduced_loss = reduced->forward(x).square().mean();
    world.barrier();
    start = Clock::now();
    reduced_loss.backward();
    reducer.finalize();
    if (keep) overlapped.push_back(seconds_since(start));
    for (auto& p : parameters) p.mutable_grad() = torch::Tensor();
  }

  if (root) {
    const double n = static_cast<double>(world.world_size());
    const double bytes = static_cast<double>(numel) * 4.0;
    const double t_raw = median(raw);
    const double t_reduce = median(reduce);
    const double t_backward = median(backward);
    const double t_overlapped = median(overlapped);
    const double algbw = bytes / t_raw / 1e9;
    const double busbw = algbw * 2.0 * (n - 1.0) / n;
    const double exposed = std::max(0.0, t_overlapped - t_backward);
    const double hidden = std::clamp(1.0 - exposed / t_reduce, 0.0, 1.0);
    std::cout << std::fixed << std::setprecision(2);
    std::cout << "reducer_bench: " << world.world_size() << " ranks (mpi), " << options.layers << " x Linear("
              << options.width << ", " << options.width << "), " << numel << " parameters (" << bytes / 1048576.0
              << " MiB), " << reducer.buckets().size() << " buckets of <= " << options.bucket_mb << " MiB, batch "
              << options.batch << ", " << options.steps << " steps (medians), torch threads 1\n";
    std::cout << "  raw all_reduce of the same bytes  " << t_raw * 1e3 << " ms   algbw " << algbw << " GB/s   busbw "
              << busbw << " GB/s\n";
    std::cout << "  reducer alone (pack+reduce+unpack) " << t_reduce * 1e3 << " ms   overhead vs raw "
              << (t_reduce / t_raw - 1.0) * 100.0 << "% (target <= 10%)\n";
    std::cout << "  backward without reducer           " << t_backward * 1e3 << " ms\n";
    std::cout << "  backward + finalize with reducer   " << t_overlapped * 1e3 << " ms   exposed communication "
              << exposed * 1e3 << " ms\n";
    std::cout << "  communication hidden behind backward " << hidden * 100.0 << "% (target >= 50%)\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "reducer_bench: " << e.what() << "\n";
    return 2;
  }
}
