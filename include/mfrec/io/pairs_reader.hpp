#pragma once
// Reading user,item pairs (for `predict --pairs`) with the same options as
// ratings: a header or not, columns by name or index. The first row is a
// header unless its user or item is a name the model knows (then it is the
// first pair), or --header / --no-header decide.
#include <cstddef>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/model/id_map.hpp"

namespace mfrec {

struct PairColumns {
  std::size_t user = 0;
  std::size_t item = 1;
  bool first_row_is_data = false;  // the reader already holds a data row
  bool header = false;             // the first row was read as a header
  // The header named neither column as a user or item column (user, item,
  // customer…), and neither field is a name the model knows: worth a note,
  // since a headerless file's first pair of new names reads the same.
  bool header_unnamed = false;
};

// Reads the first row from `rows`, decides whether it is a header (`users`
// and `items`: the names the model knows) and decides the two columns.
PairColumns pair_columns(CsvRowReader& rows, const ReadOptions& options, const IdMap& users, const IdMap& items);

}  // namespace mfrec
