#pragma once
// Every training option, defined once. TrainOptions holds the values and
// their defaults; for_each_option() below is the one table of their names,
// flags, help, limits and places in the model file. Validation, the CLI's
// flags and help, the model file, `info` and the cv grid all walk that
// table, so adding an option touches the struct, the table, the trainer
// and a test, nothing else.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace mfrec {

enum class Order : std::uint8_t { Shuffled = 0, Sequential = 1 };
Order parse_order(std::string_view text);
std::string order_name(Order order);

// What training learns. Rating: the ratings' values, by SGD on the squared
// error (the seed's model). Implicit: which items each user interacted with,
// weighted by how strongly (a rating, a play or click count): weighted
// matrix factorization over all user-item pairs (Hu, Koren, Volinsky 2008),
// by alternating least squares. Its scores rank items; they are not ratings.
enum class Objective : std::uint8_t { Rating = 0, Implicit = 1 };
Objective parse_objective(std::string_view text);
std::string objective_name(Objective objective);

// How SGD steps. Sgd: one learning rate α for every parameter (the seed's
// rule). AdaGrad: every user and item row steps with its own rate
// α/√(σ² + G), G the sum of its squared gradients so far and σ the ratings'
// spread (Duchi, Hazan, Singer 2011; per row as LIBMF does, Chin et al.
// 2015), so rows with many ratings settle while rare ones still move; G is
// taken once per epoch (sgd_kernel.hpp says why) and the rest is in
// src/core/train/adagrad.hpp.
enum class Optimizer : std::uint8_t { Sgd = 0, AdaGrad = 1 };

// The names of a choice option's values, in code order (a value's code is
// its index), for flags, the model file and `info`.
template <class Choice>
struct ChoiceNames;
template <>
struct ChoiceNames<Order> {
  static constexpr std::array<std::string_view, 2> names{"shuffled", "sequential"};
};
template <>
struct ChoiceNames<Objective> {
  static constexpr std::array<std::string_view, 2> names{"rating", "implicit"};
};
template <>
struct ChoiceNames<Optimizer> {
  static constexpr std::array<std::string_view, 2> names{"sgd", "adagrad"};
};

struct TrainOptions {
  // Defaults chosen by a sweep over many data shapes (README "Choosing the
  // defaults"). --objective implicit and --optimizer sgd have their own:
  // take them from defaults_for() (setting `optimizer` alone keeps
  // AdaGrad's α, λ and stopping rule; λ_row only ever applies to AdaGrad).
  Objective objective = Objective::Rating;
  Optimizer optimizer = Optimizer::AdaGrad;
  std::uint32_t factors = 128;  // k
  double lr = 0.05;             // α (AdaGrad: the rate of a row without history)
  double lambda = 0.15;         // λ (AdaGrad: per unit of the ratings' spread σ)
  // AdaGrad: a prior on each user and item row; a row of n ratings has its
  // factors penalised λ + lambda_row/n per step (adagrad.hpp says why).
  double lambda_row = 1.0;
  std::uint32_t epochs = 100;   // at most: `tol` stops sooner
  // Stop after an epoch that lowers the training objective by less than
  // this fraction of its fall since epoch 2 (0: run every epoch).
  double tol = 3e-3;
  double lr_decay = 1.0;      // α for epoch t is α·lr_decay^(t−1)
  double lambda_bias = -1.0;  // λ for the biases; < 0: the same as lambda
  bool bias = true;           // false: the seed's plain U·Vᵀ
  bool normalize = false;
  Order order = Order::Shuffled;
  std::uint64_t seed = 42;
  double validation_fraction = 0.0;  // 0 = none (or a file, held by the caller)
  std::uint32_t early_stop = 0;      // 0 = off
  unsigned threads = 0;              // 0 = all cores; never changes the model
  // Implicit: an interaction of value r has confidence 1 + confidence·r.
  double confidence = 1.0;

  // The defaults for `objective` and `optimizer`: the members above for
  // Rating with AdaGrad; for Sgd the first round's (tuned for 60 epochs on
  // MovieLens latest-small, no stopping rule); for Implicit those that rank
  // best on held-out data (README "Ratings or clicks?").
  static TrainOptions defaults_for(Objective objective, Optimizer optimizer = Optimizer::AdaGrad);

