// get_run by id or prefix, its errors, hostile ids, and list_runs filters and order.
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <map>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking {
namespace {

using testing::TempDir;
using testing::query_value;
using testing::sample_epoch;
using testing::sample_run;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a StoreError";
  return "";
}

TEST(StoreLookup, FindsRunByFullIdUniquePrefixAndUppercase) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  const std::string id = store.create_run(sample_run("fish", "only"));
  EXPECT_EQ(store.get_run(id).summary.name, "only");
  EXPECT_EQ(store.get_run(id.substr(0, 4)).summary.id, id);
  EXPECT_EQ(store.get_run(id.substr(0, 1)).summary.id, id);
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(store.get_run(upper).summary.id, id);
}

TEST(StoreLookup, UnknownIdNamesTheStoreAndTheListCommand) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = store.create_run(sample_run("fish"));
  const std::string unknown = id[0] == 'a' ? "b" : "a";
  EXPECT_EQ(error_of([&] { store.get_run(unknown + "bc"); }),
            "no run '" + unknown + "bc' in store '" + path.string() +
                "'; list runs with: mmoe runs list --store " + path.string());
  EXPECT_NE(error_of([&] { store.get_run(""); }).find("no run ''"), std::string::npos);
  EXPECT_NE(error_of([&] { store.get_run(id + "0"); }).find("no run"), std::string::npos);
}

TEST(StoreLookup, AmbiguousPrefixListsTheMatches) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  // 17 random ids over 16 possible first characters: at least two share one.
  std::map<char, std::vector<std::string>> by_first;
  for (int i = 0; i < 17; ++i) {
    const std::string id = store.create_run(sample_run("fish"));
    by_first[id[0]].push_back(id);
  }
  for (const auto& [first, ids] : by_first) {
    if (ids.size() < 2) continue;
    const std::string message = error_of([&, c = first] { store.get_run(std::string(1, c)); });
    EXPECT_NE(message.find("run id prefix '" + std::string(1, first) + "' is ambiguous"),
              std::string::npos)
        << message;
    for (const std::string& id : ids) EXPECT_NE(message.find(id), std::string::npos) << message;
    return;
  }
  FAIL() << "pigeonhole principle violated";
}

TEST(StoreLookup, SqlInjectionTextMatchesNothingAndChangesNothing) {
  TempDir dir;
  const auto path = dir / "runs.db";
  Store store = Store::open(path);
  const std::string id = store.create_run(sample_run("fish"));
  store.log_epoch(id, sample_epoch(1));
  const std::string hostile = "x' OR '1'='1";
  const std::string dropper = "'; DROP TABLE runs; --";

  EXPECT_NE(error_of([&] { store.get_run(hostile); }).find("no run 'x' OR '1'='1'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { store.get_run(dropper); }).find("no run"), std::string::npos);
  EXPECT_NE(error_of([&] { store.get_run("%"); }).find("no run"), std::string::npos);
  EXPECT_NE(error_of([&] { store.get_run("_"); }).find("no run"), std::string::npos);
  EXPECT_THROW(store.log_epoch(hostile, sample_epoch(2)), StoreError);
  EXPECT_THROW(store.finish_run(dropper, RunStatus::kFailed, hostile), StoreError);
  RunFilter filter;
  filter.experiment = hostile;
  EXPECT_TRUE(store.list_runs(filter).empty());

  // Hostile text as data is stored verbatim.
  const std::string literal = store.create_run(sample_run(hostile, dropper));
  EXPECT_EQ(store.get_run(literal).summary.experiment, hostile);
  EXPECT_EQ(store.get_run(literal).summary.name, dropper);
  ASSERT_EQ(store.list_runs(filter).size(), 1u);

  EXPECT_EQ(store.list_runs().size(), 2u);
  EXPECT_EQ(store.get_run(id).summary.status, RunStatus::kRunning);
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM epochs"), "1");
  EXPECT_EQ(query_value(path, "SELECT COUNT(*) FROM metrics"), "4");
  EXPECT_EQ(query_value(path, "PRAGMA integrity_check"), "ok");
}

TEST(StoreList, FiltersByExperimentStatusAndLimitNewestFirst) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  std::vector<std::string> fish;
  std::vector<std::string> fashion;
  for (int i = 0; i < 3; ++i) {
    fish.push_back(store.create_run(sample_run("fish", "fish-" + std::to_string(i))));
    fashion.push_back(store.create_run(sample_run("fashion", "fashion-" + std::to_string(i))));
  }
  store.finish_run(fish[0], RunStatus::kFinished);
  store.finish_run(fish[1], RunStatus::kFailed, "out of memory");
  store.finish_run(fashion[2], RunStatus::kInterrupted);

  const auto ids = [](const std::vector<RunSummary>& runs) {
    std::vector<std::string> out;
    for (const RunSummary& run : runs) out.push_back(run.id);
    return out;
  };
  const std::vector<std::string> all = {fashion[2], fish[2], fashion[1],
                                        fish[1],    fashion[0], fish[0]};
  EXPECT_EQ(ids(store.list_runs()), all);

  RunFilter by_experiment;
  by_experiment.experiment = "fish";
  EXPECT_EQ(ids(store.list_runs(by_experiment)), (std::vector<std::string>{fish[2], fish[1], fish[0]}));

  RunFilter by_status;
  by_status.status = RunStatus::kRunning;
  EXPECT_EQ(ids(store.list_runs(by_status)),
            (std::vector<std::string>{fish[2], fashion[1], fashion[0]}));
  by_status.status = RunStatus::kFailed;
  const auto failed = store.list_runs(by_status);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, fish[1]);
  EXPECT_EQ(failed[0].error, "out of memory");

  RunFilter both;
  both.experiment = "fashion";
  both.status = RunStatus::kInterrupted;
  EXPECT_EQ(ids(store.list_runs(both)), (std::vector<std::string>{fashion[2]}));

  RunFilter limited;
  limited.limit = 2;
  EXPECT_EQ(ids(store.list_runs(limited)), (std::vector<std::string>{fashion[2], fish[2]}));
  limited.limit = 0;
  EXPECT_EQ(store.list_runs(limited).size(), 6u);

  RunFilter nothing;
  nothing.experiment = "birds";
  EXPECT_TRUE(store.list_runs(nothing).empty());
}

TEST(StoreList, DefaultLimitIsFifty) {
  TempDir dir;
  Store store = Store::open(dir / "runs.db");
  for (int i = 0; i < 52; ++i) store.create_run(sample_run("fish"));
  EXPECT_EQ(store.list_runs().size(), 50u);
  RunFilter all;
  all.limit = -1;
  EXPECT_EQ(store.list_runs(all).size(), 52u);
}

}  // namespace
}  // namespace mmoe::tracking
