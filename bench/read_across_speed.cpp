// Times dist::read_ratings_across with N ranks as N threads of this process
// (tests/thread_cluster.hpp), against read_ratings alone (--ranks 0), and
// prints the peak resident memory. With N ranks in one process every rank
// holds its own Dataset: the peak is the N ranks' together.
//   read_across_speed FILE [--ranks N] [--threads T] [--runs R]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mfrec/dist/read_across.hpp"
#include "mfrec/error.hpp"
#include "thread_cluster.hpp"

namespace {

std::size_t read_once(const std::string& path, int ranks, const mfrec::ReadOptions& options) {
  if (ranks == 0) return mfrec::read_ratings(path, options).ratings.size();
  std::vector<std::size_t> sizes(static_cast<std::size_t>(ranks));
  mfrec::testing::run_ranks(ranks, [&](const mfrec::dist::Cluster& cluster) {
    sizes[static_cast<std::size_t>(cluster.rank())] =
        mfrec::dist::read_ratings_across(cluster, path, options).ratings.size();
  });
  return sizes[0];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_across_speed FILE [--ranks N] [--threads T] [--runs R]\n");
    return 64;
  }
  mfrec::ReadOptions options;
  int ranks = 0, runs = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--ranks") ranks = std::atoi(argv[i + 1]);
    else if (a == "--threads") options.threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
  }
  std::vector<double> seconds;
  std::size_t ratings = 0;
  try {
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      ratings = read_once(argv[1], ranks, options);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "read_across_speed: %s\n", e.what());
    return 65;
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf("ranks %d, threads %u: median %.3f s (", ranks, options.threads, sorted[sorted.size() / 2]);
  for (std::size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.3f", i ? " " : "", seconds[i]);
  std::printf("), %zu ratings, peak RSS %ld MB\n", ratings, usage.ru_maxrss / 1024);
  return 0;
}
