#include "mfrec/train/tune.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>

#include "mfrec/error.hpp"
#include "util/random.hpp"

namespace mfrec {

namespace {

// How a trial draws an option's value; kRules is also the order of the draws.
enum class Draw { PowerOfTwo, AroundBase };
struct SearchRule {
  std::string_view name;
  Draw draw;
};
constexpr SearchRule kRules[] = {
    {"k", Draw::PowerOfTwo}, {"lambda", Draw::AroundBase}, {"lr", Draw::AroundBase}, {"confidence", Draw::AroundBase}};

constexpr std::uint32_t kMinFactors = 16, kMaxFactors = 256;
// λ, α and the confidence span [d/4, 4d]: a 16-fold range, centred on the
// base value d in log scale.
constexpr double kSpan = 4.0;
// Successive halving's rate: each rung keeps a third and triples the epochs.
constexpr std::uint32_t kEta = 3;

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool has_rule(std::string_view name) {
  return std::any_of(std::begin(kRules), std::end(kRules), [&](const SearchRule& r) { return r.name == name; });
}

std::uint32_t floor_log3(std::uint32_t n) {
  std::uint32_t r = 0;
  for (; n >= kEta; n /= kEta) ++r;
  return r;
}

// The k a trial may draw: 16, 32, … up to twice base's k (and at most 256).
std::vector<std::uint32_t> factor_choices(std::uint32_t base) {
  std::vector<std::uint32_t> ks{kMinFactors};
  for (std::uint64_t k = 2 * kMinFactors; k <= kMaxFactors && k <= 2ull * base; k *= 2)
    ks.push_back(static_cast<std::uint32_t>(k));
  return ks;
}

double draw_value(const SearchRule& rule, const TrainOptions& base, Rng& rng) {
  if (rule.draw == Draw::PowerOfTwo) {
    const std::vector<std::uint32_t> ks = factor_choices(base.factors);
    return ks[rng.below(ks.size())];
  }
  const double centre = *option_value(base, rule.name);
  return round_to_two_digits(centre * std::pow(kSpan, 2.0 * rng.uniform() - 1.0));
}

// The records from `first` on (one rung, or all), as indices, best first;
// ties in record order, which is trial order within a rung.
std::vector<std::size_t> ranked(const std::vector<TuneRecord>& records, std::size_t first, Objective objective) {
  std::vector<std::size_t> order(records.size() - first);
  std::iota(order.begin(), order.end(), first);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return records[x].cv.better_than(records[y].cv, objective);
  });
  return order;
}

TuneRecord run_trial(const Dataset& data, const TuneResult& result, std::size_t trial, std::size_t rung,
                     const TuneOptions& options) {
  TuneRecord record{trial, rung, result.trials[trial], {}, 0.0};
  record.options.epochs = result.rungs[rung].epochs;
  const auto start = std::chrono::steady_clock::now();
  try {
    record.cv = cross_validate(data, record.options, options.folds, options.seed, [&](const FoldResult&) {
      if (options.stop && options.stop->load(std::memory_order_relaxed))
        throw Error(ErrorKind::Interrupted, "tune interrupted; nothing written");
    });
  } catch (const Error& e) {
    // A large drawn α may diverge: that trial ranks last, the search goes on.
    if (e.kind() != ErrorKind::Diverged) throw;
    record.diverged = true;
    record.cv.rmse_mean = std::numeric_limits<double>::infinity();
    record.cv.ndcg_mean = std::numeric_limits<double>::quiet_NaN();
  }
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return record;
}

// The trials the next rung trains, in trial order: the `count` best of
// `order`.
std::vector<std::size_t> survivors(const std::vector<TuneRecord>& records, const std::vector<std::size_t>& order,
                                   std::size_t count) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < count; ++i) kept.push_back(records[order[i]].trial);
  std::sort(kept.begin(), kept.end());
  return kept;
}

