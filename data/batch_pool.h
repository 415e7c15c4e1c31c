#pragma once
// Batch buffers the prefetching loader recycles instead of allocating one per batch: a batch's
// tensors view buffers of a pool, and a buffer goes back to its pool when the last tensor that
// shares its storage is destroyed (also after the loader itself is gone). Fresh memory costs a
// page fault per 4 KiB on first touch (core/heap_tuning.h), more than the copy into it.
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "data/task_schema.h"

namespace mmoe::data {

// Buffers of `capacity_rows` rows of shape `row_shape` and type `dtype`.
class TensorPool {
 public:
  // `preallocate` buffers are allocated now (on the calling thread); more when all are in use.
  TensorPool(std::vector<int64_t> row_shape, torch::ScalarType dtype, int64_t capacity_rows, bool pin_memory,
             int64_t preallocate);

  // [rows, row_shape...] (rows <= capacity_rows) over a free buffer; thread-safe.
  torch::Tensor take(int64_t rows);
  // Buffers allocated so far (in use or free).
  int64_t allocated() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// A pool per tensor of a batch: features float32 [B, D] and each task's labels in the encoding of
// core/task_type.h (multiclass int64 [B], multilabel float32 [B, C], regression float32 [B, K]).
class BatchPool {
 public:
  BatchPool(int64_t batch_rows, int64_t feature_dim, const std::vector<TaskSchema>& tasks, bool pin_memory,
            int64_t preallocate);
  // Features and labels of `rows` rows (<= batch_rows); thread-safe.
  void take(int64_t rows, torch::Tensor& features, std::vector<torch::Tensor>& labels);
  int64_t allocated() const { return features_.allocated(); }

 private:
  TensorPool features_;
  std::vector<TensorPool> labels_;
};

}  // namespace mmoe::data
