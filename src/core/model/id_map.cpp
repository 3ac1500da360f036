#include "mfrec/model/id_map.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "mfrec/error.hpp"
#include "util/huge_pages.hpp"

namespace mfrec {

namespace {

constexpr std::size_t kMinSlots = 16;

std::uint32_t saturated_length(std::size_t n) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

std::uint64_t load64(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
std::uint32_t load32(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
std::uint64_t byte(char c) { return static_cast<unsigned char>(c); }

}  // namespace

// The hash eats eight bytes at a step. Not hardened against crafted
// collisions: ids come from the user's own files.
IdMap::Key::Key(std::string_view n) : name(n), hash(0), head(0), length(saturated_length(n.size())) {
  const char* p = n.data();
  const std::size_t size = n.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (size * 0xff51afd7ed558ccdULL);
  auto absorb = [&](std::uint64_t word) {
    h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
  };
  // Fixed-size loads only (a variable-size memcpy is a library call);
  // overlapping ones cover every byte, which with the length identifies a
  // name of up to eight bytes.
  if (size > 8) {
    head = load64(p);
    std::size_t at = 0;
    for (; size - at > 8; at += 8) absorb(load64(p + at));
    absorb(load64(p + size - 8));
  } else {
    if (size >= 4) {
      head = load32(p) | std::uint64_t{load32(p + size - 4)} << 32;
    } else if (size > 0) {
      head = byte(p[0]) | byte(p[size / 2]) << 8 | byte(p[size - 1]) << 16;
    }
    absorb(head);
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  hash = h;
}

std::size_t IdMap::slot_for(const Key& key) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(key.hash) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id_plus_one == 0) return i;
    if (s.head == key.head && s.length == key.length && (key.length <= 8 || names_[s.id_plus_one - 1] == key.name))
      return i;
  }
}

void IdMap::rehash(std::size_t slot_count) {
  std::vector<Slot> old;
  old.reserve(slot_count);
  detail::advise_huge_pages(old.data(), slot_count * sizeof(Slot));  // probes are random
  old.resize(slot_count);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id_plus_one == 0) continue;
    std::size_t i = static_cast<std::size_t>(Key(names_[s.id_plus_one - 1]).hash) & mask;
    while (slots_[i].id_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void IdMap::reserve(std::size_t n) {
  const std::size_t wanted = std::bit_ceil(std::max(kMinSlots, 2 * n));
  if (wanted > slots_.size()) rehash(wanted);
}

std::uint32_t IdMap::intern(const Key& key) {
  if (slots_.empty()) rehash(kMinSlots);
  std::size_t slot = slot_for(key);
  if (slots_[slot].id_plus_one != 0) return slots_[slot].id_plus_one - 1;
  if (names_.size() >= limit_)
    throw Error(ErrorKind::Data, "more than " + std::to_string(limit_) +
                                     " distinct ids (user or item names): indices are 32-bit");
  if (2 * (names_.size() + 1) > slots_.size()) {
    rehash(2 * slots_.size());
    slot = slot_for(key);
  }
  const auto index = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(key.name);
  slots_[slot] = Slot{key.head, key.length, index + 1};
  return index;
}

std::optional<std::uint32_t> IdMap::find(std::string_view name) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& s = slots_[slot_for(Key(name))];
  if (s.id_plus_one == 0) return std::nullopt;
  return s.id_plus_one - 1;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> closest_names(const IdMap& ids, std::string_view name, std::size_t count) {
  std::vector<std::pair<std::size_t, std::uint32_t>> scored;
  scored.reserve(ids.size());
  for (std::uint32_t i = 0; i < ids.size(); ++i) scored.emplace_back(edit_distance(name, ids.name(i)), i);
  const std::size_t n = std::min(count, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(ids.name(scored[i].second));
  return out;
}

}  // namespace mfrec
