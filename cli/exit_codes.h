#pragma once
// Exit codes of the mmoe binary (documented in README.md).
namespace mmoe::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // bad input, missing file, failed run
inline constexpr int kExitUsage = 2;        // unknown subcommand or flag, missing argument
inline constexpr int kExitInterrupted = 130; // SIGINT: run recorded as interrupted
inline constexpr int kExitPreempted = 75;    // SIGTERM / SIGUSR1: checkpoint written, run recorded as
                                             // preempted; resume with --resume auto (EX_TEMPFAIL)
}  // namespace mmoe::cli
