#pragma once
// read_ratings for the ranks of a run (`mpirun -np N mfrec train`): every
// rank returns what read_ratings(path, options, report) returns (the same
// ids in order of first appearance, the same ratings in (user, item) order,
// the same report and notes), or throws the very Error it throws, on every
// rank. A regular file in the long layout is read in shares: each rank
// parses its own range of the file's pieces (pieces_across.hpp). stdin, a
// pipe and the wide layout are read by rank 0 alone, which sends every rank
// the Dataset. A failure on any rank (a file missing on one rank alone)
// ends every rank with the failure of the lowest rank that failed
// (agreement.hpp). Collective; one rank alone is read_ratings itself.
#include <string>

#include "mfrec/dist/cluster.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::dist {

Dataset read_ratings_across(const Cluster& ranks, const std::string& path, const ReadOptions& options,
                            ReadReport* report = nullptr);

}  // namespace mfrec::dist
