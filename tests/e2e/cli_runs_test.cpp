// `mmoe runs list --filter/--sort`, `runs compare | best | export | delete` and `mmoe db merge`
// on a store with two real training runs (3 and 4 experts).
#include <gmock/gmock.h>

#include <regex>

#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/store_probe.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliRuns : public MmoeCli {
 protected:
  std::string train(const std::string& experts) const {
    const auto r = mmoe({"train", config_path_.string(), "tracking.store=" + store_.string(),
                         "model.num_experts=" + experts});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(r.out, match, std::regex("run ([0-9a-f]{12}) finished"))) << r.out;
    return match.size() > 1 ? match[1].str() : "";
  }
  std::vector<std::string> with_store(std::vector<std::string> args) const {
    args.push_back("--store");
    args.push_back(store_.string());
    return args;
  }
};

TEST_F(CliRuns, FilterCompareBestExportDeleteMerge) {
  const std::string three = train("3");
  const std::string four = train("4");
  ASSERT_FALSE(three.empty());
  ASSERT_FALSE(four.empty());

  // list --filter / --sort
  auto r = mmoe(with_store({"runs", "list", "--filter", "params.model.num_experts = 3", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(three));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(four)));
  r = mmoe(with_store({"runs", "list", "--sort", "params.model.num_experts"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.out.find(three), r.out.find(four)) << r.out;
  r = mmoe(with_store({"runs", "list", "--sort", "-params.model.num_experts"}));
  EXPECT_LT(r.out.find(four), r.out.find(three)) << r.out;
  r = mmoe(with_store({"runs", "list", "--filter", "params.model.num_experts >="}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "mmoe: error: filter: expected a value (a number or a quoted string) at column 28 (found the "
            "end of the filter)\n");
  r = mmoe(with_store({"runs", "list", "--filter", "tags.x = \"'; DROP TABLE runs; --\""}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no runs\n\n");
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM runs")[0][0], "2");

  // compare
  r = mmoe(with_store({"runs", "compare", three, four.substr(0, 6)}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("params that differ"));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("model\\.num_experts +3 +4"))) << r.out;
  EXPECT_THAT(r.out, HasSubstr("val_weighted_f1"));
  EXPECT_EQ(mmoe(with_store({"runs", "compare", three})).exit_code, 2);  // needs two

  // best
  r = mmoe(with_store({"runs", "best", "--metric", "val_weighted_f1", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"mode\": \"max\""));
  EXPECT_THAT(r.out, HasSubstr("\"runs_compared\": 2"));
  r = mmoe(with_store({"runs", "best", "--metric", "val_loss", "--top", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("best 'val_loss' (lower is better; 2 run(s) compared)"));

  // export
  r = mmoe(with_store({"runs", "export", "--format", "csv", "--out", "runs.csv"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = read_file(test_dir_ / "runs.csv");
  EXPECT_THAT(csv, StartsWith("id,experiment,name,status,started_at,ended_at,epochs,monitor,best_epoch,"
                              "best_metric,error,params."));
  EXPECT_THAT(csv, HasSubstr("params.model.num_experts"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  r = mmoe(with_store({"runs", "export", "--format", "jsonl", "--filter", "status = finished"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 2);
  EXPECT_EQ(mmoe(with_store({"runs", "export", "--format", "xlsx"})).exit_code, 2);

  // delete
  r = mmoe(with_store({"runs", "delete", four}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refusing to delete 1 run(s)"));
  EXPECT_THAT(r.err, HasSubstr("without --yes: standard input is not a terminal"));
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM runs")[0][0], "2");
  r = mmoe(with_store({"runs", "delete", four, "--yes"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "deleted " + four + "\n");
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM runs")[0][0], "1");
  EXPECT_EQ(query(store_, "SELECT COUNT(*) FROM metrics WHERE run_id = '" + four + "'")[0][0], "0");

  // db merge
  r = mmoe({"db", "merge", store_.string(), "--into", "merged.db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 run(s) copied, 0 already in 'merged.db' (identical)"));
  r = mmoe({"db", "merge", store_.string(), "--into", "merged.db", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"runs_identical\": 1"));
  EXPECT_EQ(query(test_dir_ / "merged.db", "SELECT id FROM runs")[0][0], three);
  r = mmoe({"db", "merge", "missing.db", "--into", "merged.db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no store at 'missing.db'"));
}

}  // namespace
}  // namespace mmoe::e2e
