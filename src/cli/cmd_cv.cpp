// mfrec cv RATINGS: seeded k-fold cross-validation, optionally over a grid of
// hyperparameters, best setting first. The grid and its ranking are the
// core's (mfrec/train/grid_search.hpp); this file parses and prints.
#include <fmt/format.h>
#include <fmt/ranges.h>
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

// One setting, no grid: a row per fold, then the mean and the sample
// standard deviation of every numeric column. The std of the counts and of
// the seconds says nothing useful, so those cells are null.
void write_folds(RecordWriter& out, const GridResult& result) {
  const CrossValidation& cv = result.cv;
  out.header({"fold", "rmse", "mae", "count", "unknown", "seconds"});
  double count = 0, unknown = 0, seconds = 0;
  for (const auto& f : cv.folds) {
    out.row({Cell{std::int64_t{f.fold}}, Cell{f.rmse}, Cell{f.mae}, Cell{static_cast<std::int64_t>(f.count)},
             Cell{static_cast<std::int64_t>(f.unknown)}, Cell{f.seconds}});
    count += static_cast<double>(f.count);
    unknown += static_cast<double>(f.unknown);
    seconds += f.seconds;
  }
  const auto n = static_cast<double>(cv.folds.size());
  out.row({Cell{std::string("mean")}, Cell{cv.rmse_mean}, Cell{cv.mae_mean}, Cell{count / n}, Cell{unknown / n},
           Cell{seconds / n}});
  out.row({Cell{std::string("std")}, Cell{cv.rmse_std}, Cell{cv.mae_std}, kNull, kNull, kNull});
}

// A grid: a row per setting, best first, with every grid option's value.
void write_ranking(RecordWriter& out, const std::vector<GridResult>& results) {
  std::vector<std::string> names;
  for (const auto& name : grid_option_names())
    if (applies(*find_option(name), results.front().options.objective)) names.push_back(name);
  std::vector<std::string> header{"rank"};
  header.insert(header.end(), names.begin(), names.end());
  for (const char* column : {"rmse_mean", "rmse_std", "mae_mean", "mae_std", "seconds"}) header.emplace_back(column);
  out.header(header);
  std::int64_t rank = 0;
  for (const auto& r : results) {
    std::vector<Cell> row;
    row.emplace_back(++rank);
    for (const auto& name : names) row.push_back(option_cell(r.options, name));
    for (double x : {r.cv.rmse_mean, r.cv.rmse_std, r.cv.mae_mean, r.cv.mae_std, r.seconds}) row.emplace_back(std::in_place_type<double>, x);
    out.row(row);
  }
}

void run_cv(const CvArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  a.options.validate();
  std::vector<GridAxis> axes;
  for (const auto& g : a.grid) axes.push_back(parse_grid_axis(g));
  const std::vector<TrainOptions> settings = expand_grid(a.options, axes);
  StatusLine status(stderr, !a.shared.quiet && stderr_is_terminal());
  const Dataset data = read_ratings_showing(a.ratings, a.read.resolve(), nullptr, status);

  auto label = [&](std::size_t n) {
    return axes.empty() ? std::string() : fmt::format("[{}/{}] {}  ", n + 1, settings.size(), describe(settings[n]));
  };
  GridProgress progress;
  if (!a.shared.quiet) {
    progress.fold = [&](std::size_t n, const FoldResult& f) {
      log_line(fmt::format("{}fold {}/{}  rmse {:.4f}  mae {:.4f}  {:.2f} s", label(n), f.fold, a.folds, f.rmse, f.mae,
                           f.seconds));
    };
    if (!axes.empty())
      progress.setting = [&](std::size_t n, const GridResult& r) {
        log_line(fmt::format("{}rmse {:.4f} ± {:.4f}", label(n), r.cv.rmse_mean, r.cv.rmse_std));
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
    apply_objective_defaults(*cmd, a->options);
    check_objective_flags(*cmd, a->options);
    if (a->options.objective == Objective::Implicit)
      throw Error(ErrorKind::Usage,
                  "cv scores rating error, which --objective implicit does not learn; score an implicit model with "
                  "`mfrec evaluate` on held-out interactions");
    run_cv(*a);
  };
}

}  // namespace mfrec::cli
