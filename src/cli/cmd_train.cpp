// mfrec train RATINGS: read, train, save atomically, log every epoch on stderr.
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "mfrec/io/atomic_file.hpp"
#include "mfrec/io/item_names.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/train/trainer.hpp"
#include "mfrec/train/warm_start.hpp"
#include "interrupt.hpp"
#include "mpi_session.hpp"
#include "output.hpp"
#include "plot.hpp"
#include "progress.hpp"
#include "rank_agreement.hpp"
#include "train_flags.hpp"

namespace mfrec::cli {

namespace {

struct TrainArgs {
  SharedOptions shared;
  ReadFlags read;
  std::string ratings;
  TrainOptions options;
  std::string validation;  // FRAC or PATH
  std::uint32_t log_every = 1;
  std::string log_file;
  std::string plot;  // an SVG chart of the epochs
  std::string item_names;  // --item-names: a CSV of item id and title
  std::string init;        // --init MODEL: a warm start from it
  bool replay = false;     // --replay: train on the ratings MODEL kept too
  bool save_on_interrupt = false;
};

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Per-epoch metrics for plotting: CSV, or JSON Lines for a .jsonl path.
class EpochLog {
 public:
  explicit EpochLog(const std::string& path) : sink_(path) {
    const bool jsonl = path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
    writer_ = make_writer(jsonl ? Format::Jsonl : Format::Csv, sink_);
    writer_->header({"epoch", "objective", "train_rmse", "validation_rmse", "validation_mae", "seconds", "sgd_seconds"});
  }
  void add(const EpochReport& r) {
    writer_->row({Cell{std::int64_t{r.epoch}}, Cell{r.objective}, Cell{r.train_rmse}, Cell{r.validation_rmse},
                  Cell{r.validation_mae}, Cell{r.seconds}, Cell{r.sgd_seconds}});
  }
  void commit() {
    writer_->finish();
    sink_.commit();
  }

