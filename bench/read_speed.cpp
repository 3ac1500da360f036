// Times read_ratings alone: the reader's speed without training around it.
//   read_speed FILE [--threads T] [--runs N] [--space] [--no-header] [--piece-bytes B]
// Prints the median and every run's seconds, and what was read.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_speed FILE [--threads T] [--runs N] [--space] [--no-header] [--piece-bytes B]\n");
    return 64;
  }
  mfrec::ReadOptions options;
  options.layout = mfrec::Layout::Long;
  int runs = 3;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) options.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--space") options.delimiter = mfrec::kWhitespaceDelimiter;
    else if (a == "--no-header") options.header = false;
    else if (a == "--piece-bytes" && i + 1 < argc) options.piece_bytes = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "read_speed: unknown argument '%s'\n", a.c_str());
      return 64;
    }
  }
  std::vector<double> seconds;
  mfrec::Dataset data;
  try {
    for (int r = 0; r < runs; ++r) {
      data = {};
      const auto start = std::chrono::steady_clock::now();
      data = mfrec::read_ratings(argv[1], options);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "read_speed: %s\n", e.what());
    return 65;
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  std::printf("median %.3f s (", sorted[sorted.size() / 2]);
  for (std::size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.3f", i ? " " : "", seconds[i]);
  std::printf(") threads %u: %zu ratings, %u users, %u items\n", options.threads, data.ratings.size(),
              data.users.size(), data.items.size());
  return 0;
}
