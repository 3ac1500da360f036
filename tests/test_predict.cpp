// The core's query entry points the CLI calls: predict_row and predict_pairs
// on a hand-made model whose every prediction is worked out below, and
// recommend_users for several users against one recommend() call per user.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/predict.hpp"
#include "mfrec/query/recommend.hpp"
#include "mfrec/train/trainer.hpp"
#include "util/synthetic.hpp"

namespace mfrec {
namespace {

// Users ann, bob; items x, y, z; k = 2; mean 3; ratings seen in [1, 5].
//   U: ann (1, 0), bob (0, 2)      b: ann 0.5, bob -1
//   V: x (1, 1), y (2, 0), z (0, -1)   c: x 0.25, y 0, z -0.5
// Predictions mean + b + c + U·V (all exact in binary):
//          x      y      z
//   ann  4.75   5.5    3.0
//   bob  4.25   2.0   -0.5
// Fallbacks: ann + unknown item 3.5, unknown user + y 3.0, x 3.25, z 2.5,
// both unknown 3.0.
Model hand_model() {
  Model m;
  m.options.factors = 2;
  m.options.bias = true;
  m.users.intern("ann");
  m.users.intern("bob");
  m.items.intern("x");
  m.items.intern("y");
  m.items.intern("z");
  m.rating_min = 1.0f;
  m.rating_max = 5.0f;
  m.rated_offsets = {0, 1, 2};
  m.rated_items = {0, 1};
  m.mean = 3.0f;
  m.user_bias = {0.5f, -1.0f};
  m.item_bias = {0.25f, 0.0f, -0.5f};
  m.user_factors = FactorMatrix(2, 2);
  m.item_factors = FactorMatrix(3, 2);
  const float u[2][2] = {{1, 0}, {0, 2}};
  const float v[3][2] = {{1, 1}, {2, 0}, {0, -1}};
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t f = 0; f < 2; ++f) m.user_factors.row(r)[f] = u[r][f];
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t f = 0; f < 2; ++f) m.item_factors.row(r)[f] = v[r][f];
  return m;
}

struct Got {
  std::string user, item;
  double prediction;
  bool known;
};

std::vector<Got> pairs_of(const Model& m, const std::string& text, const ReadOptions& read,
                          const PredictOptions& options, PairsSummary* summary = nullptr) {
  PairsInput input(CsvRowReader::from_string("pairs.csv", text, read.delimiter), read, m);
  std::vector<Got> got;
  const PairsSummary s = predict_pairs(m, input, options, [&](const PairPrediction& p) {
    got.push_back({std::string(p.user), std::string(p.item), p.prediction, p.known});
  });
  if (summary) *summary = s;
  return got;
}

ReadOptions comma(bool header = true) {
  ReadOptions o;
  o.delimiter = ',';
  o.header = header;
  return o;
}

const std::string kPairs = "ann,x\nann,y\nbob,z\nnobody,y\nann,nothing\nnobody,nothing\n";

TEST(PredictRow, IsTheModelsRowClippedOrNot) {
  const Model m = hand_model();
  std::vector<double> row{7.0};  // resized, old contents gone
  predict_row(m, 0, PredictOptions{.clip = false}, row);
  EXPECT_EQ(row, (std::vector<double>{4.75, 5.5, 3.0}));
  predict_row(m, 1, PredictOptions{}, row);
  EXPECT_EQ(row, (std::vector<double>{4.25, 2.0, 1.0}));
  for (std::uint32_t u = 0; u < 2; ++u) {
    predict_row(m, u, PredictOptions{}, row);
    for (std::uint32_t i = 0; i < 3; ++i) EXPECT_EQ(row[i], m.clip(m.predict(u, i)));
  }
}

TEST(PredictPairs, KnownAndUnknownNamesUnclipped) {
  const Model m = hand_model();
  PairsSummary s;
  const auto got = pairs_of(m, "user,item\n" + kPairs, comma(), PredictOptions{.clip = false}, &s);
  ASSERT_EQ(got.size(), 6u);
  const std::vector<double> want{4.75, 5.5, -0.5, 3.0, 3.5, 3.0};
  const std::vector<double> model{m.predict(0, 0),
                                  m.predict(0, 1),
                                  m.predict(1, 2),
                                  m.predict_unknown(std::nullopt, 1u),
                                  m.predict_unknown(0u, std::nullopt),
                                  m.predict_unknown(std::nullopt, std::nullopt)};
  for (std::size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].prediction, want[k]) << "row " << k;
    EXPECT_EQ(got[k].prediction, model[k]) << "row " << k;
    EXPECT_EQ(got[k].known, k < 3) << "row " << k;
  }
  EXPECT_EQ(got[3].user, "nobody");
  EXPECT_EQ(got[4].item, "nothing");
  EXPECT_EQ(s.pairs, 6u);
  EXPECT_EQ(s.unknown, 3u);
}