  double bias_lambda() const { return lambda_bias < 0.0 ? lambda : lambda_bias; }

  // Checks every option against its limits in the table; throws
  // Error(Usage) naming the first bad one by its flag.
  void validate() const;
};

// The --threads limit of every command that takes one.
inline constexpr unsigned kMaxThreads = 4096;

// One row of the option table.
struct OptionSpec {
  static constexpr double kNoLimit = std::numeric_limits<double>::infinity();

  std::string_view name{};  // info's field, the cv grid's axis, the model file's
  std::string_view flags{};  // CLI11 names, e.g. "-k,--factors"; empty: the command binds it itself
  std::string_view help{};
  double min = -kNoLimit;  // numbers: the allowed range
  double max = kNoLimit;
  bool min_open = false;   // true: min itself is not allowed
  bool max_open = false;
  // A value below zero stands for "the value of this other option" (and
  // is allowed whatever min says).
  std::string_view negative_means{};
  int file_slot = -1;      // position in the model file's options; -1: not stored
  bool grid = false;       // an axis of `cv --grid` (and tune)
  bool train_only = false; // a flag of `train` only, not of `cv`
  bool rating_only = false;   // has no effect with --objective implicit
  bool implicit_only = false; // has no effect with --objective rating
  bool adagrad_only = false;  // has no effect with --optimizer sgd
};

