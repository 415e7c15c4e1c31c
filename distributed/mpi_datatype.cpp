#include "distributed/mpi_datatype.h"

#include "distributed/collective_error.h"

namespace mmoe::distributed {

MPI_Datatype mpi_datatype(torch::ScalarType dtype, const char* collective) {
  switch (dtype) {
    case torch::kFloat32: return MPI_FLOAT;
    case torch::kFloat64: return MPI_DOUBLE;
    case torch::kInt64: return MPI_INT64_T;
    case torch::kInt32: return MPI_INT32_T;
    case torch::kUInt8: return MPI_UINT8_T;
    default: break;
  }
  throw DistributedError(std::string(collective) + ": dtype " + c10::toString(dtype) +
                         " is not supported; convert to float32, float64, int64, int32 or uint8");
}

MPI_Op mpi_op(bool max) { return max ? MPI_MAX : MPI_SUM; }

std::string mpi_error_text(int status) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(status, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(status);
  return std::string(text, static_cast<size_t>(length));
}

void divide_for_average(torch::Tensor& flat, int64_t world_size) {
  torch::NoGradGuard no_grad;
  if (world_size == 1) return;
  if (torch::isFloatingType(flat.scalar_type())) {
    flat.div_(world_size);
  } else {
    flat.div_(world_size, "trunc");
  }
}

}  // namespace mmoe::distributed
