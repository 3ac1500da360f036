#pragma once
// `mfrec tune`: a seeded random search of the training options, every trial
// scored by k-fold cross-validation on the same folds, with successive
// halving over epochs (Jamieson and Talwalkar 2016; one bracket of Li et
// al.'s Hyperband): all trials train a few epochs, the best third trains
// three times as many, and so on up to the full epoch count. The caller's
// own setting is scored too, at the full epochs, so the search never picks
// a setting that cross-validates worse than no search. Every rung
// trains from scratch, so a trial's score at a rung is exactly what
// `mfrec cv` gives for its options with that rung's epochs.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mfrec/model/dataset.hpp"
#include "mfrec/train/cross_validation.hpp"
#include "mfrec/train/train_options.hpp"

namespace mfrec {

struct TuneOptions {
  std::uint32_t trials = 16;
  std::uint32_t folds = 5;
  std::uint64_t seed = 42;  // draws the trials and picks the folds
  // Table names of options the caller set ("k", "epochs"…): never searched.
  std::vector<std::string> fixed;
  // When set (from a signal handler, say), the search stops after the
  // current fold and throws Error(Interrupted).
  const std::atomic<bool>* stop = nullptr;
};

// The options tune varies for a model like `base`, in table order: k, λ,
// α (implicit: the confidence, as α does not apply) and epochs, less
// `fixed`.
std::vector<std::string> searched_options(const TrainOptions& base, const std::vector<std::string>& fixed);

struct Rung {
  std::uint32_t epochs = 0;
  std::uint32_t trials = 0;  // how many drawn trials train at this rung
};

// The successive-halving schedule for `trials` trials and at most
// `max_epochs` epochs: R + 1 rungs, R = min(⌊log₃ trials⌋, ⌊log₃ max_epochs⌋);
// rung r trains max_epochs / 3^(R−r) epochs (rounded, so at least 1) and
// keeps the best ⌈n/3⌉ of its n trials for the next. The last rung trains
// max_epochs.
std::vector<Rung> rung_schedule(std::uint32_t trials, std::uint32_t max_epochs);

// Rounds to two significant digits, so that a drawn value prints short and
// reads back as the same double (0.0123456 -> 0.012).
double round_to_two_digits(double x);

// `count` settings drawn from Rng(seed, kStreamTune): k uniform among the
// powers of two from 16 to 256 that are at most twice base's k; λ, α and the
// confidence log-uniform in [d/4, 4d] around base's value d, rounded to two
// digits. Every trial draws every option in that order, searched or not, so
// fixing one option leaves the others' draws as they were. Options not in
// `searched` keep base's value; epochs stays base's (the rungs set it).
std::vector<TrainOptions> draw_trials(const TrainOptions& base, const std::vector<std::string>& searched,
                                      std::uint32_t count, std::uint64_t seed);

// One trial cross-validated at one rung.
struct TuneRecord {
  std::size_t trial = 0;  // index in TuneResult::trials
  std::size_t rung = 0;
  TrainOptions options;   // the trial's, with the rung's epochs
  CrossValidation cv;     // diverged: an infinite RMSE, no NDCG (the worst)
  double seconds = 0.0;   // wall clock, all folds
  bool diverged = false;  // training diverged in some fold
};

struct TuneResult {
  std::vector<std::string> searched;  // as searched_options()
  std::vector<Rung> rungs;
  // The base setting (trial 0), then draw_trials()' (1 … options.trials),
  // at the full epochs.
  std::vector<TrainOptions> trials;
  // Rung by rung, each rung in trial order; trial 0 in the last rung only.
  std::vector<TuneRecord> records;
  // Index in `records` of the best setting: of all records when epochs was
  // searched (a trial may do best at fewer epochs), else of the last rung.
  // Best by CrossValidation::better_than; ties: the earlier record.
  std::size_t best = 0;
};

// Called on the calling thread.
struct TuneProgress {
  std::function<void(const TuneRecord&)> record;  // after each trial at each rung
  // After each rung, with its records best first (the next rung takes the
  // first Rung::trials of them).
  std::function<void(std::size_t rung, const std::vector<TuneRecord>& ranked)> rung;
};

// Runs the search on `data`: options.trials trials drawn around `base`
// (the resolved options of the command: its defaults and flags) through
// the rungs, and `base` itself at the last, on options.folds folds picked
// by options.seed for every rung.
// Deterministic for any base.threads. A trial whose training diverges
// ranks last. Throws Error(Usage) for no trials or fewer than two folds,
// Error(Diverged) when every trial diverged, and as cross_validate() does.
TuneResult tune(const Dataset& data, const TrainOptions& base, const TuneOptions& options,
                const TuneProgress& progress = {});

}  // namespace mfrec
