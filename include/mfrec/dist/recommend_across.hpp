#pragma once
// `mpirun -np N mfrec recommend --all-users`: the users split across the
// ranks, every answer handed to rank 0 in user order, so that what it
// writes is byte for byte one process's output (README "Many machines").
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "mfrec/dist/cluster.hpp"
#include "mfrec/model/model.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec::dist {

// One user's answer as --all-users writes it.
struct UserAnswer {
  std::uint32_t user = 0;
  std::vector<Recommendation> recs;
  std::vector<std::optional<Because>> because;  // one per rec with --explain; empty without
};
using AnswerSink = std::function<void(const UserAnswer&)>;

// Each recommendation's because (nullopt: no rated item supports it);
// empty without an explainer.
std::vector<std::optional<Because>> explain_each(const Explainer* explainer, const UserView& user,
                                                 const std::vector<Recommendation>& recs);

// The users rank `rank` of `ranks` answers for: [users·rank/ranks, users·(rank+1)/ranks).
struct UserRange {
  std::uint32_t first = 0, last = 0;
};
UserRange users_of_rank(std::uint32_t users, int rank, int ranks);

// recommend_all across the ranks (collective): each rank ranks its own users
// (and explains them when `explainer` is given: the work is spread too), then
// rank 0 receives the answers rank by rank, a batch at a time, and calls
// `emit` for every user in user order. The other ranks never call `emit`.
// A process alone streams as recommend_all does.
void recommend_all_across(const Cluster& ranks, const Model& model, const RecommendOptions& options,
                          const Explainer* explainer, const AnswerSink& emit);

}  // namespace mfrec::dist
