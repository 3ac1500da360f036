// mfrec recommend: top-N unrated items for some users or all of them.
#include <fmt/format.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "given_ratings.hpp"
#include "item_columns.hpp"
#include "item_filters.hpp"
#include "mfrec/dist/recommend_across.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/fold_in.hpp"
#include "mfrec/query/recommend.hpp"
#include "mfrec/train/train_options.hpp"
#include "model_access.hpp"
#include "mpi_session.hpp"
#include "output.hpp"
#include "rank_agreement.hpp"

namespace mfrec::cli {

namespace {

struct RecommendArgs {
  SharedOptions shared;
  RecommendOptions options;  // every flag but --user, --all-users, the item filters and --explain
  ItemFilterFlags filters;
  std::vector<std::string> users;
  bool all_users = false;
  bool explain = false;
  GivenRatingFlags given;  // a new user, by their ratings
  bool strict = false;     // an unknown item among them is an error
};

// Explains on stderr an answer shorter than --top: a user who rated every
// item, or fewer unrated items (or items) than asked for. For --all-users,
// one line counts them instead of one line per user.
class ShortAnswers {
 public:
  ShortAnswers(const Model& model, const RecommendOptions& o, bool per_user)
      : model_(model), o_(o), per_user_(per_user) {}
  void add(const std::string& user, std::size_t got) {
    if (got >= o_.top) return;
    ++short_;
    if (got == 0) ++empty_;
    if (per_user_) log_line(explain(user, got));
  }
  void summary() const {
    if (per_user_ || short_ == 0) return;
    std::string line = fmt::format("mfrec: {} of {} users got fewer than --top {} recommendations", short_,
                                   model_.users.size(), o_.top);
    if (empty_ && filtered()) line += fmt::format(" ({} got none)", empty_);
    else if (empty_) line += fmt::format(" ({} got none: they rated every item)", empty_);
    log_line(line);
  }

 private:
  std::string explain(const std::string& name, std::size_t got) const {
    // With a filter the shortage may be the filter's, not the user's.
    const std::string eligible = filter_note();
    if (o_.include_rated)
      return fmt::format("mfrec: the model has only {} items{}, fewer than --top {}", got, eligible, o_.top);
    if (got == 0 && eligible.empty())
      return fmt::format("mfrec: {} has rated every item ({}): nothing to recommend (--include-rated ranks them all)",
                         name, model_.items.size());
    return fmt::format("mfrec: {} has only {} unrated item{}{}, fewer than --top {}", name, got, got == 1 ? "" : "s",
                       eligible, o_.top);
  }

  bool filtered() const { return o_.min_ratings > 1 || !o_.exclude.empty() || o_.candidates; }
  std::string filter_note() const {
    if (!o_.exclude.empty() || o_.candidates) return " left by the item filters";
    if (o_.min_ratings > 1) return fmt::format(" with at least {} ratings (--min-ratings)", o_.min_ratings);
    return "";
  }

  const Model& model_;
  const RecommendOptions& o_;
  const bool per_user_;
  std::size_t short_ = 0, empty_ = 0;
};

// Exactly one way of naming whom to recommend for.
void check_users(const RecommendArgs& a) {
  check_given_rating_flags(a.given);
  const int ways = !a.users.empty() + a.all_users + a.given.given();
  if (ways == 0) throw Error(ErrorKind::Usage, "recommend needs --user NAME, --all-users or --ratings ITEM=R,…");
  if (ways > 1) throw Error(ErrorKind::Usage, "give one of --user NAME, --all-users and --ratings/--ratings-file");
  if (a.strict && !a.given.given()) throw Error(ErrorKind::Usage, "--strict is for --ratings and --ratings-file");
}

std::vector<std::string> result_header(const Model& model, bool explain) {
  std::vector<std::string> header{"user", "rank"};
  add_item_header(header, model, "item");
  header.push_back("score");
  if (explain) header.push_back("because");
  return header;
}

// The answer as rank 0 (or a process alone) writes it: a row per
// recommendation, then the notes on short answers.
class AnswerWriter {
 public:
  AnswerWriter(const RecommendArgs& a, const Model& model, const RecommendOptions& options,
               std::optional<Format> format)
      : model_(model),
        quiet_(a.shared.quiet),
        sink_(a.shared.output),
        out_(make_result_writer(format, sink_, a.shared.max_rows)),
        short_answers_(model, options, !a.all_users) {
    out_->header(result_header(model, a.explain));
  }
  void write(const std::string& name, const std::vector<Recommendation>& recs,
             const std::vector<std::optional<Because>>& because) {
    for (std::size_t r = 0; r < recs.size(); ++r) {
      std::vector<Cell> row{Cell{name}, Cell{static_cast<std::int64_t>(r + 1)}};
      add_item_cells(row, model_, recs[r].item);
      row.emplace_back(recs[r].score);
      // The because column: `Label (4.5)`, empty when no rated item supports it.
      if (!because.empty()) row.push_back(Cell{because[r] ? because_text(model_, *because[r]) : std::string()});
      out_->row(row);
    }
    if (!quiet_) short_answers_.add(name, recs.size());
  }
  void finish() {
    out_->finish();
    sink_.commit();
    if (!quiet_) short_answers_.summary();
  }

