// Splits a ratings file into seeded train and test parts (long layout,
// user,item,rating), the split the accuracy benchmark scores on:
//   split_ratings RATINGS TEST_FRACTION SEED TRAIN.csv TEST.csv
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#include "mfrec/io/atomic_file.hpp"
#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace {
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void write(const mfrec::Dataset& d, const std::string& path) {
  mfrec::AtomicFile out(path);
  std::string text = "user,item,rating\n";
  for (const auto& r : d.ratings)
    text += fmt::format("{},{},{}\n", quoted(d.users.name(r.user)), quoted(d.items.name(r.item)), r.value);
  out.write(text);
  out.commit();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: split_ratings RATINGS TEST_FRACTION SEED TRAIN.csv TEST.csv\n");
    return 64;
  }
  try {
    const mfrec::Dataset data = mfrec::read_ratings(argv[1], mfrec::ReadOptions{});
    const mfrec::Split split = mfrec::split_holdout(data, std::strtod(argv[2], nullptr), std::strtoull(argv[3], nullptr, 10));
    write(split.train, argv[4]);
    write(split.holdout, argv[5]);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "split_ratings: %s\n", e.what());
    return 1;
  }
  return 0;
}
