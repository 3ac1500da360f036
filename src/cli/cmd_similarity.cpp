// mfrec similarity: user-user (or item-item) cosine similarity.
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common_options.hpp"
#include "flag_range.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/similarity.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

struct SimilarityArgs {
  SharedOptions shared;
  std::vector<std::string> names;  // --user (or --item) rows
  bool items = false;
  std::size_t top = 10;
  std::string space = "centered";
};

// The nearest neighbours of each named row, most similar first; item
// neighbours with their titles when the model has them.
void write_neighbors(const SimilarityIndex& sims, const Model& model, bool items,
                     const std::vector<std::uint32_t>& rows, std::size_t top, RecordWriter& out) {
  const IdMap& ids = items ? model.items : model.users;
  const bool titles = items && model.has_titles();
  std::vector<std::string> header{items ? "item" : "user", "neighbor"};
  if (titles) header.push_back("title");
  header.push_back("similarity");
  out.header(header);
  std::vector<Cell> row;
  for (std::uint32_t r : rows)
    for (const Neighbor& n : sims.nearest(r, top)) {
      row.clear();
      row.emplace_back(ids.name(r));
      row.emplace_back(ids.name(n.index));
      if (titles) row.emplace_back(model.item_titles[n.index]);
      row.emplace_back(n.similarity);
      out.row(row);
    }
}

// The whole symmetric table, streamed row by row.
void write_table(const SimilarityIndex& sims, const IdMap& ids, const std::string& key, RecordWriter& out) {
  std::vector<std::string> header{key};
  for (std::uint32_t b = 0; b < ids.size(); ++b) header.push_back(ids.name(b));
  out.header(header);
  std::vector<Cell> row(std::size_t{ids.size()} + 1);
  for (std::uint32_t r = 0; r < ids.size(); ++r) {
    row[0] = ids.name(r);
    for (std::uint32_t b = 0; b < ids.size(); ++b) row[b + 1] = sims(r, b);
    out.row(row);
  }
}

void run_similarity(const SimilarityArgs& a) {
  const SimilaritySpace space = parse_similarity_space(a.space);
  const std::optional<Format> format = parse_format(a.shared.format);
  const Model model = load_query_model(a.shared);
  const IdMap& ids = a.items ? model.items : model.users;
  const std::vector<std::uint32_t> rows = a.items ? find_items(model, a.names) : find_users(model, a.names);

  const SimilarityIndex sims(model, a.items ? Side::Items : Side::Users, space);
  Sink sink(a.shared.output);
  auto out = make_result_writer(format, sink, a.shared.max_rows);
  const std::string key = a.items ? "item" : "user";
  if (!rows.empty()) {
    write_neighbors(sims, model, a.items, rows, a.top, *out);
  } else {
    write_table(sims, ids, key, *out);
  }
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_similarity(CLI::App& app) {
  auto a = std::make_shared<SimilarityArgs>();
  CLI::App* cmd = app.add_subcommand("similarity", "user-user (or item-item) cosine similarity");
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  cmd->add_option("-u,--user,--item", a->names, "only the nearest neighbours of this user (item with --items); repeatable (default: the whole table)");
  cmd->add_flag("--items", a->items, "item-item similarity instead of user-user");
  cmd->add_option("-n,--top", a->top, "neighbours per named row")
      ->check(whole_range(1, std::size_t{1} << 30));
  cmd->add_option("--space", a->space,
                  "centered (cosine of predicted rows net of row and column means), predicted (of the raw rows, "
                  "the seed's) or factors (of latent vectors)")
      ->check(CLI::IsMember({"centered", "predicted", "factors"}))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  mfrec similarity -m music.model\n"
      "  mfrec similarity -m music.model --user Hermione --top 2\n"
      "  mfrec similarity -m music.model --items --item Firework");
  return [a] { run_similarity(*a); };
}

}  // namespace mfrec::cli
