#include "mfrec/train/trainer.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <thread>

#include "mfrec/error.hpp"
#include "mfrec/query/metrics.hpp"
#include "util/random.hpp"
#include "train/block_grid.hpp"
#include "train/block_kernels.hpp"
#include "train/sgd_kernel.hpp"

namespace mfrec {

namespace {

using detail::TrainState;

constexpr std::uint32_t kUnknown = 0xFFFFFFFFu;

// A held-out rating; ids may be unknown to the model (from a file).
struct HeldOut {
  std::uint32_t user;
  std::uint32_t item;
  float value;  // input scale
};

// "0.005", not std::to_string's "0.005000": the value as the user typed it.
std::string shortest(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

double squared_norm(const FactorMatrix& m) {
  double s = 0.0;
  for (std::size_t i = 0; i < m.rows(); ++i) {
    const float* r = m.row(i);
    for (std::size_t f = 0; f < m.k(); ++f) s += static_cast<double>(r[f]) * r[f];
  }
  return s;
}

double squared_norm(const std::vector<float>& v) {
  double s = 0.0;
  for (float x : v) s += static_cast<double>(x) * x;
  return s;
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
  double raw_rmse = 0.0;  // training scale, unclipped: how far off the model really is
  double rmse = 0.0;      // input scale, clipped: what users see
};

// Block by block on `threads` threads, added up in block order, so the sums
// do not depend on the thread count. `m` gives the scale and the options.
Fit measure_fit(const Model& m, const TrainState& state, const detail::BlockGrid& grid, unsigned threads) {
  const std::uint32_t blocks = grid.bands * grid.bands;
  std::vector<detail::FitSums> parts(blocks);
  const detail::FitContext context{m.options.bias, m.mean, m.scaler, m.rating_min, m.rating_max};
  detail::parallel_for(blocks, threads, [&](std::uint32_t b) { parts[b] = detail::fit_block(context, state, grid, b); });
  detail::FitSums total;
  for (const auto& p : parts) {
    total.raw += p.raw;
    total.reported += p.reported;
  }
  const double reg = m.options.lambda * (squared_norm(state.u) + squared_norm(state.v)) +
                     (m.options.bias ? m.options.bias_lambda() * (squared_norm(state.bu) + squared_norm(state.bv)) : 0.0);
  const auto n = static_cast<double>(grid.size());
  if (grid.size() == 0) return {reg, 0.0, 0.0};
  return {total.raw + reg, std::sqrt(total.raw / n), std::sqrt(total.reported / n)};
}

// Held-out ratings with training rows (kUnknown where the model has none).
ErrorStats measure_heldout(const Model& m, const Scorer& score, const std::vector<HeldOut>& held) {
  ErrorStats stats;
  for (const auto& h : held) {
    double predicted = m.mean;  // the mean and the biases known, as Model::predict_unknown
    if (h.user != kUnknown && h.item != kUnknown) {
      predicted = score(h.user, h.item);
    } else if (m.options.bias) {
      if (h.user != kUnknown) predicted += score.s.bu[h.user];
      if (h.item != kUnknown) predicted += score.s.bv[h.item];
    }
    stats.add(h.value - m.clip(m.scaler.inverse(predicted)));
  }
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

// Which items each user rated, from ratings sorted by (user, item): user u's
// are rated_items[rated_offsets[u] .. rated_offsets[u + 1]).
void index_rated_items(const std::vector<Rating>& ratings, std::uint32_t users, Model& m, unsigned threads) {
  constexpr std::uint64_t kNone = ~std::uint64_t{0};
  std::vector<std::uint64_t> start(std::size_t{users} + 1, kNone);
  m.rated_items.resize(ratings.size());
  detail::for_each_chunk(ratings.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t) {
    for (std::size_t k = first; k < last; ++k) {
      m.rated_items[k] = ratings[k].item;
      if (k == 0 || ratings[k].user != ratings[k - 1].user) start[ratings[k].user] = k;  // one writer per user
    }
  });
  start[users] = ratings.size();
  for (std::size_t u = users; u-- > 0;)  // users with no ratings start where the next one does
    if (start[u] == kNone) start[u] = start[u + 1];
  m.rated_offsets = std::move(start);
}

// The state of the best epoch so far, for --early-stop.
struct Snapshot {
  TrainState state;
  TrainSummary summary;
};

// Draws the initial factors ~ N(0, (1/k)²), standard deviation 1/k as in the
// seed, each into its training row. Indices come in fixed chunks of 1024,
// each with its own seeded stream, so threads can draw chunks in any order
// and the values depend only on the seed and the index.
void init_factors(FactorMatrix& f, const std::vector<std::uint32_t>& row_of, std::uint64_t seed, RngStream stream,
                  unsigned threads) {
  constexpr std::uint32_t kRowsPerInitStream = 1024;
  const auto n = static_cast<std::uint32_t>(row_of.size());
  const double sd = 1.0 / static_cast<double>(f.k());
  detail::parallel_for((n + kRowsPerInitStream - 1) / kRowsPerInitStream, threads, [&](std::uint32_t chunk) {
    Rng rng(seed ^ (std::uint64_t{chunk} * 0x9E3779B97F4A7C15ull), stream);
    for (std::uint32_t i = chunk * kRowsPerInitStream; i < std::min(n, (chunk + 1) * kRowsPerInitStream); ++i)
      rng.fill_normal(f.row(row_of[i]), f.k(), sd);
  });
}

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

}  // namespace

double objective(const Model& model, const std::vector<Rating>& ratings) {
  std::vector<Rating> scaled(ratings);
  for (auto& r : scaled) r.value = static_cast<float>(model.scaler.forward(r.value));
  const auto grid = detail::make_grid(std::move(scaled), model.users.size(), model.items.size(), 1, 0, false, 1);
  TrainState state{model.user_factors, model.item_factors, model.user_bias, model.item_bias};
  return measure_fit(model, state, grid, 1).objective;
}

Model train(const TrainInput& input, const TrainOptions& options, const EpochCallback& on_epoch) {
  options.validate();
  Dataset* owned = input.take_ratings;
  const Dataset* given = owned ? owned : input.ratings;
  if (!given || given->ratings.empty()) throw Error(ErrorKind::Data, "no ratings to train on");
  const Dataset& all = *given;
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  check_dataset(all, true, "training ratings", threads);
  if (input.validation) check_dataset(*input.validation, false, "validation ratings", threads);
  const bool has_validation = options.validation_fraction > 0.0 || input.validation;
  if (options.validation_fraction > 0.0 && input.validation)
    throw Error(ErrorKind::Usage, "give a validation fraction or a validation file, not both");
  if (options.early_stop > 0 && !has_validation) throw Error(ErrorKind::Usage, "--early-stop needs --validation");

  Model m;
  m.options = options;
  m.options.threads = 0;  // never part of the model: it does not change it
  m.source = all.source;
  m.ratings = all.ratings.size();
  const RatingRange range = rating_range(all.ratings, threads);
  m.rating_min = range.min;
  m.rating_max = range.max;
  if (options.normalize) m.scaler = Scaler::fit(range);

  // Which items each user rated: everything read, held-out ratings included,
  // since the user did rate them.
  const std::uint32_t n_users = all.users.size();
  const std::uint32_t n_items = all.items.size();
  index_rated_items(all.ratings, n_users, m, threads);

  // The training ratings (all, or what the hold-out leaves) and the held-out
  // ones. The training ratings are moved (or copied once) into the block
  // grid below, and moved onto the training scale there.
  std::vector<Rating> train_ratings;
  std::vector<HeldOut> held;
  if (options.validation_fraction > 0.0) {
    Split split = split_holdout(all, options.validation_fraction, options.seed);
    for (const auto& r : split.holdout.ratings) held.push_back({r.user, r.item, r.value});
    train_ratings = std::move(split.train.ratings);
  } else if (owned) {
    train_ratings = std::move(owned->ratings);
  } else {
    train_ratings = all.ratings;
  }
  if (input.validation) {
    const Dataset& v = *input.validation;
    for (const auto& r : v.ratings) {
      const auto u = all.users.find(v.users.name(r.user));
      const auto i = all.items.find(v.items.name(r.item));
      held.push_back({u.value_or(kUnknown), i.value_or(kUnknown), r.value});
    }
  }
  if (owned) {
    m.users = std::move(owned->users);
    m.items = std::move(owned->items);
    owned->ratings = {};
  } else {
    m.users = all.users;
    m.items = all.items;
  }
  m.train_ratings = train_ratings.size();
  const auto to_training_scale = [&](float value) { return static_cast<float>(m.scaler.forward(value)); };
  {
    // Moved onto the training scale and summed, by chunk; the sums are added
    // in chunk order.
    std::vector<double> sums((train_ratings.size() + detail::kRatingsPerChunk - 1) / detail::kRatingsPerChunk, 0.0);
    detail::for_each_chunk(train_ratings.size(), threads, [&](std::size_t first, std::size_t last, std::uint32_t c) {
      for (std::size_t k = first; k < last; ++k) {
        train_ratings[k].value = to_training_scale(train_ratings[k].value);
        sums[c] += train_ratings[k].value;
      }
    });
    double sum = 0.0;
    for (double s : sums) sum += s;
    m.mean = static_cast<float>(sum / static_cast<double>(train_ratings.size()));
  }

  // Shuffled: the block grid, with users and items renumbered in a seeded
  // order. Sequential: one block in the seed's row-major order.
  const bool shuffled = options.order == Order::Shuffled;
  const std::uint32_t bands = shuffled ? detail::choose_bands(train_ratings.size()) : 1;
  detail::BlockGrid grid =
      detail::make_grid(std::move(train_ratings), n_users, n_items, bands, options.seed, shuffled, threads);

  for (auto& h : held) {
    if (h.user != kUnknown) h.user = grid.users.row[h.user];
    if (h.item != kUnknown) h.item = grid.items.row[h.item];
  }

  const std::size_t k = options.factors;
  TrainState state{FactorMatrix(n_users, k), FactorMatrix(n_items, k), std::vector<float>(n_users, 0.0f),
                   std::vector<float>(n_items, 0.0f)};
  init_factors(state.u, grid.users.row, options.seed, kStreamInit, threads);
  init_factors(state.v, grid.items.row, options.seed, kStreamInitItems, threads);
  const Scorer score{state, m.mean, options.bias};

  detail::SgdStep step{static_cast<float>(options.lr), static_cast<float>(options.lambda), m.mean,
                       state.u.stride(), static_cast<float>(options.bias_lambda())};
  auto stop_requested = [&] { return input.stop && input.stop->load(std::memory_order_relaxed); };
  auto block_size = [&](std::uint32_t block) { return grid.block_begin[block + 1] - grid.block_begin[block]; };
  auto run_block = [&](std::uint32_t block) {
    if (stop_requested()) return;  // the blocks already running finish
    detail::sgd_block(step, options.bias, state, grid, block);
  };

  // A model whose error is this many times the rating scale has left any
  // useful region; stop before it reaches infinity. Measured on the training
  // scale without clipping: clipped predictions never look worse than the
  // rating range, however far the model has run off.
  const double explode_rmse =
      1e4 * (std::max(std::fabs(m.scaler.forward(range.min)), std::fabs(m.scaler.forward(range.max))) + 1.0);
  double best_rmse = std::numeric_limits<double>::infinity();
  std::uint32_t since_best = 0;
  std::optional<Snapshot> best;

  using clock = std::chrono::steady_clock;
  for (std::uint32_t epoch = 1; epoch <= options.epochs; ++epoch) {
    step.lr = static_cast<float>(options.lr * std::pow(options.lr_decay, epoch - 1.0));
    const auto start = clock::now();
    for (auto& stratum : detail::epoch_schedule(grid.bands, options.seed, epoch)) {
      // Blocks of a stratum share no user or item band: any order, same
      // result. Largest first, so the threads run out of work together.
      std::stable_sort(stratum.begin(), stratum.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return block_size(a) > block_size(b); });
      detail::parallel_for(static_cast<std::uint32_t>(stratum.size()), threads,
                           [&](std::uint32_t i) { run_block(stratum[i]); });
    }
    const auto sgd_end = clock::now();
    if (stop_requested()) {
      if (!input.keep_on_stop)
        throw Error(ErrorKind::Interrupted, "training interrupted in epoch " + std::to_string(epoch) +
                                                "; no model written (--save-on-interrupt keeps it)");
      m.summary.epochs_run = epoch;  // this one in part
      break;
    }

    EpochReport report;
    report.epoch = epoch;
    report.epochs = options.epochs;
    const Fit fit = measure_fit(m, state, grid, threads);
    report.objective = fit.objective;
    report.train_rmse = fit.rmse;
    if (!std::isfinite(fit.objective) || !(fit.raw_rmse < explode_rmse)) {
      const char* how = std::isfinite(fit.objective) ? "exploding" : "not finite";
      throw Error(ErrorKind::Diverged, "training diverged at epoch " + std::to_string(epoch) + " (the objective is " +
                                           how + "); try a smaller --lr than " + shortest(options.lr));
    }
    if (!held.empty()) {
      const ErrorStats v = measure_heldout(m, score, held);
      report.validation_rmse = v.rmse();
      report.validation_mae = v.mae();
    }
    report.improved = held.empty() || report.validation_rmse < best_rmse;
    report.sgd_seconds = std::chrono::duration<double>(sgd_end - start).count();
    report.seconds = std::chrono::duration<double>(clock::now() - start).count();

    m.summary.epochs_run = epoch;
    if (report.improved) {
      m.summary.best_epoch = epoch;
      m.summary.train_objective = report.objective;
      m.summary.train_rmse = report.train_rmse;
      if (!held.empty()) {
        best_rmse = report.validation_rmse;
        m.summary.validation_rmse = report.validation_rmse;
        m.summary.validation_mae = report.validation_mae;
        m.summary.validation_count = held.size();
      }
      since_best = 0;
      if (options.early_stop > 0) best = Snapshot{state, m.summary};
    } else {
      ++since_best;
    }
    if (!held.empty() && options.early_stop == 0) {
      // Without early stopping the last epoch is kept, and reported as such.
      m.summary.best_epoch = epoch;
      m.summary.train_objective = report.objective;
      m.summary.train_rmse = report.train_rmse;
      m.summary.validation_rmse = report.validation_rmse;
      m.summary.validation_mae = report.validation_mae;
      m.summary.validation_count = held.size();
    }
    if (on_epoch) on_epoch(report);
    if (options.early_stop > 0 && since_best >= options.early_stop) break;
  }

  if (best && best->summary.best_epoch != m.summary.epochs_run) {
    const std::uint32_t ran = m.summary.epochs_run;
    state = std::move(best->state);
    m.summary = best->summary;
    m.summary.epochs_run = ran;
  }
  best.reset();
  // The ratings are done with: free them before the model's copies of the
  // factors are made, so the two never add up at the peak.
  std::vector<Rating>().swap(grid.ratings);
  m.user_factors = to_model_order(state.u, grid.users.row);
  state.u = FactorMatrix();
  m.item_factors = to_model_order(state.v, grid.items.row);
  m.user_bias = to_model_order(state.bu, grid.users.row);
  m.item_bias = to_model_order(state.bv, grid.items.row);
  return m;
}

}  // namespace mfrec
