// CsvRowReader: delimiters (sniffed and forced), quoting, trimming, BOM, CRLF,
// blank lines, line/column bookkeeping, and every way a text file can be
// unreadable. Columns are 1-based byte offsets where a field starts (after
// leading spaces; at the opening quote of a quoted field).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"

namespace mfrec {
namespace {

using namespace std::string_literals;

const std::string kData = MFREC_TEST_DATA;

struct Row {
  std::uint64_t line;
  std::vector<std::string> fields;
  std::vector<std::uint64_t> columns;
};

std::vector<Row> read_all(CsvRowReader& reader) {
  std::vector<Row> rows;
  while (reader.next()) {
    Row row{reader.line(), {}, {}};
    for (std::size_t i = 0; i < reader.fields().size(); ++i) {
      row.fields.emplace_back(reader.fields()[i]);
      row.columns.push_back(reader.column(i));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> read_text(const std::string& text, Delimiter delimiter = kSniffDelimiter) {
  CsvRowReader reader = CsvRowReader::from_string("mem.csv", text, delimiter);
  return read_all(reader);
}

using Fields = std::vector<std::string>;
using Columns = std::vector<std::uint64_t>;

// Runs `f`, which must throw mfrec::Error, and returns that error; a test that
// expects an error must not pass because some other exception escaped.
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no mfrec::Error thrown";
  return Error(ErrorKind::Internal, "no error thrown");
}

void expect_where(const Error& e, const std::string& file, std::uint64_t line, std::uint64_t column) {
  ASSERT_TRUE(e.where().has_value()) << e.what();
  EXPECT_EQ(e.where()->file, file) << e.what();
  EXPECT_EQ(e.where()->line, line) << e.what();
  EXPECT_EQ(e.where()->column, column) << e.what();
}

// --- delimiters -------------------------------------------------------------

TEST(CsvRowReaderSniff, Comma) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "user,item,rating\nann,x,5\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ',');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"user", "item", "rating"}));
  EXPECT_EQ(rows[1].fields, (Fields{"ann", "x", "5"}));
  EXPECT_EQ(rows[1].columns, (Columns{1, 5, 7}));
}

TEST(CsvRowReaderSniff, TabKeepsSpacesInsideFields) {
  CsvRowReader r =
      CsvRowReader::from_string("mem.tsv", "user\titem\trating\nDarth Vader\tO Fortuna\t4\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), '\t');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"Darth Vader", "O Fortuna", "4"}));
  EXPECT_EQ(rows[1].columns, (Columns{1, 13, 23}));
}

TEST(CsvRowReaderSniff, Semicolon) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "user;item;rating\nann;x;4,5\nbob;y;3\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ';');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"ann", "x", "4,5"}));
}

// A headerless European file has a decimal comma on every line, so the comma
// count is consistent too; the separator giving more fields must win.
TEST(CsvRowReaderSniff, SemicolonBeatsConsistentDecimalCommas) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "ann;x;4,5\nbob;y;3,5\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ';');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"bob", "y", "3,5"}));
}

// Pipe-separated exports (databases, some BI tools) are sniffed too.
TEST(CsvRowReaderSniff, Pipe) {
  CsvRowReader r = CsvRowReader::from_string("mem.psv", "user|item|rating\nann|Crosby, Stills|4\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), '|');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"ann", "Crosby, Stills", "4"}));
}

TEST(CsvRowReaderSniff, CommasInsideQuotesDoNotCount) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "\"Crosby, Stills\";1\n\"Earth, Wind\";2\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ';');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"Crosby, Stills", "1"}));
}

TEST(CsvRowReaderSniff, WhitespaceRunsWhenNoOtherSeparator) {
  CsvRowReader r = CsvRowReader::from_string("mem.txt", "ann  x   5\n  bob y   3  \n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), kWhitespaceDelimiter);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"ann", "x", "5"}));
  EXPECT_EQ(rows[0].columns, (Columns{1, 6, 10}));
  EXPECT_EQ(rows[1].fields, (Fields{"bob", "y", "3"}));
  EXPECT_EQ(rows[1].columns, (Columns{3, 7, 11}));
}

// A ragged file has no consistent count; the first line's most frequent
// separator is taken so that the row checks can name the bad line.
TEST(CsvRowReaderSniff, RaggedFileFallsBackToFirstLine) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "a,b,c\nd,e\n", kSniffDelimiter);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ',');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"d", "e"}));
}

