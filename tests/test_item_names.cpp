// read_item_titles (train --item-names): which column holds the titles, ids
// the ratings do not have, items the file does not name, and the errors
// (file:line:column) of a file that cannot be read as titles.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/item_names.hpp"

namespace mfrec {
namespace {

IdMap items_named(const std::vector<std::string>& names) {
  IdMap ids;
  for (const auto& name : names) ids.intern(name);
  return ids;
}

ItemTitles read_text(const std::string& text, const IdMap& items) {
  return read_item_titles(CsvRowReader::from_string("titles.csv", text, kSniffDelimiter), items);
}

// Runs the reader on `text` and returns the Error it throws.
Error error_reading(const std::string& text, const IdMap& items) {
  try {
    read_text(text, items);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error reading:\n" << text;
  return Error(ErrorKind::Internal, "none");
}

// MovieLens' movies.csv as it comes: the header names `title`, titles hold
// quoted commas, and two items share a title.
TEST(ItemNames, MovieLensHeaderPicksTheTitleColumn) {
  const IdMap items = items_named({"1", "838", "26958", "11"});
  const ItemTitles t = read_text(
      "movieId,title,genres\n"
      "1,Toy Story (1995),Adventure|Animation\n"
      "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
      "838,Emma (1996),Comedy|Drama|Romance\n"
      "26958,Emma (1996),Romance\n"
      "99999,Not Rated (2020),Drama\n",
      items);
  EXPECT_EQ(t.titles, (std::vector<std::string>{"Toy Story (1995)", "Emma (1996)", "Emma (1996)",
                                                "American President, The (1995)"}));
  EXPECT_EQ(t.titled, 4u);
  EXPECT_EQ(t.unknown_ids, 1u);
}

TEST(ItemNames, AHeaderNamingNamePicksThatColumn) {
  const ItemTitles t = read_text("id\tgenre\tName\na\tpop\tAlpha\nb\trock\tBeta\n", items_named({"b", "a"}));
  EXPECT_EQ(t.titles, (std::vector<std::string>{"Beta", "Alpha"}));
}

TEST(ItemNames, WithoutAHeaderTheSecondColumnIsTheTitle) {
  const ItemTitles t = read_text("2;Two;x\n1;One;y\n", items_named({"1", "2", "3"}));
  EXPECT_EQ(t.titles, (std::vector<std::string>{"One", "Two", ""}));  // item 3 has none
  EXPECT_EQ(t.titled, 2u);
  EXPECT_EQ(t.unknown_ids, 0u);
}

TEST(ItemNames, AnItemColumnHeaderWithoutATitleNameTakesTheSecondColumn) {
  const ItemTitles t = read_text("item,label\n7,Seven\n", items_named({"7"}));
  EXPECT_EQ(t.titles, (std::vector<std::string>{"Seven"}));
}

TEST(ItemNames, ARowWithoutTheTitleColumnIsADataErrorAtItsPlace) {
  const Error e = error_reading("movieId,genres,title\n1,Comedy,One\n2,Drama\n", items_named({"1", "2"}));
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  ASSERT_TRUE(e.where());
  EXPECT_EQ(e.where()->file, "titles.csv");
  EXPECT_EQ(e.where()->line, 3u);
  EXPECT_EQ(e.where()->column, 3u);
  EXPECT_NE(std::string(e.what()).find("no title (column 3)"), std::string::npos) << e.what();
}

TEST(ItemNames, AnIdGivenTwiceIsADataError) {
  const Error e = error_reading("1,One\n2,Two\n1,Uno\n", items_named({"1", "2"}));
  EXPECT_EQ(e.kind(), ErrorKind::Data);
  ASSERT_TRUE(e.where());
  EXPECT_EQ(e.where()->line, 3u);
  EXPECT_EQ(e.where()->column, 1u);
  EXPECT_NE(std::string(e.what()).find("item '1' has a title already"), std::string::npos) << e.what();
}

TEST(ItemNames, AMissingFileIsAnOpenError) {
  try {
    read_item_titles("/nonexistent/movies.csv", items_named({"1"}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Open);
  }
}

}  // namespace
}  // namespace mfrec
