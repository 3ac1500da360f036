// mfrec evaluate TEST: rating error and ranking quality on held-out ratings.
#include <fmt/format.h>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "mfrec/query/evaluate.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

struct EvaluateArgs {
  SharedOptions shared;
  ReadFlags read;
  std::string test;
  std::size_t k = 10;
  double relevant = 4.0;
  unsigned threads = 0;
};

void run_evaluate(const EvaluateArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  const ReadOptions read_options = a.read.resolve();
  const Model model = load_query_model(a.shared);
  const Dataset test = read_ratings(a.test, read_options);
  EvaluateOptions o;
  o.k = a.k;
  o.relevant_threshold = a.relevant;
  o.threads = a.threads;
  const Evaluation e = evaluate(model, test, o);
  if (!a.shared.quiet && e.unknown)
    log_line(fmt::format("mfrec: {} of {} test ratings have a user or item the model never trained on", e.unknown, e.count));

  Sink sink(a.shared.output);
  auto out = make_writer(format.value_or(default_format(sink)), sink);
  out->header({"metric", "value"});
  auto row = [&](const std::string& metric, Cell value) { out->row({Cell{metric}, std::move(value)}); };
  row("rmse", e.rmse);
  row("mae", e.mae);
  row("count", static_cast<std::int64_t>(e.count));
  row("unknown", static_cast<std::int64_t>(e.unknown));
  row(fmt::format("precision@{}", a.k), e.precision);
  row(fmt::format("recall@{}", a.k), e.recall);
  row(fmt::format("ndcg@{}", a.k), e.ndcg);
  row("ranked_users", static_cast<std::int64_t>(e.ranked_users));
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
  cmd->add_option("--k", a->k, "cut-off of the ranking metrics")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))->capture_default_str();
  cmd->add_option("--relevant", a->relevant, "a test rating at or above this is relevant")->capture_default_str();
  cmd->add_option("--threads", a->threads, "threads for ranking (default: all cores)")->check(CLI::Range(0u, 4096u));
  return [a] { run_evaluate(*a); };
}

}  // namespace mfrec::cli
