#include "train/implicit_trainer.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <string>

#include "mfrec/error.hpp"
#include "train/epoch_loop.hpp"
#include "train/implicit_als.hpp"
#include "train/init_factors.hpp"
#include "train/warm_start.hpp"

namespace mfrec::detail {

namespace {

// Conjugate gradient steps per row and half-iteration (the `implicit`
// library's choice). Warm-started from the row's last value, 3 steps reach
// the objective of 4 and 8 after 10 iterations and rank as well on
// MovieLens; 2 ranked as well too but left the objective 0.06-0.09% higher
// on 1M and 10M interactions, for 15% less time.
constexpr unsigned kCgSteps = 3;

// X and Y with YᵀY, which the objective and the next user half share.
// A warm start's users and items keep their factors when the data does not
// mention them: rows below known_users (known_items) without interactions.
struct AlsState {
  FactorMatrix x, y, y_gram;
  std::uint32_t known_users = 0, known_items = 0;
};

// Both sides ~ N(0, (1/k)²) from the seed (users first solve against the
// items' start; the users' start is their first solve's warm start), or for
// the users and items of a warm start's `init`, at its factors.
AlsState initial_state(const Model& m, const Model* init, unsigned threads) {
  const std::uint32_t k = m.options.factors;
  AlsState s{FactorMatrix(m.users.size(), k), FactorMatrix(m.items.size(), k), {}};
  auto identity = [](std::uint32_t n) {
    std::vector<std::uint32_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0u);
    return rows;
  };
  init_factors(s.x, identity(m.users.size()), m.options.seed, kStreamInit, threads);
  init_factors(s.y, identity(m.items.size()), m.options.seed, kStreamInitItems, threads);
  if (init) {
    copy_known_rows(init->user_factors, s.x, identity(init->users.size()));
    copy_known_rows(init->item_factors, s.y, identity(init->items.size()));
    s.known_users = init->users.size();
    s.known_items = init->items.size();
  }
  s.y_gram = gram(s.y, threads);
  return s;
}

// One iteration: every user against the items, then every item against the
// users.
void iterate(AlsState& s, const Interactions& in, double lambda_scaled, const TrainInput& input, unsigned threads) {
  const auto lambda = static_cast<float>(lambda_scaled);
  solve_rows(s.x, FixedSide{s.y, s.y_gram, lambda, kCgSteps}, in.by_user, threads, input.stop, s.known_users);
  const FactorMatrix x_gram = gram(s.x, threads);
  solve_rows(s.y, FixedSide{s.x, x_gram, lambda, kCgSteps}, in.by_item, threads, input.stop, s.known_items);
  s.y_gram = gram(s.y, threads);
}

// The iteration just run, measured, and recorded in the summary (every
// iteration is kept: there is no validation to choose by).
EpochReport report_iteration(const AlsState& s, const Interactions& in, double lambda, std::uint32_t it, Model& m,
                             unsigned threads) {
  EpochReport r;
  r.epoch = it;
  r.epochs = m.options.epochs;
  r.objective = implicit_objective(s.x, s.y, in.by_user, s.y_gram, lambda, threads);
  if (!std::isfinite(r.objective))
    throw Error(ErrorKind::Diverged, "training diverged at iteration " + std::to_string(it) +
                                         " (the objective is not finite); try a smaller --confidence");
  r.train_rmse = std::numeric_limits<double>::quiet_NaN();  // not a rating model
  r.improved = true;
  m.summary.epochs_run = m.summary.best_epoch = it;
  m.summary.train_objective = r.objective;
  m.summary.train_rmse = r.train_rmse;
  return r;
}

// Which items each user rated (Model::rated_items): the interactions'
// columns and the pairs of value 0 they leave out (known to the model, so
// never recommended), merged user by user; both come by (user, item). Built
// from the interactions once the ratings are gone, so that it never sits
// beside them.
void index_rated_items(const InteractionRows& by_user, const std::vector<Rating>& zeros, Model& m) {
  const std::uint32_t users = by_user.rows();
  m.rated_offsets.assign(std::size_t{users} + 1, 0);
  for (std::uint32_t u = 0; u < users; ++u) m.rated_offsets[u + 1] = by_user.offsets[u + 1] - by_user.offsets[u];
  for (const Rating& z : zeros) ++m.rated_offsets[z.user + 1];
  std::partial_sum(m.rated_offsets.begin(), m.rated_offsets.end(), m.rated_offsets.begin());
  m.rated_items.resize(m.rated_offsets.back());
  std::size_t z = 0;
  for (std::uint32_t u = 0; u < users; ++u) {
    std::uint64_t at = m.rated_offsets[u];
    for (std::uint64_t e = by_user.offsets[u]; e < by_user.offsets[u + 1]; ++e) {
      while (z < zeros.size() && zeros[z].user == u && zeros[z].item < by_user.entries[e].col)
        m.rated_items[at++] = zeros[z++].item;
      m.rated_items[at++] = by_user.entries[e].col;
    }
    while (z < zeros.size() && zeros[z].user == u) m.rated_items[at++] = zeros[z++].item;
  }
}

}  // namespace

void train_implicit(std::vector<Rating> ratings, Model& m, const TrainInput& input, const EpochCallback& on_epoch,
                    unsigned threads) {
  m.options.bias = false;
  m.mean = 0.0f;
  m.user_bias.assign(m.users.size(), 0.0f);
  m.item_bias.assign(m.items.size(), 0.0f);
  const TrainOptions& o = m.options;
  const bool any_positive = std::any_of(ratings.begin(), ratings.end(), [](const Rating& r) { return r.value > 0.0f; });
  if (!any_positive)
    throw Error(ErrorKind::Data, "no interaction has a value above 0 in " + m.source +
                                     ", so there is nothing to learn (values of 0 count as no interaction)");
  const Interactions in = make_interactions(ratings, m.users.size(), m.items.size(), o.confidence);
  std::vector<Rating> zeros;
  std::copy_if(ratings.begin(), ratings.end(), std::back_inserter(zeros), [](const Rating& r) { return r.value == 0.0f; });
  std::vector<Rating>().swap(ratings);
  index_rated_items(in.by_user, zeros, m);
  const double lambda = scaled_lambda(o.lambda, in.by_user);
  AlsState s = initial_state(m, input.init, threads);

  run_epochs(
      o.epochs, input, m.summary, [&](std::uint32_t) { iterate(s, in, lambda, input, threads); },
      [&](std::uint32_t it) { return report_iteration(s, in, lambda, it, m, threads); },
      [&](const EpochReport& r) {
        if (on_epoch) on_epoch(r);
        return true;
      });
  m.user_factors = std::move(s.x);
  m.item_factors = std::move(s.y);
}

}  // namespace mfrec::detail