// Cross-validates `trials` at `rung`, adds their records to `result` and
// returns them best first (as indices in result.records).
std::vector<std::size_t> run_rung(const Dataset& data, TuneResult& result, std::size_t rung,
                                  const std::vector<std::size_t>& trials, const TuneOptions& options,
                                  const TuneProgress& progress) {
  const std::size_t first = result.records.size();
  for (std::size_t trial : trials) {
    result.records.push_back(run_trial(data, result, trial, rung, options));
    if (progress.record) progress.record(result.records.back());
  }
  const std::vector<std::size_t> order = ranked(result.records, first, result.trials.front().objective);
  if (progress.rung) {
    std::vector<TuneRecord> best_first;
    for (std::size_t i : order) best_first.push_back(result.records[i]);
    progress.rung(rung, best_first);
  }
  return order;
}

// The best record of all rungs when epochs is searched, else of the last.
std::size_t best_record(const TuneResult& result, Objective objective) {
  std::size_t first = 0;
  if (!contains(result.searched, "epochs"))
    while (result.records[first].rung + 1 < result.rungs.size()) ++first;
  const std::size_t best = ranked(result.records, first, objective).front();
  if (result.records[best].diverged)
    throw Error(ErrorKind::Diverged, "training diverged for every setting tune tried; try a smaller --lr");
  return best;
}

}  // namespace

std::vector<std::string> searched_options(const TrainOptions& base, const std::vector<std::string>& fixed) {
  std::vector<std::string> names;
  for_each_option(base, [&](const OptionSpec& spec, const auto&) {
    if ((has_rule(spec.name) || spec.name == "epochs") && applies(spec, base) && !contains(fixed, spec.name))
      names.emplace_back(spec.name);
  });
  return names;
}

std::vector<Rung> rung_schedule(std::uint32_t trials, std::uint32_t max_epochs) {
  if (trials == 0) throw Error(ErrorKind::Usage, "--trials must be at least 1");
  if (max_epochs == 0) throw Error(ErrorKind::Usage, "--epochs must be at least 1");
  const std::uint32_t last = std::min(floor_log3(trials), floor_log3(max_epochs));
  std::vector<Rung> rungs;
  for (std::uint32_t r = 0; r <= last; ++r) {
    const double epochs = max_epochs / std::pow(double{kEta}, last - r);
    rungs.push_back({static_cast<std::uint32_t>(std::max(1.0, std::round(epochs))), trials});
    trials = (trials + kEta - 1) / kEta;
  }
  return rungs;
}

double round_to_two_digits(double x) {
  if (!(x > 0.0) || !std::isfinite(x)) return x;
  // The place of the second digit; dividing by an exact power of ten (not
  // multiplying by an inexact 10^-n) gives the double that "0.012" reads as.
  const int place = static_cast<int>(std::floor(std::log10(x))) - 1;
  const double scale = std::pow(10.0, std::abs(place));
  return place < 0 ? std::round(x * scale) / scale : std::round(x / scale) * scale;
}

std::vector<TrainOptions> draw_trials(const TrainOptions& base, const std::vector<std::string>& searched,
                                      std::uint32_t count, std::uint64_t seed) {
  Rng rng(seed, kStreamTune);
  std::vector<TrainOptions> trials(count, base);
  for (TrainOptions& trial : trials)
    for (const SearchRule& rule : kRules) {
      const double value = draw_value(rule, base, rng);
      if (contains(searched, rule.name)) set_option(trial, rule.name, value);
    }
  return trials;
}

TuneResult tune(const Dataset& data, const TrainOptions& base, const TuneOptions& options,
                const TuneProgress& progress) {
  base.validate();
  if (options.folds < 2) throw Error(ErrorKind::Usage, "--folds must be at least 2");
  TuneResult result;
  result.searched = searched_options(base, options.fixed);
  result.rungs = rung_schedule(options.trials, base.epochs);
  result.trials = draw_trials(base, result.searched, options.trials, options.seed);
  result.trials.insert(result.trials.begin(), base);
  std::vector<std::size_t> alive(options.trials);
  std::iota(alive.begin(), alive.end(), std::size_t{1});
  for (std::size_t rung = 0;; ++rung) {
    // The base setting skips the halving: it is scored at the full epochs,
    // where it competes with the best.
    if (rung + 1 == result.rungs.size()) alive.insert(alive.begin(), 0);
    const std::vector<std::size_t> order = run_rung(data, result, rung, alive, options, progress);
    if (rung + 1 == result.rungs.size()) break;
    alive = survivors(result.records, order, result.rungs[rung + 1].trials);
  }
  result.best = best_record(result, base.objective);
  return result;
}

}  // namespace mfrec