 private:
  Sink sink_;
  std::unique_ptr<RecordWriter> writer_;
};

// --validation FRAC sets the option; --validation PATH returns the file's
// Dataset to fill once the ratings are read (a number that names an
// existing file is the file).
std::unique_ptr<Dataset> resolve_validation(const std::string& flag, TrainOptions& options) {
  if (flag.empty()) {
    if (options.early_stop > 0) throw Error(ErrorKind::Usage, "--early-stop needs --validation");
    return nullptr;
  }
  const auto fraction = parse_number(flag);
  if (!fraction || file_exists(flag)) return std::make_unique<Dataset>();
  if (!(*fraction > 0.0)) throw Error(ErrorKind::Usage, "--validation " + flag + ": a fraction must be above 0");
  set_option(options, "validation", *fraction);
  return nullptr;
}

// An implicit model has no rating error: its lines leave train_rmse out.
std::string epoch_line(const EpochReport& r) {
  std::string line = fmt::format("epoch {:>{}}/{}  objective {:.4f}", r.epoch, fmt::formatted_size("{}", r.epochs),
                                 r.epochs, r.objective);
  if (!std::isnan(r.train_rmse)) line += fmt::format("  train_rmse {:.4f}", r.train_rmse);
  if (!std::isnan(r.validation_rmse))
    line += fmt::format("  validation_rmse {:.4f}  validation_mae {:.4f}", r.validation_rmse, r.validation_mae);
  line += fmt::format("  {:.3f} s", r.seconds);
  // Across ranks (mpirun -np N), what this rank sent; never alone.
  if (r.bytes_sent > 0) line += fmt::format("  sent {:.1f} MB", static_cast<double>(r.bytes_sent) / 1e6);
  return line;
}

std::string summary_line(const Model& model, double train_seconds) {
  const TrainSummary& s = model.summary;
  if (model.implicit())
    return fmt::format("mfrec: trained {} ALS iterations on {} interactions in {:.2f} s: objective {:.6g}",
                       s.epochs_run, model.train_ratings, train_seconds, s.train_objective);
  std::string line = fmt::format("mfrec: trained {} epochs on {} ratings in {:.2f} s: train RMSE {:.4f}", s.epochs_run,
                                 model.train_ratings, train_seconds, s.train_rmse);
  if (s.validation_rmse >= 0)
    line += fmt::format(", validation RMSE {:.4f} (MAE {:.4f}, {} ratings)", s.validation_rmse, s.validation_mae,
                        s.validation_count);
  if (s.best_epoch != s.epochs_run) line += fmt::format("; kept epoch {}", s.best_epoch);
  if (s.converged)
    line += fmt::format("; stopped: the last epoch lowered the objective by less than --tol {} of its fall since "
                        "epoch 2",
                        model.options.tol);
  return line;
}

// What the reader took as the header and the columns, so that a first row
// read as a header (or not) is never a surprise: "header row, user = column 1
// (userId), item = column 2 (movieId), rating = column 3 (rating)".
std::string columns_read(const ReadReport& r) {
  const auto column = [](std::size_t c, const std::string& name) {
    return name.empty() ? fmt::format("column {}", c + 1) : fmt::format("column {} ({})", c + 1, name);
  };
  std::string text = r.header ? "header row" : "no header row";
  text += ", user = " + column(r.user_column, r.user_name);
  if (r.layout == Layout::Long) {
    text += ", item = " + column(r.item_column, r.item_name);
    if (r.rating_column == ReadReport::kNoColumn) return text + ", each row counts 1";
    return text + ", rating = " + column(r.rating_column, r.rating_name);
  }
  const std::string items = r.items == 1 ? fmt::format("column {}", r.item_column + 1)
                                         : fmt::format("columns {}-{}", r.item_column + 1, r.item_column + r.items);
  return text + ", items = " + items + (r.header ? " (named by the header)" : " (named by number)");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Where each epoch's report goes: the --log-file, the --plot points, and
// stderr (one status line redrawn in place on a terminal, whose last epoch
// stays; otherwise every --log-every-th epoch as a line). Under mpirun only
// rank 0's `speaks`: the others' outputs say and write nothing.
class EpochOutputs {
 public:
  EpochOutputs(const TrainArgs& a, bool speaks)
      : args_(a), quiet_(a.shared.quiet || !speaks), status_(stderr, !quiet_ && stderr_is_terminal()) {
    // Created before training, so a bad path fails before a long run.
    if (speaks && !a.log_file.empty()) log_ = std::make_unique<EpochLog>(a.log_file);
    if (speaks && !a.plot.empty()) plot_ = std::make_unique<Sink>(a.plot);
  }
  StatusLine& status() { return status_; }
  // The ETA counts from here.
  void training_starts() { train_start_ = std::chrono::steady_clock::now(); }

  void add(const EpochReport& r) {
    if (log_) log_->add(r);
    if (plot_) points_.push_back({double(r.epoch), r.objective, r.train_rmse, r.validation_rmse});
    if (status_.enabled()) {
      status_.show(epoch_progress_text(r, seconds_since(train_start_)));
      last_ = r;
      return;
    }
    if (quiet_ || (r.epoch != 1 && r.epoch != r.epochs && r.epoch % args_.log_every != 0)) return;
    log_line(epoch_line(r));
  }
  // Training is over: the status line gives way to the last epoch's line.
  void end_status() {
    if (!last_) return;
    status_.clear();
    log_line(epoch_line(*last_));
  }
  void commit(const std::string& source) {
    if (log_) log_->commit();
    if (plot_) {
      plot_->write(render_training_plot(points_, "mfrec train " + source));
      plot_->commit();
    }
  }

 private:
  const TrainArgs& args_;
  bool quiet_;
  StatusLine status_;
  std::chrono::steady_clock::time_point train_start_ = std::chrono::steady_clock::now();
  std::unique_ptr<EpochLog> log_;
  std::unique_ptr<Sink> plot_;
  std::vector<EpochPoint> points_;
  std::optional<EpochReport> last_;
};

void log_read(const Dataset& data, const ReadReport& report, Objective objective, double seconds) {
  log_line(fmt::format("mfrec: read {} {} ({} users, {} items) from {}: {} layout, {} separated, {}, {:.2f} s",
                       data.ratings.size(), objective == Objective::Implicit ? "interactions" : "ratings",
                       data.users.size(), data.items.size(), data.source,
                       layout_name(report.layout), delimiter_name(report.delimiter), columns_read(report), seconds));
  for (const auto& note : report.notes) log_line("mfrec: note: " + note);
}

// The titles of the items read, from --item-names, said on stderr: how many
// items got one and how many ids of the file were not in the ratings.
ItemTitles read_titles(CsvRowReader file, const IdMap& items, bool quiet) {
  const std::string name = file.name();
  ItemTitles titles = read_item_titles(std::move(file), items);
  if (!quiet)
    log_line(fmt::format("mfrec: titles for {} of {} items from {}; {} id(s) not in the ratings ignored", titles.titled,
                         items.size(), name, titles.unknown_ids));
  return titles;
}

// --init MODEL, read before the flags are resolved: its options are the
// defaults of every flag not given, except --early-stop, which belongs to
// this run's validation as --validation does.
std::optional<Model> read_init_model(const std::string& path, TrainOptions& inherited) {
  if (path.empty()) return std::nullopt;
  Model init = load_model(path);
  inherited = init.options;
  inherited.early_stop = 0;
  return init;
}

// How much of the data a warm start's model knows, said on stderr.
void log_warm_start(const Model& init, const std::string& path, const Dataset& data) {
  const auto known = [](const IdMap& model_ids, const IdMap& data_ids) {
    std::uint32_t n = 0;
    for (std::uint32_t i = 0; i < data_ids.size(); ++i) n += model_ids.find(data_ids.name(i)).has_value();
    return n;
  };
  log_line(fmt::format("mfrec: starting from {} (k = {}): it knows {} of the {} users and {} of the {} items read; "
                       "it has {} users and {} items",
                       path, init.k(), known(init.users, data.users), data.users.size(),
                       known(init.items, data.items), data.items.size(), init.users.size(), init.items.size()));
  // ALS fits every user-item pair of the data: interactions the model saw
  // but the file lacks count as none (README "Warm start" measures it).
  if (init.implicit())
    log_line("mfrec: note: an implicit model learns from every user-item pair: give it all the interactions "
             "(old and new), not today's alone");
}

// The titles from --item-names win; an item the file does not name keeps
// the title a warm start's model gave it.
void apply_titles(Model& model, std::vector<std::string> titles) {
  if (titles.empty()) return;
  if (!model.has_titles()) {
    model.item_titles = std::move(titles);
    return;
  }
  for (std::size_t i = 0; i < titles.size(); ++i)
    if (!titles[i].empty()) model.item_titles[i] = std::move(titles[i]);
}

void run_train(TrainArgs& a, const Model* init) {
  const auto start = std::chrono::steady_clock::now();
  // Under a launcher this joins the MPI run (before our signal handlers, so
  // that they win); rank 0 speaks and writes for every rank.
  const dist::Cluster& cluster = ranks();
  const bool speaks = cluster.rank() == 0;
  TrainOptions options = a.options;
  if (options.threads == 0) options.threads = default_threads();  // never changes the model
  if (options.objective == Objective::Implicit && !a.validation.empty())
    throw Error(ErrorKind::Usage,
                "--validation measures rating error, which --objective implicit does not learn; "
                "score an implicit model with `mfrec evaluate` on held-out interactions");
  std::unique_ptr<Dataset> validation_file = resolve_validation(a.validation, options);
  options.validate();
  if (a.replay && !init) throw Error(ErrorKind::Usage, "--replay needs --init MODEL");
  if (init) check_warm_start(*init, options, a.replay);  // before a long read
  ReadOptions read_options = a.read.resolve();
  read_options.threads = options.threads;
  read_options.interactions = options.objective == Objective::Implicit;
  install_interrupt_handlers();

  // Create the outputs first, so a bad path fails before a long training
  // (on every rank: agree_on).
  const std::string model_path = resolve_model_path(a.shared.model);
  std::optional<AtomicFile> model_file;
  std::optional<EpochOutputs> outputs;
  std::optional<CsvRowReader> titles_file;  // opened first too, read once the items are known
  agree_on(cluster, [&] {
    if (speaks) model_file.emplace(model_path);
    outputs.emplace(a, speaks);
    if (!a.item_names.empty()) titles_file = CsvRowReader::open_file(a.item_names, kSniffDelimiter);
  });
  const bool quiet = a.shared.quiet || !speaks;
  ReadReport report;
  Dataset data;
  agree_on(cluster, [&] {
    // Each rank parses its share of the file; every rank gets the whole Dataset.
    data = read_ratings_showing(a.ratings, read_options, &report, outputs->status(), &cluster);
    if (validation_file)
      *validation_file = read_ratings_showing(a.validation, read_options, nullptr, outputs->status(), &cluster);
  });
  if (!quiet) log_read(data, report, options.objective, seconds_since(start));
  if (init && !quiet) log_warm_start(*init, a.init, data);
  ItemTitles titles;
  agree_on(cluster, [&] {
    if (!titles_file) return;
    // A warm start's model has the --init model's items first, then the new.
    const IdMap warm_items = init ? merged_ids(init->items, data.items) : IdMap();
    titles = read_titles(std::move(*titles_file), init ? warm_items : data.items, quiet);
  });

  const auto train_start = std::chrono::steady_clock::now();
  outputs->training_starts();
  const std::string data_source = data.source;  // train() takes `data` over
  // train() takes the ratings over, so they are never held twice.
  TrainInput input{nullptr, validation_file.get(), &interrupt_requested(), a.save_on_interrupt, &data, init, a.replay};
  if (cluster.size() > 1) input.cluster = &cluster;
  Model model = train(input, options, [&](const EpochReport& r) { outputs->add(r); });
  apply_titles(model, std::move(titles.titles));  // train() keeps the items' order
  outputs->end_status();
  if (interrupt_requested() && !quiet)
    log_line(fmt::format("mfrec: interrupted in epoch {}; saving the model as it is (--save-on-interrupt)",
                         model.summary.epochs_run));
  const double train_seconds = seconds_since(train_start);

  // Rank 0 writes; a failure there is every rank's exit code.
  std::uint64_t model_bytes = 0;
  agree_on(cluster, [&] {
    if (!speaks) return;
    model_bytes = write_model(model, *model_file);
    model_file->commit();
    outputs->commit(data_source);
  });
  if (!quiet) {
    log_line(summary_line(model, train_seconds));
    log_line(fmt::format("mfrec: wrote {} ({}) in {:.2f} s total", model_path, human_bytes(model_bytes),
                         seconds_since(start)));
  }
}

}  // namespace

Runner register_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "learn a model from a ratings CSV and save it");
  cmd->add_option("RATINGS", a->ratings, "ratings file (wide or long layout), or - for stdin")->required();
  add_model_options(*cmd, a->shared);
  add_read_options(*cmd, a->read);
  add_train_flags(*cmd, a->options, /*for_train=*/true);
  cmd->add_option("--validation", a->validation, "hold out a seeded fraction (e.g. 0.2) or read a file, report its RMSE (default: none)");
  cmd->add_option("--log-every", a->log_every, "print every Nth epoch (the first and last always)")
      ->check(whole_range(1, 1000000000u));
  cmd->add_flag("--save-on-interrupt", a->save_on_interrupt,
                "on SIGINT/SIGTERM, save the model as it is instead of writing nothing");
  cmd->add_option("--log-file", a->log_file, "per-epoch metrics as CSV, or JSON Lines for a .jsonl path (default: none)");
  cmd->add_option("--item-names", a->item_names,
                  "a CSV/TSV of item id and title (a `title` or `name` column, else the second) to store in the model "
                  "(default: none)");
  cmd->add_option("--init", a->init,
                  "start from this model instead of random factors (a warm start): its users and items keep their "
                  "factors, new ones are added; its settings are the defaults (default: none)");
  cmd->add_flag("--replay", a->replay,
                "with --init: train on the ratings MODEL kept as well (those RATINGS lacks), so that new ratings alone "
                "do not make it forget the old");
  cmd->add_option("--plot", a->plot, "an SVG chart of the objective, train and validation RMSE per epoch (default: none)");
  cmd->footer(
      "Examples:\n"
      "  mfrec train data/music.csv -m music.model\n"
      "  mfrec train ratings.csv -k 64 --epochs 30 --validation 0.1 --early-stop 3\n"
      "  mfrec train day2.csv --init day1.model -e 5 -m day2.model    (yesterday's model, today's ratings)");
  return [a, cmd] {
    TrainOptions inherited;
    const std::optional<Model> init = read_init_model(a->init, inherited);
    resolve_objective(*cmd, a->options, init ? &inherited : nullptr);
    run_train(*a, init ? &*init : nullptr);
  };
}

}  // namespace mfrec::cli
