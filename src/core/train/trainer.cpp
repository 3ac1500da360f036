#include "mfrec/train/trainer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <thread>

#include "mfrec/dist/cluster.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/metrics.hpp"
#include "mfrec/train/warm_start.hpp"
#include "util/number_text.hpp"
#include "util/random.hpp"
#include "dist/epoch_across.hpp"
#include "train/adagrad.hpp"
#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"
#include "train/epoch_loop.hpp"
#include "train/implicit_trainer.hpp"
#include "train/init_factors.hpp"
#include "train/sgd_kernel.hpp"
#include "train/stopping_rule.hpp"
#include "train/warm_start.hpp"

namespace mfrec {

namespace {

using detail::TrainState;

constexpr std::uint32_t kUnknown = 0xFFFFFFFFu;

// A held-out rating, input scale; ids may be kUnknown to the model (from
// a file).
using HeldOut = Rating;

using detail::shortest;

// Sums of squares in row order; over rows [first, last) continuing `s`,
// for training across ranks (each continues over its own users' rows).
double squared_norm(const FactorMatrix& m, std::size_t first, std::size_t last, double s) {
  for (std::size_t i = first; i < last; ++i) {
    const float* r = m.row(i);
    for (std::size_t f = 0; f < m.k(); ++f) s += static_cast<double>(r[f]) * r[f];
  }
  return s;
}
double squared_norm(const FactorMatrix& m) { return squared_norm(m, 0, m.rows(), 0.0); }

double squared_norm(const std::vector<float>& v, std::size_t first, std::size_t last, double s) {
  for (std::size_t i = first; i < last; ++i) s += static_cast<double>(v[i]) * v[i];
  return s;
}
double squared_norm(const std::vector<float>& v) { return squared_norm(v, 0, v.size(), 0.0); }

// A sum over the user rows: in one process all of them; across ranks each
// rank's run continued in rank order (dist::sum_over_user_rows), the same
// additions in the same order.
template <class Rows>
double over_user_rows(const dist::Cluster* ranks, const detail::BlockGrid& grid, std::size_t rows, Rows&& sum) {
  if (!ranks) return sum(0, rows, 0.0);
  return dist::sum_over_user_rows(*ranks, grid, [&](std::uint32_t first, std::uint32_t last, double start) {
    return sum(first, last, start);
  });
}

// The prediction on the training scale, from training rows.
struct Scorer {
  const TrainState& s;
  float mean;
  bool bias;
  float operator()(std::uint32_t user_row, std::uint32_t item_row) const {
    float x = detail::dot_padded(s.u.row(user_row), s.v.row(item_row), s.u.stride());
    if (bias) x += mean + s.bu[user_row] + s.bv[item_row];
    return x;
  }
};

struct Fit {
  double objective = 0.0;
  double squared_error = 0.0;  // Σe², training scale
  double raw_rmse = 0.0;  // training scale, unclipped: how far off the model really is
  double rmse = 0.0;      // input scale, clipped: what users see
};

// Block by block on `threads` threads, added up in block order, so the sums
// do not depend on the thread count. `m` gives the scale and the options.
// With `gradients` (AdaGrad), every rating's squared gradients are added to
// its rows' sums too: then the blocks go in strata that share no band
// (block (b, b + s) for s = 0 .. B−1), so each row's sum is added to in the
// same order for any thread count. With `ranks` (more than one), each rank
// measures its own blocks and the parts are gathered (dist/epoch_across.hpp).
Fit measure_fit(const Model& m, const TrainState& state, const detail::BlockGrid& grid, unsigned threads,
                const detail::GradientPass* gradients = nullptr, const dist::Cluster* ranks = nullptr) {
  const std::uint32_t bands = grid.bands, blocks = bands * bands;
  std::vector<detail::FitSums> parts(blocks);
  const detail::FitContext context{m.options.bias, m.mean, m.scaler, m.rating_min, m.rating_max};
  if (ranks) {
    parts = dist::fit_parts_across(*ranks, grid, gradients, threads, [&](std::uint32_t block) {
      return detail::fit_block(context, state, grid, block, gradients);
    });
  } else if (gradients) {
    for (std::uint32_t shift = 0; shift < bands; ++shift)
      detail::parallel_for(bands, threads, [&](std::uint32_t b) {
        const std::uint32_t block = b * bands + (b + shift) % bands;
        parts[block] = detail::fit_block(context, state, grid, block, gradients);
      });
  } else {
    detail::parallel_for(blocks, threads, [&](std::uint32_t b) { parts[b] = detail::fit_block(context, state, grid, b); });
  }
  detail::FitSums total;
  for (const auto& p : parts) {
    total.raw += p.raw;
    total.reported += p.reported;
  }
  const auto users = [&](const auto& x) {
    return over_user_rows(ranks, grid, state.u.rows(),
                          [&](std::size_t first, std::size_t last, double s) { return squared_norm(x, first, last, s); });
  };
  const double reg = m.options.lambda * (users(state.u) + squared_norm(state.v)) +
                     (m.options.bias ? m.options.bias_lambda() * (users(state.bu) + squared_norm(state.bv)) : 0.0);
  const auto n = static_cast<double>(grid.size());
  if (grid.size() == 0) return {reg, 0.0, 0.0, 0.0};
  return {total.raw + reg, total.raw, std::sqrt(total.raw / n), std::sqrt(total.reported / n)};
}

// Held-out ratings with training rows (kUnknown where the model has none).
// Across ranks, each error is computed where its user's row is and added up
// on rank 0 in held order (dist::heldout_across).
ErrorStats measure_heldout(const Model& m, const Scorer& score, const std::vector<HeldOut>& held,
                           const dist::Cluster* ranks, const detail::BlockGrid& grid) {
  const auto error_of = [&](std::size_t i) {
    const HeldOut& h = held[i];
    double predicted = m.mean;  // the mean and the biases known, as Model::predict_unknown
    if (h.user != kUnknown && h.item != kUnknown) {
      predicted = score(h.user, h.item);
    } else if (m.options.bias) {
      if (h.user != kUnknown) predicted += score.s.bu[h.user];
      if (h.item != kUnknown) predicted += score.s.bv[h.item];
    }
    return h.value - m.clip(m.scaler.inverse(predicted));
  };
  if (ranks) return dist::heldout_across(*ranks, grid, held, kUnknown, error_of);
  ErrorStats stats;
  for (std::size_t i = 0; i < held.size(); ++i) stats.add(error_of(i));
  return stats;
}

// The Dataset contract: ids within the maps and, for the training data,
// sorted by (user, item) without repeats. The rated-items index and the
// sequential order rely on it; a model built on a broken one would save but
// never load again, and an id out of range would write outside the factors.
// Checked in chunks on `threads` threads; the first break is reported.
void check_dataset(const Dataset& d, bool sorted, const char* what, unsigned threads) {
  const std::uint32_t users = d.users.size();
  const std::uint32_t items = d.items.size();
  const std::size_t n = d.ratings.size();
  std::vector<std::size_t> first_bad((n + detail::kRatingsPerChunk - 1) / detail::kRatingsPerChunk, n);
  detail::for_each_chunk(n, threads, [&](std::size_t first, std::size_t last, std::uint32_t chunk) {
    for (std::size_t k = first; k < last; ++k) {
      const Rating& r = d.ratings[k];
      const Rating* p = k > 0 ? &d.ratings[k - 1] : nullptr;
      if (r.user >= users || r.item >= items ||
          (sorted && p && !(p->user < r.user || (p->user == r.user && p->item < r.item)))) {
        first_bad[chunk] = k;
        return;
      }
    }
  });
  if (n == 0) return;
  const std::size_t k = *std::min_element(first_bad.begin(), first_bad.end());
  if (k == n) return;
  const Rating& r = d.ratings[k];
  if (r.user >= users || r.item >= items)
    throw Error(ErrorKind::Internal, std::string(what) + ": rating " + std::to_string(k) + " names an unknown id");
  throw Error(ErrorKind::Internal,
              std::string(what) + ": ratings not sorted by (user, item) or repeated at " + std::to_string(k));
}

// The state of the best epoch so far, for --early-stop.
struct Snapshot {
  TrainState state;
  TrainSummary summary;
};

// Copies the training rows back into the model's index order.
FactorMatrix to_model_order(const FactorMatrix& trained, const std::vector<std::uint32_t>& row_of) {
  FactorMatrix out(row_of.size(), trained.k());
  for (std::size_t i = 0; i < row_of.size(); ++i)
    std::copy_n(trained.row(row_of[i]), trained.stride(), out.row(i));
  return out;
}

std::vector<float> to_model_order(const std::vector<float>& trained, const std::vector<std::uint32_t>& row_of) {
  std::vector<float> out(row_of.size());
  for (std::size_t i = 0; i < row_of.size(); ++i) out[i] = trained[row_of[i]];
  return out;
}

// Options and inputs that cannot work together, and the Dataset contract.
void check_input(const TrainInput& input, const Dataset& all, const TrainOptions& options, unsigned threads) {
  check_dataset(all, true, "training ratings", threads);
  if (input.validation) check_dataset(*input.validation, false, "validation ratings", threads);
  if (options.validation_fraction > 0.0 && input.validation)
    throw Error(ErrorKind::Usage, "give a validation fraction or a validation file, not both");
  if (options.early_stop > 0 && !(options.validation_fraction > 0.0 || input.validation))
    throw Error(ErrorKind::Usage, "--early-stop needs --validation");
  if (options.objective == Objective::Implicit &&
      (options.validation_fraction > 0.0 || input.validation || options.early_stop > 0 || options.normalize))
    throw Error(ErrorKind::Usage, "--validation, --early-stop and --normalize are for --objective rating");
}

// The model's description of its data: options, source, counts, rating
// range and scaler. Which items each user rated comes later, once the
// ratings have been packed for training (index_rated_items), so that the
// index never sits beside the ratings as read.
Model start_model(const Dataset& all, const TrainOptions& options, unsigned threads) {
  Model m;
  m.options = options;
  m.options.threads = 0;  // never part of the model: it does not change it
  m.source = all.source;
  m.ratings = all.ratings.size();
  const RatingRange range = rating_range(all.ratings, threads);
  m.rating_min = range.min;
  m.rating_max = range.max;
  if (options.normalize) m.scaler = Scaler::fit(range);
  return m;
}

// The ratings training learns from, and those it only measures.
struct TrainingData {
  std::vector<Rating> ratings;  // model indices, input scale
  std::vector<HeldOut> held;
};

// Moves the held-out ratings (split_holdout's) from `ratings` to `held`, in
// place: the ratings kept close up in their order.
void split_off_held(std::vector<Rating>& ratings, const std::vector<bool>& is_held, std::vector<HeldOut>& held) {
  held.reserve(static_cast<std::size_t>(std::count(is_held.begin(), is_held.end(), true)));
  std::size_t kept = 0;
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    if (is_held[k])
      held.push_back(ratings[k]);
    else
      ratings[kept++] = ratings[k];
  }
  ratings.resize(kept);
}

// Moves (or copies once) the ratings out of the input and splits off the
// held-out fraction in place; the id maps go to the model. A taken Dataset
// is left empty.
TrainingData take_training_data(const TrainInput& input, const Dataset& all, const TrainOptions& options, Model& m) {
  TrainingData d;
  Dataset* owned = input.take_ratings;
  const std::vector<bool> is_held = options.validation_fraction > 0.0
                                        ? holdout_mask(all.ratings.size(), options.validation_fraction, options.seed)
                                        : std::vector<bool>{};
  if (owned)
    d.ratings = std::move(owned->ratings);
  else
    d.ratings = all.ratings;
  if (!is_held.empty()) split_off_held(d.ratings, is_held, d.held);
  if (owned) {
    m.users = std::move(owned->users);
    m.items = std::move(owned->items);
    owned->ratings = {};
  } else {
    m.users = all.users;
    m.items = all.items;
  }
  m.train_ratings = d.ratings.size();
  // Popularity counts evidence of choice: an implicit pair of value 0 or
  // below (no interaction, a "no") is known, so never recommended, but does
  // not make its item popular.
  m.item_counts.assign(m.items.size(), 0);
  const bool implicit = options.objective == Objective::Implicit;
  for (const Rating& r : d.ratings)
    if (!implicit || r.value > 0.0f) ++m.item_counts[r.item];
  return d;
}

// The ratings of a validation file, by the model's ids (kUnknown for ids
// it lacks), once those are final: a warm start adds its model's.
void add_validation_file(const TrainInput& input, const Model& m, std::vector<HeldOut>& held) {
  if (!input.validation) return;
  const Dataset& v = *input.validation;
  for (const auto& r : v.ratings) {
    const auto u = m.users.find(v.users.name(r.user));
    const auto i = m.items.find(v.items.name(r.item));
    held.push_back({u.value_or(kUnknown), i.value_or(kUnknown), r.value});
  }
}

// Moves the ratings onto the training scale and sets the model's mean. By
// chunk on `threads` threads; the chunk sums are added in chunk order.
void scale_and_center(std::vector<Rating>& ratings, Model& m, unsigned threads) {
  std::vector<double> sums((ratings.size() + detail::kRatingsPerChunk - 1) / detail::kRatingsPerChunk, 0.0);
  detail::for_each_chunk(ratings.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t c) {
    for (std::size_t k = first; k < last; ++k) {
      ratings[k].value = static_cast<float>(m.scaler.forward(ratings[k].value));
      sums[c] += ratings[k].value;
    }
  });
  double sum = 0.0;
  for (double s : sums) sum += s;
  m.mean = static_cast<float>(sum / static_cast<double>(ratings.size()));
}