// The table: calls visit(spec, field) for every option, in the order users
// see them (help, info, grid columns). The model file's order is file_slot.
// `o` is a TrainOptions, const or not (a temporary for the names alone).
template <class Options, class Visit>
void for_each_option(Options&& o, Visit&& visit) {
  constexpr double inf = OptionSpec::kNoLimit;
  visit(OptionSpec{.name = "objective", .flags = "--objective",
                   .help = "what to learn: rating (predict the ratings) or implicit (rank items from interactions: "
                           "clicks, plays or ratings as their strength; its defaults: -k 64 --lambda 0.06 -e 15)",
                   .file_slot = 12},
        o.objective);
  visit(OptionSpec{.name = "optimizer", .flags = "--optimizer",
                   .help = "the step rule: adagrad (a rate per user and item row that shrinks with its squared "
                           "gradients; LIBMF's) or sgd (one rate α, the seed's; its defaults: --lr 0.003 "
                           "--lambda 0.075 -e 60 --tol 0 --lambda-row 0)",
                   .file_slot = 14, .rating_only = true},
        o.optimizer);
  visit(OptionSpec{.name = "k", .flags = "-k,--factors", .help = "latent dimensions",
                   .min = 1, .max = 4096, .file_slot = 0, .grid = true},
        o.factors);
  visit(OptionSpec{.name = "lambda", .flags = "--lambda,--reg", .help = "regularization λ (adagrad: in units of the ratings' spread σ; implicit: relative, times √(Σ confidence) over the positive interactions)",
                   .min = 0, .max = 1e6, .max_open = true, .file_slot = 2, .grid = true},
        o.lambda);
  visit(OptionSpec{.name = "lambda_row", .flags = "--lambda-row",
                   .help = "adagrad: regularization of each user and item as a whole, spread over its n ratings "
                           "(λ + this/n per step), so rows with few ratings stay near zero",
                   .min = 0, .max = 1e6, .max_open = true, .file_slot = 16, .grid = true, .rating_only = true,
                   .adagrad_only = true},
        o.lambda_row);
  visit(OptionSpec{.name = "lr", .flags = "--lr,--alpha", .help = "learning rate α (adagrad: a row's first rate)",
                   .min = 0, .max = 1e3, .min_open = true, .max_open = true, .file_slot = 1, .grid = true,
                   .rating_only = true},
        o.lr);
  visit(OptionSpec{.name = "epochs", .flags = "-e,--epochs", .help = "passes over the ratings, at most (--tol may stop sooner; implicit: ALS iterations)",
                   .min = 1, .max = 1e6, .file_slot = 3, .grid = true},
        o.epochs);
  visit(OptionSpec{.name = "tol", .flags = "--tol",
                   .help = "stop after an epoch that lowers the training objective by less than this fraction of "
                           "what it fell since epoch 2 (0: run all epochs)",
                   .min = 0, .max = 1, .max_open = true, .file_slot = 15, .rating_only = true},
        o.tol);
  visit(OptionSpec{.name = "lr_decay", .flags = "--lr-decay", .help = "multiply the learning rate by this after every epoch",
                   .min = 0, .max = 1, .min_open = true, .file_slot = 10, .grid = true, .rating_only = true},
        o.lr_decay);
  visit(OptionSpec{.name = "lambda_bias", .flags = "--lambda-bias", .help = "regularization of the biases (default: --lambda)",
                   .min = 0, .max = 1e6, .max_open = true, .negative_means = "lambda", .file_slot = 11, .grid = true,
                   .rating_only = true},
        o.lambda_bias);
  visit(OptionSpec{.name = "bias", .flags = "--no-bias", .help = "the seed's plain model R ≈ U·Vᵀ (no mean, no biases)",
                   .file_slot = 4, .rating_only = true},
        o.bias);
  visit(OptionSpec{.name = "normalize", .flags = "--normalize",
                   .help = "min-max scale the observed ratings to [0,5] for training", .file_slot = 5,
                   .rating_only = true},
        o.normalize);
  visit(OptionSpec{.name = "order", .flags = "--order",
                   .help = "rating order inside an epoch: shuffled or sequential (the seed's row-major)", .file_slot = 6,
                   .rating_only = true},
        o.order);
  visit(OptionSpec{.name = "seed", .flags = "--seed", .help = "random seed, recorded in the model",
                   .min = 0, .max = inf, .file_slot = 7},
        o.seed);
  // train's --validation takes FRAC or PATH, so the command binds it.
  visit(OptionSpec{.name = "validation", .help = "hold out a seeded fraction of the ratings",
                   .min = 0, .max = 1, .max_open = true, .file_slot = 8},
        o.validation_fraction);
  visit(OptionSpec{.name = "early_stop", .flags = "--early-stop",
                   .help = "stop after N epochs without validation improvement, keep the best (0: off)",
                   .min = 0, .max = 1e6, .file_slot = 9, .train_only = true, .rating_only = true},
        o.early_stop);
  visit(OptionSpec{.name = "confidence", .flags = "--confidence",
                   .help = "implicit: an interaction of value r counts with confidence 1 + this × r",
                   .min = 0, .max = 1e6, .file_slot = 13, .grid = true, .implicit_only = true},
        o.confidence);
  visit(OptionSpec{.name = "threads", .flags = "--threads", .help = "threads (default: all cores); never changes the model",
                   .min = 0, .max = kMaxThreads},
        o.threads);
}

// Whether the option means anything to a model trained with `o`'s
// objective and optimizer.
inline bool applies(const OptionSpec& spec, const TrainOptions& o) {
  if (o.objective == Objective::Implicit) return !spec.rating_only;
  return !spec.implicit_only && !(spec.adagrad_only && o.optimizer != Optimizer::AdaGrad);
}

// "" when `value` is within spec's limits, else what is wrong ("must be > 0
// and < 1000"). NaN is never within.
std::string range_problem(const OptionSpec& spec, double value);
// The flag users know the option by ("--lr"), or its name when it has none.
std::string flag_name(const OptionSpec& spec);

// The value of option `name` as a number (bool 0/1, order 0/1), with
// negative_means resolved; nullopt for an unknown name.
std::optional<double> option_value(const TrainOptions& o, std::string_view name);
// Sets option `name` from a number, as `cv --grid` does: throws
// Error(Usage) for an unknown name or a value that is out of range or not
// whole for a whole-number option.
void set_option(TrainOptions& o, std::string_view name, double value);
// The option a grid axis or flag names: its name, or a flag's long name
// without dashes ("factors", "reg", "alpha", "lr-decay"); nullopt if none.
std::optional<OptionSpec> find_option(std::string_view name);

}  // namespace mfrec
