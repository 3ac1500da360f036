// Writes seeded synthetic data with Zipf-like item popularity (string ids
// "u<index>", "i<index>"), for the speed benchmarks:
//   make_ratings [--shuffled] [--numeric] OUT USERS ITEMS RATINGS [RANK=16] [SEED=1]
//     user,item,rating rows with a known low-rank structure, in (user, item)
//     order (bench/speed.sh);
//     --shuffled  the same rows in a seeded random order (the line order's
//                 stream of SEED), as files not grouped by user come
//     --numeric   LIBMF's text shape: "USER ITEM RATING" separated by one
//                 space, the ids as bare indices (u12 is 12), no header; the
//                 same ratings in the same order as without it
//   make_ratings --interactions OUT.csv USERS ITEMS N [SEED=1]
//     N distinct user,item rows with no rating column, in a seeded random
//     order, as implicit-feedback logs come (bench/implicit_speed.sh).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/error.hpp"
#include "mfrec/io/atomic_file.hpp"
#include "util/random.hpp"
#include "util/synthetic.hpp"

namespace {

constexpr const char* kUsage =
    "usage: make_ratings [--shuffled] [--numeric] OUT USERS ITEMS RATINGS [RANK=16] [SEED=1]\n"
    "       make_ratings --interactions OUT.csv USERS ITEMS N [SEED=1]\n";

// The line order's stream. Not one of the core's RngStream values (those name
// the core's uses); far above them so that a new one never collides.
constexpr std::uint64_t kStreamLineOrder = 1001;

// The command line: its leading --flags, then the positional arguments.
struct Arguments {
  bool interactions = false;
  bool shuffled = false;
  bool numeric = false;
  std::vector<const char*> positional;
};

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

void write_ratings(const Arguments& args) {
  const auto& arg = args.positional;
  mfrec::SyntheticSpec spec;
  spec.users = count32(arg[1]);
  spec.items = count32(arg[2]);
  spec.ratings = std::strtoull(arg[3], nullptr, 10);
  spec.rank = arg.size() > 4 ? count32(arg[4]) : 16;
  spec.seed = arg.size() > 5 ? std::strtoull(arg[5], nullptr, 10) : 1;
  spec.factor_sd = 0.5 / std::sqrt(spec.rank / 4.0);  // keep the signal's spread at rank 4's
  spec.noise_sd = 0.5;
  mfrec::Dataset d = mfrec::make_synthetic(spec);
  if (args.shuffled) mfrec::Rng(spec.seed, kStreamLineOrder).shuffle(d.ratings.begin(), d.ratings.end());
  if (args.numeric) {
    // The names are "u<index>" and "i<index>", so the index is the name's number.
    write_rows(arg[0], "", d, [](std::string& buffer, const mfrec::Rating& r) {
      fmt::format_to(std::back_inserter(buffer), "{} {} {:.2f}\n", r.user, r.item, r.value);
    });
    return;
  }
  write_rows(arg[0], "user,item,rating\n", d, [&](std::string& buffer, const mfrec::Rating& r) {
    fmt::format_to(std::back_inserter(buffer), "{},{},{:.2f}\n", d.users.name(r.user), d.items.name(r.item), r.value);
  });
}

// The pairs are make_synthetic's (distinct, Zipf-like items, every user at
// least once); its values are dropped. It returns them in (user, item)
// order, which a reader could exploit, so they are shuffled.
void write_interactions(const Arguments& args) {
  const auto& arg = args.positional;
  mfrec::SyntheticSpec spec;
  spec.users = count32(arg[1]);
  spec.items = count32(arg[2]);
  spec.ratings = std::strtoull(arg[3], nullptr, 10);
  spec.rank = 1;  // the values are not written; the smallest truth is the cheapest
  spec.seed = arg.size() > 4 ? std::strtoull(arg[4], nullptr, 10) : 1;
  mfrec::Dataset d = mfrec::make_synthetic(spec);
  mfrec::Rng(spec.seed, kStreamLineOrder).shuffle(d.ratings.begin(), d.ratings.end());
  write_rows(arg[0], "user,item\n", d, [&](std::string& buffer, const mfrec::Rating& r) {
    fmt::format_to(std::back_inserter(buffer), "{},{}\n", d.users.name(r.user), d.items.name(r.item));
  });
}

// False on a command line kUsage does not allow. Interactions are always
// shuffled and always named, so they take neither flag.
bool parse_arguments(int argc, char** argv, Arguments& args) {
  int i = 1;
  for (; i < argc && std::string_view(argv[i]).starts_with("--"); ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--interactions") args.interactions = true;
    else if (flag == "--shuffled") args.shuffled = true;
    else if (flag == "--numeric") args.numeric = true;
    else return false;
  }
  args.positional.assign(argv + i, argv + argc);
  const std::size_t n = args.positional.size();
  if (args.interactions) return !args.shuffled && !args.numeric && n >= 4 && n <= 5;
  return n >= 4 && n <= 6;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  if (!parse_arguments(argc, argv, args)) {
    std::fputs(kUsage, stderr);
    return 64;
  }
  try {
    if (args.interactions)
      write_interactions(args);
    else
      write_ratings(args);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "make_ratings: %s\n", e.what());
    return 1;
  }
  return 0;
}