// What an epoch changes, between its start and its report: the grid, the
// parameters being learned and the SGD step (with AdaGrad, each row's).
// With `ranks`, this rank runs its own user bands' blocks
// (dist::sgd_pass_across) and a stop takes effect when the ranks agree on it,
// in `agreed_stop`.
class EpochRunner {
 public:
  EpochRunner(detail::BlockGrid& grid, TrainState& state, const Model& m, const TrainInput& input, unsigned threads,
              const detail::AdaGradHistory* history, const dist::Cluster* ranks, std::atomic<bool>& agreed_stop)
      : grid_(grid),
        state_(state),
        options_(m.options),
        input_(input),
        threads_(threads),
        history_(history),
        ranks_(ranks),
        agreed_stop_(agreed_stop),
        step_{static_cast<float>(options_.lr), static_cast<float>(options_.lambda), m.mean, state.u.stride(),
              static_cast<float>(options_.bias_lambda())} {}

  // One pass of SGD over every block, stratum by stratum; returns early
  // (the blocks already running finish) when a stop is requested.
  void run(std::uint32_t epoch) {
    step_.lr = static_cast<float>(options_.lr * std::pow(options_.lr_decay, epoch - 1.0));
    if (history_) history_->set_rates(step_.lr, state_, threads_);
    auto schedule = detail::epoch_schedule(grid_.bands, options_.seed, epoch);
    if (ranks_) {
      dist::sgd_pass_across(*ranks_, grid_, state_, schedule, [&](std::vector<std::uint32_t>& blocks) { run_stratum(blocks); },
                            input_.stop, agreed_stop_);
      return;
    }
    for (auto& stratum : schedule) run_stratum(stratum);
  }

