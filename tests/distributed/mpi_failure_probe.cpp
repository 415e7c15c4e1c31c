// A tiny MPI program for mpi_failure_test, started by mpirun from that test:
//   mpi_failure_probe throw    rank 1 throws while the others wait in a barrier (timeout 600 s)
//   mpi_failure_probe sleep T  rank 1 sleeps past timeout_s = T while the others all-reduce
// Every rank runs inside run_or_abort, which prints the failure to stderr and aborts the job.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "distributed/abort_on_failure.h"
#include "distributed/mpi_communicator.h"

int main(int argc, char** argv) {
  using namespace mmoe::distributed;
  const std::string mode = argc > 1 ? argv[1] : "";
  const double timeout_s = argc > 2 ? std::stod(argv[2]) : 600.0;
  const auto context = MpiContext::acquire();
  MpiCommunicator world(context, std::chrono::duration<double>(timeout_s));
  const auto report = [](const std::string& why) { std::fprintf(stderr, "probe: %s\n", why.c_str()); };
  run_or_abort(
      world,
      [&] {
        world.barrier();  // collective #0: everyone is up
        if (mode == "throw") {
          if (world.rank() == 1) throw std::runtime_error("injected failure on purpose");
          world.barrier();
        } else if (mode == "sleep") {
          if (world.rank() == 1) std::this_thread::sleep_for(std::chrono::duration<double>(timeout_s * 20));
          std::vector<torch::Tensor> tensors = {torch::ones({4})};
          world.all_reduce(tensors, ReduceOp::kSum);
        }
      },
      report);
  return 0;
}
