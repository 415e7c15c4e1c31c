// The labels CSV: task types inferred or declared, class names in sorted order, '|' multilabel
// cells, empty cells as missing labels, and errors naming file, line and column.
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/import_labels.h"
#include "data_test_util.h"

namespace mmoe::data::import_labels_test {
namespace {

using testing::contains;
using testing::data_error_message;

class LabelsCsv : public testing::DataDirTest {
 protected:
  std::filesystem::path write(const std::string& text) {
    testing::write_text_file(dir_ / "labels.csv", text);
    return dir_ / "labels.csv";
  }
  std::string error(const std::string& text, const std::map<std::string, TaskType>& declared = {}) {
    const auto path = write(text);
    return data_error_message([&] { read_labels_csv(path, declared); });
  }
  const float nan_ = std::numeric_limits<float>::quiet_NaN();
};

TEST_F(LabelsCsv, InfersEveryTypeAndMapsClassesInSortedOrder) {
  const auto path = write(
      "sample_id,family,habitat,length\n"
      "10,salmonidae,reef|lake,3.5\n"
      "11,,,\n"
      "12,cichlidae,lake,-1\n"
      "13,salmonidae,river | reef,\n");
  const auto labels = read_labels_csv(path, {});
  ASSERT_EQ(labels.rows, 4);
  ASSERT_EQ(labels.tasks.size(), 3u);
  EXPECT_TRUE(testing::bitwise_equal(labels.sample_id, torch::tensor({10, 11, 12, 13}, torch::kInt64)));

  EXPECT_EQ(labels.tasks[0].name, "family");
  EXPECT_EQ(labels.tasks[0].type, TaskType::kMulticlass);
  EXPECT_EQ(labels.tasks[0].class_names, (std::vector<std::string>{"cichlidae", "salmonidae"}));
  EXPECT_TRUE(testing::bitwise_equal(labels.labels[0], torch::tensor({1, -1, 0, 1}, torch::kInt64)));

  EXPECT_EQ(labels.tasks[1].type, TaskType::kMultilabel);
  EXPECT_EQ(labels.tasks[1].class_names, (std::vector<std::string>{"lake", "reef", "river"}));
  const auto expected_habitat = torch::tensor({{1.0f, 1.0f, 0.0f}, {nan_, nan_, nan_}, {1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 1.0f}});
  EXPECT_TRUE(testing::bitwise_equal(labels.labels[1], expected_habitat));

  EXPECT_EQ(labels.tasks[2].type, TaskType::kRegression);
  EXPECT_EQ(labels.tasks[2].num_outputs, 1);
  EXPECT_TRUE(testing::bitwise_equal(labels.labels[2], torch::tensor({{3.5f}, {nan_}, {-1.0f}, {nan_}})));
  EXPECT_EQ(labels.declared, (std::vector<bool>{false, false, false}));
}

TEST_F(LabelsCsv, WithoutSampleIdRowsAreNumberedFromZero) {
  const auto labels = read_labels_csv(write("c\na\nb\na\n"), {});
  EXPECT_TRUE(testing::bitwise_equal(labels.sample_id, torch::tensor({0, 1, 2}, torch::kInt64)));
}

TEST_F(LabelsCsv, DeclaredMulticlassOnNumbersSortsClassNamesBytewise) {
  const auto labels = read_labels_csv(write("grade\n2\n10\n1\n2\n"), {{"grade", TaskType::kMulticlass}});
  EXPECT_EQ(labels.tasks[0].class_names, (std::vector<std::string>{"1", "10", "2"}));
  EXPECT_TRUE(testing::bitwise_equal(labels.labels[0], torch::tensor({2, 1, 0, 2}, torch::kInt64)));
  EXPECT_EQ(labels.declared, (std::vector<bool>{true}));
}

TEST_F(LabelsCsv, DeclaredMultilabelWithoutBars) {
  const auto labels = read_labels_csv(write("tag\nx\ny\n"), {{"tag", TaskType::kMultilabel}});
  EXPECT_EQ(labels.tasks[0].type, TaskType::kMultilabel);
  EXPECT_TRUE(testing::bitwise_equal(labels.labels[0], torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}})));
}

TEST_F(LabelsCsv, ClassLabelInARegressionColumnNamesLineAndColumn) {
  const auto message = error("id,length\n1,3.5\n2,long\n", {{"length", TaskType::kRegression}});
  EXPECT_TRUE(contains(message, "labels.csv: line 3 column 2 ('length'): 'long' is not a number but task 'length' "
                                "is regression (declared by --task)"));
}

TEST_F(LabelsCsv, UnknownTaskTypeInADeclaration) {
  const auto message = data_error_message([] { parse_task_declaration("family:ordinal"); });
  EXPECT_TRUE(contains(message, "--task 'family:ordinal': unknown task type 'ordinal' (valid: multiclass, multilabel, regression)"));
  EXPECT_TRUE(contains(data_error_message([] { parse_task_declaration("family"); }), "expected NAME:TYPE"));
  const auto [name, type] = parse_task_declaration("a:b:regression");
  EXPECT_EQ(name, "a:b");
  EXPECT_EQ(type, TaskType::kRegression);
}

TEST_F(LabelsCsv, DeclarationForAnAbsentColumnListsTheColumns) {
  EXPECT_TRUE(contains(error("a,b\nx,y\nz,w\n", {{"c", TaskType::kMulticlass}}),
                       "--task c:multiclass: " + (dir_ / "labels.csv").string() + " has no task column 'c' (columns: a, b)"));
}

TEST_F(LabelsCsv, SingleClassColumnIsRefused) {
  EXPECT_TRUE(contains(error("a\nx\n\nx\n"), "column 1 ('a') has 1 class ('x'); a multiclass task needs at least 2"));
}

TEST_F(LabelsCsv, ColumnWithoutLabelsIsRefused) {
  EXPECT_TRUE(contains(error("a,b\nx,\ny,\n"), "column 2 ('b') has no labels"));
}

TEST_F(LabelsCsv, NonIntegerSampleIdIsNamed) {
  EXPECT_TRUE(contains(error("sample_id,a\n1,x\nimg_2.jpg,y\n"),
                       "line 3 column 1 ('sample_id'): 'img_2.jpg' is not an integer"));
}

TEST_F(LabelsCsv, HeaderProblemsAreNamed) {
  EXPECT_TRUE(contains(error("a,a\nx,y\n"), "column 'a' appears twice"));
  EXPECT_TRUE(contains(error("a,\nx,y\n"), "line 1 column 2: empty column name"));
  EXPECT_TRUE(contains(error("a/b\nx\n"), "column name 'a/b' cannot be a task name"));
  EXPECT_TRUE(contains(error("sample_id\n1\n"), "no task columns"));
  EXPECT_TRUE(contains(error("a,b\n"), "has a header line but no data rows"));
  EXPECT_TRUE(contains(error(""), "empty CSV"));
}

TEST_F(LabelsCsv, EmptyNameInsideAMultilabelCell) {
  EXPECT_TRUE(contains(error("t\na|b\na||b\n"), "line 3 column 1 ('t'): 'a||b' has an empty label name"));
}

}  // namespace
}  // namespace mmoe::data::import_labels_test