TEST(PredictPairs, ClippedToTheTrainingRange) {
  const Model m = hand_model();
  const auto got = pairs_of(m, "user,item\n" + kPairs, comma(), PredictOptions{});
  ASSERT_EQ(got.size(), 6u);
  const std::vector<double> want{4.75, 5.0, 1.0, 3.0, 3.5, 3.0};
  for (std::size_t k = 0; k < got.size(); ++k) EXPECT_EQ(got[k].prediction, want[k]) << "row " << k;
}

TEST(PredictPairs, FallbackIsOnTheInputScaleAndWithoutBiasesTheMean) {
  Model m = hand_model();
  m.scaler = Scaler{true, 1.0, 11.0};  // training scale [0, 5] -> input [1, 11]
  m.rating_max = 11.0f;
  const auto scaled = pairs_of(m, "nobody,z\n", comma(false), PredictOptions{});
  ASSERT_EQ(scaled.size(), 1u);
  EXPECT_EQ(scaled[0].prediction, m.scaler.inverse(2.5));
  m.options.bias = false;
  const auto plain = pairs_of(m, "ann,nothing\n", comma(false), PredictOptions{});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].prediction, m.scaler.inverse(3.0));
}

TEST(PredictPairs, HeaderOrNotAndColumnsByName) {
  const Model m = hand_model();
  const auto with_header = pairs_of(m, "user,item\n" + kPairs, comma(), PredictOptions{});
  const auto headerless = pairs_of(m, kPairs, comma(false), PredictOptions{});
  // Columns found by their header names, in another order, beside an extra column.
  const auto swapped = pairs_of(m, "movieId,note,userId\nx,a,ann\nz,b,bob\nnothing,c,ann\n", comma(), PredictOptions{});
  ASSERT_EQ(headerless.size(), with_header.size());
  for (std::size_t k = 0; k < with_header.size(); ++k) {
    EXPECT_EQ(headerless[k].user, with_header[k].user);
    EXPECT_EQ(headerless[k].item, with_header[k].item);
    EXPECT_EQ(headerless[k].prediction, with_header[k].prediction);
  }
  ASSERT_EQ(swapped.size(), 3u);
  EXPECT_EQ(swapped[0].user, "ann");
  EXPECT_EQ(swapped[0].item, "x");
  EXPECT_EQ(swapped[0].prediction, 4.75);
  EXPECT_EQ(swapped[1].prediction, 1.0);
  EXPECT_EQ(swapped[2].prediction, 3.5);
  EXPECT_TRUE(pairs_of(m, "", comma(), PredictOptions{}).empty());
  EXPECT_TRUE(pairs_of(m, "user,item\n", comma(), PredictOptions{}).empty());
}

// The columns pair_columns decides for `text`'s first row.
PairColumns columns_of(const Model& m, const std::string& text, const ReadOptions& read) {
  PairsInput input(CsvRowReader::from_string("pairs.csv", text, read.delimiter), read, m);
  return input.columns;
}

// Bug: a headerless pairs file lost its first pair to the header. A first row
// with a name the model knows is a pair; one without is a header, flagged
// for a note unless it names its columns.
TEST(PredictPairs, FirstRowWithKnownNamesIsAPair) {
  const Model m = hand_model();
  const auto got = pairs_of(m, "ann,y\nbob,x\n", comma(), PredictOptions{});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].user, "ann");
  EXPECT_EQ(got[0].item, "y");
  // Only one of the two known is enough: a new user rating a known item.
  EXPECT_EQ(pairs_of(m, "newcomer,z\n", comma(), PredictOptions{}).size(), 1u);
  EXPECT_EQ(pairs_of(m, "ann,brand new\n", comma(), PredictOptions{}).size(), 1u);
  PairColumns c = columns_of(m, "ann,y\n", comma());
  EXPECT_FALSE(c.header);
  EXPECT_TRUE(c.first_row_is_data);
  // --user-col/--item-col by index say where to look.
  ReadOptions swapped = comma();
  swapped.user_col = "2";
  swapped.item_col = "1";
  EXPECT_FALSE(columns_of(m, "y,ann\n", swapped).header);
  EXPECT_TRUE(columns_of(m, "ann,y\n", swapped).header);
}

