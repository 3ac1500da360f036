// The bare parse loop of issue 14: reads a long-layout ratings file with
// fast-cpp-csv-parser alone (no interning, no checks beyond the library's)
// and prints how fast, the floor the ratings reader is measured against.
//   fccp_parse FILE [--space] [--no-header] [--exact]
//     --space      fields separated by one space (LIBMF's input), not commas
//     --no-header  the first line is a rating, not user,item,rating
//     --exact      the rating read as text and parsed by mfrec's parse_number
//                  (correctly rounded, as the reader must) instead of fccp's
//                  own parse_float, which accumulates digit by digit and can
//                  be one ulp off
// Built twice: fccp_parse reads ahead on fccp's own thread, as the library
// does by default; fccp_parse_nothread defines CSV_IO_NO_THREAD and reads
// on the calling thread.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <libfccp/csv.h>
#include <string_view>

#include "io/parse_number.hpp"

namespace {

constexpr const char* kUsage = "usage: fccp_parse FILE [--space] [--no-header] [--exact]\n";

struct Options {
  const char* path = nullptr;
  bool space = false;
  bool header = true;
  bool exact = false;
};

struct Totals {
  long long rows = 0;
  double rating_sum = 0;     // printed, so that the parse is not optimised away
  std::size_t name_bytes = 0;  // likewise for the two names
};

template <char Separator>
using Reader = io::CSVReader<3, io::trim_chars<'\t'>, io::no_quote_escape<Separator>>;

template <char Separator>
Totals parse_file(const Options& options) {
  Reader<Separator> reader(options.path);
  if (options.header) reader.read_header(io::ignore_extra_column, "user", "item", "rating");
  Totals totals;
  char* user = nullptr;
  char* item = nullptr;
  if (options.exact) {
    char* rating_text = nullptr;
    while (reader.read_row(user, item, rating_text)) {
      const auto rating = mfrec::detail::parse_finite_number(rating_text);
      if (!rating) throw std::runtime_error("bad rating at line " + std::to_string(reader.get_file_line()));
      totals.rating_sum += *rating;
      totals.name_bytes += std::strlen(user) + std::strlen(item);
      ++totals.rows;
    }
  } else {
    double rating = 0;
    while (reader.read_row(user, item, rating)) {
      totals.rating_sum += rating;
      totals.name_bytes += std::strlen(user) + std::strlen(item);
      ++totals.rows;
    }
  }
  return totals;
}

bool parse_arguments(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--space") options.space = true;
    else if (arg == "--no-header") options.header = false;
    else if (arg == "--exact") options.exact = true;
    else if (!arg.starts_with("--") && !options.path) options.path = argv[i];
    else return false;
  }
  return options.path != nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_arguments(argc, argv, options)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const Totals totals = options.space ? parse_file<' '>(options) : parse_file<','>(options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("rows %lld  seconds %.3f  rows/s %.3g  (rating sum %.6g, name bytes %zu)\n", totals.rows, seconds,
                static_cast<double>(totals.rows) / seconds, totals.rating_sum, totals.name_bytes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fccp_parse: %s\n", e.what());
    return 1;
  }
  return 0;
}
