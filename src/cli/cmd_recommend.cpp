// mfrec recommend: top-N unrated items for some users or all of them.
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/recommend.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

struct RecommendArgs {
  SharedOptions shared;
  std::vector<std::string> users;
  bool all_users = false;
  std::size_t top = 10;
  bool include_rated = false;
  std::string method = "predicted";
  std::uint32_t neighbors = 3;
  unsigned threads = 0;
};

void run_recommend(const RecommendArgs& a) {
  if (a.users.empty() && !a.all_users) throw Error(ErrorKind::Usage, "recommend needs --user NAME or --all-users");
  if (!a.users.empty() && a.all_users) throw Error(ErrorKind::Usage, "give --user NAME or --all-users, not both");
  RecommendOptions o;
  o.top = a.top;
  o.include_rated = a.include_rated;
  o.method = parse_recommend_method(a.method);
  o.neighbors = a.neighbors;
  o.threads = a.threads;
  const std::optional<Format> format = parse_format(a.shared.format);

  const Model model = load_query_model(a.shared);
  std::vector<std::uint32_t> users;
  for (const auto& name : a.users) users.push_back(find_user(model, name));

  Sink sink(a.shared.output);
  auto out = make_writer(format.value_or(default_format(sink)), sink);
  out->header({"user", "rank", "item", "score"});
  auto write = [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
    std::int64_t rank = 0;
    for (const auto& r : recs)
      out->row({Cell{model.users.name(user)}, Cell{++rank}, Cell{model.items.name(r.item)}, Cell{r.score}});
  };
  if (a.all_users) {
    recommend_all(model, o, write);
  } else {
    for (std::uint32_t user : users) write(user, recommend(model, user, o));
  }
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_recommend(CLI::App& app) {
  auto a = std::make_shared<RecommendArgs>();
  CLI::App* cmd = app.add_subcommand("recommend", "top-N unrated items for users");
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  cmd->add_option("-u,--user", a->users, "user to recommend for (repeatable)");
  cmd->add_flag("--all-users", a->all_users, "recommend for every user");
  cmd->add_option("-n,--top", a->top, "items per user")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))->capture_default_str();
  cmd->add_flag("--include-rated", a->include_rated, "also recommend items the user already rated");
  cmd->add_option("--method", a->method, "predicted (rank by predicted rating) or neighbors (the seed's)")
      ->check(CLI::IsMember({"predicted", "neighbors", "neighbours"}))
      ->capture_default_str();
  cmd->add_option("--neighbors,--neighbours", a->neighbors, "neighbors method: how many similar users")
      ->check(CLI::Range(1u, 1u << 30))
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "threads for --all-users (default: all cores)")->check(CLI::Range(0u, 4096u));
  return [a] { run_recommend(*a); };
}

}  // namespace mfrec::cli
