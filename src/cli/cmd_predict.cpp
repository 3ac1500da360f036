// mfrec predict: predicted ratings as a matrix, as triples, or for pairs.
#include <fmt/format.h>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/pairs_reader.hpp"
#include "model_access.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

struct PredictArgs {
  SharedOptions shared;
  ReadFlags read;
  std::vector<std::string> users;
  bool long_form = false;
  std::string pairs;
  bool no_clip = false;
  bool strict = false;
};

void predict_pairs(const Model& model, const PredictArgs& a, RecordWriter& out,
                   const std::function<double(double)>& shown) {
  const ReadOptions ro = a.read.resolve();
  CsvRowReader rows = CsvRowReader::open_file(a.pairs, ro.delimiter);
  const PairColumns cols = pair_columns(rows, ro);
  std::uint64_t unknown = 0;
  out.header({"user", "item", "prediction"});
  for (bool more = cols.first_row_is_data || rows.next(); more; more = rows.next()) {
    const auto& f = rows.fields();
    if (f.size() <= std::max(cols.user, cols.item))
      throw Error(ErrorKind::Data, fmt::format("row has {} field(s), need the user and item columns", f.size()),
                  Location{rows.name(), rows.line(), 0});
    const std::string user(f[cols.user]), item(f[cols.item]);
    const auto u = model.users.find(user);
    const auto i = model.items.find(item);
    double value;
    if (u && i) {
      value = model.predict(*u, *i);
    } else {
      if (a.strict)
        throw Error(ErrorKind::Data, "unknown " + (!u ? "user '" + user + "'" : "item '" + item + "'") + " (--strict)",
                    Location{rows.name(), rows.line(), rows.column(!u ? cols.user : cols.item)});
      ++unknown;
      value = model.predict_unknown(u, i);
    }
    out.row({Cell{user}, Cell{item}, Cell{shown(value)}});
  }
  if (unknown && !a.shared.quiet)
    log_line(fmt::format("mfrec: {} pair(s) with an unknown user or item got the mean plus known biases", unknown));
}

void run_predict(const PredictArgs& a) {
  const std::optional<Format> format = parse_format(a.shared.format);
  if (!a.pairs.empty() && (!a.users.empty() || a.long_form))
    throw Error(ErrorKind::Usage, "--pairs reads its own user,item rows; it does not combine with --user or --long");
  const Model model = load_query_model(a.shared);
  std::vector<std::uint32_t> users;
  for (const auto& name : a.users) users.push_back(find_user(model, name));
  if (a.users.empty())
    for (std::uint32_t u = 0; u < model.users.size(); ++u) users.push_back(u);

  Sink sink(a.shared.output);
  auto out = make_writer(format.value_or(default_format(sink)), sink);
  const auto shown = [&](double v) { return a.no_clip ? v : model.clip(v); };

  if (!a.pairs.empty()) {
    predict_pairs(model, a, *out, shown);
  } else if (a.long_form) {
    out->header({"user", "item", "prediction"});
    for (std::uint32_t u : users)
      for (std::uint32_t i = 0; i < model.items.size(); ++i)
        out->row({Cell{model.users.name(u)}, Cell{model.items.name(i)}, Cell{shown(model.predict(u, i))}});
  } else {
    std::vector<std::string> header{"user"};
    for (std::uint32_t i = 0; i < model.items.size(); ++i) header.push_back(model.items.name(i));
    out->header(header);
    std::vector<Cell> row(std::size_t{model.items.size()} + 1);
    for (std::uint32_t u : users) {
      row[0] = model.users.name(u);
      for (std::uint32_t i = 0; i < model.items.size(); ++i) row[i + 1] = shown(model.predict(u, i));
      out->row(row);
    }
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
  cmd->add_option("-u,--user", a->users, "only this user's row (repeatable)");
  cmd->add_flag("--long", a->long_form, "user,item,prediction triples instead of a matrix");
  cmd->add_option("--pairs", a->pairs, "read user,item rows from PATH (or - for stdin), write user,item,prediction");
  cmd->add_flag("--no-clip", a->no_clip, "do not clip predictions to the training ratings' range");
  cmd->add_flag("--strict", a->strict, "--pairs: an unknown user or item is an error");
  add_read_options(*cmd, a->read);
  return [a] { run_predict(*a); };
}

}  // namespace mfrec::cli
