#include "rank_agreement.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "mfrec/error.hpp"

namespace mfrec::cli {

namespace {

// An Error as bytes: kind, line, column, then the message and the file
// (each a length and its bytes). A rank that succeeded sends nothing.
class Writer {
 public:
  void number(std::uint64_t v) { append(&v, sizeof v); }
  void text(const std::string& s) {
    number(s.size());
    append(s.data(), s.size());
  }
  std::vector<std::byte> bytes;

 private:
  void append(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
};

class Reader {
 public:
  explicit Reader(const std::byte* at) : at_(at) {}
  std::uint64_t number() {
    std::uint64_t v = 0;
    std::memcpy(&v, at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string text() {
    const std::size_t n = number();
    std::string s(reinterpret_cast<const char*>(at_), n);
    at_ += n;
    return s;
  }

 private:
  const std::byte* at_;
};

std::vector<std::byte> encode(const Error& e) {
  Writer w;
  const Location where = e.where().value_or(Location{});
  w.number(static_cast<std::uint64_t>(e.kind()));
  w.number(e.where() ? 1 : 0);
  w.number(where.line);
  w.number(where.column);
  w.text(e.message());
  w.text(where.file);
  return std::move(w.bytes);
}

Error decode(const std::byte* bytes) {
  Reader r(bytes);
  const auto kind = static_cast<ErrorKind>(r.number());
  const bool located = r.number() != 0;
  Location where;
  where.line = r.number();
  where.column = r.number();
  std::string message = r.text();
  where.file = r.text();
  return located ? Error(kind, std::move(message), std::move(where)) : Error(kind, std::move(message));
}

}  // namespace

void agree_on(const dist::Cluster& ranks, const std::function<void()>& step) {
  std::optional<Error> failure;
  try {
    step();
  } catch (const Error& e) {
    if (ranks.size() == 1) throw;
    failure = e;
  }
  if (ranks.size() == 1) return;
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  ranks.allgather(failure ? encode(*failure) : std::vector<std::byte>{}, all, offsets);
  for (int r = 0; r < ranks.size(); ++r)
    if (offsets[r + 1] > offsets[r]) throw decode(all.data() + offsets[r]);
}

}  // namespace mfrec::cli
