#include "cli/console_progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace mmoe::cli {
namespace {

constexpr int kBarWidth = 24;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

ConsoleProgress::ConsoleProgress(std::FILE* out, experiments::ProgressMode mode)
    : out_(out), style_(resolve_progress_style(mode, isatty(fileno(out)) != 0)) {}

ConsoleProgress::~ConsoleProgress() {
  if (bar_length_ != 0) {
    fmt::print(out_, "\n");
    std::fflush(out_);
  }
}

void ConsoleProgress::on_step(const trainer::StepProgress& p) {
  if (style_ == ProgressStyle::kLines && p.log_step) {
    fmt::print(out_, "{}\n", format_step_line(p));
    std::fflush(out_);
  } else if (style_ == ProgressStyle::kBar) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.step_in_epoch == p.steps_in_epoch;
    if (bar_length_ != 0 && !last && now - last_draw_ < kRedrawInterval) return;
    const std::string line = format_bar_line(p, kBarWidth);
    // Pad over a longer previous line so no stale characters stay on screen.
    fmt::print(out_, "\r{:<{}}", line, std::max(line.size(), bar_length_));
    std::fflush(out_);
    bar_length_ = line.size();
    last_draw_ = now;
  }
}

void ConsoleProgress::clear_bar() {
  if (bar_length_ == 0) return;
  fmt::print(out_, "\r{:<{}}\r", "", bar_length_);
  bar_length_ = 0;
}

void ConsoleProgress::on_epoch(const trainer::EpochReport& r) {
  clear_bar();
  for (const auto& line : format_epoch_lines(r)) fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void ConsoleProgress::on_note(const std::string& note) {
  clear_bar();
  fmt::print(out_, "note: {}\n", note);
  std::fflush(out_);
}

}  // namespace mmoe::cli
