// mfrec info: field,value rows describing a model file.
#include <sys/stat.h>

#include <fmt/format.h>
#include <algorithm>
#include <functional>
#include <memory>

#include "commands.hpp"
#include "common_options.hpp"
#include "mfrec/io/model_io.hpp"
#include "output.hpp"
#include "train_flags.hpp"

namespace mfrec::cli {

namespace {

struct InfoArgs {
  SharedOptions shared;
};

using Row = std::function<void(std::string_view field, Cell value)>;

Cell count(std::uint64_t n) { return Cell{static_cast<std::int64_t>(n)}; }

// What the model was trained on.
void data_rows(const Model& m, const Row& row) {
  row("format_version", count(m.file_version));
  row("source", m.source);
  row("users", count(m.users.size()));
  row("items", count(m.items.size()));
  // Titles (train --item-names) are shown by the query commands; say how
  // many items have one, so a user knows whether --item-names took.
  if (m.has_titles())
    row("titled_items", count(std::count_if(m.item_titles.begin(), m.item_titles.end(),
                                            [](const std::string& t) { return !t.empty(); })));
  row("ratings", count(m.ratings));
  row("train_ratings", count(m.train_ratings));
  row("rating_min", Cell{double{m.rating_min}});
  row("rating_max", Cell{double{m.rating_max}});
}

// Every option the model file records, as the option table names them.
void option_rows(const Model& m, const Row& row) {
  for_each_option(m.options, [&](const OptionSpec& spec, const auto&) {
    if (spec.file_slot >= 0 && applies(spec, m.options)) row(spec.name, option_cell(m.options, spec.name));
  });
  row("scores", std::string(m.implicit() ? "preference (ranks items; not a rating)" : "rating"));
}

// What training did. An implicit model has no mean, scaling or rating error.
void result_rows(const Model& m, const Row& row) {
  const TrainSummary& s = m.summary;
  row("epochs_run", count(s.epochs_run));
  row("best_epoch", count(s.best_epoch));
  if (m.implicit()) {
    row("train_objective", s.train_objective);
    return;
  }
  row("mean", m.scaler.inverse(m.mean));
  row("normalization", m.scaler.enabled ? fmt::format("min-max [{}, {}] -> [0, 5]", m.scaler.min, m.scaler.max)
                                        : std::string("none"));
  row("train_objective", s.train_objective);
  row("train_rmse", s.train_rmse);
  if (s.validation_rmse >= 0) {
    row("validation_rmse", s.validation_rmse);
    row("validation_mae", s.validation_mae);
    row("validation_ratings", count(s.validation_count));
  }
}

void run_info(const InfoArgs& a) {
  const std::string path = resolve_model_path(a.shared.model);
  const Model m = load_model(path);
  struct stat st {};
  const std::int64_t file_size = ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;

  Sink sink(a.shared.output);
  auto out = make_result_writer(parse_format(a.shared.format), sink, a.shared.max_rows);
  out->header({"field", "value"});
  const Row row = [&](std::string_view field, Cell value) { out->row({Cell{std::string(field)}, std::move(value)}); };
  data_rows(m, row);
  option_rows(m, row);
  result_rows(m, row);
  row("file_size", Cell{file_size});
  out->finish();
  sink.commit();
}

}  // namespace

Runner register_info(CLI::App& app) {
  auto a = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "summary of a model file");
  add_model_options(*cmd, a->shared);
  add_output_options(*cmd, a->shared);
  cmd->footer(
      "Examples:\n"
      "  mfrec info -m music.model\n"
      "  MFREC_MODEL=music.model mfrec info -f json");
  return [a] { run_info(*a); };
}

}  // namespace mfrec::cli
