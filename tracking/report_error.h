#pragma once
// Errors of `mmoe report` and the exports (plots, HTML, MoE log, MLflow file store).
#include "core/error.h"

namespace mmoe::tracking {

// A report or export that cannot be written: no epochs to plot, an output directory that cannot
// be created or written, gnuplot failing. The message names the run or path and what to do.
class ReportError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// gnuplot is not on PATH.
class GnuplotMissingError : public ReportError {
 public:
  using ReportError::ReportError;
};

}  // namespace mmoe::tracking
