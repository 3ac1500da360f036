// IdMap: the open-addressing table behind every user and item index. Names
// are compared by length and leading bytes in the table, in full beyond eight
// bytes, so the cases below press on exactly those edges, on growth, and on
// the limit; the order of first appearance is the contract.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/model/id_map.hpp"

namespace mfrec {
namespace {

using namespace std::string_literals;

// Interns `names` in order and checks that each gets the next index, that
// it is found again, and that every name reads back byte for byte.
void expect_dense(IdMap& ids, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) ASSERT_EQ(ids.intern(names[i]), i) << "'" << names[i] << "'";
  ASSERT_EQ(ids.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(ids.intern(names[i]), i);
    EXPECT_EQ(ids.find(names[i]), std::optional<std::uint32_t>(static_cast<std::uint32_t>(i)));
    EXPECT_EQ(ids.name(static_cast<std::uint32_t>(i)), names[i]);
  }
}

TEST(IdMap, IndicesInOrderOfFirstAppearance) {
  IdMap ids;
  EXPECT_EQ(ids.find("ann"), std::nullopt);  // an empty map has no table yet
  EXPECT_EQ(ids.intern("ann"), 0u);
  EXPECT_EQ(ids.intern("bob"), 1u);
  EXPECT_EQ(ids.intern("ann"), 0u);
  EXPECT_EQ(ids.find("cy"), std::nullopt);
  EXPECT_EQ(ids.size(), 2u);
}

// Names up to eight bytes live whole in the table's slot; each pair here
// differs in one byte only, at every position, or only in length.
TEST(IdMap, ShortNamesDifferingInOneByteOrInLength) {
  std::vector<std::string> names = {""s, "\0"s, "\0\0"s, "a"s, "aa"s, "a\0"s, "\0a"s};
  for (std::size_t length = 1; length <= 10; ++length) {
    const std::string base(length, 'x');
    names.push_back(base);
    for (std::size_t at = 0; at < length; ++at) {
      std::string other = base;
      other[at] = 'y';
      names.push_back(other);
    }
  }
  IdMap ids;
  expect_dense(ids, names);
}

// Longer names share their first eight bytes and length; only the full
// compare tells them apart.
TEST(IdMap, LongNamesSharingTheirFirstBytes) {
  std::vector<std::string> names;
  for (int i = 0; i < 500; ++i) names.push_back("same-prefix-" + std::to_string(1000 + i));
  names.push_back(std::string(100000, 'z'));
  names.push_back(std::string(99999, 'z') + "y");
  IdMap ids;
  expect_dense(ids, names);
  EXPECT_EQ(ids.find("same-prefix-0999"), std::nullopt);
  EXPECT_EQ(ids.find(std::string(100000, 'y')), std::nullopt);
}

// Growth rehashes many times; the table must keep every index.
TEST(IdMap, QuarterMillionIdsThroughRepeatedGrowth) {
  std::vector<std::string> names;
  for (int i = 0; i < 250000; ++i) names.push_back((i % 2 ? "u" : "item:") + std::to_string(i));
  IdMap ids;
  expect_dense(ids, names);
  IdMap reserved;
  reserved.reserve(names.size());
  expect_dense(reserved, names);
}

TEST(IdMap, CopyKeepsIndicesAndLimitAndIsIndependent) {
  IdMap ids(4);
  ids.intern("a");
  ids.intern("b");
  IdMap copy(ids);
  EXPECT_EQ(copy.intern("c"), 2u);
  EXPECT_EQ(ids.find("c"), std::nullopt);
  EXPECT_EQ(copy.find("b"), std::optional<std::uint32_t>(1u));
  copy.intern("d");
  EXPECT_THROW(copy.intern("e"), Error);
  IdMap assigned;
  assigned = copy;
  EXPECT_EQ(assigned.size(), 4u);
  EXPECT_EQ(assigned.name(3), "d");
  EXPECT_THROW(assigned.intern("e"), Error);
  IdMap moved(std::move(assigned));
  EXPECT_EQ(moved.find("c"), std::optional<std::uint32_t>(2u));
}

}  // namespace
}  // namespace mfrec
