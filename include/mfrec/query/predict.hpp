#pragma once
// Predicted ratings on the input scale: one user's row of the predicted
// matrix, or the user,item pairs of a file (`predict --pairs`).
//   Clipping: to the training ratings' range unless `clip` is false.
//   Pairs: a user or item the model never saw gets the mean plus whatever
//   bias is known (Model::predict_unknown) and is counted, or with `strict`
//   is Error(Data) naming file:line:column.
// Results go to a callback on the calling thread, in input order.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/io/pairs_reader.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/user_view.hpp"

namespace mfrec {

struct PredictOptions {
  bool clip = true;     // clip to [rating_min, rating_max]
  bool strict = false;  // pairs: an unknown user or item is an error
};

// `user`'s predictions for every item, in item order, into `out` (resized).
void predict_row(const Model& model, std::uint32_t user, const PredictOptions& options, std::vector<double>& out);
// The same for a user given by a view (a folded-in user: fold_in.hpp).
void predict_row(const Model& model, const UserView& user, const PredictOptions& options, std::vector<double>& out);

// A user,item file with its columns decided: construction reads the first
// row, takes it as a header or the first pair (pair_columns: the model's
// names decide) and throws as pair_columns does.
struct PairsInput {
  PairsInput(CsvRowReader reader, const ReadOptions& options, const Model& model);
  CsvRowReader rows;
  PairColumns columns;
};

struct PairPrediction {
  std::string_view user;  // views into the input row: valid during the callback only
  std::string_view item;
  double prediction;
  bool known;  // false: the user or the item (or both) is not in the model
};
using PairPredictionSink = std::function<void(const PairPrediction&)>;

struct PairsSummary {
  std::uint64_t pairs = 0;
  std::uint64_t unknown = 0;  // pairs with an unknown user or item
};

// Predicts every remaining row of `input` and hands each to `emit`. Throws
// Error(Data) naming the line for a row without the user and item columns,
// and (strict) for an unknown name; reading errors as CsvRowReader.
PairsSummary predict_pairs(const Model& model, PairsInput& input, const PredictOptions& options,
                           const PairPredictionSink& emit);

}  // namespace mfrec
