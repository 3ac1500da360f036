// mfrec cv RATINGS: seeded k-fold cross-validation, optionally over a grid of
// hyperparameters, best setting first.
#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "mfrec/train/cross_validation.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "output.hpp"
#include "train_flags.hpp"

namespace mfrec::cli {

namespace {

struct CvArgs {
  SharedOptions shared;
  ReadFlags read;
  TrainFlags flags;
  std::string ratings;
  std::uint32_t folds = 5;
  std::vector<std::string> grid;
  std::optional<std::uint64_t> fold_seed;
};

// One --grid axis: an option and the values to try.
struct Axis {
  std::string name;
  std::vector<double> values;
  void apply(TrainOptions& o, double v) const {
    if (name == "k") o.factors = static_cast<std::uint32_t>(v);
    else if (name == "lambda") o.lambda = v;
    else if (name == "lr") o.lr = v;
    else if (name == "epochs") o.epochs = static_cast<std::uint32_t>(v);
    else if (name == "lr_decay") o.lr_decay = v;
    else if (name == "lambda_bias") o.lambda_bias = v;
  }
};

Axis parse_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw Error(ErrorKind::Usage, "--grid " + text + ": write NAME=V1,V2,… (e.g. k=16,32,64)");
  std::string name = text.substr(0, eq);
  std::replace(name.begin(), name.end(), '-', '_');
  if (name == "factors") name = "k";
  if (name == "reg") name = "lambda";
  if (name == "alpha") name = "lr";
  if (name == "e") name = "epochs";
  if (name != "k" && name != "lambda" && name != "lr" && name != "epochs" && name != "lr_decay" && name != "lambda_bias")
    throw Error(ErrorKind::Usage, "--grid " + text + ": unknown option '" + name +
                                      "' (use k, lambda, lr, epochs, lr_decay or lambda_bias)");
  Axis axis{name, {}};
  std::size_t start = eq + 1;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const auto v = parse_number(item);
    if (!v || *v < 0 || ((name == "k" || name == "epochs") && (*v < 1 || *v != static_cast<std::uint32_t>(*v))))
      throw Error(ErrorKind::Usage, "--grid " + text + ": bad value '" + item + "'");
    axis.values.push_back(*v);
    start = comma + 1;
  }
  return axis;
}

std::string describe(const TrainOptions& o) {
  return fmt::format("k={} lambda={} lr={} epochs={}", o.factors, o.lambda, o.lr, o.epochs);
}

void run_cv(const CvArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  const TrainOptions base = a.flags.resolve();
  base.validate();
  std::vector<Axis> axes;
  for (const auto& g : a.grid) {
    axes.push_back(parse_axis(g));
    for (std::size_t i = 0; i + 1 < axes.size(); ++i)
      if (axes[i].name == axes.back().name)
        throw Error(ErrorKind::Usage, "--grid " + g + ": " + axes.back().name + " is already on the grid (list all its values in one --grid)");
  }
  const Dataset data = read_ratings(a.ratings, a.read.resolve());
  const std::uint64_t fold_seed = a.fold_seed.value_or(base.seed);

  // Every combination of the grid (one, with no grid).
  std::vector<TrainOptions> settings{base};
  for (const auto& axis : axes) {
    std::vector<TrainOptions> next;
    for (const auto& s : settings)
      for (double v : axis.values) {
        TrainOptions o = s;
        axis.apply(o, v);
        o.validate();
        next.push_back(o);
      }
    settings = std::move(next);
  }

  struct Scored {
    TrainOptions options;
    CrossValidation cv;
    double seconds;
  };
  std::vector<Scored> scored;
  for (std::size_t n = 0; n < settings.size(); ++n) {
    const auto start = std::chrono::steady_clock::now();
    const std::string label = axes.empty() ? "" : fmt::format("[{}/{}] {}  ", n + 1, settings.size(), describe(settings[n]));
    auto on_fold = [&](const FoldResult& f) {
      if (!a.shared.quiet)
        log_line(fmt::format("{}fold {}/{}  rmse {:.4f}  mae {:.4f}  {:.2f} s", label, f.fold, a.folds, f.rmse, f.mae, f.seconds));
    };
    CrossValidation cv = cross_validate(data, settings[n], a.folds, fold_seed, on_fold);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!a.shared.quiet && !axes.empty())
      log_line(fmt::format("{}rmse {:.4f} ± {:.4f}", label, cv.rmse_mean, cv.rmse_std));
    scored.push_back({settings[n], std::move(cv), seconds});
  }

  Sink sink(a.shared.output);
  auto out = make_writer(format.value_or(default_format(sink)), sink);
  if (axes.empty()) {
    const CrossValidation& cv = scored.front().cv;
    out->header({"fold", "rmse", "mae", "count", "unknown", "seconds"});
    std::int64_t count = 0, unknown = 0;
    for (const auto& f : cv.folds) {
      out->row({Cell{std::int64_t{f.fold}}, Cell{f.rmse}, Cell{f.mae}, Cell{static_cast<std::int64_t>(f.count)},
                Cell{static_cast<std::int64_t>(f.unknown)}, Cell{f.seconds}});
      count += static_cast<std::int64_t>(f.count);
      unknown += static_cast<std::int64_t>(f.unknown);
    }
    out->row({Cell{std::string("mean")}, Cell{cv.rmse_mean}, Cell{cv.mae_mean}, Cell{count}, Cell{unknown},
              Cell{scored.front().seconds}});
    out->row({Cell{std::string("std")}, Cell{cv.rmse_std}, Cell{cv.mae_std}, Cell{std::string()}, Cell{std::string()},
              Cell{std::string()}});
  } else {
    std::stable_sort(scored.begin(), scored.end(),
                     [](const Scored& x, const Scored& y) { return x.cv.rmse_mean < y.cv.rmse_mean; });
    out->header({"rank", "k", "lambda", "lr", "epochs", "lr_decay", "lambda_bias", "rmse_mean", "rmse_std", "mae_mean",
                 "mae_std", "seconds"});
    std::int64_t rank = 0;
    for (const auto& s : scored) {
      const TrainOptions& o = s.options;
      out->row({Cell{++rank}, Cell{std::int64_t{o.factors}}, Cell{o.lambda}, Cell{o.lr}, Cell{std::int64_t{o.epochs}},
                Cell{o.lr_decay}, Cell{o.bias_lambda()}, Cell{s.cv.rmse_mean}, Cell{s.cv.rmse_std}, Cell{s.cv.mae_mean},
                Cell{s.cv.mae_std}, Cell{s.seconds}});
    }
  }
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_cv(CLI::App& app) {
  auto a = std::make_shared<CvArgs>();
  CLI::App* cmd = app.add_subcommand("cv", "k-fold cross-validation, optionally over a grid of settings");
  cmd->add_option("RATINGS", a->ratings, "ratings file (wide or long layout), or - for stdin")->required();
  add_output_options(*cmd, a->shared);
  cmd->add_flag("-q,--quiet", a->shared.quiet, "print nothing on stderr but errors");
  add_read_options(*cmd, a->read);
  add_train_flags(*cmd, a->flags);
  cmd->add_option("--folds", a->folds, "number of folds")->check(CLI::Range(2u, 1000u))->capture_default_str();
  cmd->add_option("--grid", a->grid, "NAME=V1,V2,… to try (k, lambda, lr, epochs, lr_decay, lambda_bias); repeatable");
  cmd->add_option("--fold-seed", a->fold_seed, "seed of the folds (default: --seed)");
  return [a] { run_cv(*a); };
}

}  // namespace mfrec::cli
