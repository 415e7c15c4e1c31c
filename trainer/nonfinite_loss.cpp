#include "trainer/nonfinite_loss.h"

#include <cmath>

#include "trainer/train_error.h"

namespace mmoe::trainer {

std::string describe_nonfinite_loss(const std::vector<torch::Tensor>& per_task,
                                    const std::vector<models::TaskHeadSpec>& heads, double total) {
  for (size_t t = 0; t < heads.size() && t < per_task.size(); ++t) {
    const double value = per_task[t].item<double>();
    if (!std::isfinite(value)) {
      return "non-finite loss (" + std::to_string(value) + ") in task '" + heads[t].name + "'";
    }
  }
  if (!std::isfinite(total)) return "non-finite loss (" + std::to_string(total) + ") in the total loss";
  return "non-finite loss on another process";
}

bool NonFiniteLossPolicy::skip_step(bool finite, int64_t epoch, int64_t step,
                                    const std::function<std::string()>& describe) {
  if (finite) {
    state_.consecutive = 0;
    return false;
  }
  const std::string where = describe() + " at epoch " + std::to_string(epoch) + " step " + std::to_string(step);
  if (policy_ == experiments::NonFiniteLoss::kError) {
    throw TrainError(where +
                     "; lower optim.lr or check the data for extreme values (train.nonfinite_loss=skip skips such "
                     "steps)");
  }
  if (state_.consecutive >= kMaxConsecutiveSkippedSteps) {
    throw TrainError(where + " after " + std::to_string(state_.consecutive) +
                     " skipped steps in a row (train.nonfinite_loss: skip allows " +
                     std::to_string(kMaxConsecutiveSkippedSteps) +
                     "); lower optim.lr or check the data for extreme values");
  }
  ++state_.consecutive;
  ++state_.skipped_in_epoch;
  ++state_.skipped_total;
  return true;
}

}  // namespace mmoe::trainer
