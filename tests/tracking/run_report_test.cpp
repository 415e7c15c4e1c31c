// mmoe report RUN as a library: every figure exists in both formats at its expected size and is
// not blank, report.html embeds every one of them and shows the collapse warnings first; bad
// inputs give one-line errors. Tests that draw skip when gnuplot is not installed.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <map>

#include "image_check.h"
#include "report_fixture.h"
#include "tracking/base64.h"
#include "tracking/gnuplot_runner.h"
#include "tracking/report_error.h"
#include "tracking/run_report.h"

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

#define SKIP_WITHOUT_GNUPLOT() \
  if (!testing::have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)"

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const mmoe::Error& error) {
    return error.what();
  }
  return "";
}

// Sizes by hand: 900 wide; stacked figures 320 px per panel, at least 480 (two tasks: 640).
const std::map<std::string, std::pair<int64_t, int64_t>> kExpectedSizes = {
    {"router_affinity", {900, 640}},  {"router_affinity_epochs", {900, 640}},
    {"expert_utilization", {900, 640}}, {"gate_entropy", {900, 480}},
    {"task_curves", {900, 640}},       {"learning_rate", {900, 480}},
    {"confusion_family", {900, 480}},
};

TEST(RunReport, WritesEveryFigureInBothFormatsAndOneSelfContainedPage) {
  SKIP_WITHOUT_GNUPLOT();
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  RunReportOptions options;
  options.out_dir = dir / "out" / "report";
  const RunReport report = write_run_report(store, id.substr(0, 6), options);

  EXPECT_EQ(report.run_id, id);
  ASSERT_EQ(report.plots.size(), kExpectedSizes.size() * 2);
  std::map<std::string, int> formats_seen;
  for (const PlotFile& plot : report.plots) {
    SCOPED_TRACE(plot.path.string());
    ASSERT_TRUE(kExpectedSizes.count(plot.name)) << plot.name;
    ASSERT_TRUE(fs::exists(plot.path));
    EXPECT_EQ(plot.path.parent_path(), options.out_dir);
    const auto [width, height] = kExpectedSizes.at(plot.name);
    const testing::ImageFacts facts = plot.format == PlotFormat::kPng ? testing::inspect_png(plot.path)
                                                                      : testing::inspect_svg(plot.path);
    ASSERT_TRUE(facts.valid) << facts.problem;
    EXPECT_EQ(facts.width, width);
    EXPECT_EQ(facts.height, height);
    if (plot.format == PlotFormat::kPng) {
      EXPECT_EQ(plot.path.extension(), ".png");
      EXPECT_GT(facts.distinct_colours, 1) << "blank PNG";
    } else {
      EXPECT_EQ(plot.path.extension(), ".svg");
      EXPECT_GT(facts.drawing_elements, 10) << "SVG without drawing";
    }
    ++formats_seen[plot.name];
  }
  for (const auto& [name, count] : formats_seen) EXPECT_EQ(count, 2) << name;

  const std::string html = slurp(report.html);
  EXPECT_EQ(report.html, options.out_dir / "report.html");
  for (const auto& [name, size] : kExpectedSizes) {
    EXPECT_NE(html.find("<figure id=\"" + name + "\" data-files=\"" + name + ".png " + name + ".svg\""),
              std::string::npos)
        << name;
    // The SVG itself is embedded, byte for byte, as a data URI.
    EXPECT_NE(html.find("data:image/svg+xml;base64," + base64_encode(slurp(options.out_dir / (name + ".svg")))),
              std::string::npos)
        << name;
  }
  // Self-contained: nothing fetched from elsewhere.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\"data:"), html.find("src=\""));

  // Epoch 3 collapses the family gate: one dominant and three starved experts, in a box that
  // comes before the summary.
  ASSERT_EQ(report.warnings.size(), 4u);
  EXPECT_NE(report.warnings[0].find("task family expert 0 utilization 94.0% > 90%"), std::string::npos)
      << report.warnings[0];
  const auto box = html.find("<div class=\"warnings\" id=\"collapse-warnings\">");
  ASSERT_NE(box, std::string::npos);
  EXPECT_LT(box, html.find("<h2>Summary</h2>"));
  EXPECT_NE(html.find("task family expert 0 utilization 94.0% &gt; 90%"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>run</th><td>" + id + "</td></tr>"), std::string::npos);
}

TEST(RunReport, PngOnlyAndSvgOnly) {
  SKIP_WITHOUT_GNUPLOT();
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  for (const PlotFormat format : {PlotFormat::kPng, PlotFormat::kSvg}) {
    RunReportOptions options;
    options.out_dir = dir / extension(format);
    options.formats = {format};
    const RunReport report = write_run_report(store, id, options);
    ASSERT_EQ(report.plots.size(), kExpectedSizes.size());
    for (const PlotFile& plot : report.plots) EXPECT_EQ(plot.format, format);
    const std::string html = slurp(report.html);
    EXPECT_NE(html.find(std::string("data:image/") + (format == PlotFormat::kPng ? "png" : "svg+xml")),
              std::string::npos);
  }
}

TEST(RunReport, ExtraFiguresAreEmbeddedOrExplained) {
  SKIP_WITHOUT_GNUPLOT();
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  std::ofstream(dir / "graph.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"5\" height=\"5\"/></svg>";
  RunReportOptions options;
  options.out_dir = dir / "out";
  options.formats = {PlotFormat::kPng};
  options.extras = {{"architecture", "Architecture", dir / "graph.svg", ""},
                    {"other", "Other", {}, "not drawn: dataset moved"}};
  const std::string html = slurp(write_run_report(store, id, options).html);
  EXPECT_NE(html.find("<figure id=\"architecture\" data-files=\"graph.svg\">"), std::string::npos);
  EXPECT_NE(html.find("data:image/svg+xml;base64," + base64_encode(slurp(dir / "graph.svg"))), std::string::npos);
  EXPECT_NE(html.find("<p class=\"note\">not drawn: dataset moved</p>"), std::string::npos);
}

TEST(RunReport, UnknownRunIsAStoreError) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  RunReportOptions options;
  options.out_dir = dir / "out";
  const std::string message = error_of([&] { write_run_report(store, "abcdef", options); });
  EXPECT_NE(message.find("no run 'abcdef' in store"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(RunReport, RunWithoutEpochsIsRefused) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(testing::sample_run("fish"));
  RunReportOptions options;
  options.out_dir = dir / "out";
  const std::string message = error_of([&] { write_run_report(store, id, options); });
  EXPECT_NE(message.find("run '" + id + "' in store"), std::string::npos) << message;
  EXPECT_NE(message.find("has no epochs logged, so there is nothing to plot"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(RunReport, OutputDirectoryThatCannotBeCreatedIsRefused) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  std::ofstream(dir / "a_file") << "x";
  RunReportOptions options;
  options.out_dir = dir / "a_file" / "report";  // a regular file where a directory must be
  const std::string message = error_of([&] { write_run_report(store, id, options); });
  EXPECT_NE(message.find("output directory '" + options.out_dir.string() + "' is not writable"), std::string::npos)
      << message;
  EXPECT_NE(message.find("pass a writable --out"), std::string::npos);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(RunReport, MissingGnuplotSaysWhatToInstall) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = testing::log_report_run(store);
  RunReportOptions options;
  options.out_dir = dir / "out";
  options.gnuplot = "mmoe-test-no-such-gnuplot";
  try {
    write_run_report(store, id, options);
    FAIL() << "no error";
  } catch (const GnuplotMissingError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'mmoe-test-no-such-gnuplot' is not installed"), std::string::npos) << message;
    EXPECT_NE(message.find("apt-get install gnuplot-nox"), std::string::npos);
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(RunReport, GnuplotFailureCarriesItsMessage) {
  SKIP_WITHOUT_GNUPLOT();
  TempDir dir;
  std::ofstream(dir / "bad.gp") << "set terminal dumb\nplot $nothing_here using 1:2\n";
  const std::string message = error_of([&] { run_gnuplot(dir / "bad.gp"); });
  EXPECT_NE(message.find("'gnuplot' failed (exit 1) on " + (dir / "bad.gp").string() + ": "), std::string::npos)
      << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(Base64, Rfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace mmoe::tracking
