// BPR-MF (Rendle et al. 2009, "BPR: Bayesian Personalized Ranking from
// Implicit Feedback") trained by SGD, scored by mfrec::evaluate exactly as
// `mfrec evaluate` scores a model: the experiment behind issue 12's choice
// between BPR and weighted ALS for `train --objective implicit`.
//   bpr_experiment TRAIN.csv TEST.csv [--k 128] [--lr 0.03] [--reg 0.005]
//       [--epochs 100,200,300] [--item-bias 0] [--positive-min 4] [--init-sd 0.1] [--seed 1]
//       [--save LAST.model]
// Every list is a grid axis; each setting trains once to its largest epoch
// count and is scored after each listed one. Prints one CSV row per
// (setting, epochs): NDCG@10 and P@10 (relevant = test rating >= 4,
// candidates = items the user did not rate in training) and the training
// CPU seconds so far (sampling and updates only; scoring is not timed).
// CPU time, not wall time: on a shared machine other processes stretch the
// wall clock, and training runs on one thread, so the two agree when idle.
// The first row is the most-popular list's. --save writes the last row's model, for `mfrec evaluate` to check the row.
//
// Single-threaded and deterministic: a sample is a positive pair drawn
// uniformly (with replacement) from the training pairs whose rating is at
// least --positive-min (0: every rating), and a negative item drawn
// uniformly from the items the user did not rate at all. An epoch is as
// many samples as positive pairs.
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/evaluate.hpp"
#include "util/random.hpp"

namespace {

// This experiment's random streams: the initial factors and the samples.
constexpr std::uint64_t kStreamBprInit = mfrec::kStreamInit;
constexpr std::uint64_t kStreamBprSamples = 1002;  // far above the core's RngStream values

// Defaults: the best setting of the search on ml-latest-small's 80/20 splits
// (issue 12), at three epoch counts.
struct Grid {
  std::vector<double> k{128}, lr{0.03}, reg{0.005}, epochs{100, 200, 300}, item_bias{0}, positive_min{4};
  double init_sd = 0.1;
  std::uint64_t seed = 1;
  std::string save;  // model file of the last row; empty: none
};

// `mfrec evaluate`'s defaults; one thread, as the training.
const mfrec::EvaluateOptions kEvaluate{.k = 10, .relevant_threshold = 4.0, .threads = 1};

struct Setting {
  std::uint32_t k;
  float lr, reg;
  bool item_bias;
  float positive_min;
};

std::vector<double> parse_list(std::string_view flag, const char* text) {
  std::vector<double> values;
  for (const char* p = text; *p;) {
    char* end = nullptr;
    values.push_back(std::strtod(p, &end));
    if (end == p || (*end && *end != ',')) throw mfrec::Error(mfrec::ErrorKind::Usage, fmt::format("{}: not a number list: '{}'", flag, text));
    p = *end ? end + 1 : end;
  }
  return values;
}

Grid parse_grid(std::span<char*> args) {
  Grid g;
  for (std::size_t a = 0; a + 1 < args.size(); a += 2) {
    const std::string_view flag = args[a];
    const char* value = args[a + 1];
    if (flag == "--init-sd") g.init_sd = std::strtod(value, nullptr);
    else if (flag == "--seed") g.seed = std::strtoull(value, nullptr, 10);
    else if (flag == "--save") g.save = value;
    else if (flag == "--k") g.k = parse_list(flag, value);
    else if (flag == "--lr") g.lr = parse_list(flag, value);
    else if (flag == "--reg") g.reg = parse_list(flag, value);
    else if (flag == "--epochs") g.epochs = parse_list(flag, value);
    else if (flag == "--item-bias") g.item_bias = parse_list(flag, value);
    else if (flag == "--positive-min") g.positive_min = parse_list(flag, value);
    else throw mfrec::Error(mfrec::ErrorKind::Usage, fmt::format("unknown option '{}'", flag));
  }
  if (args.size() % 2) throw mfrec::Error(mfrec::ErrorKind::Usage, fmt::format("'{}' needs a value", args.back()));
  for (const auto* counts : {&g.k, &g.epochs})
    for (const double n : *counts)
      if (n < 1 || n != std::floor(n)) throw mfrec::Error(mfrec::ErrorKind::Usage, "--k and --epochs take whole numbers >= 1");
  return g;
}

// Which items each user rated, as the model's CSR (ascending items; the
// reader returns ratings in (user, item) order).
struct RatedItems {
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> items;

