// main() of the tests run under mpirun: MPI is initialised once for every test of the process
// and finalised after the last, as the MpiContext contract asks.
#include <gtest/gtest.h>

#include "distributed/mpi_context.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const auto context = mmoe::distributed::MpiContext::acquire();
  return RUN_ALL_TESTS();
}
