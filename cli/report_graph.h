#pragma once
// The architecture graph of a stored run for `mmoe report`: the model its stored config builds
// (as `mmoe model graph` does), rendered by Graphviz into the report directory.
#include <filesystem>

#include "tracking/report_html.h"
#include "tracking/store.h"

namespace mmoe::cli {

// Writes out_dir/architecture.<svg|png> and returns it as a figure; when the config no longer
// builds (dataset moved, Graphviz missing) returns a figure with a note that says why instead.
tracking::ExtraFigure architecture_figure(const tracking::RunDetail& run, const std::filesystem::path& out_dir,
                                          bool svg);

}  // namespace mmoe::cli
