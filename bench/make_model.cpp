// Writes a model of a given shape with seeded random parameters, for timing
// the query commands at scale without training first:
//   make_model OUT.model USERS ITEMS K [RATED_PER_USER] [SEED]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "util/random.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: make_model OUT.model USERS ITEMS K [RATED_PER_USER=20] [SEED=1]\n");
    return 64;
  }
  try {
    const std::string out = argv[1];
    const auto users = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    const auto items = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    const auto k = static_cast<std::uint32_t>(std::strtoul(argv[4], nullptr, 10));
    const std::uint32_t rated = argc > 5 ? static_cast<std::uint32_t>(std::strtoul(argv[5], nullptr, 10)) : 20;
    const std::uint64_t seed = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 1;

    mfrec::Model m;
    m.options.factors = k;
    m.options.seed = seed;
    m.source = "<make_model>";
    m.rating_min = 0.5f;
    m.rating_max = 5.0f;
    m.mean = 3.5f;
    for (std::uint32_t u = 0; u < users; ++u) m.users.intern("user" + std::to_string(u));
    for (std::uint32_t i = 0; i < items; ++i) m.items.intern("item" + std::to_string(i));
    mfrec::Rng rng(seed);
    m.rated_offsets.push_back(0);
    for (std::uint32_t u = 0; u < users; ++u) {
      // `rated` distinct items in ascending order: every (items/rated)-th, jittered.
      const std::uint32_t step = std::max<std::uint32_t>(1, items / std::max<std::uint32_t>(rated, 1));
      for (std::uint32_t j = 0; j < rated && j * step < items; ++j)
        m.rated_items.push_back(j * step + static_cast<std::uint32_t>(rng.below(step)));
      m.rated_offsets.push_back(m.rated_items.size());
    }
    m.ratings = m.train_ratings = m.rated_items.size();
    m.user_bias.resize(users);
    m.item_bias.resize(items);
    for (auto& b : m.user_bias) b = static_cast<float>(rng.normal() * 0.3);
    for (auto& b : m.item_bias) b = static_cast<float>(rng.normal() * 0.3);
    m.user_factors = mfrec::FactorMatrix(users, k);
    m.item_factors = mfrec::FactorMatrix(items, k);
    for (auto* f : {&m.user_factors, &m.item_factors})
      for (std::size_t r = 0; r < f->rows(); ++r)
        for (std::size_t c = 0; c < k; ++c) f->row(r)[c] = static_cast<float>(rng.normal() * 0.3);
    mfrec::save_model(m, out);
  } catch (const mfrec::Error& e) {
    std::fprintf(stderr, "make_model: %s\n", e.what());
    return 1;
  }
  return 0;
}
