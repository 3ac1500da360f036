// mfrec cv RATINGS: seeded k-fold cross-validation, optionally over a grid of
// hyperparameters, best setting first. The grid and its ranking are the
// core's (mfrec/train/grid_search.hpp); this file parses and prints.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/train/grid_search.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "train_flags.hpp"

namespace mfrec::cli {

namespace {

struct CvArgs {
  SharedOptions shared;
  ReadFlags read;
  TrainOptions options;
  std::string ratings;
  std::uint32_t folds = 5;
  std::vector<std::string> grid;
  std::optional<std::uint64_t> fold_seed;
};

std::string describe(const TrainOptions& o) {
  return fmt::format("k={} lambda={} lr={} epochs={}", o.factors, o.lambda, o.lr, o.epochs);
}

// What cv reports for a model of `objective`: the rating error, or for an
// implicit model the ranking at kCvRankingK (its scores are not ratings).
struct Score {
  std::string name;
  double FoldResult::*fold;
  double CrossValidation::*mean;
  double CrossValidation::*sd;
};

std::vector<Score> scores(Objective objective) {
  using CV = CrossValidation;
  if (objective == Objective::Implicit) {
    const std::string at = fmt::format("@{}", kCvRankingK);
    return {{"ndcg" + at, &FoldResult::ndcg, &CV::ndcg_mean, &CV::ndcg_std},
            {"precision" + at, &FoldResult::precision, &CV::precision_mean, &CV::precision_std},
            {"recall" + at, &FoldResult::recall, &CV::recall_mean, &CV::recall_std}};
  }
  return {{"rmse", &FoldResult::rmse, &CV::rmse_mean, &CV::rmse_std},
          {"mae", &FoldResult::mae, &CV::mae_mean, &CV::mae_std}};
}

Cell number(double x) { return std::isnan(x) ? kNull : Cell{x}; }

// One setting, no grid: a row per fold, then the mean and the sample
// standard deviation of every numeric column. The std of the counts and of
// the seconds says nothing useful, so those cells are null.
void write_folds(RecordWriter& out, const GridResult& result) {
  const CrossValidation& cv = result.cv;
  const std::vector<Score> columns = scores(result.options.objective);
  std::vector<std::string> header{"fold"};
  for (const Score& s : columns) header.push_back(s.name);
  for (const char* column : {"count", "unknown", "seconds"}) header.emplace_back(column);
  out.header(header);
  double count = 0, unknown = 0, seconds = 0;
  for (const auto& f : cv.folds) {
    std::vector<Cell> row{Cell{std::int64_t{f.fold}}};
    for (const Score& s : columns) row.push_back(number(f.*s.fold));
    row.insert(row.end(), {Cell{static_cast<std::int64_t>(f.count)}, Cell{static_cast<std::int64_t>(f.unknown)},
                           Cell{f.seconds}});
    out.row(row);
    count += static_cast<double>(f.count);
    unknown += static_cast<double>(f.unknown);
    seconds += f.seconds;
  }
  const auto n = static_cast<double>(cv.folds.size());
  std::vector<Cell> mean{Cell{std::string("mean")}}, sd{Cell{std::string("std")}};
  for (const Score& s : columns) {
    mean.push_back(number(cv.*s.mean));
    sd.push_back(number(cv.*s.sd));
  }
  mean.insert(mean.end(), {Cell{count / n}, Cell{unknown / n}, Cell{seconds / n}});
  sd.insert(sd.end(), {kNull, kNull, kNull});
  out.row(mean);
  out.row(sd);
}

// A grid: a row per setting, best first, with every grid option's value.
void write_ranking(RecordWriter& out, const std::vector<GridResult>& results) {
  const Objective objective = results.front().options.objective;
  std::vector<std::string> names;
  for (const auto& name : grid_option_names())
    if (applies(*find_option(name), results.front().options)) names.push_back(name);
  const std::vector<Score> columns = scores(objective);
  std::vector<std::string> header{"rank"};
  header.insert(header.end(), names.begin(), names.end());
  for (const Score& s : columns) {
    header.push_back(s.name + "_mean");
    header.push_back(s.name + "_std");
  }
  header.emplace_back("seconds");
  out.header(header);
  std::int64_t rank = 0;
  for (const auto& r : results) {
    std::vector<Cell> row;
    row.emplace_back(++rank);
    for (const auto& name : names) row.push_back(option_cell(r.options, name));
    for (const Score& s : columns) {
      row.push_back(number(r.cv.*s.mean));
      row.push_back(number(r.cv.*s.sd));
    }
    row.emplace_back(std::in_place_type<double>, r.seconds);
    out.row(row);
  }
}

// "rmse 0.8412  mae 0.6431" or "ndcg@10 0.2958  precision@10 …".
std::string fold_scores(const FoldResult& f, Objective objective) {
  std::string text;
  for (const Score& s : scores(objective)) text += fmt::format("  {} {:.4f}", s.name, f.*s.fold);
  return text;
}

void run_cv(const CvArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  a.options.validate();
  std::vector<GridAxis> axes;
  for (const auto& g : a.grid) axes.push_back(parse_grid_axis(g));
  const std::vector<TrainOptions> settings = expand_grid(a.options, axes);
  StatusLine status(stderr, !a.shared.quiet && stderr_is_terminal());
  ReadOptions read_options = a.read.resolve();
  read_options.interactions = a.options.objective == Objective::Implicit;
  const Dataset data = read_ratings_showing(a.ratings, read_options, nullptr, status);
  const Score first = scores(a.options.objective).front();

  auto label = [&](std::size_t n) {
    return axes.empty() ? std::string() : fmt::format("[{}/{}] {}  ", n + 1, settings.size(), describe(settings[n]));
  };
  GridProgress progress;
  if (!a.shared.quiet) {
    progress.fold = [&](std::size_t n, const FoldResult& f) {
      log_line(fmt::format("{}fold {}/{}{}  {:.2f} s", label(n), f.fold, a.folds, fold_scores(f, a.options.objective),
                           f.seconds));
    };
    if (!axes.empty())
      progress.setting = [&](std::size_t n, const GridResult& r) {
        log_line(fmt::format("{}{} {:.4f} ± {:.4f}", label(n), first.name, r.cv.*first.mean, r.cv.*first.sd));
      };
  }
  const std::vector<GridResult> results =
      grid_search(data, settings, a.folds, a.fold_seed.value_or(a.options.seed), progress);

  Sink sink(a.shared.output);
  auto out = make_result_writer(format, sink, a.shared.max_rows);
  if (axes.empty()) write_folds(*out, results.front());
  else write_ranking(*out, results);
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
  add_train_flags(*cmd, a->options, /*for_train=*/false);
  cmd->add_option("--folds", a->folds, "number of folds")->check(whole_range(2, 1000));
  cmd->add_option("--grid", a->grid,
                  "NAME=V1,V2,… to try (" + fmt::format("{}", fmt::join(grid_option_names(), ", ")) + "); repeatable (default: one setting)");
  cmd->add_option("--fold-seed", a->fold_seed, "seed of the folds (default: --seed)");
  cmd->footer(
      "Examples:\n"
      "  mfrec cv data/music.csv --folds 3\n"
      "  mfrec cv ratings.csv --grid k=16,64 --grid lambda=0.02,0.1 -f table");
  return [a, cmd] {
    resolve_objective(*cmd, a->options);
    run_cv(*a);
  };
}

}  // namespace mfrec::cli
