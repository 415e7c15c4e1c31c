#include "data/batch_pool.h"

#include <mutex>
#include <stdexcept>
#include <string>

namespace mmoe::data {

struct TensorPool::State {
  std::vector<int64_t> row_shape;
  torch::TensorOptions options;
  int64_t capacity_rows = 0;
  std::mutex mutex;
  std::vector<torch::Tensor> buffers;  // owners of the memory, [capacity_rows, row_shape...]
  std::vector<size_t> free;            // indices into buffers

  size_t allocate() {  // holds mutex
    auto sizes = row_shape;
    sizes.insert(sizes.begin(), capacity_rows);
    buffers.push_back(torch::empty(sizes, options));
    return buffers.size() - 1;
  }
};

TensorPool::TensorPool(std::vector<int64_t> row_shape, torch::ScalarType dtype, int64_t capacity_rows,
                       bool pin_memory, int64_t preallocate)
    : state_(std::make_shared<State>()) {
  if (capacity_rows < 1) throw std::invalid_argument("TensorPool: capacity_rows must be >= 1");
  state_->row_shape = std::move(row_shape);
  state_->options = torch::TensorOptions().dtype(dtype).pinned_memory(pin_memory);
  state_->capacity_rows = capacity_rows;
  const std::lock_guard<std::mutex> lock(state_->mutex);
  for (int64_t i = 0; i < preallocate; ++i) state_->free.push_back(state_->allocate());
}

torch::Tensor TensorPool::take(int64_t rows) {
  if (rows < 0 || rows > state_->capacity_rows) {
    throw std::invalid_argument("TensorPool: " + std::to_string(rows) + " rows do not fit buffers of " +
                                std::to_string(state_->capacity_rows));
  }
  size_t index = 0;
  void* data = nullptr;
  {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->free.empty()) {
      index = state_->allocate();
    } else {
      index = state_->free.back();
      state_->free.pop_back();
    }
    data = state_->buffers[index].data_ptr();
  }
  auto sizes = state_->row_shape;
  sizes.insert(sizes.begin(), rows);
  // The deleter holds the pool's state: a batch may outlive the loader that made it.
  auto state = state_;
  return torch::from_blob(
      data, sizes,
      [state, index](void*) {
        const std::lock_guard<std::mutex> lock(state->mutex);
        state->free.push_back(index);
      },
      torch::TensorOptions().dtype(state_->options.dtype()));
}

int64_t TensorPool::allocated() const {
  const std::lock_guard<std::mutex> lock(state_->mutex);
  return static_cast<int64_t>(state_->buffers.size());
}

namespace {

TensorPool label_pool(const TaskSchema& task, int64_t batch_rows, bool pin_memory, int64_t preallocate) {
  if (task.type == TaskType::kMulticlass) return TensorPool({}, torch::kInt64, batch_rows, pin_memory, preallocate);
  return TensorPool({task.output_dim()}, torch::kFloat32, batch_rows, pin_memory, preallocate);
}

}  // namespace

BatchPool::BatchPool(int64_t batch_rows, int64_t feature_dim, const std::vector<TaskSchema>& tasks, bool pin_memory,
                     int64_t preallocate)
    : features_({feature_dim}, torch::kFloat32, batch_rows, pin_memory, preallocate) {
  for (const auto& task : tasks) labels_.push_back(label_pool(task, batch_rows, pin_memory, preallocate));
}

void BatchPool::take(int64_t rows, torch::Tensor& features, std::vector<torch::Tensor>& labels) {
  features = features_.take(rows);
  labels.clear();
  for (auto& pool : labels_) labels.push_back(pool.take(rows));
}

}  // namespace mmoe::data