  bool stop_requested() const {
    if (ranks_) return agreed_stop_.load(std::memory_order_relaxed);
    return input_.stop && input_.stop->load(std::memory_order_relaxed);
  }

 private:
  // Blocks of a stratum share no user or item band: any order, same
  // result. Largest first, so the threads run out of work together.
  void run_stratum(std::vector<std::uint32_t>& blocks) {
    auto block_size = [&](std::uint32_t block) { return grid_.block_begin[block + 1] - grid_.block_begin[block]; };
    std::stable_sort(blocks.begin(), blocks.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return block_size(a) > block_size(b); });
    detail::parallel_for(static_cast<std::uint32_t>(blocks.size()), threads_, [&](std::uint32_t i) {
      if (!stop_requested()) detail::sgd_block(step_, options_.bias, state_, grid_, blocks[i]);
    });
  }

  detail::BlockGrid& grid_;
  TrainState& state_;
  const TrainOptions& options_;
  const TrainInput& input_;
  unsigned threads_;
  const detail::AdaGradHistory* history_;  // nullptr: plain SGD
  const dist::Cluster* ranks_;             // nullptr: this process alone
  std::atomic<bool>& agreed_stop_;
  detail::SgdStep step_;
};

// Throws Error(Diverged) when the fit has left any useful region: not
// finite, or an error this many times the rating scale. Measured on the
// training scale without clipping: clipped predictions never look worse
// than the rating range, however far the model has run off.
void check_divergence(const Model& m, const Fit& fit, std::uint32_t epoch) {
  const double scale = std::max(std::fabs(m.scaler.forward(m.rating_min)), std::fabs(m.scaler.forward(m.rating_max)));
  if (std::isfinite(fit.objective) && fit.raw_rmse < 1e4 * (scale + 1.0)) return;
  const char* how = std::isfinite(fit.objective) ? "exploding" : "not finite";
  throw Error(ErrorKind::Diverged, "training diverged at epoch " + std::to_string(epoch) + " (the objective is " + how +
                                       "); try a smaller --lr than " + shortest(m.options.lr));
}

