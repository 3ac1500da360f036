#include "mfrec/id_map.hpp"

#include <algorithm>
#include <limits>

#include "mfrec/error.hpp"

namespace mfrec {

IdMap::IdMap(const IdMap& other) : limit_(other.limit_) {
  reserve(other.size());
  for (const auto& n : other.names_) intern(n);
}

IdMap& IdMap::operator=(const IdMap& other) {
  if (this != &other) {
    IdMap copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::uint32_t IdMap::intern(std::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  if (names_.size() >= limit_)
    throw Error(ErrorKind::Data, "more than " + std::to_string(limit_) +
                                     " distinct ids (user or item names): indices are 32-bit");
  const auto index = static_cast<std::uint32_t>(names_.size());
  const std::string& stored = names_.emplace_back(name);
  index_.emplace(std::string_view(stored), index);
  return index;
}

std::optional<std::uint32_t> IdMap::find(std::string_view name) const {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  return std::nullopt;
}

namespace {
// Levenshtein distance, case-insensitive for ASCII letters.
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
}  // namespace

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
