#pragma once
// Maps string ids (user or item names) to dense indices 0..size()-1, in order
// of first appearance, and back. Names are kept byte for byte for output.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mfrec {

class IdMap {
 public:
  // Indices are 32-bit, so at most 2^32-1 ids; `limit` lowers that (tests).
  static constexpr std::uint32_t kMaxIds = 0xFFFFFFFFu;
  IdMap() = default;
  explicit IdMap(std::uint32_t limit) : limit_(limit) {}
  IdMap(const IdMap& other);
  IdMap& operator=(const IdMap& other);
  IdMap(IdMap&&) noexcept = default;
  IdMap& operator=(IdMap&&) noexcept = default;

  // Index of `name`, adding it if new. Throws Error(Data) past the limit.
  std::uint32_t intern(std::string_view name);
  std::optional<std::uint32_t> find(std::string_view name) const;
  const std::string& name(std::uint32_t index) const { return names_[index]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }
  void reserve(std::size_t n) { index_.reserve(n); }

 private:
  // A deque never moves its elements, so the string_view keys stay valid.
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, std::uint32_t> index_;
  std::uint32_t limit_ = kMaxIds;
};

// The names of `ids` closest to `name` by edit distance, best first, for
// "did you mean" hints.
std::vector<std::string> closest_names(const IdMap& ids, std::string_view name, std::size_t count);

}  // namespace mfrec
