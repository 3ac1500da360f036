#pragma once
// The aligned table of output.hpp's Format::Table, private to the writers.
#include <cstddef>
#include <memory>

#include "output.hpp"

namespace mfrec::cli {

// Names left, numbers right and rounded to 4 decimals. `max_width` (0: no
// limit) is the terminal's width: wide text is narrowed with an ellipsis and
// columns that still do not fit go into further panels. `max_rows` (0: no
// limit) cuts the table for a person at a terminal: at most that many rows,
// only the columns of the first panel, and a footer saying what was left out.
std::unique_ptr<RecordWriter> make_table_writer(Sink& sink, std::size_t max_width, std::size_t max_rows);

// "9,724": a count as a person reads it, whatever the locale.
std::string group_thousands(std::uint64_t n);

}  // namespace mfrec::cli
