#include "trainer/task_metrics.h"

#include <cmath>
#include <stdexcept>

#include "models/masked_loss.h"

namespace mmoe::trainer {
namespace {

// Summable state layout, in order:
//   labelled_rows, loss_sum, loss_weight_sum                          3 values, then
//   multiclass  confusion counts [C * C] (row = true label)
//   multilabel  tp, fp, fn per label [3 * C], samples_f1_sum          3 C + 1
//   regression  values, abs_error_sum, squared_error_sum, sum y, sum y^2   5
constexpr int64_t kCommonState = 3;

int64_t auc_problems(const models::TaskHeadSpec& spec) {
  if (spec.type == TaskType::kMultilabel) return spec.output_dim;
  if (spec.type == TaskType::kMulticlass && spec.output_dim == 2) return 1;
  return 0;
}

// SST from the pooled sums; rounding can leave a tiny non-zero for constant labels, so values
// within 1e-12 of sum y^2 count as zero.
std::optional<double> r_squared(int64_t n, double sse, double sum_y, double sum_y2) {
  if (n == 0) return std::nullopt;
  const double sst = sum_y2 - sum_y * sum_y / static_cast<double>(n);
  if (!(sst > 1e-12 * sum_y2)) return std::nullopt;
  return 1.0 - sse / sst;
}

}  // namespace

TaskMetricAccumulator::TaskMetricAccumulator(models::TaskHeadSpec spec, TaskMetricOptions options)
    : spec_(std::move(spec)),
      options_(std::move(options)),
      confusion_(spec_.type == TaskType::kMulticlass ? spec_.output_dim : 1),
      label_counts_(spec_.type == TaskType::kMultilabel ? static_cast<size_t>(spec_.output_dim) : 0),
      auc_(static_cast<size_t>(auc_problems(spec_))) {}

void TaskMetricAccumulator::add_predictions(const torch::Tensor& output, const torch::Tensor& label) {
  torch::NoGradGuard no_grad;
  const auto out = output.detach().to(torch::kCPU);
  const auto lab = label.to(torch::kCPU);
  const auto mask = models::labelled_mask(lab, spec_.type);  // [B]
  labelled_rows_ += mask.sum().item<int64_t>();
  switch (spec_.type) {
    case TaskType::kMulticlass: add_multiclass(out, lab, mask); break;
    case TaskType::kMultilabel: add_multilabel(out, lab, mask); break;
    case TaskType::kRegression: add_regression(out, lab, mask); break;
  }
}

void TaskMetricAccumulator::add_multiclass(const torch::Tensor& out, const torch::Tensor& lab,
                                           const torch::Tensor& mask) {
  const int64_t classes = spec_.output_dim;
  const auto truth = lab.masked_select(mask);                  // [n]
  const auto predicted = out.argmax(1).masked_select(mask);    // [n]
  const auto counts = torch::bincount(truth * classes + predicted, {}, classes * classes).contiguous();
  const auto* data = counts.data_ptr<int64_t>();
  confusion_.add_counts(std::vector<int64_t>(data, data + counts.numel()));
  if (auc_.empty()) return;
  const auto rows = mask.nonzero().squeeze(1);
  // P(class 1) = softmax(logits)[1], in double.
  const auto score = torch::softmax(out.index_select(0, rows).to(torch::kDouble), 1).select(1, 1).contiguous();
  const auto truth_cpu = truth.contiguous();
  const auto* s = score.data_ptr<double>();
  const auto* t = truth_cpu.data_ptr<int64_t>();
  for (int64_t i = 0; i < score.numel(); ++i) auc_[0].add(s[i], t[i] == 1);
}

void TaskMetricAccumulator::add_multilabel(const torch::Tensor& out, const torch::Tensor& lab,
                                           const torch::Tensor& mask) {
  const auto rows = mask.nonzero().squeeze(1);
  const auto truth = lab.index_select(0, rows).gt(0.5);                                      // [n, C]
  const auto probability = torch::sigmoid(out.index_select(0, rows).to(torch::kDouble)).contiguous();  // [n, C]
  const auto predicted = probability.ge(options_.threshold);                                 // [n, C]
  const auto tp = (truth & predicted).sum(0);
  const auto fp = (~truth & predicted).sum(0);
  const auto fn = (truth & ~predicted).sum(0);
  for (int64_t c = 0; c < spec_.output_dim; ++c) {
    auto& counts = label_counts_[static_cast<size_t>(c)];
    counts.true_positive += tp[c].item<int64_t>();
    counts.false_positive += fp[c].item<int64_t>();
    counts.false_negative += fn[c].item<int64_t>();
  }
  // Samples F1: a row's 2 tp / (2 tp + fp + fn) over its labels, 0 when it has neither a
  // positive nor a predicted label (scikit-learn's zero_division=0).
  const auto row_tp = (truth & predicted).sum(1).to(torch::kDouble);                    // [n]
  const auto row_errors = (truth ^ predicted).sum(1).to(torch::kDouble);                // [n] fp + fn
  const auto denominator = 2 * row_tp + row_errors;
  const auto row_f1 = torch::where(denominator.gt(0), 2 * row_tp / denominator.clamp_min(1), torch::zeros_like(row_tp));
  samples_f1_sum_ += row_f1.sum().item<double>();
  const auto truth_u8 = truth.to(torch::kUInt8).contiguous();
  const auto* p = probability.data_ptr<double>();
  const auto* t = truth_u8.data_ptr<uint8_t>();
  const int64_t labels = spec_.output_dim;
  for (int64_t i = 0; i < probability.size(0); ++i) {
    for (int64_t c = 0; c < labels; ++c) auc_[static_cast<size_t>(c)].add(p[i * labels + c], t[i * labels + c] != 0);
  }
}

void TaskMetricAccumulator::add_regression(const torch::Tensor& out, const torch::Tensor& lab,
                                           const torch::Tensor& mask) {
  const auto rows = mask.nonzero().squeeze(1);
  const auto target = lab.index_select(0, rows).to(torch::kDouble);          // [n, K]
  const auto error = out.index_select(0, rows).to(torch::kDouble) - target;  // [n, K]
  abs_error_sum_ += error.abs().sum().item<double>();
  squared_error_sum_ += error.square().sum().item<double>();
  target_sum_ += target.sum().item<double>();
  target_square_sum_ += target.square().sum().item<double>();
  regression_values_ += error.numel();
}

void TaskMetricAccumulator::add_loss(double loss_sum, double weight_sum) {
  loss_sum_ += loss_sum;
  loss_weight_sum_ += weight_sum;
}

int64_t TaskMetricAccumulator::state_size() const {
  switch (spec_.type) {
    case TaskType::kMulticlass: return kCommonState + spec_.output_dim * spec_.output_dim;
    case TaskType::kMultilabel: return kCommonState + 3 * spec_.output_dim + 1;
    case TaskType::kRegression: return kCommonState + 5;
  }
  return kCommonState;
}

std::vector<double> TaskMetricAccumulator::state() const {
  std::vector<double> state = {static_cast<double>(labelled_rows_), loss_sum_, loss_weight_sum_};
  state.reserve(static_cast<size_t>(state_size()));
  switch (spec_.type) {
    case TaskType::kMulticlass:
      for (int64_t count : confusion_.counts()) state.push_back(static_cast<double>(count));
      break;
    case TaskType::kMultilabel:
      for (const auto& counts : label_counts_) {
        state.push_back(static_cast<double>(counts.true_positive));
        state.push_back(static_cast<double>(counts.false_positive));
        state.push_back(static_cast<double>(counts.false_negative));
      }
      state.push_back(samples_f1_sum_);
      break;
    case TaskType::kRegression:
      state.insert(state.end(), {static_cast<double>(regression_values_), abs_error_sum_, squared_error_sum_,
                                 target_sum_, target_square_sum_});
      break;
  }
  return state;
}

void TaskMetricAccumulator::load_state(const std::vector<double>& state) {
  if (static_cast<int64_t>(state.size()) != state_size()) {
    throw std::invalid_argument("TaskMetricAccumulator::load_state: " + std::to_string(state.size()) +
                                " values for task '" + spec_.name + "', which needs " + std::to_string(state_size()));
  }
  const auto count = [&](size_t i) { return static_cast<int64_t>(std::llround(state[i])); };
  labelled_rows_ = count(0);
  loss_sum_ = state[1];
  loss_weight_sum_ = state[2];
  size_t i = kCommonState;
  switch (spec_.type) {
    case TaskType::kMulticlass: {
      std::vector<int64_t> counts;
      for (; i < state.size(); ++i) counts.push_back(count(i));
      confusion_ = ConfusionMatrix(spec_.output_dim);
      confusion_.add_counts(counts);
      break;
    }
    case TaskType::kMultilabel:
      for (auto& counts : label_counts_) {
        counts.true_positive = count(i++);
        counts.false_positive = count(i++);
        counts.false_negative = count(i++);
      }
      samples_f1_sum_ = state[i];
      break;
    case TaskType::kRegression:
      regression_values_ = count(i);
      abs_error_sum_ = state[i + 1];
      squared_error_sum_ = state[i + 2];
      target_sum_ = state[i + 3];
      target_square_sum_ = state[i + 4];
      break;
  }
}

void TaskMetricAccumulator::replace_auc_samples(std::vector<ScoreSamples> samples) {
  if (samples.size() != auc_.size()) {
    throw std::invalid_argument("TaskMetricAccumulator::replace_auc_samples: task '" + spec_.name + "' has " +
                                std::to_string(auc_.size()) + " binary problems, got " +
                                std::to_string(samples.size()));
  }
  auc_ = std::move(samples);
}

void TaskMetricAccumulator::merge(const TaskMetricAccumulator& other) {
  auto sum = state();
  const auto added = other.state();
  if (added.size() != sum.size() || other.spec_.type != spec_.type) {
    throw std::invalid_argument("TaskMetricAccumulator::merge: task '" + other.spec_.name +
                                "' does not match task '" + spec_.name + "'");
  }
  for (size_t i = 0; i < sum.size(); ++i) sum[i] += added[i];
  load_state(sum);
  for (size_t p = 0; p < auc_.size(); ++p) auc_[p].merge(other.auc_[p]);
}

std::string TaskMetricAccumulator::class_name(int64_t c) const {
  const auto& names = options_.class_names;
  return static_cast<int64_t>(names.size()) == spec_.output_dim ? names[static_cast<size_t>(c)] : std::string();
}

TaskScores TaskMetricAccumulator::scores() const {
  TaskScores scores;
  scores.labelled_rows = labelled_rows_;
  if (loss_weight_sum_ > 0.0) scores.loss = loss_sum_ / loss_weight_sum_;
  switch (spec_.type) {
    case TaskType::kMulticlass:
      if (confusion_.total() > 0) {
        scores.accuracy = confusion_.accuracy();
        scores.macro_f1 = confusion_.macro_f1();
        scores.weighted_f1 = confusion_.weighted_f1();
        scores.micro_f1 = confusion_.micro_f1();
        for (int64_t c = 0; c < spec_.output_dim; ++c) {
          scores.classes.push_back(
              {c, class_name(c), confusion_.precision(c), confusion_.recall(c), confusion_.f1(c), confusion_.support(c)});
        }
        scores.confusion = confusion_.counts();
        if (!auc_.empty()) scores.auc = auc_[0].auc();
      }
      break;
    case TaskType::kMultilabel:
      if (labelled_rows_ > 0) {
        const auto multilabel = multilabel_scores(label_counts_);
        scores.macro_f1 = multilabel.macro_f1;
        scores.weighted_f1 = multilabel.weighted_f1;
        scores.micro_f1 = multilabel.micro_f1;
        scores.samples_f1 = samples_f1_sum_ / static_cast<double>(labelled_rows_);
        double auc_sum = 0.0;
        int64_t auc_labels = 0;
        for (int64_t c = 0; c < spec_.output_dim; ++c) {
          const auto& counts = label_counts_[static_cast<size_t>(c)];
          scores.classes.push_back({c, class_name(c), counts.precision(), counts.recall(), counts.f1(), counts.support()});
          if (const auto auc = auc_[static_cast<size_t>(c)].auc()) {
            auc_sum += *auc;
            ++auc_labels;
          }
        }
        if (auc_labels > 0) scores.auc = auc_sum / static_cast<double>(auc_labels);
      }
      break;
    case TaskType::kRegression:
      if (regression_values_ > 0) {
        const double n = static_cast<double>(regression_values_);
        scores.mae = abs_error_sum_ / n;
        scores.rmse = std::sqrt(squared_error_sum_ / n);
        scores.r2 = r_squared(regression_values_, squared_error_sum_, target_sum_, target_square_sum_);
      }
      break;
  }
  return scores;
}

}  // namespace mmoe::trainer
