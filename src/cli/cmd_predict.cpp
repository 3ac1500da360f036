// mfrec predict: predicted ratings as a matrix, as triples, or for pairs.
#include <fmt/format.h>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "item_columns.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/predict.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

struct PredictArgs {
  SharedOptions shared;
  ReadFlags read;
  PredictOptions options;  // --no-clip, --strict
  std::vector<std::string> users;
  bool long_form = false;
  std::string pairs;
};

void write_pairs(const Model& model, const PredictArgs& a, RecordWriter& out) {
  const ReadOptions ro = a.read.resolve();
  PairsInput input(CsvRowReader::open_file(a.pairs, ro.delimiter), ro, model);
  // A first row of names the model does not know was taken as a header: say
  // so, since a headerless file starting with a new user reads the same.
  if (input.columns.header_unnamed && !a.shared.quiet)
    log_line(fmt::format("mfrec: note: the first row of {} was read as a header (no name in it is in the model); "
                         "give --no-header to read it as a pair",
                         input.rows.name()));
  out.header({"user", "item", "prediction"});
  const PairsSummary s = predict_pairs(model, input, a.options, [&](const PairPrediction& p) {
    out.row({Cell{std::string(p.user)}, Cell{std::string(p.item)}, Cell{p.prediction}});
  });
  if (s.unknown && !a.shared.quiet)
    log_line(fmt::format("mfrec: {} pair(s) with an unknown user or item got the mean plus known biases", s.unknown));
  if (s.pairs == 0 && !a.shared.quiet)
    log_line(fmt::format("mfrec: {} has no user,item rows: nothing to predict",
                         a.pairs == "-" ? std::string("standard input") : a.pairs));
}

void write_long(const Model& model, const std::vector<std::uint32_t>& users, const PredictOptions& o,
                RecordWriter& out) {
  std::vector<std::string> header{"user"};
  add_item_header(header, model, "item");
  header.push_back("prediction");
  out.header(header);
  std::vector<double> predictions;
  std::vector<Cell> row;
  for (std::uint32_t u : users) {
    predict_row(model, u, o, predictions);
    for (std::uint32_t i = 0; i < model.items.size(); ++i) {
      row.clear();
      row.emplace_back(model.users.name(u));
      add_item_cells(row, model, i);
      row.emplace_back(predictions[i]);
      out.row(row);
    }
  }
}

void write_matrix(const Model& model, const std::vector<std::uint32_t>& users, const PredictOptions& o,
                  RecordWriter& out) {
  std::vector<std::string> header{"user"};
  for (std::uint32_t i = 0; i < model.items.size(); ++i) header.push_back(model.items.name(i));
  out.header(header);
  std::vector<Cell> row(std::size_t{model.items.size()} + 1);
  std::vector<double> predictions;
  for (std::uint32_t u : users) {
    predict_row(model, u, o, predictions);
    row[0] = model.users.name(u);
    for (std::uint32_t i = 0; i < model.items.size(); ++i) row[i + 1] = predictions[i];
    out.row(row);
  }
}

// The users named, in the order given; every user when none is.
std::vector<std::uint32_t> users_to_predict(const Model& model, const std::vector<std::string>& names) {
  if (!names.empty()) return find_users(model, names);
  std::vector<std::uint32_t> all(model.users.size());
  for (std::uint32_t u = 0; u < all.size(); ++u) all[u] = u;
  return all;
}

void run_predict(const PredictArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  if (!a.pairs.empty() && (!a.users.empty() || a.long_form))
    throw Error(ErrorKind::Usage, "--pairs reads its own user,item rows; it does not combine with --user or --long");
  const Model model = load_query_model(a.shared);
  const std::vector<std::uint32_t> users = users_to_predict(model, a.users);
  if (model.implicit() && !a.shared.quiet)
    log_line("mfrec: note: an implicit model: the predictions are preference scores (higher = more likely to be "
             "chosen), not ratings, and are not clipped");

  Sink sink(a.shared.output);
  auto out = make_result_writer(format, sink, a.shared.max_rows);
  if (!a.pairs.empty()) {
    write_pairs(model, a, *out);
  } else if (a.long_form) {
    write_long(model, users, a.options, *out);
  } else {
    write_matrix(model, users, a.options, *out);
  }
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_predict(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "predicted ratings: whole matrix, some users, or user,item pairs");
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  cmd->add_option("-u,--user", a->users, "only this user's row (repeatable; default: every user)");
  cmd->add_flag("--long", a->long_form, "user,item,prediction triples instead of a matrix");
  cmd->add_option("--pairs", a->pairs, "read user,item rows from PATH (or - for stdin), write user,item,prediction (default: off)");
  cmd->add_flag_callback("--no-clip", [a] { a->options.clip = false; },
                         "do not clip predictions to the training ratings' range");
  cmd->add_flag("--strict", a->options.strict, "--pairs: an unknown user or item is an error");
  add_pairs_read_options(*cmd, a->read);
  cmd->footer(
      "Examples:\n"
      "  mfrec predict -m music.model --user Hermione\n"
      "  mfrec predict -m music.model --long -f json\n"
      "  printf 'Hermione,Firework\\n' | mfrec predict -m music.model --pairs - --no-header");
  return [a] { run_predict(*a); };
}

}  // namespace mfrec::cli
