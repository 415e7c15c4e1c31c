#include "cli/data_report_format.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mmoe::cli {
namespace {

std::string problem_line(const data::VerifyReport& report, const data::VerifyProblem& problem) {
  std::string line = (report.dir / problem.file).string() + ": ";
  if (!problem.dataset.empty() && problem.message.rfind(problem.dataset, 0) != 0) line += problem.dataset + ": ";
  return line + problem.message;
}

std::string human_bytes(int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (int64_t{1} << 20)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  if (bytes < (int64_t{1} << 30)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1 << 30));
}

std::string percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

std::string task_shape(const data::TaskSchema& task) {
  if (task.type == TaskType::kRegression) return fmt::format("{} output{}", task.num_outputs, task.num_outputs == 1 ? "" : "s");
  return fmt::format("{} {}", task.class_names.size(), task.type == TaskType::kMulticlass ? "classes" : "labels");
}

}  // namespace

std::string format_verify_report(const data::VerifyReport& report) {
  std::string text;
  for (const auto& problem : report.problems) text += "problem: " + problem_line(report, problem) + "\n";
  for (const auto& note : report.notes) text += "note: " + (report.dir / note).string() + "\n";
  const auto bad = std::count_if(report.shards.begin(), report.shards.end(), [](const auto& s) { return !s.ok; });
  const auto checked = std::count_if(report.shards.begin(), report.shards.end(), [](const auto& s) {
    return s.checksum == data::ChecksumStatus::kMatch || s.checksum == data::ChecksumStatus::kMismatch;
  });
  if (report.ok()) {
    text += fmt::format("ok: {} shard{} in {} verified ({} checksum{} match)\n", report.shards.size(),
                        report.shards.size() == 1 ? "" : "s", report.dir.string(), checked, checked == 1 ? "" : "s");
  } else {
    text += fmt::format("FAILED: {} problem{} in {} ({} of {} shards bad)\n", report.problems.size(),
                        report.problems.size() == 1 ? "" : "s", report.dir.string(), bad, report.shards.size());
  }
  return text;
}

std::string verify_report_to_json(const data::VerifyReport& report) {
  nlohmann::json j;
  j["dir"] = report.dir.string();
  j["ok"] = report.ok();
  j["shards"] = nlohmann::json::array();
  for (const auto& shard : report.shards) {
    j["shards"].push_back({{"file", shard.file},
                           {"split", shard.split},
                           {"bytes", shard.bytes},
                           {"checksum", data::to_string(shard.checksum)},
                           {"ok", shard.ok}});
  }
  j["problems"] = nlohmann::json::array();
  for (const auto& problem : report.problems) {
    j["problems"].push_back({{"file", problem.file}, {"dataset", problem.dataset}, {"message", problem.message}});
  }
  j["notes"] = report.notes;
  return j.dump(2);
}

std::string format_dataset_info(const data::DatasetInfoReport& report) {
  std::string text = fmt::format("dataset {} ({})\nfeatures: dim {}, {}\n", report.name.empty() ? "-" : report.name,
                                 report.dir.string(), report.feature_dim, report.feature_dtype);
  int64_t rows = 0;
  for (const auto& [split, count] : report.split_rows) rows += count;
  text += fmt::format("shards: {}, {} rows, {}\n", report.shards.size(), rows, human_bytes(report.total_bytes()));
  size_t width = 4;
  for (const auto& shard : report.shards) width = std::max(width, shard.file.size());
  text += fmt::format("  {:<{}}  {:<6} {:>10} {:>12}\n", "file", width, "split", "rows", "bytes");
  for (const auto& shard : report.shards) {
    text += fmt::format("  {:<{}}  {:<6} {:>10} {:>12}\n", shard.file, width, shard.split, shard.rows, shard.bytes);
  }
  text += "splits:";
  for (const auto& [split, count] : report.split_rows) text += fmt::format(" {} {}", split, count);
  text += "\ntasks:\n";
  for (const auto& info : report.tasks) {
    const auto& task = info.task;
    text += fmt::format("  {} ({}, {})\n", task.name, to_string(task.type), task_shape(task));
    for (const auto& [split, summary] : info.splits) {
      text += fmt::format("    {:<6} labelled {}/{} ({})", split, summary.labelled, summary.rows,
                          percent(summary.labelled, summary.rows));
      if (task.type == TaskType::kRegression) {
        for (size_t k = 0; k < summary.mean.size(); ++k) {
          text += fmt::format("{} mean {:.4g} std {:.4g}", k == 0 ? ":" : ";", summary.mean[k], summary.stddev[k]);
        }
      } else {
        text += ":";
        for (size_t c = 0; c < summary.class_counts.size(); ++c) {
          text += fmt::format(" {} {}", task.class_names[c], summary.class_counts[c]);
        }
      }
      text += "\n";
    }
  }
  return text;
}

std::string dataset_info_to_json(const data::DatasetInfoReport& report) {
  nlohmann::json j;
  j["dir"] = report.dir.string();
  j["name"] = report.name;
  j["feature_dim"] = report.feature_dim;
  j["feature_dtype"] = report.feature_dtype;
  j["shards"] = nlohmann::json::array();
  for (const auto& shard : report.shards) {
    j["shards"].push_back({{"file", shard.file}, {"split", shard.split}, {"rows", shard.rows}, {"bytes", shard.bytes}});
  }
  j["splits"] = nlohmann::json::array();
  for (const auto& [split, count] : report.split_rows) j["splits"].push_back({{"split", split}, {"rows", count}});
  j["tasks"] = nlohmann::json::array();
  for (const auto& info : report.tasks) {
    nlohmann::json task = {{"name", info.task.name}, {"type", to_string(info.task.type)}};
    if (info.task.type == TaskType::kRegression) {
      task["outputs"] = info.task.num_outputs;
    } else {
      task["classes"] = info.task.class_names;
    }
    task["splits"] = nlohmann::json::array();
    for (const auto& [split, summary] : info.splits) {
      nlohmann::json s = {{"split", split},
                          {"rows", summary.rows},
                          {"labelled", summary.labelled},
                          {"coverage", summary.coverage()}};
      if (info.task.type == TaskType::kRegression) {
        s["mean"] = summary.mean;  // NaN (no labelled row) is written as null
        s["std"] = summary.stddev;
      } else {
        s["class_counts"] = summary.class_counts;
      }
      task["splits"].push_back(s);
    }
    j["tasks"].push_back(task);
  }
  return j.dump(2);
}

}  // namespace mmoe::cli