  explicit RatedItems(const mfrec::Dataset& d) : offsets(d.users.size() + 1, 0) {
    for (const auto& r : d.ratings) {
      ++offsets[r.user + 1];
      items.push_back(r.item);
    }
    for (std::size_t u = 0; u < d.users.size(); ++u) offsets[u + 1] += offsets[u];
  }
  bool has(std::uint32_t user, std::uint32_t item) const {
    return std::binary_search(items.begin() + static_cast<std::ptrdiff_t>(offsets[user]),
                              items.begin() + static_cast<std::ptrdiff_t>(offsets[user + 1]), item);
  }
};

struct Pair {
  std::uint32_t user, item;
};

class BprTrainer {
 public:
  BprTrainer(const mfrec::Dataset& train, const RatedItems& rated, const Setting& s, const Grid& g)
      : rated_(rated), s_(s), users_(train.users.size(), s.k), items_(train.items.size(), s.k),
        bias_(train.items.size(), 0.0f), rng_(g.seed, kStreamBprSamples) {
    for (const auto& r : train.ratings)
      if (r.value >= s.positive_min) positives_.push_back({r.user, r.item});
    mfrec::Rng init(g.seed, kStreamBprInit);
    for (auto* f : {&users_, &items_})
      for (std::size_t row = 0; row < f->rows(); ++row) init.fill_normal(f->row(row), s.k, g.init_sd);
  }

  void epoch() {
    for (std::size_t n = 0; n < positives_.size(); ++n) {
      const Pair p = positives_[rng_.below(positives_.size())];
      step(p.user, p.item, negative(p.user));
    }
  }

  mfrec::Model model(const mfrec::Dataset& train) const;

 private:
  std::uint32_t negative(std::uint32_t user) {
    while (true) {
      const auto j = static_cast<std::uint32_t>(rng_.below(items_.rows()));
      if (!rated_.has(user, j)) return j;
    }
  }

  // One ascent step on ln σ(x) − λ‖θ‖², x = u·(v_i − v_j) + b_i − b_j.
  void step(std::uint32_t user, std::uint32_t i, std::uint32_t j) {
    float* u = users_.row(user);
    float* vi = items_.row(i);
    float* vj = items_.row(j);
    float x = s_.item_bias ? bias_[i] - bias_[j] : 0.0f;
    for (std::uint32_t f = 0; f < s_.k; ++f) x += u[f] * (vi[f] - vj[f]);
    const float g = 1.0f / (1.0f + std::exp(x));  // σ(−x) = d ln σ(x) / dx
    const float lr = s_.lr, reg = s_.reg;
    for (std::uint32_t f = 0; f < s_.k; ++f) {
      const float uf = u[f], d = vi[f] - vj[f];
      u[f] += lr * (g * d - reg * uf);
      vi[f] += lr * (g * uf - reg * vi[f]);
      vj[f] += lr * (-g * uf - reg * vj[f]);
    }
    if (s_.item_bias) {
      bias_[i] += lr * (g - reg * bias_[i]);
      bias_[j] += lr * (-g - reg * bias_[j]);
    }
  }

