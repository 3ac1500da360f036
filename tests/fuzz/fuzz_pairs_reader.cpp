// libFuzzer target: `predict --pairs` as the CLI runs it, through the core's
// predict_pairs (pair_columns, then every row's user and item looked up in a
// model and predicted), against a small model. Options from the first byte
// (see fuzz_support.hpp). The only acceptable failure is mfrec::Error.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/query/predict.hpp"

using namespace mfrec;
using fuzz::require;

namespace {

// Every pair predicted, clipped or not; returns how many had an unknown name.
std::uint64_t predict_all(const Model& model, const std::string& text, const ReadOptions& options,
                          const PredictOptions& predict) {
  PairsInput input(CsvRowReader::from_string("pairs.csv", text, options.delimiter), options, model);
  require(input.columns.user != input.columns.item, "distinct columns");
  std::uint64_t seen = 0, unknown = 0;
  const PairsSummary s = predict_pairs(model, input, predict, [&](const PairPrediction& p) {
    require(std::isfinite(p.prediction), "finite prediction");
    if (predict.clip) require(p.prediction >= model.rating_min && p.prediction <= model.rating_max, "clipped");
    require(p.known == (model.users.find(p.user) && model.items.find(p.item)), "known means both names known");
    ++seen;
    unknown += !p.known;
  });
  require(s.pairs == seen && s.unknown == unknown, "summary counts what was emitted");
  return s.unknown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Model model = fuzz::small_model();
  if (size == 0) return 0;
  ReadOptions options = fuzz::read_options(data[0]);
  options.rating_col.clear();  // pairs have no rating column
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::uint64_t unknown = 0;
  try {
    unknown = predict_all(model, text, options, PredictOptions{});
    predict_all(model, text, options, PredictOptions{.clip = false});
  } catch (const Error&) {
    return 0;
  }
  // --strict refuses exactly the inputs that had an unknown name.
  bool refused = false;
  try {
    predict_all(model, text, options, PredictOptions{.strict = true});
  } catch (const Error& e) {
    require(e.kind() == ErrorKind::Data && e.where().has_value(), "--strict names the place");
    refused = true;
  }
  require(refused == (unknown > 0), "--strict refuses an unknown name and nothing else");
  return 0;
}
