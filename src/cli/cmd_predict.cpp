// mfrec predict: predicted ratings as a matrix, as triples, or for pairs.
#include <fmt/format.h>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "given_ratings.hpp"
#include "item_columns.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"
#include "mfrec/query/fold_in.hpp"
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
  GivenRatingFlags given;  // a new user, by their ratings
};

// A user to predict for: a user of the model, or one folded in, named.
struct NamedUser {
  std::string_view name;
  UserView view;
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

void write_long(const Model& model, const std::vector<NamedUser>& users, const PredictOptions& o, RecordWriter& out) {
  std::vector<std::string> header{"user"};
  add_item_header(header, model, "item");
  header.push_back("prediction");
  out.header(header);
  std::vector<double> predictions;
  std::vector<Cell> row;
  for (const NamedUser& u : users) {
    predict_row(model, u.view, o, predictions);
    for (std::uint32_t i = 0; i < model.items.size(); ++i) {
      row.clear();
      row.emplace_back(std::string(u.name));
      add_item_cells(row, model, i);
      row.emplace_back(predictions[i]);
      out.row(row);
    }
  }
}

void write_matrix(const Model& model, const std::vector<NamedUser>& users, const PredictOptions& o,
                  RecordWriter& out) {
  std::vector<std::string> header{"user"};
  for (std::uint32_t i = 0; i < model.items.size(); ++i) header.push_back(model.items.name(i));
  out.header(header);
  std::vector<Cell> row(std::size_t{model.items.size()} + 1);
  std::vector<double> predictions;
  for (const NamedUser& u : users) {
    predict_row(model, u.view, o, predictions);
    row[0] = std::string(u.name);
    for (std::uint32_t i = 0; i < model.items.size(); ++i) row[i + 1] = predictions[i];
    out.row(row);
  }
}

// The users named, in the order given; the folded-in user when ratings are
// given (`folded`); every user when neither is.
std::vector<NamedUser> users_to_predict(const Model& model, const PredictArgs& a, const FoldedUser* folded) {
  if (folded) return {NamedUser{a.given.as, folded->view()}};
  std::vector<std::uint32_t> indices;
  if (!a.users.empty()) indices = find_users(model, a.users);
  else
    for (std::uint32_t u = 0; u < model.users.size(); ++u) indices.push_back(u);
  std::vector<NamedUser> users;
  users.reserve(indices.size());
  for (std::uint32_t u : indices) users.push_back({model.users.name(u), user_view(model, u)});
  return users;
}

void check_forms(const PredictArgs& a) {
  check_given_rating_flags(a.given);
  if (!a.pairs.empty() && (!a.users.empty() || a.long_form || a.given.given()))
    throw Error(ErrorKind::Usage,
                "--pairs reads its own user,item rows; it does not combine with --user, --long or --ratings");
  if (a.given.given() && !a.users.empty())
    throw Error(ErrorKind::Usage, "--ratings gives a new user; it does not combine with --user");
}

void run_predict(const PredictArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  check_forms(a);
  const Model model = load_query_model(a.shared);
  std::optional<FoldedUser> folded;
  if (a.given.given()) folded = fold_in_given(model, a.given, a.options.strict, a.shared.quiet);
  const std::vector<NamedUser> users = users_to_predict(model, a, folded ? &*folded : nullptr);
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
  cmd->add_flag("--strict", a->options.strict,
                "--pairs: an unknown user or item is an error; --ratings: an unknown item is an error");
  add_given_rating_flags(*cmd, a->given);
  add_pairs_read_options(*cmd, a->read);
  cmd->footer(
      "Examples:\n"
      "  mfrec predict -m music.model --user Hermione\n"
      "  mfrec predict -m music.model --ratings \"Firework=5,Back in Black=2\" --long\n"
      "  printf 'Hermione,Firework\\n' | mfrec predict -m music.model --pairs - --no-header");
  return [a] { run_predict(*a); };
}

}  // namespace mfrec::cli
