// The in-process cluster the distributed code is tested on: each collective
// gives every rank what MPI would, with 1 to 4 ranks, and a failing rank
// ends the run instead of hanging it.
#include "thread_cluster.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string>

#include "mfrec/error.hpp"

namespace mfrec::testing {
namespace {

// Rank r's part: r + 1 bytes, each r * 10 + i, so sizes and contents differ.
std::vector<std::byte> part_of(int rank) {
  std::vector<std::byte> part;
  for (int i = 0; i <= rank; ++i) part.push_back(static_cast<std::byte>(rank * 10 + i));
  return part;
}

std::vector<std::byte> all_parts(int ranks) {
  std::vector<std::byte> all;
  for (int r = 0; r < ranks; ++r) {
    const auto part = part_of(r);
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

// Offsets of the parts above: 0, 1, 3, 6, ...
std::vector<std::size_t> part_offsets(int ranks) {
  std::vector<std::size_t> offsets{0};
  for (int r = 0; r < ranks; ++r) offsets.push_back(offsets.back() + static_cast<std::size_t>(r) + 1);
  return offsets;
}

class ThreadClusterRanks : public ::testing::TestWithParam<int> {};

TEST_P(ThreadClusterRanks, EveryRankKnowsItsPlace) {
  const int n = GetParam();
  std::vector<int> seen(static_cast<std::size_t>(n), -1);
  run_ranks(n, [&](const dist::Cluster& ranks) {
    EXPECT_EQ(ranks.size(), n);
    seen[static_cast<std::size_t>(ranks.rank())] = ranks.rank();
  });
  for (int r = 0; r < n; ++r) EXPECT_EQ(seen[static_cast<std::size_t>(r)], r);
}

TEST_P(ThreadClusterRanks, AllgatherConcatenatesInRankOrder) {
  const int n = GetParam();
  run_ranks(n, [&](const dist::Cluster& ranks) {
    std::vector<std::byte> all;
    std::vector<std::size_t> offsets;
    ranks.allgather(dist::bytes_of(part_of(ranks.rank())), all, offsets);
    EXPECT_EQ(all, all_parts(n));
    EXPECT_EQ(offsets, part_offsets(n));
    EXPECT_EQ(ranks.bytes_sent(), static_cast<std::uint64_t>(ranks.rank() + 1) * (n - 1));
  });
}

TEST_P(ThreadClusterRanks, GatherFillsTheRootAlone) {
  const int n = GetParam();
  for (int root = 0; root < n; ++root) {
    run_ranks(n, [&](const dist::Cluster& ranks) {
      std::vector<std::byte> all{std::byte{99}};
      std::vector<std::size_t> offsets{99};
      ranks.gather(root, dist::bytes_of(part_of(ranks.rank())), all, offsets);
      if (ranks.rank() == root) {
        EXPECT_EQ(all, all_parts(n));
        EXPECT_EQ(offsets, part_offsets(n));
        EXPECT_EQ(ranks.bytes_sent(), 0u);
      } else {
        EXPECT_TRUE(all.empty());
        EXPECT_TRUE(offsets.empty());
        EXPECT_EQ(ranks.bytes_sent(), static_cast<std::uint64_t>(ranks.rank()) + 1);
      }
    });
  }
}

TEST_P(ThreadClusterRanks, BroadcastCopiesTheRootsBytes) {
  const int n = GetParam();
  for (int root = 0; root < n; ++root) {
    run_ranks(n, [&](const dist::Cluster& ranks) {
      std::vector<std::uint32_t> values(3, static_cast<std::uint32_t>(ranks.rank()));
      if (ranks.rank() == root) values = {7, 8, 9};
      ranks.broadcast(root, dist::bytes_of(values));
      EXPECT_EQ(values, (std::vector<std::uint32_t>{7, 8, 9}));
    });
  }
}

TEST_P(ThreadClusterRanks, MaxIsTheLargestOnEveryRank) {
  const int n = GetParam();
  run_ranks(n, [&](const dist::Cluster& ranks) {
    // The largest sits on rank 1 when there is one, then on rank 0.
    EXPECT_EQ(ranks.max(ranks.rank() == 1 ? 1000 : 5u * ranks.rank()), n > 1 ? 1000u : 0u);
    EXPECT_EQ(ranks.max(0), 0u);
  });
}

// The message rank `from` sends rank `to` under `tag` (tag + 1 numbers).
std::vector<std::uint32_t> message(int from, int to, int tag) {
  return std::vector<std::uint32_t>(static_cast<std::size_t>(tag) + 1,
                                    static_cast<std::uint32_t>(from * 100 + to * 10 + tag));
}

// Every rank sends every other one two messages, tagged 0 and 1, and posts
// its receives in the other order: sends never block, and each message
// lands by (peer, tag).
void exchange_with_everyone(const dist::Cluster& ranks) {
  const int me = ranks.rank(), n = ranks.size();
  std::vector<std::vector<std::uint32_t>> out, in;
  out.reserve(2 * static_cast<std::size_t>(n));
  in.reserve(2 * static_cast<std::size_t>(n));
  std::vector<dist::Message> sends, receives;
  for (int peer = 0; peer < n; ++peer) {
    if (peer == me) continue;
    for (int tag : {0, 1}) {
      out.push_back(message(me, peer, tag));
      sends.push_back({peer, tag, dist::bytes_of(out.back())});
    }
    for (int tag : {1, 0}) {
      in.emplace_back(static_cast<std::size_t>(tag) + 1);
      receives.push_back({peer, tag, dist::bytes_of(in.back())});
    }
  }
  ranks.exchange(sends, receives);
  for (std::size_t i = 0; i < receives.size(); ++i)
    EXPECT_EQ(in[i], message(receives[i].peer, me, receives[i].tag));
  EXPECT_EQ(ranks.bytes_sent(), 12u * static_cast<std::uint64_t>(n - 1));
}

TEST_P(ThreadClusterRanks, ExchangeDeliversEachMessageByPeerAndTag) {
  run_ranks(GetParam(), exchange_with_everyone);
}

// Exchanges and collectives in turn, many times: no message is lost or
// mixed up with a later one under the same tag.
TEST_P(ThreadClusterRanks, RepeatedCallsStayInStep) {
  const int n = GetParam();
  run_ranks(n, [&](const dist::Cluster& ranks) {
    for (std::uint64_t round = 0; round < 50; ++round) {
      std::uint32_t value = static_cast<std::uint32_t>(round * 1000 + ranks.rank());
      std::vector<dist::Message> sends, receives;
      std::uint32_t from_left = 0;
      const int right = (ranks.rank() + 1) % n, left = (ranks.rank() + n - 1) % n;
      if (n > 1) {
        sends.push_back({right, 0, std::as_writable_bytes(std::span(&value, 1))});
        receives.push_back({left, 0, std::as_writable_bytes(std::span(&from_left, 1))});
      }
      ranks.exchange(sends, receives);
      if (n > 1) {
        EXPECT_EQ(from_left, round * 1000 + static_cast<std::uint64_t>(left));
      }
      EXPECT_EQ(ranks.max(round * 10 + static_cast<std::uint64_t>(ranks.rank())),
                round * 10 + static_cast<std::uint64_t>(n - 1));
    }
  });
}

INSTANTIATE_TEST_SUITE_P(OneToFour, ThreadClusterRanks, ::testing::Values(1, 2, 3, 4));

// A failure on one rank ends the run, whatever its peers wait for, and
// run_ranks rethrows it rather than the peers' RanksBroken.
TEST(ThreadCluster, ARankThatThrowsEndsItsPeersWaits) {
  auto fail_on_rank_2 = [](const dist::Cluster& ranks) {
    if (ranks.rank() == 2) throw Error(ErrorKind::Data, "rank 2 is unhappy");
    ranks.max(1);
  };
  try {
    run_ranks(4, fail_on_rank_2);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "rank 2 is unhappy");
  }
  const auto failures = run_ranks_each(4, fail_on_rank_2);
  for (int r : {0, 1, 3})
    EXPECT_THROW(std::rethrow_exception(failures[static_cast<std::size_t>(r)]), RanksBroken);
}

TEST(ThreadCluster, AbortThrowsItsExitCode) {
  try {
    run_ranks(3, [](const dist::Cluster& ranks) {
      if (ranks.rank() == 1) ranks.abort(65);
      std::uint32_t nothing = 0;
      ranks.exchange({}, std::vector<dist::Message>{{1, 0, std::as_writable_bytes(std::span(&nothing, 1))}});
    });
    FAIL() << "no exception";
  } catch (const RankAborted& e) {
    EXPECT_EQ(e.rank, 1);
    EXPECT_EQ(e.exit_code, 65);
  }
}

TEST(ThreadCluster, ARankThatReturnsEarlyBreaksTheCollective) {
  EXPECT_THROW(run_ranks(2, [](const dist::Cluster& ranks) {
                 if (ranks.rank() == 0) ranks.max(1);
               }),
               RanksBroken);
}

TEST(ThreadCluster, RanksInDifferentCollectivesThrow) {
  try {
    run_ranks(2, [](const dist::Cluster& ranks) {
      std::vector<std::byte> all;
      std::vector<std::size_t> offsets;
      if (ranks.rank() == 0) ranks.max(1);
      else ranks.allgather({}, all, offsets);
    });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_EQ(e.message(), "ranks disagree on the collective: rank 0 in max, rank 1 in allgather");
  }
}

}  // namespace
}  // namespace mfrec::testing