 private:
  const Model& model_;
  const bool quiet_;
  Sink sink_;
  std::unique_ptr<RecordWriter> out_;
  ShortAnswers short_answers_;
};

// Runs a step of rank 0's alone (opening -o, the commit) so that it ends
// alike on every rank: when it fails, every rank throws its error instead
// of waiting for rank 0 in the next collective.
void on_rank0(const dist::Cluster& ranks, const std::function<void()>& step) {
  agree_on(ranks, [&] {
    if (ranks.rank() == 0) step();
  });
}

// --all-users, on every rank of the run: each ranks its share of the users,
// rank 0 writes them all.
void write_all_users(const dist::Cluster& ranks, const RecommendArgs& a, const Model& model,
                     const RecommendOptions& options, std::optional<Format> format, const Explainer* explainer) {
  std::optional<AnswerWriter> writer;  // rank 0's
  on_rank0(ranks, [&] { writer.emplace(a, model, options, format); });
  std::exception_ptr failed;  // rank 0's write error, while the others still send their answers
  dist::recommend_all_across(ranks, model, options, explainer, [&](const dist::UserAnswer& answer) {
    if (failed) return;
    try {
      writer->write(model.users.name(answer.user), answer.recs, answer.because);
    } catch (...) {
      if (ranks.size() == 1) throw;  // alone, stop at once (`| head`)
      failed = std::current_exception();
    }
  });
  on_rank0(ranks, [&] {
    if (failed) std::rethrow_exception(failed);
    writer->finish();
  });
}

void run_recommend(const RecommendArgs& a) {
  check_users(a);
  // Under mpirun, --all-users runs on every rank; only rank 0 speaks.
  const dist::Cluster* const cluster = a.all_users ? &ranks() : nullptr;
  const bool speaks = !cluster || cluster->rank() == 0;
  const std::optional<Format> format = parse_format(a.shared.format);
  std::optional<Model> loaded;
  std::vector<std::uint32_t> users;
  RecommendOptions options = a.options;
  if (cluster && options.threads == 0) options.threads = default_threads();  // never changes the answers
  const auto prepare = [&] {
    loaded.emplace(load_query_model(a.shared));
    users = find_users(*loaded, a.users);
    apply_item_filters(*loaded, a.filters, a.shared.quiet || !speaks, options);
  };
  // Every rank opens the model and the filter files itself: one that cannot
  // (a file system not every node sees) fails them all alike.
  if (cluster) agree_on(*cluster, prepare);
  else prepare();
  const Model& model = *loaded;
  const std::optional<FoldedUser> folded =
      a.given.given() ? std::optional(fold_in_given(model, a.given, a.strict, a.shared.quiet)) : std::nullopt;
  const std::optional<Explainer> explainer = a.explain ? std::optional<Explainer>(model) : std::nullopt;
  const Explainer* const explains = explainer ? &*explainer : nullptr;
  if (cluster) return write_all_users(*cluster, a, model, options, format, explains);

  AnswerWriter writer(a, model, options, format);
  if (folded) {
    const std::vector<Recommendation> recs = recommend(model, folded->view(), options);
    writer.write(a.given.as, recs, dist::explain_each(explains, folded->view(), recs));
  } else {
    recommend_users(model, users, options, [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
      writer.write(model.users.name(user), recs, dist::explain_each(explains, user_view(model, user), recs));
    });
  }
  writer.finish();
}

}  // namespace

Runner register_recommend(CLI::App& app) {
  auto a = std::make_shared<RecommendArgs>();
  CLI::App* cmd = app.add_subcommand("recommend", "top-N unrated items for users");
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  cmd->add_option("-u,--user", a->users, "user to recommend for (repeatable; required unless --all-users or --ratings)");
  cmd->add_flag("--all-users", a->all_users, "recommend for every user");
  add_given_rating_flags(*cmd, a->given);
  cmd->add_flag("--strict", a->strict, "--ratings: an item the model does not know is an error");
  RecommendOptions& o = a->options;
  cmd->add_option("-n,--top", o.top, "items per user")->check(whole_range(1, std::size_t{1} << 30));
  cmd->add_flag("--include-rated", o.include_rated, "also recommend items the user already rated");
  cmd->add_option_function<std::string>(
         "--method", [a](const std::string& name) { a->options.method = parse_recommend_method(name); },
         "predicted (rank by predicted rating) or neighbors (average of similar users' ratings)")
      ->check(CLI::IsMember({"predicted", "neighbors", "neighbours"}))
      ->default_str(std::string(recommend_method_name(o.method)));
  cmd->add_option("--neighbors,--neighbours", o.neighbors, "neighbors method: how many similar users")
      ->check(whole_range(1, 1u << 30));
  cmd->add_option_function<std::string>(
         "--space", [a](const std::string& name) { a->options.space = parse_similarity_space(name); },
         "neighbors method: where similarity is measured (centered, predicted or factors; see similarity)")
      ->check(CLI::IsMember({"centered", "predicted", "factors"}))
      ->default_str("centered");
  add_ranking_flags(*cmd, o);
  add_item_filter_flags(*cmd, a->filters);
  cmd->add_flag("--explain", a->explain,
                "add a because column: the rated item that most supports each recommendation, with the model's fit "
                "of its rating");
  cmd->add_option("--threads", o.threads, "threads for --all-users (default: all cores)")->check(whole_range(0, kMaxThreads));
  cmd->footer(
      "Examples:\n"
      "  mfrec recommend -m music.model --user Hermione --exclude Survivor --explain\n"
      "  mfrec recommend -m music.model --ratings \"Firework=5,Back in Black=2\" --as Ron\n"
      "  mfrec recommend -m music.model --all-users -f csv -o recommendations.csv");
  return [a] { run_recommend(*a); };
}

}  // namespace mfrec::cli
