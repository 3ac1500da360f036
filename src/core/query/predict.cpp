#include "mfrec/query/predict.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "mfrec/error.hpp"

namespace mfrec {

void predict_row(const Model& m, std::uint32_t user, const PredictOptions& o, std::vector<double>& out) {
  predict_row(m, user_view(m, user), o, out);
}

void predict_row(const Model& m, const UserView& user, const PredictOptions& o, std::vector<double>& out) {
  out.resize(m.items.size());
  for (std::uint32_t i = 0; i < m.items.size(); ++i) {
    const double value = predict(m, user, i);
    out[i] = o.clip ? m.clip(value) : value;
  }
}

PairsInput::PairsInput(CsvRowReader reader, const ReadOptions& options, const Model& model)
    : rows(std::move(reader)), columns(pair_columns(rows, options, model.users, model.items)) {}

namespace {

// The current row's user and item fields; Error(Data) when the row is short.
std::pair<std::string_view, std::string_view> pair_fields(const CsvRowReader& rows, const PairColumns& cols) {
  const auto& f = rows.fields();
  if (f.size() <= std::max(cols.user, cols.item))
    throw Error(ErrorKind::Data, "row has " + std::to_string(f.size()) + " field(s), need the user and item columns",
                Location{rows.name(), rows.line(), 0});
  return {f[cols.user], f[cols.item]};
}

[[noreturn]] void unknown_name(const CsvRowReader& rows, const PairColumns& cols, std::string_view user,
                               std::string_view item, bool user_unknown) {
  const std::string what = user_unknown ? "user '" + std::string(user) + "'" : "item '" + std::string(item) + "'";
  throw Error(ErrorKind::Data, "unknown " + what + " (--strict)",
              Location{rows.name(), rows.line(), rows.column(user_unknown ? cols.user : cols.item)});
}

}  // namespace

PairsSummary predict_pairs(const Model& m, PairsInput& input, const PredictOptions& o,
                           const PairPredictionSink& emit) {
  CsvRowReader& rows = input.rows;
  const PairColumns& cols = input.columns;
  PairsSummary summary;
  bool more = input.columns.first_row_is_data || rows.next();
  input.columns.first_row_is_data = false;  // that row is consumed here
  for (; more; more = rows.next()) {
    const auto [user, item] = pair_fields(rows, cols);
    const auto u = m.users.find(user);
    const auto i = m.items.find(item);
    PairPrediction p{user, item, 0.0, u && i};
    if (p.known) {
      p.prediction = m.predict(*u, *i);
    } else {
      if (o.strict) unknown_name(rows, cols, user, item, !u);
      ++summary.unknown;
      p.prediction = m.predict_unknown(u, i);
    }
    if (o.clip) p.prediction = m.clip(p.prediction);
    ++summary.pairs;
    emit(p);
  }
  return summary;
}

}  // namespace mfrec