TEST(PredictPairs, HeaderDecisions) {
  const Model m = hand_model();
  PairColumns c = columns_of(m, "user,item\nann,x\n", comma());
  EXPECT_TRUE(c.header);
  EXPECT_FALSE(c.header_unnamed);
  c = columns_of(m, "a,b\nann,x\n", comma());
  EXPECT_TRUE(c.header);
  EXPECT_TRUE(c.header_unnamed);
  EXPECT_EQ(pairs_of(m, "a,b\nann,x\n", comma(), PredictOptions{}).size(), 1u);
  // --header: known names or not, the first row is a header.
  ReadOptions forced = comma();
  forced.force_header = true;
  c = columns_of(m, "ann,x\nbob,y\n", forced);
  EXPECT_TRUE(c.header);
  EXPECT_FALSE(c.header_unnamed);
  EXPECT_EQ(pairs_of(m, "ann,x\nbob,y\n", forced, PredictOptions{}).size(), 1u);
  // --no-header: unknown names or not, the first row is a pair.
  c = columns_of(m, "nobody,nothing\n", comma(false));
  EXPECT_FALSE(c.header);
  EXPECT_EQ(pairs_of(m, "nobody,nothing\n", comma(false), PredictOptions{}).size(), 1u);
  // A column given by name needs a header.
  ReadOptions by_name = comma();
  by_name.user_col = "ann";
  by_name.item_col = "x";
  EXPECT_TRUE(columns_of(m, "ann,x\nbob,y\n", by_name).header);
}

Error error_of(const Model& m, const std::string& text, const PredictOptions& options) {
  try {
    pairs_of(m, text, comma(), options);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no mfrec::Error for " << text;
  return Error(ErrorKind::Internal, "none");
}

TEST(PredictPairs, StrictRefusesAnUnknownNameAtItsPlace) {
  const Model m = hand_model();
  const Error user = error_of(m, "user,item\nann,x\nnobody,y\n", PredictOptions{.strict = true});
  EXPECT_EQ(user.kind(), ErrorKind::Data);
  EXPECT_EQ(user.message(), "unknown user 'nobody' (--strict)");
  ASSERT_TRUE(user.where());
  EXPECT_EQ(user.where()->file, "pairs.csv");
  EXPECT_EQ(user.where()->line, 3u);
  EXPECT_EQ(user.where()->column, 1u);
  const Error item = error_of(m, "user,item\nbob,nothing\n", PredictOptions{.strict = true});
  EXPECT_EQ(item.message(), "unknown item 'nothing' (--strict)");
  ASSERT_TRUE(item.where());
  EXPECT_EQ(item.where()->line, 2u);
  EXPECT_EQ(item.where()->column, 5u);
  // Known names pass under --strict.
  EXPECT_EQ(pairs_of(m, "ann,z\n", comma(false), PredictOptions{.strict = true}).size(), 1u);
}

TEST(PredictPairs, ShortRowAndSameColumnsAreErrors) {
  const Model m = hand_model();
  const Error short_row = error_of(m, "user,item\nann,x\nbob\n", PredictOptions{});
  EXPECT_EQ(short_row.kind(), ErrorKind::Data);
  EXPECT_EQ(short_row.message(), "row has 1 field(s), need the user and item columns");
  ASSERT_TRUE(short_row.where());
  EXPECT_EQ(short_row.where()->line, 3u);
  ReadOptions same = comma();
  same.user_col = "1";
  same.item_col = "1";
  try {
    PairsInput input(CsvRowReader::from_string("pairs.csv", "a,b\n", ','), same, m);
    ADD_FAILURE() << "same columns accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

// ---------------------------------------------------------------------------
// recommend_users (what `recommend --user A --user B …` runs) against one
// recommend() call per user: more users than a tile of 64 and than a group of
// 4, some twice, in no particular order.

Model synthetic_model() {
  SyntheticSpec s;
  s.users = 150;
  s.items = 70;
  s.rank = 3;
  s.ratings = 3000;
  s.seed = 4;
  const Dataset d = make_synthetic(s);
  TrainOptions o;
  o.factors = 5;
  o.epochs = 5;
  return train(TrainInput{&d, nullptr}, o);
}

TEST(RecommendUsers, SameRowsAsOneRecommendCallPerUserInTheOrderGiven) {
  const Model m = synthetic_model();
  std::vector<std::uint32_t> users;
  for (std::uint32_t k = 0; k < 90; ++k) users.push_back((k * 37 + 11) % m.users.size());
  users.push_back(users.front());
  const std::vector<RecommendOptions> cases{
      {},
      {.top = 3, .include_rated = true, .threads = 2},
      {.top = 100, .threads = 1},
      {.method = RecommendMethod::Neighbors},
      {.top = 4, .include_rated = true, .method = RecommendMethod::Neighbors, .neighbors = 7, .threads = 3},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    std::size_t next = 0;
    recommend_users(m, users, cases[c], [&](std::uint32_t user, const std::vector<Recommendation>& got) {
      ASSERT_LT(next, users.size());
      EXPECT_EQ(user, users[next]);
      const std::vector<Recommendation> want = recommend(m, user, cases[c]);
      ASSERT_EQ(got.size(), want.size()) << "user " << user;
      for (std::size_t r = 0; r < want.size(); ++r) {
        EXPECT_EQ(got[r].item, want[r].item) << "user " << user << " rank " << r + 1;
        EXPECT_EQ(got[r].score, want[r].score) << "user " << user << " rank " << r + 1;
      }
      ++next;
    });
    EXPECT_EQ(next, users.size());
  }
}

}  // namespace
}  // namespace mfrec
