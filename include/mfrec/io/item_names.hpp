#pragma once
// Item titles for a model (train --item-names): a CSV/TSV of item id and
// title. A header naming a `title` or `name` column picks it, else the
// second column; MovieLens' movies.csv (movieId,title,genres, quoted commas)
// reads as it comes. Errors are Error(Data|Open|Io) naming file:line:column.
#include <cstdint>
#include <string>
#include <vector>

#include "mfrec/io/csv_reader.hpp"
#include "mfrec/model/id_map.hpp"

namespace mfrec {

struct ItemTitles {
  std::vector<std::string> titles;  // one per item of `items`, "" when the file names none
  std::uint64_t titled = 0;         // items that got a title
  std::uint64_t unknown_ids = 0;    // rows whose id is not an item: ignored
};

// Reads the titles of `items` from `rows`. An id given twice is an error.
ItemTitles read_item_titles(CsvRowReader rows, const IdMap& items);
ItemTitles read_item_titles(const std::string& path, const IdMap& items);

}  // namespace mfrec
