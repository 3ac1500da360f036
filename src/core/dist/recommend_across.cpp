#include "mfrec/dist/recommend_across.hpp"

#include <numeric>

#include "mfrec/query/user_view.hpp"
#include "dist/byte_stream.hpp"

namespace mfrec::dist {

namespace {

// Users per message to rank 0: about 0.5 MB at --top 10 (1 MB with
// --explain), so rank 0 holds its own answers and one batch, never everyone's.
constexpr std::uint32_t kUsersPerBatch = 4096;

void fill(UserAnswer& answer, const Model& model, const Explainer* explainer, std::uint32_t user,
          const std::vector<Recommendation>& recs) {
  answer.user = user;
  answer.recs = recs;
  answer.because = explainer ? explain_each(explainer, user_view(model, user), recs)
                             : std::vector<std::optional<Because>>{};
}

void encode(ByteWriter& out, const UserAnswer& answer) {
  out.put(answer.user);
  out.put(static_cast<std::uint32_t>(answer.recs.size()));
  for (const Recommendation& r : answer.recs) {
    out.put(r.item);
    out.put(r.score);
  }
  for (const std::optional<Because>& because : answer.because) {
    out.put(static_cast<std::uint8_t>(because.has_value()));
    if (!because) continue;
    out.put(because->item);
    out.put(because->rating);
    out.put(static_cast<std::uint8_t>(because->given));
  }
}

void decode(ByteReader& in, bool explained, UserAnswer& answer) {
  answer.user = in.get<std::uint32_t>();
  answer.recs.resize(in.get<std::uint32_t>());
  for (Recommendation& r : answer.recs) {
    r.item = in.get<std::uint32_t>();
    r.score = in.get<double>();
  }
  answer.because.assign(explained ? answer.recs.size() : 0, std::nullopt);
  for (std::optional<Because>& because : answer.because) {
    if (!in.get<std::uint8_t>()) continue;
    because.emplace();
    because->item = in.get<std::uint32_t>();
    because->rating = in.get<double>();
    because->given = in.get<std::uint8_t>() != 0;
  }
}

std::size_t batches_in(UserRange range) { return (range.last - range.first + kUsersPerBatch - 1) / kUsersPerBatch; }

// This rank's answers, encoded, kUsersPerBatch users a batch.
std::vector<ByteWriter> own_answers(const Cluster& ranks, const Model& model,
                                                const RecommendOptions& options, const Explainer* explainer) {
  const UserRange range = users_of_rank(static_cast<std::uint32_t>(model.users.size()), ranks.rank(), ranks.size());
  std::vector<std::uint32_t> users(range.last - range.first);
  std::iota(users.begin(), users.end(), range.first);
  std::vector<ByteWriter> batches(batches_in(range));
  UserAnswer answer;
  recommend_users(model, users, options, [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
    fill(answer, model, explainer, user, recs);
    encode(batches[(user - range.first) / kUsersPerBatch], answer);
  });
  return batches;
}

}  // namespace

std::vector<std::optional<Because>> explain_each(const Explainer* explainer, const UserView& user,
                                                 const std::vector<Recommendation>& recs) {
  std::vector<std::optional<Because>> because;
  if (!explainer) return because;
  because.reserve(recs.size());
  for (const Recommendation& r : recs) because.push_back(explainer->because(user, r.item));
  return because;
}

UserRange users_of_rank(std::uint32_t users, int rank, int ranks) {
  auto bound = [&](int r) { return static_cast<std::uint32_t>(std::uint64_t{users} * r / ranks); };
  return {bound(rank), bound(rank + 1)};
}

void recommend_all_across(const Cluster& ranks, const Model& model, const RecommendOptions& options,
                          const Explainer* explainer, const AnswerSink& emit) {
  UserAnswer answer;
  if (ranks.size() == 1) {
    recommend_all(model, options, [&](std::uint32_t user, const std::vector<Recommendation>& recs) {
      fill(answer, model, explainer, user, recs);
      emit(answer);
    });
    return;
  }
  std::vector<ByteWriter> own = own_answers(ranks, model, options, explainer);
  std::vector<std::byte> received;
  std::vector<std::size_t> offsets;
  const auto users = static_cast<std::uint32_t>(model.users.size());
  // Rank by rank, so that rank 0 sees the users in order; every rank takes
  // part in every gather, with no bytes when the batch is not its own.
  for (int from = 0; from < ranks.size(); ++from) {
    const std::size_t batches = batches_in(users_of_rank(users, from, ranks.size()));
    for (std::size_t b = 0; b < batches; ++b) {
      std::vector<std::byte> mine;
      if (from == ranks.rank()) mine.swap(own[b].bytes());  // freed once sent
      ranks.gather(0, mine, received, offsets);
      if (ranks.rank() != 0) continue;
      for (ByteReader in(received); !in.at_end();) {
        decode(in, explainer != nullptr, answer);
        emit(answer);
      }
    }
  }
}

}  // namespace mfrec::dist