// The epoch to keep, for the summary and for --early-stop: the best one by
// validation RMSE (every epoch without validation), or with validation but
// no early stopping the last one.
class EpochRecord {
 public:
  EpochRecord(const TrainOptions& options, std::size_t held) : early_stop_(options.early_stop), held_(held) {}

  // Records the epoch in `summary`; `state` is snapshotted when early
  // stopping may come back to it.
  void add(const EpochReport& r, const TrainState& state, TrainSummary& summary) {
    summary.epochs_run = r.epoch;
    if (r.improved || (held_ > 0 && early_stop_ == 0)) {
      summary.best_epoch = r.epoch;
      summary.train_objective = r.objective;
      summary.train_rmse = r.train_rmse;
      if (held_ > 0) {
        summary.validation_rmse = r.validation_rmse;
        summary.validation_mae = r.validation_mae;
        summary.validation_count = held_;
      }
    }
    if (r.improved) {
      if (held_ > 0) best_rmse_ = r.validation_rmse;
      since_best_ = 0;
      if (early_stop_ > 0) best_ = Snapshot{state, summary};
    } else {
      ++since_best_;
    }
  }
  // Whether validation RMSE `rmse` beats every epoch so far.
  bool improves(double rmse) const { return held_ == 0 || rmse < best_rmse_; }
  bool should_stop() const { return early_stop_ > 0 && since_best_ >= early_stop_; }
  // Goes back to the best epoch's parameters if a later one was run.
  void restore_best(TrainState& state, TrainSummary& summary) {
    if (best_ && best_->summary.best_epoch != summary.epochs_run) {
      const std::uint32_t ran = summary.epochs_run;
      const bool converged = summary.converged;
      state = std::move(best_->state);
      summary = best_->summary;
      summary.epochs_run = ran;
      summary.converged = converged;
    }
    best_.reset();
  }

