#pragma once
// The long layout of a regular file, loaded across the ranks of a run: rank
// r of N parses pieces [⌊P·r/N⌋, ⌊P·(r+1)/N⌋) of the file's P pieces
// (pieces.hpp) on its threads, then every rank merges every piece in file
// order, each broadcast by its parser when its turn comes. The merge is
// read_ratings's own (long_pipeline.hpp), so every rank ends with the
// ratings, the id maps and the first error that one process reading the
// whole file would have. Collective.
#include "io/ratings_load.hpp"
#include "mfrec/dist/cluster.hpp"

namespace mfrec::dist {

void load_long_across(const Cluster& ranks, detail::RatingsLoad& load, const detail::LongShape& shape);

}  // namespace mfrec::dist
