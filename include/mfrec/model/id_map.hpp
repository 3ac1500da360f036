#pragma once
// Maps string ids (user or item names) to dense indices 0..size()-1, in order
// of first appearance, and back. Names are kept byte for byte for output.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfrec {

class IdMap {
 public:
  // Indices are 32-bit, so at most 2^32-1 ids; `limit` lowers that (tests).
  static constexpr std::uint32_t kMaxIds = 0xFFFFFFFFu;
  IdMap() = default;
  explicit IdMap(std::uint32_t limit) : limit_(limit) {}

  // A name prepared for lookup: a fast 64-bit hash (its low bits pick the
  // slot) and the bytes a slot keeps inline. Interning a batch of names is
  // faster when every name is hashed and its slot prefetched before the
  // first lookup, so that the lookups' cache misses overlap. Views `name`.
  struct Key {
    explicit Key(std::string_view n);
    std::string_view name;
    std::uint64_t hash;
    std::uint64_t head;
    std::uint32_t length;
  };
  void prefetch(const Key& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(key.hash) & (slots_.size() - 1)]);
  }

  // Index of `name`, adding it if new. Throws Error(Data) past the limit.
  std::uint32_t intern(std::string_view name) { return intern(Key(name)); }
  std::uint32_t intern(const Key& key);
  std::optional<std::uint32_t> find(std::string_view name) const;
  const std::string& name(std::uint32_t index) const { return names_[index]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }
  // Room for `n` ids without rehashing.
  void reserve(std::size_t n);

 private:
  // One cell of the open-addressing table. It holds the name's length and
  // first eight bytes, so a lookup of a short name (most ids) reads one
  // cache line and compares two integers; longer names are compared in full.
  struct Slot {
    std::uint64_t head = 0;       // the first bytes, or all of a short name
    std::uint32_t length = 0;     // saturated at 2^32-1
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  // The slot holding `key`, or the empty one where it would go.
  std::size_t slot_for(const Key& key) const;
  void rehash(std::size_t slot_count);

  std::vector<std::string> names_;
  // Linear probing over a power-of-two table kept at most half full: a
  // lookup is one hash and, nearly always, one cache line.
  std::vector<Slot> slots_;
  std::uint32_t limit_ = kMaxIds;
};

// Levenshtein distance, case-insensitive for ASCII letters: how "did you
// mean" hints measure a typo.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The names of `ids` closest to `name` by edit distance, best first, for
// "did you mean" hints.
std::vector<std::string> closest_names(const IdMap& ids, std::string_view name, std::size_t count);

}  // namespace mfrec