 private:
  std::uint32_t early_stop_;
  std::size_t held_;
  double best_rmse_ = std::numeric_limits<double>::infinity();
  std::uint32_t since_best_ = 0;
  std::optional<Snapshot> best_;
};

}  // namespace

double objective(const Model& model, const std::vector<Rating>& ratings) {
  if (model.implicit()) throw Error(ErrorKind::Usage, "objective() measures rating models; this one is implicit");
  std::vector<Rating> scaled(ratings);
  for (auto& r : scaled) r.value = static_cast<float>(model.scaler.forward(r.value));
  const double spread = detail::rating_spread(scaled, model.mean, 1);  // AdaGrad's unit
  const auto grid = detail::make_grid(
      std::move(scaled), {.users = model.users.size(), .items = model.items.size(), .shuffle_rows = false});
  TrainState state{model.user_factors, model.item_factors, model.user_bias, model.item_bias, {}, {}};
  if (model.options.optimizer != Optimizer::AdaGrad) return measure_fit(model, state, grid, 1).objective;
  const TrainOptions& o = model.options;
  detail::AdaGradHistory history(model.users.size(), model.items.size(), spread, static_cast<float>(o.lambda),
                                 static_cast<float>(o.bias_lambda()), o.lambda_row);
  const detail::GradientPass pass = history.pass(state, 1);  // counts each row's ratings
  return measure_fit(model, state, grid, 1, &pass).squared_error + history.penalty(state, o.bias);
}

