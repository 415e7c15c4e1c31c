#pragma once
// Exit codes of the mmoe binary (documented in README.md).
namespace mmoe::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // bad input, missing file, failed run
inline constexpr int kExitUsage = 2;        // unknown subcommand or flag, missing argument
inline constexpr int kExitInterrupted = 130; // SIGINT / SIGTERM: run recorded as interrupted
}  // namespace mmoe::cli
