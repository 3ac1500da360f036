// The result writers of src/cli/output.hpp: the format an output file's
// extension names, null cells, and the table a terminal gets by default
// (cut to --max-rows rows and one panel of columns, with a footer).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "output.hpp"
#include "table_writer.hpp"

namespace mfrec::cli {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "mfrec_output_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `rows` rows of `columns` columns (a name, then numbers) with `make`
// into a file and returns the text.
template <typename Make>
std::string write_table(std::size_t rows, std::size_t columns, Make make) {
  const std::string path = temp_path("table.txt");
  {
    Sink sink(path);
    auto out = make(sink);
    std::vector<std::string> header{"user"};
    for (std::size_t c = 1; c < columns; ++c) header.push_back("item" + std::to_string(c));
    out->header(header);
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<Cell> row{Cell{"u" + std::to_string(r)}};
      for (std::size_t c = 1; c < columns; ++c) row.emplace_back(static_cast<double>(r) + 0.5);
      out->row(row);
    }
    out->finish();
    sink.commit();
  }
  std::string text = slurp(path);
  std::remove(path.c_str());
  return text;
}

TEST(OutputFormat, ExtensionNamesTheFormat) {
  EXPECT_EQ(format_for_path("out.csv"), Format::Csv);
  EXPECT_EQ(format_for_path("out.tsv"), Format::Tsv);
  EXPECT_EQ(format_for_path("OUT.TAB"), Format::Tsv);
  EXPECT_EQ(format_for_path("dir/out.json"), Format::Json);
  EXPECT_EQ(format_for_path("out.jsonl"), Format::Jsonl);
  EXPECT_EQ(format_for_path("out.NDJSON"), Format::Jsonl);
  EXPECT_EQ(format_for_path("out.txt"), Format::Csv);
  EXPECT_EQ(format_for_path("out"), Format::Csv);
  EXPECT_EQ(format_for_path("dir.json/out"), Format::Csv);  // a folder's dot is no extension
}

TEST(OutputFormat, ThousandsAreGrouped) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(9724), "9,724");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
}

TEST(OutputNull, IsNullInJsonAndEmptyElsewhere) {
  const std::string path = temp_path("null.json");
  auto write = [&](Format f) {
    {
      Sink sink(path);
      auto out = make_writer(f, sink);
      out->header({"name", "value", "n"});
      out->row({Cell{std::string("std")}, kNull, Cell{std::int64_t{3}}});
      out->finish();
      sink.commit();
    }
    return slurp(path);
  };
  EXPECT_EQ(write(Format::Json), "[\n  {\"name\":\"std\",\"value\":null,\"n\":3}\n]\n");
  EXPECT_EQ(write(Format::Jsonl), "{\"name\":\"std\",\"value\":null,\"n\":3}\n");
  EXPECT_EQ(write(Format::Csv), "name,value,n\nstd,,3\n");
  EXPECT_EQ(write(Format::Table), "name  value  n\nstd          3\n");
  std::remove(path.c_str());
}

TEST(TableCut, NotCutWithoutALimit) {
  const std::string text = write_table(3, 3, [](Sink& s) { return make_table_writer(s, 0, 0); });
  EXPECT_EQ(text,
            "user   item1   item2\n"
            "u0    0.5000  0.5000\n"
            "u1    1.5000  1.5000\n"
            "u2    2.5000  2.5000\n");
}

TEST(TableCut, RowsBeyondTheLimitAreCountedInAFooter) {
  const std::string text = write_table(1234, 3, [](Sink& s) { return make_table_writer(s, 80, 2); });
  EXPECT_EQ(text,
            "user   item1   item2\n"
            "u0    0.5000  0.5000\n"
            "u1    1.5000  1.5000\n"
            "… 1,234 rows × 3 columns, 2 rows shown (-f csv, -o FILE or --max-rows 0 for all)\n");
}

TEST(TableCut, AWideTableShowsOnePanel) {
  // 4 for the names, 2 + 6 per item column: 4 item columns fit 36.
  const std::string text = write_table(2, 10, [](Sink& s) { return make_table_writer(s, 36, 50); });
  EXPECT_EQ(text,
            "user   item1   item2   item3   item4\n"
            "u0    0.5000  0.5000  0.5000  0.5000\n"
            "u1    1.5000  1.5000  1.5000  1.5000\n"
            "… 2 rows × 10 columns, 5 columns shown (-f csv, -o FILE or --max-rows 0 for all)\n");
}

TEST(TableCut, NothingLeftOutMeansNoFooter) {
  const std::string text = write_table(2, 2, [](Sink& s) { return make_table_writer(s, 80, 2); });
  EXPECT_EQ(text, "user   item1\nu0    0.5000\nu1    1.5000\n");
}

TEST(TableCut, WithoutARowLimitAWideTableGoesIntoPanels) {
  const std::string text = write_table(1, 4, [](Sink& s) { return make_table_writer(s, 20, 0); });
  EXPECT_EQ(text,
            "user   item1   item2\n"
            "u0    0.5000  0.5000\n"
            "\n"
            "user   item3\n"
            "u0    0.5000\n");
}

}  // namespace
}  // namespace mfrec::cli
