// Writes seeded synthetic ratings (long layout, user,item,rating, string
// ids) with a known low-rank structure and Zipf-like item popularity, for
// the speed benchmarks:
//   make_ratings OUT.csv USERS ITEMS RATINGS [RANK=16] [SEED=1]
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#include "mfrec/io/atomic_file.hpp"
#include "mfrec/error.hpp"
#include "util/synthetic.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: make_ratings OUT.csv USERS ITEMS RATINGS [RANK=16] [SEED=1]\n");
    return 64;
  }
  try {
    mfrec::SyntheticSpec spec;
    spec.users = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    spec.items = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    spec.ratings = std::strtoull(argv[4], nullptr, 10);
    spec.rank = argc > 5 ? static_cast<std::uint32_t>(std::strtoul(argv[5], nullptr, 10)) : 16;
    spec.seed = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 1;
    spec.factor_sd = 0.5 / std::sqrt(spec.rank / 4.0);  // keep the signal's spread at rank 4's
    spec.noise_sd = 0.5;
    const mfrec::Dataset d = mfrec::make_synthetic(spec);
    mfrec::AtomicFile out(argv[1]);
    std::string buffer = "user,item,rating\n";
    for (const auto& r : d.ratings) {
      fmt::format_to(std::back_inserter(buffer), "{},{},{:.2f}\n", d.users.name(r.user), d.items.name(r.item), r.value);
      if (buffer.size() > (1u << 20)) {
        out.write(buffer);
        buffer.clear();
      }
    }
    out.write(buffer);
    out.commit();
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "make_ratings: %s\n", e.what());
    return 1;
  }
  return 0;
}
