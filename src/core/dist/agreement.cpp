#include "dist/agreement.hpp"

#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mfrec::dist {

namespace {

enum class Failed : std::uint8_t { No, WithError, OutOfMemory, WithOther, WithUnknown };

void put_error(ByteWriter& out, const Error& e) {
  out.put(Failed::WithError);
  out.put(e.kind());
  out.put_string(e.message());
  out.put(e.where().has_value());
  if (!e.where()) return;
  out.put_string(e.where()->file);
  out.put(e.where()->line);
  out.put(e.where()->column);
}

Error get_error(ByteReader& in) {
  const auto kind = in.get<ErrorKind>();
  std::string message = in.get_string();
  if (!in.get<bool>()) return Error(kind, std::move(message));
  Location where;
  where.file = in.get_string();
  where.line = in.get<std::uint64_t>();
  where.column = in.get<std::uint64_t>();
  return Error(kind, std::move(message), std::move(where));
}

}  // namespace

void put_failure(ByteWriter& out, const std::exception_ptr& failure) {
  if (!failure) return out.put(Failed::No);
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    put_error(out, e);
  } catch (const std::bad_alloc&) {
    out.put(Failed::OutOfMemory);
  } catch (const std::exception& e) {
    out.put(Failed::WithOther);
    out.put_string(e.what());
  } catch (...) {
    out.put(Failed::WithUnknown);
  }
}

std::exception_ptr get_failure(ByteReader& in) {
  switch (in.get<Failed>()) {
    case Failed::No: return nullptr;
    case Failed::WithError: return std::make_exception_ptr(get_error(in));
    case Failed::OutOfMemory: return std::make_exception_ptr(std::bad_alloc());
    case Failed::WithOther: return std::make_exception_ptr(std::runtime_error(in.get_string()));
    case Failed::WithUnknown: return std::make_exception_ptr(std::runtime_error("unknown exception"));
  }
  throw Error(ErrorKind::Internal, "a failure from another rank of an unknown kind");
}

// Everyone learns whether anyone failed (one small reduction, the common
// case); only then are the failures themselves gathered.
void agree(const Cluster& ranks, const std::exception_ptr& failure) {
  if (ranks.max(failure ? 1 : 0) == 0) return;
  ByteWriter mine;
  put_failure(mine, failure);
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  ranks.allgather(mine.bytes(), all, offsets);
  for (int r = 0; r < ranks.size(); ++r) {
    ByteReader in{std::span(all).subspan(offsets[r], offsets[r + 1] - offsets[r])};
    std::exception_ptr theirs = get_failure(in);
    if (!theirs) continue;
    std::rethrow_exception(r == ranks.rank() ? failure : theirs);
  }
  throw Error(ErrorKind::Internal, "ranks agree that one failed, but none says how");
}

}  // namespace mfrec::dist
