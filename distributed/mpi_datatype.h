#pragma once
// torch dtypes as MPI datatypes, and MPI error codes as text.
#include <string>

#include <mpi.h>
#include <torch/torch.h>

namespace mmoe::distributed {

// float32, float64, int64, int32, uint8; any other dtype is a DistributedError naming `collective`.
MPI_Datatype mpi_datatype(torch::ScalarType dtype, const char* collective);
MPI_Op mpi_op(bool max);
std::string mpi_error_text(int status);

// Divides `flat` in place by `world_size` (kAverage): truncating for integer dtypes.
void divide_for_average(torch::Tensor& flat, int64_t world_size);

}  // namespace mmoe::distributed