namespace {

// Everything the epochs work on, in training rows: the block grid, the
// parameters and the held-out ratings.
struct TrainSetup {
  detail::BlockGrid grid;
  TrainState state;
  std::vector<HeldOut> held;
  std::optional<detail::AdaGradHistory> adagrad;  // --optimizer adagrad
  const dist::Cluster* ranks = nullptr;          // training across ranks (more than one)
};

// The fit of the current state; with AdaGrad, the same pass adds the
// state's squared gradients to the rows' history (the gradients at the
// start of the next epoch), and the objective is the one AdaGrad's steps
// minimise (AdaGradHistory::penalty).
Fit measure_and_learn_rates(const Model& m, TrainSetup& s, unsigned threads) {
  if (!s.adagrad) return measure_fit(m, s.state, s.grid, threads, nullptr, s.ranks);
  const detail::GradientPass pass = s.adagrad->pass(s.state, threads);
  Fit fit = measure_fit(m, s.state, s.grid, threads, &pass, s.ranks);
  const bool bias = m.options.bias;
  const double user_terms = over_user_rows(s.ranks, s.grid, s.state.u.rows(), [&](auto first, auto last, double start) {
    return s.adagrad->user_terms(s.state, bias, static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last),
                                 start);
  });
  // AdaGradHistory::penalty, in parts.
  fit.objective = fit.squared_error + (0.5 * user_terms + 0.5 * s.adagrad->item_terms(s.state, bias));
  return fit;
}

// Shuffled: the block grid, with users and items renumbered in a seeded
// order. Sequential: one block in the seed's row-major order. Factors start
// ~ N(0, (1/k)²) in their training rows, or for the users and items of a
// warm start's `init`, at its factors and biases.
TrainSetup build_state(TrainingData data, const Model& m, const Model* init, const dist::Cluster* ranks,
                       unsigned threads) {
  const TrainOptions& o = m.options;
  const bool shuffled = o.order == Order::Shuffled;
  const std::uint32_t users = m.users.size(), items = m.items.size();
  // AdaGrad measures its rates and penalties in the ratings' spread.
  const double spread =
      o.optimizer == Optimizer::AdaGrad ? detail::rating_spread(data.ratings, m.mean, threads) : 0.0;
  TrainSetup s{detail::make_grid(std::move(data.ratings),
                                 {.users = users, .items = items,
                                  .bands = shuffled ? detail::choose_bands(m.train_ratings) : 1, .seed = o.seed,
                                  .shuffle_rows = shuffled, .threads = threads}),
               TrainState{FactorMatrix(users, o.factors), FactorMatrix(items, o.factors),
                          std::vector<float>(users, 0.0f), std::vector<float>(items, 0.0f), {}, {}},
               std::move(data.held), {}, ranks};
  for (auto& h : s.held) {
    if (h.user != kUnknown) h.user = s.grid.users.row[h.user];
    if (h.item != kUnknown) h.item = s.grid.items.row[h.item];
  }
  detail::init_factors(s.state.u, s.grid.users.row, o.seed, kStreamInit, threads);
  detail::init_factors(s.state.v, s.grid.items.row, o.seed, kStreamInitItems, threads);
  if (init) {
    detail::copy_known_rows(init->user_factors, s.state.u, s.grid.users.row);
    detail::copy_known_rows(init->item_factors, s.state.v, s.grid.items.row);
    detail::copy_known_rows(init->user_bias, s.state.bu, s.grid.users.row);
    detail::copy_known_rows(init->item_bias, s.state.bv, s.grid.items.row);
  }
  if (o.optimizer == Optimizer::AdaGrad) {
    s.adagrad.emplace(users, items, spread, static_cast<float>(o.lambda), static_cast<float>(o.bias_lambda()),
                      o.lambda_row);
    const detail::GradientPass pass = s.adagrad->first_pass(s.state, threads);  // epoch 1's rates
    measure_fit(m, s.state, s.grid, threads, &pass, ranks);
  }
  return s;
}

// Measures the epoch just run: the fit, the divergence guard, validation.
EpochReport measure_epoch(const Model& m, TrainSetup& s, const EpochRecord& record, std::uint32_t epoch,
                          unsigned threads) {
  EpochReport report;
  report.epoch = epoch;
  report.epochs = m.options.epochs;
  const Fit fit = measure_and_learn_rates(m, s, threads);
  report.objective = fit.objective;
  report.train_rmse = fit.rmse;
  check_divergence(m, fit, epoch);
  if (!s.held.empty()) {
    const ErrorStats v = measure_heldout(m, Scorer{s.state, m.mean, m.options.bias}, s.held, s.ranks, s.grid);
    report.validation_rmse = v.rmse();
    report.validation_mae = v.mae();
  }
  report.improved = record.improves(report.validation_rmse);
  return report;
}

