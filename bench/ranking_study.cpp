// Ranking quality of `recommend` under its options, for the ranking study
// (bench/ranking_study.md):
//   ranking_study MODEL TEST CONFIG...
// CONFIG is "pop" (the most-popular list) or comma-separated min=N,
// shrink=S, method=neighbors; what it leaves out is recommend's default
// (shrink 300 for a rating model: "shrink=0" is the plain ranking). Each is
// scored as `mfrec evaluate` scores it (relevant: test rating >= 4 on an
// item the user did not rate in training); prints P@10 and NDCG@10.
#include <cstdio>
#include <fmt/format.h>
#include <sstream>
#include <string>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/query/evaluate.hpp"

namespace {

using namespace mfrec;

RecommendOptions parse_config(const std::string& config) {
  RecommendOptions o;
  if (config == "pop") return o;
  std::stringstream parts(config);
  for (std::string part; std::getline(parts, part, ',');) {
    const auto eq = part.find('=');
    const std::string key = part.substr(0, eq), value = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (key == "min") o.min_ratings = static_cast<std::uint32_t>(std::stoul(value));
    else if (key == "shrink") o.shrink = std::stod(value);
    else if (key == "method") o.method = parse_recommend_method(value);
    else throw Error(ErrorKind::Usage, "unknown configuration key '" + key + "'");
  }
  return o;
}

void report(const std::string& config, const Model& m, const Dataset& test) {
  EvaluateOptions o;
  o.k = 10;
  o.recommend = parse_config(config);
  const Evaluation e = evaluate(m, test, o);
  const bool pop = config == "pop";
  fmt::print("{:<28} users {:>6}  P@10 {:.4f}  NDCG@10 {:.4f}\n", config, e.ranked_users,
             pop ? e.popular.precision : e.precision, pop ? e.popular.ndcg : e.ndcg);
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::fputs("usage: ranking_study MODEL TEST CONFIG...\n", stderr);
    return 64;
  }
  const Model m = load_model(argv[1]);
  const Dataset test = read_ratings(argv[2], ReadOptions{});
  for (int a = 3; a < argc; ++a) report(argv[a], m, test);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "ranking_study: %s\n", e.what());
  return 1;
}
