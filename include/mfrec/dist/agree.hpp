#pragma once
// Ranks agree on how a step ended (src/core/dist/agreement.hpp says how):
// collective; `failure` is what this rank's step threw (null: nothing). If
// any rank failed, every rank throws the lowest failing rank's failure.
#include <exception>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::dist {

void agree(const Cluster& ranks, const std::exception_ptr& failure);

}  // namespace mfrec::dist
