#pragma once
// A step only rank 0 takes (opening -o, writing, committing) must end alike
// on every rank: when rank 0 fails and the others carry on into the next
// collective, they wait forever. agree_on_root runs the step on rank 0 and
// gives every rank its outcome, so each throws the same Error (main prints
// it on rank 0 and every rank exits with its code).
#include <functional>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::cli {

// Runs `step` on rank 0 alone, then, collectively: when it threw, rank 0
// rethrows its exception and every other rank throws the same mfrec::Error
// (kind, message and location; Internal with the text for any other
// exception; StdoutClosed for StdoutClosed). A process alone just runs it.
void agree_on_root(const dist::Cluster& ranks, const std::function<void()>& step);

}  // namespace mfrec::cli
