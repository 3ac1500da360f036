#pragma once
// Ranks agree on how a step ended, so that a failure on one rank ends every
// rank alike instead of leaving its peers waiting in the next collective.
// Each rank runs the step in a try and calls agree() at the same point,
// failed or not; if any rank failed, every rank throws the failure of the
// lowest failing rank: for a file read in shares, the earliest in the file,
// whose line the lower ranks' counts make the file's own. A rank rethrows
// its own failure as it was; the others throw it rebuilt from bytes: an
// mfrec::Error as it was (kind, message, file:line:column), std::bad_alloc
// as itself, anything else as a std::runtime_error with its what().
#include <exception>
#include <utility>

#include "dist/byte_stream.hpp"
#include "mfrec/dist/agree.hpp"
#include "mfrec/dist/cluster.hpp"

namespace mfrec::dist {


// Runs `step`, then agree()s on how it ended.
template <class Step>
void agreed(const Cluster& ranks, Step&& step) {
  std::exception_ptr failure;
  try {
    std::forward<Step>(step)();
  } catch (...) {
    failure = std::current_exception();
  }
  agree(ranks, failure);
}

// A failure into bytes and back (none: a null pointer), for agree() and for
// a parsed piece's first error, which travels with the piece.
void put_failure(ByteWriter& out, const std::exception_ptr& failure);
std::exception_ptr get_failure(ByteReader& in);

}  // namespace mfrec::dist
