#include "mfrec/trainer.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <thread>

#include "mfrec/error.hpp"
#include "mfrec/metrics.hpp"
#include "mfrec/random.hpp"
#include "block_grid.hpp"
#include "sgd_kernel.hpp"

namespace mfrec {

namespace {

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

float score(const Model& m, std::uint32_t u, std::uint32_t i) {
  float s = detail::dot_padded(m.user_factors.row(u), m.item_factors.row(i), m.user_factors.stride());
  if (m.options.bias) s += m.mean + m.user_bias[u] + m.item_bias[i];
  return s;
}

struct Fit {
  double objective = 0.0;
  double raw_rmse = 0.0;  // training scale, unclipped: how far off the model really is
  double rmse = 0.0;      // input scale, clipped: what users see
};

// Squared errors of a run of training-scale ratings.
struct FitSums {
  double raw = 0.0;       // Σe², training scale, unclipped
  double reported = 0.0;  // Σe², input scale, clipped
};

FitSums fit_sums(const Model& m, const Rating* begin, const Rating* end) {
  FitSums sums;
  for (const Rating* r = begin; r != end; ++r) {
    const float s = score(m, r->user, r->item);
    const double e = static_cast<double>(r->value) - s;
    sums.raw += e * e;
    const double shown = m.scaler.inverse(r->value) - m.clip(m.scaler.inverse(s));
    sums.reported += shown * shown;
  }
  return sums;
}

// Block by block on `threads` threads, added up in block order, so the sums
// do not depend on the thread count.
Fit measure_fit(const Model& m, const detail::BlockGrid& grid, unsigned threads) {
  const std::uint32_t blocks = grid.bands * grid.bands;
  std::vector<FitSums> parts(blocks);
  detail::parallel_for(blocks, threads, [&](std::uint32_t b) {
    parts[b] = fit_sums(m, grid.ratings.data() + grid.block_begin[b], grid.ratings.data() + grid.block_begin[b + 1]);
  });
  FitSums total;
  for (const auto& p : parts) {
    total.raw += p.raw;
    total.reported += p.reported;
  }
  const double reg = m.options.lambda * (squared_norm(m.user_factors) + squared_norm(m.item_factors)) +
                     (m.options.bias ? m.options.bias_lambda() * (squared_norm(m.user_bias) + squared_norm(m.item_bias)) : 0.0);
  const auto n = static_cast<double>(grid.ratings.size());
  if (grid.ratings.empty()) return {reg, 0.0, 0.0};
  return {total.raw + reg, std::sqrt(total.raw / n), std::sqrt(total.reported / n)};
}

// One pass of SGD over a block, in its current order. Compiled for AVX2+FMA
// and baseline x86-64; the CPU picks.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
void sgd_pass(const detail::SgdStep& step, bool bias, const Rating* begin, const Rating* end, FactorMatrix& u,
              FactorMatrix& v, float* user_bias, float* item_bias) {
  if (bias) {
    for (const Rating* r = begin; r != end; ++r)
      step.update<true>(r->value, u.row(r->user), v.row(r->item), user_bias + r->user, item_bias + r->item);
  } else {
    for (const Rating* r = begin; r != end; ++r)
      step.update<false>(r->value, u.row(r->user), v.row(r->item), nullptr, nullptr);
  }
}

ErrorStats measure_heldout(const Model& m, const std::vector<HeldOut>& held) {
  ErrorStats stats;
  for (const auto& h : held) {
    if (h.user != kUnknown && h.item != kUnknown) {
      stats.add(h.value - m.clip(m.scaler.inverse(score(m, h.user, h.item))));
    } else {
      const auto known = [](std::uint32_t id) { return id != kUnknown ? std::optional<std::uint32_t>(id) : std::nullopt; };
      stats.add(h.value - m.clip(m.predict_unknown(known(h.user), known(h.item))));
    }
  }
  return stats;
}

// The Dataset contract: ids within the maps and, for the training data,
// sorted by (user, item) without repeats. The rated-items index and the
// sequential order rely on it; a model built on a broken one would save but
// never load again, and an id out of range would write outside the factors.
void check_dataset(const Dataset& d, bool sorted, const char* what) {
  const std::uint32_t users = d.users.size();
  const std::uint32_t items = d.items.size();
  for (std::size_t k = 0; k < d.ratings.size(); ++k) {
    const Rating& r = d.ratings[k];
    if (r.user >= users || r.item >= items)
      throw Error(ErrorKind::Internal, std::string(what) + ": rating " + std::to_string(k) + " names an unknown id");
    if (sorted && k > 0) {
      const Rating& p = d.ratings[k - 1];
      if (!(p.user < r.user || (p.user == r.user && p.item < r.item)))
        throw Error(ErrorKind::Internal, std::string(what) + ": ratings not sorted by (user, item) or repeated at " +
                                             std::to_string(k));
    }
  }
}

// The parameters that change during training, for keeping the best epoch.
struct Snapshot {
  FactorMatrix u, v;
  std::vector<float> bu, bv;
  TrainSummary summary;
};

}  // namespace

double objective(const Model& model, const std::vector<Rating>& ratings) {
  std::vector<Rating> scaled(ratings);
  for (auto& r : scaled) r.value = static_cast<float>(model.scaler.forward(r.value));
  return measure_fit(model, detail::make_grid(scaled, model.users.size(), model.items.size(), 1, 0), 1).objective;
}

Model train(const TrainInput& input, const TrainOptions& options, const EpochCallback& on_epoch) {
  options.validate();
  if (!input.ratings || input.ratings->ratings.empty()) throw Error(ErrorKind::Data, "no ratings to train on");
  const Dataset& all = *input.ratings;
  check_dataset(all, true, "training ratings");
  if (input.validation) check_dataset(*input.validation, false, "validation ratings");
  const bool has_validation = options.validation_fraction > 0.0 || input.validation;
  if (options.validation_fraction > 0.0 && input.validation)
    throw Error(ErrorKind::Usage, "give a validation fraction or a validation file, not both");
  if (options.early_stop > 0 && !has_validation) throw Error(ErrorKind::Usage, "--early-stop needs --validation");

  Model m;
  m.options = options;
  m.options.threads = 0;  // never part of the model: it does not change it
  m.source = all.source;
  m.users = all.users;
  m.items = all.items;
  m.ratings = all.ratings.size();
  const RatingRange range = rating_range(all.ratings);
  m.rating_min = range.min;
  m.rating_max = range.max;
  if (options.normalize) m.scaler = Scaler::fit(range);

  // Which items each user rated: everything read, held-out ratings included,
  // since the user did rate them.
  const std::uint32_t n_users = all.users.size();
  const std::uint32_t n_items = all.items.size();
  m.rated_offsets.assign(std::size_t{n_users} + 1, 0);
  m.rated_items.reserve(all.ratings.size());
  for (const auto& r : all.ratings) {
    ++m.rated_offsets[std::size_t{r.user} + 1];
    m.rated_items.push_back(r.item);
  }
  std::partial_sum(m.rated_offsets.begin(), m.rated_offsets.end(), m.rated_offsets.begin());

  // The training ratings (all, or what the hold-out leaves) and the held-out
  // ones. The training ratings are copied once, into the block grid below,
  // and moved onto the training scale there.
  std::optional<Split> split;
  std::vector<HeldOut> held;
  if (options.validation_fraction > 0.0) {
    split = split_holdout(all, options.validation_fraction, options.seed);
    for (const auto& r : split->holdout.ratings) held.push_back({r.user, r.item, r.value});
  }
  const std::vector<Rating>& train_ratings = split ? split->train.ratings : all.ratings;
  if (input.validation) {
    const Dataset& v = *input.validation;
    for (const auto& r : v.ratings) {
      const auto u = all.users.find(v.users.name(r.user));
      const auto i = all.items.find(v.items.name(r.item));
      held.push_back({u.value_or(kUnknown), i.value_or(kUnknown), r.value});
    }
  }
  m.train_ratings = train_ratings.size();
  const auto to_training_scale = [&](float value) { return static_cast<float>(m.scaler.forward(value)); };
  {
    double sum = 0.0;
    for (const auto& r : train_ratings) sum += to_training_scale(r.value);
    m.mean = static_cast<float>(sum / static_cast<double>(train_ratings.size()));
  }
  m.user_bias.assign(n_users, 0.0f);
  m.item_bias.assign(n_items, 0.0f);

  // Initial factors ~ N(0, (1/k)²): standard deviation 1/k, as the seed.
  const std::size_t k = options.factors;
  m.user_factors = FactorMatrix(n_users, k);
  m.item_factors = FactorMatrix(n_items, k);
  {
    Rng rng(options.seed, kStreamInit);
    const double sd = 1.0 / static_cast<double>(k);
    for (FactorMatrix* f : {&m.user_factors, &m.item_factors})
      for (std::size_t r = 0; r < f->rows(); ++r)
        for (std::size_t c = 0; c < k; ++c) f->row(r)[c] = static_cast<float>(rng.normal() * sd);
  }

  // Shuffled: the block grid, each block reshuffled every epoch from (seed,
  // epoch, block) alone. Sequential: one block in the seed's row-major order.
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::uint32_t bands = options.order == Order::Shuffled ? detail::choose_bands(train_ratings.size()) : 1;
  detail::BlockGrid grid = detail::make_grid(train_ratings, n_users, n_items, bands, options.seed);
  split.reset();
  for (auto& r : grid.ratings) r.value = to_training_scale(r.value);

  detail::SgdStep step{static_cast<float>(options.lr), static_cast<float>(options.lambda), m.mean,
                       m.user_factors.stride(), static_cast<float>(options.bias_lambda())};
  auto stop_requested = [&] { return input.stop && input.stop->load(std::memory_order_relaxed); };
  auto run_block = [&](std::uint32_t epoch, std::uint32_t block) {
    if (stop_requested()) return;  // the blocks already running finish
    Rating* begin = grid.ratings.data() + grid.block_begin[block];
    Rating* end = grid.ratings.data() + grid.block_begin[block + 1];
    if (options.order == Order::Shuffled) {
      Rng rng(options.seed ^ (std::uint64_t{epoch} << 32 | block), kStreamShuffle);
      rng.shuffle(begin, end);
    }
    sgd_pass(step, options.bias, begin, end, m.user_factors, m.item_factors, m.user_bias.data(), m.item_bias.data());
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

  for (std::uint32_t epoch = 1; epoch <= options.epochs; ++epoch) {
    step.lr = static_cast<float>(options.lr * std::pow(options.lr_decay, epoch - 1.0));
    const auto start = std::chrono::steady_clock::now();
    for (const auto& stratum : detail::epoch_schedule(grid.bands, options.seed, epoch)) {
      // Blocks of a stratum share no user or item band: any order, same result.
      detail::parallel_for(static_cast<std::uint32_t>(stratum.size()), threads,
                           [&](std::uint32_t i) { run_block(epoch, stratum[i]); });
    }
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
    const Fit fit = measure_fit(m, grid, threads);
    report.objective = fit.objective;
    report.train_rmse = fit.rmse;
    if (!std::isfinite(fit.objective) || !(fit.raw_rmse < explode_rmse)) {
      const char* how = std::isfinite(fit.objective) ? "exploding" : "not finite";
      throw Error(ErrorKind::Diverged, "training diverged at epoch " + std::to_string(epoch) + " (the objective is " +
                                           how + "); try a smaller --lr than " + shortest(options.lr));
    }
    if (!held.empty()) {
      const ErrorStats v = measure_heldout(m, held);
      report.validation_rmse = v.rmse();
      report.validation_mae = v.mae();
    }
    report.improved = held.empty() || report.validation_rmse < best_rmse;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

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
      if (options.early_stop > 0)
        best = Snapshot{m.user_factors, m.item_factors, m.user_bias, m.item_bias, m.summary};
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
    m.user_factors = std::move(best->u);
    m.item_factors = std::move(best->v);
    m.user_bias = std::move(best->bu);
    m.item_bias = std::move(best->bv);
    m.summary = best->summary;
    m.summary.epochs_run = ran;
  }
  return m;
}

}  // namespace mfrec
