// The CSV reader and the numeric features CSV: quoting, line ends, header detection, and errors
// that name file, line and column.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/import_csv.h"
#include "data_test_util.h"

namespace mmoe::data::import_csv_test {
namespace {

using testing::contains;
using testing::data_error_message;

class CsvReader : public testing::DataDirTest {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    testing::write_text_file(dir_ / name, text);
    return dir_ / name;
  }
};

TEST_F(CsvReader, QuotesCrlfBomAndLineNumbers) {
  const auto path = write("q.csv", "\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\", 7 \n");
  const auto records = read_csv(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].cells, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records[1].cells, (std::vector<std::string>{"x, y", "say \"hi\""}));
  EXPECT_EQ(records[2].cells, (std::vector<std::string>{"two\nlines", "7"}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 3);
}

TEST_F(CsvReader, NoTrailingNewlineAndEmptyCells) {
  const auto records = read_csv(write("e.csv", "a,b,c\n1,,3\n,,"));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].cells, (std::vector<std::string>{"1", "", "3"}));
  EXPECT_EQ(records[2].cells, (std::vector<std::string>{"", "", ""}));
}

TEST_F(CsvReader, EmptyFileIsRefused) {
  const auto path = write("empty.csv", "");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv(path); }), path.string() + ": empty CSV (no rows)"));
}

TEST_F(CsvReader, RaggedLineIsNamed) {
  const auto path = write("r.csv", "a,b\n1,2\n3\n");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv(path); }), path.string() + ": line 3 has 1 cells but line 1 has 2"));
}

TEST_F(CsvReader, UnterminatedQuoteIsNamed) {
  const auto path = write("u.csv", "a\n\"open\n");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv(path); }), "line 2: unterminated quoted cell"));
}

TEST_F(CsvReader, ParseNumber) {
  double value = 0.0;
  EXPECT_EQ(parse_number(" -2.5e1 ", value), NumberParse::kNumber);
  EXPECT_EQ(value, -25.0);
  EXPECT_EQ(parse_number("+4", value), NumberParse::kNumber);
  EXPECT_EQ(value, 4.0);
  EXPECT_EQ(parse_number("nan", value), NumberParse::kNonFinite);
  EXPECT_EQ(parse_number("inf", value), NumberParse::kNonFinite);
  for (const char* bad : {"", "+", "1.5x", "one", "1,5", "0x10"}) EXPECT_EQ(parse_number(bad, value), NumberParse::kNotNumber) << bad;
}

TEST_F(CsvReader, FeaturesWithAndWithoutHeader) {
  const auto expected = torch::tensor({{1.0f, -0.5f}, {2.25f, 1000.0f}});
  EXPECT_TRUE(testing::bitwise_equal(read_csv_features(write("h.csv", "f0,f1\n1,-0.5\n2.25,1e3\n")), expected));
  EXPECT_TRUE(testing::bitwise_equal(read_csv_features(write("n.csv", "1,-0.5\n2.25,1e3\n")), expected));
}

TEST_F(CsvReader, NonNumericFeatureCellNamesLineAndColumn) {
  const auto path = write("f.csv", "f0,f1,f2\n1,2,3\n4,five,6\n");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv_features(path); }),
                       path.string() + ": line 3 column 2 ('f1'): 'five' is not a number"));
}

TEST_F(CsvReader, NonFiniteFeatureCellIsRefused) {
  const auto path = write("f.csv", "1,2\n3,inf\n");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv_features(path); }),
                       path.string() + ": line 2 column 2: 'inf' is not a finite number"));
}

TEST_F(CsvReader, HeaderWithoutRowsIsRefused) {
  const auto path = write("f.csv", "f0,f1\n");
  EXPECT_TRUE(contains(data_error_message([&] { read_csv_features(path); }), "has a header line but no data rows"));
}

}  // namespace
}  // namespace mmoe::data::import_csv_test