  const RatedItems& rated_;
  Setting s_;
  mfrec::FactorMatrix users_, items_;
  std::vector<float> bias_;
  std::vector<Pair> positives_;
  mfrec::Rng rng_;
};

// A model that ranks by u·v + c_i, c = `item_bias` (empty: none): the mean
// and the user biases are zero, so with options.bias c is the only added term.
mfrec::Model ranking_model(const mfrec::Dataset& train, const RatedItems& rated, const mfrec::FactorMatrix& users,
                           const mfrec::FactorMatrix& items, const std::vector<float>& item_bias) {
  mfrec::Model m;
  m.options.factors = static_cast<std::uint32_t>(users.k());
  m.options.bias = !item_bias.empty();
  m.source = train.source;
  m.users = train.users;
  m.items = train.items;
  m.ratings = m.train_ratings = train.ratings.size();
  const mfrec::RatingRange range = mfrec::rating_range(train.ratings);
  m.rating_min = range.min;
  m.rating_max = range.max;
  m.rated_offsets = rated.offsets;
  m.rated_items = rated.items;
  m.user_bias.assign(train.users.size(), 0.0f);
  m.item_bias = item_bias.empty() ? std::vector<float>(train.items.size(), 0.0f) : item_bias;
  m.user_factors = users;
  m.item_factors = items;
  return m;
}

mfrec::Model BprTrainer::model(const mfrec::Dataset& train) const {
  return ranking_model(train, rated_, users_, items_, s_.item_bias ? bias_ : std::vector<float>{});
}

// The most-popular list as a model: zero factors, item bias = the item's
// number of training ratings.
mfrec::Model popularity_model(const mfrec::Dataset& train, const RatedItems& rated) {
  std::vector<float> count(train.items.size(), 0.0f);
  for (const auto& r : train.ratings) ++count[r.item];
  return ranking_model(train, rated, mfrec::FactorMatrix(train.users.size(), 1), mfrec::FactorMatrix(train.items.size(), 1),
                       count);
}

void print_popularity(const mfrec::Dataset& train, const mfrec::Dataset& test, const RatedItems& rated) {
  const mfrec::Evaluation e = mfrec::evaluate(popularity_model(train, rated), test, kEvaluate);
  std::printf("popularity,,,,,,%.4f,%.4f,,,\n", e.ndcg, e.precision);
}

// Trains one setting to its last epoch count, printing a row at each;
// returns the last model.
mfrec::Model run_setting(const mfrec::Dataset& train, const mfrec::Dataset& test, const RatedItems& rated, const Setting& s,
                 const Grid& g) {
  BprTrainer trainer(train, rated, s, g);
  double seconds = 0.0;
  std::size_t done = 0;
  mfrec::Model m;
  for (const double target : g.epochs) {
    const std::clock_t start = std::clock();
    for (; done < static_cast<std::size_t>(target); ++done) trainer.epoch();
    seconds += static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    m = trainer.model(train);
    const mfrec::Evaluation e = mfrec::evaluate(m, test, kEvaluate);
    std::printf("%u,%g,%g,%d,%g,%zu,%.4f,%.4f,%.3f,%.4f,%.4f\n", s.k, s.lr, s.reg, s.item_bias ? 1 : 0, s.positive_min,
                done, e.ndcg, e.precision, seconds, seconds / static_cast<double>(done), e.ndcg / seconds);
    std::fflush(stdout);
  }
  return m;
}

mfrec::Model run_grid(const mfrec::Dataset& train, const mfrec::Dataset& test, const Grid& g) {
  const RatedItems rated(train);
  mfrec::Model last;
  std::puts("k,lr,reg,item_bias,positive_min,epochs,ndcg10,precision10,train_cpu_seconds,cpu_seconds_per_epoch,ndcg_per_cpu_second");
  print_popularity(train, test, rated);
  for (const double positive_min : g.positive_min)
    for (const double k : g.k)
      for (const double lr : g.lr)
        for (const double reg : g.reg)
          for (const double bias : g.item_bias)
            last = run_setting(train, test, rated,
                        {static_cast<std::uint32_t>(k), static_cast<float>(lr), static_cast<float>(reg), bias != 0.0,
                         static_cast<float>(positive_min)},
                        g);
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: bpr_experiment TRAIN.csv TEST.csv [--k 128] [--lr 0.03] [--reg 0.005] [--epochs 100,200,300]\n"
                 "       [--item-bias 0] [--positive-min 4] [--init-sd 0.1] [--seed 1] [--save LAST.model]\n"
                 "(each of --k --lr --reg --epochs --item-bias --positive-min takes a comma-separated list)\n");
    return 64;
  }
  try {
    Grid g = parse_grid(std::span<char*>(argv + 3, argv + argc));
    std::sort(g.epochs.begin(), g.epochs.end());
    mfrec::ReadOptions read;
    read.threads = 1;
    const mfrec::Dataset train = mfrec::read_ratings(argv[1], read);
    const mfrec::Dataset test = mfrec::read_ratings(argv[2], read);
    const mfrec::Model last = run_grid(train, test, g);
    if (!g.save.empty()) mfrec::save_model(last, g.save);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "bpr_experiment: %s\n", e.what());
    return 1;
  }
  return 0;
}