// Sniffing reads 20 lines ahead; rows past those must follow seamlessly, with
// their own line numbers.
TEST(CsvRowReaderSniff, RowsBeyondTheSniffedLines) {
  std::string text;
  for (int i = 1; i <= 25; ++i) text += "u" + std::to_string(i) + ",i,3\n";
  const auto rows = read_text(text);
  ASSERT_EQ(rows.size(), 25u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].line, i + 1);
    EXPECT_EQ(rows[i].fields, (Fields{"u" + std::to_string(i + 1), "i", "3"}));
  }
}

// The same line split four ways shows that a forced delimiter is obeyed and
// that the others are plain text.
TEST(CsvRowReaderForced, EachDelimiterSplitsTheSameLineDifferently) {
  const std::string line = "a,b;c\td e\n";
  EXPECT_EQ(read_text(line, ',').at(0).fields, (Fields{"a", "b;c\td e"}));
  EXPECT_EQ(read_text(line, '\t').at(0).fields, (Fields{"a,b;c", "d e"}));
  EXPECT_EQ(read_text(line, ';').at(0).fields, (Fields{"a,b", "c\td e"}));
  EXPECT_EQ(read_text(line, kWhitespaceDelimiter).at(0).fields, (Fields{"a,b;c", "d", "e"}));
  EXPECT_EQ(read_text(line, kWhitespaceDelimiter).at(0).columns, (Columns{1, 7, 9}));
}

TEST(CsvRowReaderForced, OverridesWhatSniffingWouldPick) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "1,2\n3,4\n", ';');
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ';');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"1,2"}));
}

TEST(CsvRowReaderDelimiter, ParseAndName) {
  EXPECT_EQ(parse_delimiter("auto"), kSniffDelimiter);
  EXPECT_EQ(parse_delimiter(","), ',');
  EXPECT_EQ(parse_delimiter("comma"), ',');
  EXPECT_EQ(parse_delimiter("tab"), '\t');
  EXPECT_EQ(parse_delimiter("\t"), '\t');
  EXPECT_EQ(parse_delimiter("\\t"), '\t');
  EXPECT_EQ(parse_delimiter(";"), ';');
  EXPECT_EQ(parse_delimiter("semicolon"), ';');
  EXPECT_EQ(parse_delimiter("space"), kWhitespaceDelimiter);
  EXPECT_EQ(parse_delimiter("whitespace"), kWhitespaceDelimiter);
  EXPECT_EQ(parse_delimiter("|"), '|');
  EXPECT_EQ(parse_delimiter("pipe"), '|');
  EXPECT_EQ(delimiter_name('|'), "pipe");
  EXPECT_EQ(error_of([] { parse_delimiter("#"); }).kind(), ErrorKind::Usage);
  EXPECT_EQ(error_of([] { parse_delimiter(""); }).kind(), ErrorKind::Usage);
  EXPECT_EQ(delimiter_name(','), "comma");
  EXPECT_EQ(delimiter_name('\t'), "tab");
  EXPECT_EQ(delimiter_name(';'), "semicolon");
  EXPECT_EQ(delimiter_name(kWhitespaceDelimiter), "space");
  EXPECT_EQ(delimiter_name(kSniffDelimiter), "auto");
}

// --- fields -------------------------------------------------------------------

TEST(CsvRowReaderFields, QuotedFieldsWithDelimitersAndDoubledQuotes) {
  const auto rows = read_text("\"Smith, John\",  \"say \"\"hi\"\"\" , \"\" ,x\n", ',');
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"Smith, John", "say \"hi\"", "", "x"}));
  EXPECT_EQ(rows[0].columns, (Columns{1, 17, 32, 36}));
}

TEST(CsvRowReaderFields, QuotedFieldsInWhitespaceMode) {
  const auto rows = read_text("\"Darth Vader\"  \"Hedwig’s Theme\" 5\n", kWhitespaceDelimiter);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"Darth Vader", "Hedwig’s Theme", "5"}));
  // Byte columns: the typographic apostrophe is three bytes.
  EXPECT_EQ(rows[0].columns, (Columns{1, 16, 35}));
}

TEST(CsvRowReaderFields, SpacesAroundFieldsAreTrimmed) {
  const auto rows = read_text(" a , b ,c \t\n", ',');
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rows[0].columns, (Columns{2, 6, 9}));
}

// With tab separation, a tab is a separator and never trimmed away.
TEST(CsvRowReaderFields, TabSeparatedTrimsOnlySpaces) {
  const auto rows = read_text(" a \t\t b\n", '\t');
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "", "b"}));
  EXPECT_EQ(rows[0].columns, (Columns{2, 5, 7}));
}

