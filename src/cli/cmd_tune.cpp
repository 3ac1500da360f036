// mfrec tune RATINGS: a seeded search of k, λ, α and epochs by k-fold
// cross-validation with successive halving (the core's
// mfrec/train/tune.hpp); prints the best setting as setting,value rows and,
// with -m, trains it on all the ratings. This file parses and prints.
#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include <chrono>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "interrupt.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/atomic_file.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/train/trainer.hpp"
#include "mfrec/train/tune.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "train_flags.hpp"

namespace mfrec::cli {

namespace {

struct TuneArgs {
  SharedOptions shared;  // -m is the final model's path; empty: none
  ReadFlags read;
  TrainOptions options;
  std::string ratings;
  std::uint32_t trials = 16;
  std::uint32_t folds = 5;
};

// What tune ranks by: the CV RMSE, or for an implicit model (whose scores
// are not ratings) NDCG at kCvRankingK, as cv does.
std::string score_name(Objective objective) {
  return objective == Objective::Implicit ? fmt::format("ndcg@{}", kCvRankingK) : "rmse";
}
double score(const CrossValidation& cv, Objective objective) {
  return objective == Objective::Implicit ? cv.ndcg_mean : cv.rmse_mean;
}

// "k=64 lambda=0.031 lr=0.0071": the searched options but epochs, which
// the rung says.
std::string describe(const TrainOptions& o, const std::vector<std::string>& searched) {
  std::string text;
  for (const auto& name : searched)
    if (name != "epochs") text += fmt::format("{}{}={}", text.empty() ? "" : " ", name, *option_value(o, name));
  return text;
}

// One option of `o` as flags users type: a switch as its flag alone
// ("--no-bias"), a choice by name ("--optimizer sgd"), a number by value.
std::string flag_text(const TrainOptions& o, std::string_view name) {
  std::string text;
  for_each_option(o, [&](const OptionSpec& spec, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    if (spec.name != name) return;
    const std::string flag = first_flag(spec);
    if constexpr (std::is_same_v<T, bool>) text = flag;
    else if constexpr (std::is_enum_v<T>) text = flag + " " + std::string(ChoiceNames<T>::names[static_cast<std::size_t>(field)]);
    else text = fmt::format("{} {}", flag, *option_value(o, name));
  });
  return text;
}

// "--optimizer sgd -k 64 --lambda 0.1 --lr 0.02 -e 20": the flags the
// command was given (but --threads) and the setting found, ready to paste
// into train or cv.
std::string flags_text(const TrainOptions& o, const std::vector<std::string>& given,
                       const std::vector<std::string>& searched) {
  std::string text;
  const auto add = [&](std::string_view name) { text += (text.empty() ? "" : " ") + flag_text(o, name); };
  for (const auto& name : given)
    if (name != "threads" && std::find(searched.begin(), searched.end(), name) == searched.end()) add(name);
  for (const auto& name : searched) add(name);
  return text;
}

// Trial 0 is the command's own setting, the others are drawn.
std::string trial_name(std::size_t trial, std::uint32_t trials) {
  return trial == 0 ? std::string("your setting") : fmt::format("trial {}/{}", trial, trials);
}

// One stderr line per trial and per rung.
TuneProgress progress_lines(const TuneArgs& a, const std::vector<std::string>& searched) {
  const std::vector<Rung> rungs = rung_schedule(a.trials, a.options.epochs);
  const Objective objective = a.options.objective;
  TuneProgress progress;
  progress.record = [=](const TuneRecord& r) {
    const std::string result =
        r.diverged ? "diverged" : fmt::format("{} {:.4f}", score_name(objective), score(r.cv, objective));
    log_line(fmt::format("[rung {}/{}, {} epochs] {}  {}  {}  {:.2f} s", r.rung + 1, rungs.size(),
                         rungs[r.rung].epochs, trial_name(r.trial, a.trials), describe(r.options, searched), result,
                         r.seconds));
  };
  progress.rung = [=](std::size_t rung, const std::vector<TuneRecord>& ranked) {
    std::string line = fmt::format("rung {}/{} done, best: {} ({} {:.4f})", rung + 1, rungs.size(),
                                   trial_name(ranked.front().trial, a.trials), score_name(objective),
                                   score(ranked.front().cv, objective));
    if (rung + 1 < rungs.size())
      line += fmt::format("; {} of {} go on to {} epochs", rungs[rung + 1].trials, ranked.size(),
                          rungs[rung + 1].epochs);
    log_line(line);
  };
  return progress;
}

void write_result(RecordWriter& out, const TuneResult& result, const std::vector<std::string>& given) {
  const TrainOptions& best = result.records[result.best].options;
  out.header({"setting", "value"});
  for (const auto& name : result.searched) out.row({Cell{name}, option_cell(best, name)});
  const CrossValidation& cv = result.records[result.best].cv;
  out.row({Cell{"cv_" + score_name(best.objective)}, Cell{score(cv, best.objective)}});
  out.row({Cell{std::string("flags")}, Cell{flags_text(best, given, result.searched)}});
}

// The best setting trained on all of `data` (which it takes over), saved
// as `train` saves a model.
void train_final_model(Dataset& data, const TrainOptions& options, AtomicFile& file, const TuneArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  Model model;
  try {
    model = train(TrainInput{nullptr, nullptr, &interrupt_requested(), false, &data}, options);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Interrupted) throw;
    throw Error(ErrorKind::Interrupted, "tune interrupted while training the final model; no model written");
  }
  const std::uint64_t bytes = write_model(model, file);
  file.commit();
  if (!a.shared.quiet)
    log_line(fmt::format("mfrec: trained the best setting on {} ratings and wrote {} ({}) in {:.2f} s",
                         model.train_ratings, a.shared.model, human_bytes(bytes),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
}

void run_tune(const TuneArgs& a, const std::vector<std::string>& given) {
  const std::optional<Format> format = parse_format(a.shared.format);
  a.options.validate();
  const TuneOptions tune_options{a.trials, a.folds, a.options.seed, given, &interrupt_requested()};
  const std::vector<std::string> searched = searched_options(a.options, given);
  install_interrupt_handlers();
  // The outputs first, so that a bad path fails before a long search.
  std::unique_ptr<AtomicFile> model_file;
  if (!a.shared.model.empty()) model_file = std::make_unique<AtomicFile>(a.shared.model);
  Sink sink(a.shared.output);

  StatusLine status(stderr, !a.shared.quiet && stderr_is_terminal());
  ReadOptions read_options = a.read.resolve();
  read_options.threads = a.options.threads;
  read_options.interactions = a.options.objective == Objective::Implicit;
  Dataset data = read_ratings_showing(a.ratings, read_options, nullptr, status);
  const TuneResult result = tune(data, a.options, tune_options, a.shared.quiet ? TuneProgress{} : progress_lines(a, searched));
  if (model_file) train_final_model(data, result.records[result.best].options, *model_file, a);

  auto out = make_result_writer(format, sink, a.shared.max_rows);
  write_result(*out, result, given);
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_tune(CLI::App& app) {
  auto a = std::make_shared<TuneArgs>();
  CLI::App* cmd = app.add_subcommand("tune", "search k, lambda, lr and epochs by cross-validation; print the best flags");
  cmd->add_option("RATINGS", a->ratings, "ratings file (wide or long layout), or - for stdin")->required();
  add_output_options(*cmd, a->shared);
  cmd->add_flag("-q,--quiet", a->shared.quiet, "print nothing on stderr but errors");
  add_read_options(*cmd, a->read);
  add_train_flags(*cmd, a->options, /*for_train=*/false);
  cmd->add_option("--trials", a->trials, "settings to draw around yours (the defaults and the flags given) and cross-validate, the best "
                  "third of each rung going on; yours is scored at the full epochs too")
      ->check(whole_range(1, 100000));
  cmd->add_option("--folds", a->folds, "number of folds")->check(whole_range(2, 1000));
  cmd->add_option("-m,--model", a->shared.model,
                  "train the best setting on all of RATINGS and write the model here (default: none)");
  cmd->footer(
      "A training flag given (-k 32, -e 40, --no-bias, --objective implicit) is the same for every trial and not "
      "searched (with -e, the lower rungs still train fewer epochs to prune). --seed draws the trials and picks the "
      "folds.\n\n"
      "Examples:\n"
      "  mfrec tune data/music.csv --trials 9 --folds 3\n"
      "  mfrec tune ratings.csv -m best.model\n"
      "  mfrec tune ratings.csv -k 64 --trials 32 -f table");
  return [a, cmd] {
    resolve_objective(*cmd, a->options);
    run_tune(*a, given_options(*cmd));
  };
}

}  // namespace mfrec::cli
