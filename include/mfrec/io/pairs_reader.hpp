#pragma once
// Reading user,item pairs (for `predict --pairs`) with the same options as
// ratings: a header or not, columns by name or index.
#include <cstddef>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec {

struct PairColumns {
  std::size_t user = 0;
  std::size_t item = 1;
  bool first_row_is_data = false;  // the reader already holds a data row
};

// Reads the header (if any) from `rows` and decides the two columns.
PairColumns pair_columns(CsvRowReader& rows, const ReadOptions& options);

}  // namespace mfrec