TEST(CsvRowReaderFields, EmptyFieldsKeepTheirPlace) {
  const auto rows = read_text("a,,c,\n", ',');
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "", "c", ""}));
  EXPECT_EQ(rows[0].columns, (Columns{1, 3, 4, 6}));
}

TEST(CsvRowReaderFields, Utf8BomIsDropped) {
  CsvRowReader r = CsvRowReader::from_string("mem.csv", "\xEF\xBB\xBFuser,item\nx,y\n", kSniffDelimiter);
  const auto rows = read_all(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"user", "item"}));
  EXPECT_EQ(rows[0].columns, (Columns{1, 6}));
  EXPECT_EQ(rows[0].line, 1u);
}

TEST(CsvRowReaderFields, CrlfLineEnds) {
  const auto rows = read_text("a,b\r\n1,2\r\n\r\n3,\"4\"\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(rows[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(CsvRowReaderFields, BlankLinesAreSkippedButCounted) {
  const auto rows = read_text("\n  \na,b\n\n\t\nc,d");  // and no newline at the end
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(rows[1].line, 6u);
  EXPECT_EQ(rows[1].fields, (Fields{"c", "d"}));
}

TEST(CsvRowReaderFields, EmptyAndBlankInputHaveNoRows) {
  EXPECT_TRUE(read_text("").empty());
  EXPECT_TRUE(read_text("\n \r\n\t\n").empty());
  EXPECT_TRUE(read_text("", ',').empty());
}

TEST(CsvRowReaderFields, NameIsKept) {
  CsvRowReader r = CsvRowReader::from_string("ratings from memory", "a,b\n", ',');
  EXPECT_EQ(r.name(), "ratings from memory");
}

// --- malformed text -------------------------------------------------------------

TEST(CsvRowReaderErrors, UnterminatedQuote) {
  const Error e = error_of([] { read_text("a,b\nx, \"oops\n"); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_NE(e.message().find("unterminated"), std::string::npos) << e.message();
  expect_where(e, "mem.csv", 2, 4);
}

TEST(CsvRowReaderErrors, UnterminatedQuoteAfterADoubledQuote) {
  const Error e = error_of([] { read_text("a,b\n\n\"x\"\"\n", ','); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  expect_where(e, "mem.csv", 3, 1);
}

TEST(CsvRowReaderErrors, TextAfterClosingQuote) {
  const Error e = error_of([] { read_text("a,b\n\"x\"y,z\n"); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_NE(e.message().find("after a closing quote"), std::string::npos) << e.message();
  expect_where(e, "mem.csv", 2, 4);
}

TEST(CsvRowReaderErrors, TextAfterClosingQuoteAndSpaces) {
  const Error e = error_of([] { read_text("a;b\n\"x\"  y;z\n", ';'); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  expect_where(e, "mem.csv", 2, 6);
}

// In whitespace mode the separator is a run of spaces; '"a"b' has none and
// must not split into two fields.
TEST(CsvRowReaderErrors, TextAfterClosingQuoteInWhitespaceMode) {
  const Error e = error_of([] { read_text("\"a\"b c\n", kWhitespaceDelimiter); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  expect_where(e, "mem.csv", 1, 4);
}

// LineReader hands out C strings, so a NUL would silently cut the line short.
TEST(CsvRowReaderErrors, NulByteInMemory) {
  const Error e = error_of([] { read_text("a,b\nc,d\0e\n"s); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  EXPECT_NE(e.message().find("NUL"), std::string::npos) << e.message();
  expect_where(e, "mem.csv", 2, 4);
}

// The BOM is dropped before columns are counted, for NULs as for fields.
TEST(CsvRowReaderErrors, NulByteColumnIgnoresBom) {
  const Error e = error_of([] { read_text("\xEF\xBB\xBFu\0,i\n"s, ','); });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  expect_where(e, "mem.csv", 1, 2);
}

TEST(CsvRowReaderErrors, NulByteInFile) {
  const std::string path = kData + "/bad_nul_byte.csv";
  const Error e = error_of([&] {
    CsvRowReader r = CsvRowReader::open_file(path, kSniffDelimiter);
    read_all(r);
  });
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  expect_where(e, path, 3, 6);
}

TEST(CsvRowReaderErrors, MissingFile) {
  const std::string path = kData + "/no_such_file.csv";
  const Error e = error_of([&] { CsvRowReader::open_file(path, ','); });
  EXPECT_EQ(e.kind(), ErrorKind::Open);
  EXPECT_NE(e.message().find(path), std::string::npos) << e.message();
}

TEST(CsvRowReaderErrors, Directory) {
  const Error e = error_of([] { CsvRowReader::open_file(kData, kSniffDelimiter); });
  EXPECT_EQ(e.kind(), ErrorKind::Open);
  EXPECT_NE(e.message().find("directory"), std::string::npos) << e.message();
}

// The line reader's buffer holds lines shorter than 16 MiB; the byte count
// excludes the newline. Both sides of the limit are checked.
constexpr std::size_t kLineLimit = std::size_t{1} << 24;

TEST(CsvRowReaderErrors, LineOf16MiBIsRefused) {
  for (Delimiter d : {',', kSniffDelimiter}) {
    const std::string text = "a,b\n" + std::string(kLineLimit, 'x') + "\nc,d\n";
    const Error e = error_of([&] { read_text(text, d); });
    EXPECT_EQ(e.kind(), ErrorKind::Data);
    EXPECT_NE(e.message().find("16 MiB"), std::string::npos) << e.message();
    expect_where(e, "mem.csv", 2, 0);
  }
}

TEST(CsvRowReaderErrors, LineJustUnder16MiBIsRead) {
  const auto rows = read_text("a,b\n" + std::string(kLineLimit - 1, 'x') + "\nc,d\n", ',');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields.at(0).size(), kLineLimit - 1);
  EXPECT_EQ(rows[2].fields, (Fields{"c", "d"}));
  EXPECT_EQ(rows[2].line, 3u);
}

// A NUL byte is refused at its line, once the rows before it are read: a
// bad row before it is the error a user sees first. From a file too, and
// with the NUL among the lines read ahead to sniff the delimiter.
TEST(CsvRowReaderErrors, NulIsReportedWhenItsLineIsReached) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "ab,c\n";
  for (std::size_t nul_line : {3u, 25u}) {
    std::string bad = text;
    const std::size_t nul = 5 * (nul_line - 1) + 1;
    bad[nul] = '\0';
    const std::string path = ::testing::TempDir() + "mfrec_nul_at_its_line.csv";
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(bad.data(), static_cast<std::streamsize>(bad.size()));
      ASSERT_TRUE(out.good());
    }
    for (Delimiter d : {kSniffDelimiter, ','}) {
      for (bool from_file : {false, true}) {
        SCOPED_TRACE(std::string(from_file ? "file" : "memory") + ", NUL on line " + std::to_string(nul_line));
        CsvRowReader r = from_file ? CsvRowReader::open_file(path, d) : CsvRowReader::from_string("mem.csv", bad, d);
        std::uint64_t rows = 0;
        const Error e = error_of([&] {
          while (r.next()) ++rows;
        });
        EXPECT_EQ(rows, nul_line - 1);
        EXPECT_NE(e.message().find("NUL"), std::string::npos) << e.message();
        expect_where(e, from_file ? path : "mem.csv", nul_line, 2);
      }
    }
    std::remove(path.c_str());
  }
}

// --- files ------------------------------------------------------------------------

TEST(CsvRowReaderFile, BomCrlfSemicolonQuotedFile) {
  const std::string path = kData + "/good_bom_crlf_semicolon.csv";
  CsvRowReader r = CsvRowReader::open_file(path, kSniffDelimiter);
  EXPECT_EQ(r.name(), path);
  const auto rows = read_all(r);
  EXPECT_EQ(r.delimiter(), ';');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"user", "item", "rating"}));
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"Hermione", "Hedwig’s Theme", "5"}));
  EXPECT_EQ(rows[1].columns, (Columns{1, 10, 29}));
  EXPECT_EQ(rows[2].line, 4u);
  EXPECT_EQ(rows[2].fields, (Fields{"Spock", "O Fortuna; live", "4"}));
  EXPECT_EQ(rows[2].columns, (Columns{1, 8, 27}));
}

// Apostrophes (as in "Don't Stop Believin'") are not quotes: forcing the
// wrong delimiter on the music file reads plain text, split at spaces.
TEST(CsvRowReaderFile, ApostrophesAreNotQuotes) {
  const std::string path = kData + "/good_music_wide.csv";
  CsvRowReader r = CsvRowReader::open_file(path, kWhitespaceDelimiter);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), 1u);
  ASSERT_EQ(r.fields().size(), 20u);
  EXPECT_EQ(r.fields()[0], "User,Another");
  EXPECT_EQ(r.fields()[13], "Numb,Don't");
  EXPECT_EQ(r.fields()[15], "Believin',Firework,Hedwig’s");
  EXPECT_EQ(r.fields()[19], "March");
}

}  // namespace
}  // namespace mfrec