// The trained parameters and the rated items, in the model's index order.
// The grid keeps only its pairs from the start, and the training state goes
// as soon as it is copied, so that the model's copies never add up with the
// training ratings at the peak.
void finish_model(TrainSetup& s, Model& m, unsigned threads) {
  // Held-out ratings of the training file were rated too; a file's were not.
  const std::vector<HeldOut> none;
  const std::vector<HeldOut>& also_rated = m.options.validation_fraction > 0.0 ? s.held : none;
  detail::RatingCodes codes = detail::code_values(s.grid, also_rated, threads);
  detail::drop_values(s.grid);
  m.user_factors = to_model_order(s.state.u, s.grid.users.row);
  s.state.u = FactorMatrix();
  m.item_factors = to_model_order(s.state.v, s.grid.items.row);
  s.state.v = FactorMatrix();
  m.user_bias = to_model_order(s.state.bu, s.grid.users.row);
  m.item_bias = to_model_order(s.state.bv, s.grid.items.row);
  detail::RatedItems rated = detail::index_rated_items(s.grid, also_rated, std::move(codes), threads);
  m.rated_offsets = std::move(rated.offsets);
  m.rated_items = std::move(rated.items);
  m.rating_levels = std::move(rated.levels);
  m.rated_codes = std::move(rated.codes);
  std::vector<Rating>().swap(s.grid.ratings);
}

}  // namespace

Model train(const TrainInput& input, const TrainOptions& options, const EpochCallback& on_epoch) {
  // Prepare: check, describe the data, take the training ratings.
  options.validate();
  const Dataset* all = input.take_ratings ? input.take_ratings : input.ratings;
  if (!all || all->ratings.empty()) throw Error(ErrorKind::Data, "no ratings to train on");
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  check_input(input, *all, options, threads);
  const Model* init = input.init;
  if (init) check_warm_start(*init, options, input.replay);
  Model m = start_model(*all, options, threads);
  if (init) detail::adopt_scale(*init, m);
  TrainingData data = take_training_data(input, *all, options, m);
  if (init) {
    detail::merge_ids(*init, m, data.ratings, data.held, input.replay);
    m.train_ratings = data.ratings.size();  // with any replayed
  }
  add_validation_file(input, m, data.held);
  if (options.objective == Objective::Implicit) {
    detail::train_implicit(std::move(data.ratings), m, input, on_epoch, threads);
    if (init) detail::add_known(*init, m);
    return m;
  }
  scale_and_center(data.ratings, m, threads);
  if (init) m.mean = init->mean;  // its biases are relative to it

  // Build the state the epochs work on.
  // Across ranks, every rank runs this same code on the same data and, at
  // every epoch's end, holds the same state (dist/epoch_across.hpp); a stop
  // counts once the ranks agree on it, so that they all take it together.
  const dist::Cluster* ranks = input.cluster && input.cluster->size() > 1 ? input.cluster : nullptr;
  std::atomic<bool> agreed_stop{false};
  TrainInput agreed_input = input;
  if (ranks) agreed_input.stop = &agreed_stop;
  TrainSetup s = build_state(std::move(data), m, init, ranks, threads);
  EpochRunner runner(s.grid, s.state, m, input, threads, s.adagrad ? &*s.adagrad : nullptr, ranks, agreed_stop);
  EpochRecord record(options, s.held.size());
  detail::StoppingRule converged(options.tol);
  std::uint64_t sent_before = 0;

  detail::run_epochs(
      options.epochs, agreed_input, m.summary,
      [&](std::uint32_t epoch) {
        sent_before = ranks ? ranks->bytes_sent() : 0;
        runner.run(epoch);
      },
      [&](std::uint32_t epoch) {
        EpochReport report = measure_epoch(m, s, record, epoch, threads);
        if (ranks) report.bytes_sent = ranks->bytes_sent() - sent_before;
        return report;
      },
      [&](const EpochReport& report) {
        record.add(report, s.state, m.summary);
        if (on_epoch) on_epoch(report);
        const bool flat = converged.should_stop(report.objective);
        if (flat && report.epoch < options.epochs) m.summary.converged = true;
        return !record.should_stop() && !m.summary.converged;
      });

  // Finish: the kept epoch's parameters, in the model's order.
  record.restore_best(s.state, m.summary);
  if (ranks) dist::share_users(*ranks, s.grid, s.state);
  finish_model(s, m, threads);
  if (init) detail::add_known(*init, m);
  return m;
}

}  // namespace mfrec
