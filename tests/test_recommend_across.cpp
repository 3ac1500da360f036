// `mpirun -np N mfrec recommend --all-users` as N threads (ThreadCluster):
// the users split into N ranges that cover them all in order, and rank 0
// writes exactly the bytes one process writes, for N = 1, 2, 3 (and more
// ranks than users), with --explain and both methods.
#include "mfrec/dist/recommend_across.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mfrec/error.hpp"
#include "mfrec/train/trainer.hpp"
#include "output.hpp"
#include "thread_cluster.hpp"
#include "util/synthetic.hpp"

namespace mfrec::cli {
namespace {

using dist::recommend_all_across;
using dist::UserAnswer;
using dist::UserRange;
using dist::users_of_rank;
using testing::run_ranks;

TEST(UsersOfRank, RangesCoverEveryUserInOrder) {
  for (std::uint32_t users : {0u, 1u, 2u, 7u, 10000u}) {
    for (int ranks = 1; ranks <= 5; ++ranks) {
      std::uint32_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const UserRange range = users_of_rank(users, r, ranks);
        EXPECT_EQ(range.first, next);
        EXPECT_LE(range.last - range.first, users / ranks + 1);
        next = range.last;
      }
      EXPECT_EQ(next, users);
    }
  }
  EXPECT_EQ(users_of_rank(10, 1, 3).first, 3u);  // ⌊10·1/3⌋
  EXPECT_EQ(users_of_rank(10, 2, 3).first, 6u);  // ⌊10·2/3⌋
}

// A model of `users` users with structure to rank by: more than two
// batches (4096 users each) per rank for N = 2.
Model trained_model(std::uint32_t users) {
  const Dataset d = make_synthetic({.users = users, .items = 300, .ratings = users * 12ull, .seed = 7});
  TrainOptions o;
  o.factors = 8;
  o.epochs = 2;
  TrainInput input;
  input.ratings = &d;
  return train(input, o);
}

// The answers as the CLI's CSV writer prints them, with the because text.
class CsvAnswers {
 public:
  CsvAnswers(const Model& model, const std::string& path)
      : model_(model), sink_(path), out_(make_writer(Format::Csv, sink_)) {}
  void add(const UserAnswer& answer) {
    for (std::size_t r = 0; r < answer.recs.size(); ++r) {
      std::vector<Cell> row{model_.users.name(answer.user), static_cast<std::int64_t>(r + 1),
                            item_label(model_, answer.recs[r].item), answer.recs[r].score};
      if (!answer.because.empty())
        row.emplace_back(answer.because[r] ? because_text(model_, *answer.because[r]) : std::string());
      out_->row(row);
    }
  }
  void finish() {
    out_->finish();
    sink_.commit();
  }

 private:
  const Model& model_;
  Sink sink_;
  std::unique_ptr<RecordWriter> out_;
};

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What rank 0 writes for --all-users on `ranks` ranks.
std::string across(int ranks, const Model& model, const RecommendOptions& options, bool explain) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("mfrec-recommend-ranks-" + std::to_string(ranks) + ".csv")).string();
  const std::optional<Explainer> explainer = explain ? std::optional<Explainer>(model) : std::nullopt;
  run_ranks(ranks, [&](const dist::Cluster& cluster) {
    std::optional<CsvAnswers> out;
    if (cluster.rank() == 0) out.emplace(model, path);
    recommend_all_across(cluster, model, options, explainer ? &*explainer : nullptr, [&](const UserAnswer& answer) {
      ASSERT_EQ(cluster.rank(), 0) << "only rank 0 receives answers";
      out->add(answer);
    });
    if (out) out->finish();
  });
  std::string text = file_text(path);
  std::filesystem::remove(path);
  return text;
}

// One process, as `mfrec recommend --all-users` writes today.
std::string alone(const Model& model, const RecommendOptions& options, bool explain) {
  return across(1, model, options, explain);  // LocalCluster's path: recommend_all, streamed
}

TEST(RecommendAcross, SameBytesAsOneProcessForAnyRanks) {
  const Model model = trained_model(9000);
  const RecommendOptions options{.top = 5, .threads = 2};
  const std::string expected = alone(model, options, false);
  EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 9000 * 5);
  for (int ranks : {2, 3}) EXPECT_EQ(across(ranks, model, options, false), expected) << ranks << " ranks";
}

TEST(RecommendAcross, ExplainedFilteredAndIncludeRatedAlike) {
  const Model model = trained_model(700);
  RecommendOptions options{.top = 3, .include_rated = true, .threads = 1, .min_ratings = 3};
  options.exclude = {0, 5, 9};
  const std::string expected = alone(model, options, true);
  ASSERT_NE(expected.find(" ("), std::string::npos) << "some because text";
  for (int ranks : {2, 3}) EXPECT_EQ(across(ranks, model, options, true), expected) << ranks << " ranks";
}

TEST(RecommendAcross, NeighborsMethodAlike) {
  const Model model = trained_model(300);
  const RecommendOptions options{.top = 4, .method = RecommendMethod::Neighbors, .neighbors = 5, .threads = 1};
  const std::string expected = alone(model, options, false);
  EXPECT_EQ(across(3, model, options, false), expected);
}

TEST(RecommendAcross, MoreRanksThanUsers) {
  const Model model = trained_model(2);
  const RecommendOptions options{.top = 2, .threads = 1};
  EXPECT_EQ(across(3, model, options, true), alone(model, options, true));
}

}  // namespace
}  // namespace mfrec::cli
