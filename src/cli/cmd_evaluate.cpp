// mfrec evaluate TEST: rating error and ranking quality on held-out ratings.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "mfrec/query/evaluate.hpp"
#include "mfrec/train/train_options.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "model_access.hpp"
#include "output.hpp"
#include "progress.hpp"

namespace mfrec::cli {

namespace {

struct EvaluateArgs {
  SharedOptions shared;
  ReadFlags read;
  EvaluateOptions options;  // --k, --relevant, --threads
  std::string test;
};

// The ranking metrics are means over the ranked users: with none, they are
// undefined (null), not 0. So is an implicit model's rating error. Each
// ranking metric is followed by the most-popular list's ("_popular").
void write_metrics(const Evaluation& e, std::size_t k, RecordWriter& out) {
  out.header({"metric", "value"});
  auto row = [&](const std::string& metric, Cell value) { out.row({Cell{metric}, std::move(value)}); };
  auto defined = [](double value) { return std::isnan(value) ? kNull : Cell{value}; };
  auto ranking = [&](const char* name, double model, double popular) {
    row(fmt::format("{}@{}", name, k), e.ranked_users ? Cell{model} : kNull);
    row(fmt::format("{}@{}_popular", name, k), e.ranked_users ? Cell{popular} : kNull);
  };
  row("rmse", defined(e.rmse));
  row("mae", defined(e.mae));
  row("count", static_cast<std::int64_t>(e.count));
  row("unknown", static_cast<std::int64_t>(e.unknown));
  ranking("precision", e.precision, e.popular.precision);
  ranking("recall", e.recall, e.popular.recall);
  ranking("ndcg", e.ndcg, e.popular.ndcg);
  row("ranked_users", static_cast<std::int64_t>(e.ranked_users));
}

// What a reader of the numbers should know: unknown ids, an implicit
// model's missing error, relevance chosen for it, no rankable user.
void explain(const Model& model, const Evaluation& e, const EvaluateOptions& o) {
  if (e.unknown)
    log_line(fmt::format("mfrec: {} of {} test ratings have a user or item the model never trained on", e.unknown, e.count));
  if (model.implicit())
    log_line("mfrec: an implicit model scores preferences, not ratings: rmse and mae are undefined (empty; null in JSON)");
  const bool any_positive = !o.relevant_threshold && e.relevant_threshold < kRelevantRating;
  if (any_positive)
    log_line("mfrec: no test value reaches 4, so every test interaction (value above 0) counts as relevant "
             "(--relevant to choose)");
  if (e.ranked_users == 0 && any_positive)
    log_line(fmt::format("mfrec: no test user has an interaction with an item they had none with in training, "
                         "so precision@{k}, recall@{k} and ndcg@{k} are undefined (empty; null in JSON)",
                         fmt::arg("k", o.k)));
  else if (e.ranked_users == 0)
    log_line(fmt::format("mfrec: no test user has a rating >= {} (--relevant) of an item they did not rate in training, "
                         "so precision@{k}, recall@{k} and ndcg@{k} are undefined (empty; null in JSON)",
                         e.relevant_threshold, fmt::arg("k", o.k)));
}

void run_evaluate(const EvaluateArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  ReadOptions read_options = a.read.resolve();
  const Model model = load_query_model(a.shared);
  read_options.interactions = model.implicit();  // held-out clicks read as training's were
  StatusLine status(stderr, !a.shared.quiet && stderr_is_terminal());
  const Dataset test = read_ratings_showing(a.test, read_options, nullptr, status);
  const Evaluation e = evaluate(model, test, a.options);
  if (!a.shared.quiet) explain(model, e, a.options);

  Sink sink(a.shared.output);
  auto out = make_result_writer(format, sink, a.shared.max_rows);
  write_metrics(e, a.options.k, *out);
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_evaluate(CLI::App& app) {
  auto a = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "score a model on held-out ratings");
  cmd->add_option("TEST", a->test, "held-out ratings (wide or long layout), or - for stdin")->required();
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  add_read_options(*cmd, a->read);
  EvaluateOptions& o = a->options;
  cmd->add_option("--k", o.k, "cut-off of the ranking metrics")->check(whole_range(1, std::size_t{1} << 20));
  cmd->add_option("--relevant", o.relevant_threshold,
                  "a test rating at or above this is relevant (default: 4; for an implicit model tested on values "
                  "below 4, every test interaction)");
  add_ranking_flags(*cmd, o.recommend);  // rank as recommend does
  cmd->add_option("--threads", o.threads, "threads for ranking (default: all cores)")->check(whole_range(0, kMaxThreads));
  cmd->footer(
      "Examples:\n"
      "  mfrec evaluate test.csv -m train.model\n"
      "  mfrec evaluate test.csv -m train.model --k 5 --relevant 4 -f json");
  return [a] { run_evaluate(*a); };
}

}  // namespace mfrec::cli
