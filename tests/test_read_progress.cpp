// ReadOptions::progress (the core's reading progress) and the CLI's status
// line and progress texts (src/cli/progress.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mfrec/io/ratings_reader.hpp"
#include "progress.hpp"

namespace mfrec {
namespace {

std::string long_ratings(std::size_t rows) {
  std::string text = "user,item,rating\n";
  for (std::size_t r = 0; r < rows; ++r) text += "u" + std::to_string(r / 50) + ",i" + std::to_string(r % 50) + ",3\n";
  return text;
}

std::vector<ReadProgress> read_with_progress(const std::string& text, unsigned threads,
                                             Layout layout = Layout::Long) {
  std::vector<ReadProgress> calls;
  ReadOptions o;
  o.layout = layout;
  o.threads = threads;
  o.piece_bytes = std::size_t{1} << 18;  // pieces of about 17,000 rows: reports come every few pieces
  o.progress = [&](const ReadProgress& p) { calls.push_back(p); };
  CsvRowReader rows = CsvRowReader::from_string("r.csv", text, ',');
  read_ratings(rows, o);
  return calls;
}

TEST(ReadProgress, LongLayoutReportsAboutEvery64KRowsAndAtTheEnd) {
  const std::string text = long_ratings(200000);
  for (unsigned threads : {1u, 2u}) {
    const auto calls = read_with_progress(text, threads);
    ASSERT_GE(calls.size(), 3u) << threads;
    ASSERT_LE(calls.size(), 5u) << threads;
    for (std::size_t i = 1; i < calls.size(); ++i) {
      EXPECT_GT(calls[i].rows, calls[i - 1].rows);
      EXPECT_GE(calls[i].bytes, calls[i - 1].bytes);
      if (i + 1 < calls.size()) {
        EXPECT_GE(calls[i].rows - calls[i - 1].rows, 65536u);
      }
    }
    EXPECT_EQ(calls.back().rows, 200000u);
    EXPECT_EQ(calls.back().bytes, text.size());
    EXPECT_EQ(calls.back().total_bytes, text.size());
  }
}

TEST(ReadProgress, ASmallWideFileReportsOnceAtTheEnd) {
  const std::string text = "user,a,b,c\nann,1,2,\nbob,3,,4\n";
  const auto calls = read_with_progress(text, 1, Layout::Wide);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].rows, 2u);
  EXPECT_EQ(calls[0].bytes, text.size());
}

TEST(ReadProgress, NoCallbackNoCalls) {
  ReadOptions o;  // progress unset: reading works as before
  CsvRowReader rows = CsvRowReader::from_string("r.csv", long_ratings(10), ',');
  EXPECT_EQ(read_ratings(rows, o).ratings.size(), 10u);
}

}  // namespace

namespace cli {
namespace {

std::string drawn(bool enabled, void (*draw)(StatusLine&), std::size_t width = 0) {
  std::FILE* f = std::tmpfile();
  {
    StatusLine s(f, enabled, width);
    draw(s);
  }
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text.push_back(static_cast<char>(c));
  std::fclose(f);
  return text;
}

TEST(StatusLine, RedrawsInPlaceAndClearsAtTheEnd) {
  EXPECT_EQ(drawn(true, [](StatusLine& s) { s.show("one"); s.show("two"); }), "\r\033[Kone\r\033[Ktwo\r\033[K");
  EXPECT_EQ(drawn(true, [](StatusLine& s) { s.show("one"); s.clear(); s.clear(); }), "\r\033[Kone\r\033[K");
  EXPECT_EQ(drawn(true, [](StatusLine&) {}), "");
}

TEST(StatusLine, ALongTextIsCutToTheWidth) {
  EXPECT_EQ(drawn(true, [](StatusLine& s) { s.show("reading a-long-name.csv"); }, 10), "\r\033[Kreading a…\r\033[K");
}

TEST(StatusLine, DisabledDrawsNothing) {
  EXPECT_EQ(drawn(false, [](StatusLine& s) { s.show("one"); s.clear(); }), "");
}

TEST(ProgressText, Reading) {
  EXPECT_EQ(read_progress_text("r.csv", {3 << 20, 12 << 20, 1234567}, 2.0),
            "reading r.csv  3.0 MiB of 12.0 MiB (25%)  1,234,567 rows  1.5 MiB/s");
  EXPECT_EQ(read_progress_text("standard input", {2048, 0, 10}, 0.0), "reading standard input  2.0 KiB  10 rows");
}

TEST(ProgressText, EpochWithEta) {
  EpochReport r;
  r.epoch = 5;
  r.epochs = 20;
  r.objective = 123.45678;
  r.train_rmse = 0.81234;
  EXPECT_EQ(epoch_progress_text(r, 2.0), "epoch 5/20  objective 123.4568  train_rmse 0.8123  ETA 6.0 s");
  r.validation_rmse = 0.9;
  r.epoch = 20;
  EXPECT_EQ(epoch_progress_text(r, 8.0), "epoch 20/20  objective 123.4568  train_rmse 0.8123  validation_rmse 0.9000");
}

}  // namespace
}  // namespace cli
}  // namespace mfrec
