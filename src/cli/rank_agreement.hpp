#pragma once
// Errors the ranks of a run agree on, so that they all take the same path:
// a step that may fail on one rank only (a file that only rank 0 writes, a
// path missing on one machine) must not leave the others waiting in the
// next collective. README "Many machines".
#include <functional>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::cli {

// Runs `step` on this rank, then learns every rank's outcome (a collective:
// every rank calls it at the same point). When any rank's step threw an
// mfrec::Error, every rank throws the first failing rank's (in rank order:
// the earliest in a file read in rank-ordered parts), with its kind, message
// and location, so that rank 0 can say it and every rank exits with its code.
// Any other exception passes through at once: the caller ends the run then.
void agree_on(const dist::Cluster& ranks, const std::function<void()>& step);

}  // namespace mfrec::cli
