// Writes seeded synthetic data with Zipf-like item popularity (string ids
// "u<index>", "i<index>"), for the speed benchmarks:
//   make_ratings OUT.csv USERS ITEMS RATINGS [RANK=16] [SEED=1]
//     user,item,rating rows with a known low-rank structure, in (user, item)
//     order (bench/speed.sh);
//   make_ratings --interactions OUT.csv USERS ITEMS N [SEED=1]
//     N distinct user,item rows with no rating column, in a seeded random
//     order, as implicit-feedback logs come (bench/implicit_speed.sh).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <string_view>

#include "mfrec/error.hpp"
#include "mfrec/io/atomic_file.hpp"
#include "util/random.hpp"
#include "util/synthetic.hpp"

namespace {

constexpr const char* kUsage =
    "usage: make_ratings OUT.csv USERS ITEMS RATINGS [RANK=16] [SEED=1]\n"
    "       make_ratings --interactions OUT.csv USERS ITEMS N [SEED=1]\n";

// The line order's stream. Not one of the core's RngStream values (those name
// the core's uses); far above them so that a new one never collides.
constexpr std::uint64_t kStreamLineOrder = 1001;

std::uint32_t count32(const char* text) { return static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10)); }

// Writes `header`, then `format_row(buffer, rating)` for each rating, in
// 1 MiB pieces, all or nothing.
template <class FormatRow>
void write_rows(const std::string& path, std::string_view header, const mfrec::Dataset& d, FormatRow format_row) {
  mfrec::AtomicFile out(path);
  std::string buffer(header);
  for (const auto& r : d.ratings) {
    format_row(buffer, r);
    if (buffer.size() > (1u << 20)) {
      out.write(buffer);
      buffer.clear();
    }
  }
  out.write(buffer);
  out.commit();
}

void write_ratings(char** argv, int argc) {
  mfrec::SyntheticSpec spec;
  spec.users = count32(argv[2]);
  spec.items = count32(argv[3]);
  spec.ratings = std::strtoull(argv[4], nullptr, 10);
  spec.rank = argc > 5 ? count32(argv[5]) : 16;
  spec.seed = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 1;
  spec.factor_sd = 0.5 / std::sqrt(spec.rank / 4.0);  // keep the signal's spread at rank 4's
  spec.noise_sd = 0.5;
  const mfrec::Dataset d = mfrec::make_synthetic(spec);
  write_rows(argv[1], "user,item,rating\n", d, [&](std::string& buffer, const mfrec::Rating& r) {
    fmt::format_to(std::back_inserter(buffer), "{},{},{:.2f}\n", d.users.name(r.user), d.items.name(r.item), r.value);
  });
}

// The pairs are make_synthetic's (distinct, Zipf-like items, every user at
// least once); its values are dropped. It returns them in (user, item)
// order, which a reader could exploit, so they are shuffled.
void write_interactions(char** argv, int argc) {
  mfrec::SyntheticSpec spec;
  spec.users = count32(argv[3]);
  spec.items = count32(argv[4]);
  spec.ratings = std::strtoull(argv[5], nullptr, 10);
  spec.rank = 1;  // the values are not written; the smallest truth is the cheapest
  spec.seed = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 1;
  mfrec::Dataset d = mfrec::make_synthetic(spec);
  mfrec::Rng(spec.seed, kStreamLineOrder).shuffle(d.ratings.begin(), d.ratings.end());
  write_rows(argv[2], "user,item\n", d, [&](std::string& buffer, const mfrec::Rating& r) {
    fmt::format_to(std::back_inserter(buffer), "{},{}\n", d.users.name(r.user), d.items.name(r.item));
  });
}

}  // namespace

int main(int argc, char** argv) {
  const bool interactions = argc > 1 && std::string_view(argv[1]) == "--interactions";
  if (interactions ? argc < 6 || argc > 7 : argc < 5 || argc > 7) {
    std::fputs(kUsage, stderr);
    return 64;
  }
  try {
    if (interactions)
      write_interactions(argv, argc);
    else
      write_ratings(argv, argc);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "make_ratings: %s\n", e.what());
    return 1;
  }
  return 0;
}
