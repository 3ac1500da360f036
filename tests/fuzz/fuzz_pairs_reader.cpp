// libFuzzer target: the `predict --pairs` reader, as cmd_predict uses it:
// pair_columns, then every row's user and item looked up in a model and
// predicted. Options from the first byte (see fuzz_support.hpp). The only
// acceptable failure is mfrec::Error.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/pairs_reader.hpp"

using namespace mfrec;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Model model = fuzz::small_model();
  if (size == 0) return 0;
  ReadOptions options = fuzz::read_options(data[0]);
  options.rating_col.clear();  // pairs have no rating column
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    CsvRowReader rows = CsvRowReader::from_string("pairs.csv", text, options.delimiter);
    const PairColumns cols = pair_columns(rows, options);
    require(cols.user != cols.item, "distinct columns");
    for (bool more = cols.first_row_is_data || rows.next(); more; more = rows.next()) {
      const auto& f = rows.fields();
      // cmd_predict refuses a short row with Error(Data) naming the line.
      if (f.size() <= std::max(cols.user, cols.item))
        throw Error(ErrorKind::Data, "row too short", Location{rows.name(), rows.line(), 0});
      const std::string user(f[cols.user]), item(f[cols.item]);
      const auto u = model.users.find(user);
      const auto i = model.items.find(item);
      double value;
      if (u && i) {
        value = model.clip(model.predict(*u, *i));
      } else {
        (void)rows.column(!u ? cols.user : cols.item);  // --strict names the place
        value = model.clip(model.predict_unknown(u, i));
      }
      require(std::isfinite(value), "finite prediction");
    }
  } catch (const Error&) {
  }
  return 0;
}
