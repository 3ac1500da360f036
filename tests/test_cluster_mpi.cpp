// MpiCluster on a real MPI run: CTest starts this under `mpirun -np 3`
// (tests/CMakeLists.txt). Every rank runs every test, so each collective is
// met on all ranks; each test checks this rank's view. Each runs twice: with
// the usual message limit, and with 5 bytes, which cuts every transfer into
// pieces (the path of transfers over 2 GiB, MPI's int counts).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cluster_mpi.hpp"

namespace mfrec::dist {
namespace {

std::vector<std::byte> text_bytes(const std::string& s) {
  std::vector<std::byte> b(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) b[i] = static_cast<std::byte>(s[i]);
  return b;
}

// Rank r's part: r + 2 copies of the letter 'a' + r, but rank 1 has none.
std::string part_of(int rank) { return rank == 1 ? "" : std::string(rank + 2, static_cast<char>('a' + rank)); }

std::string all_parts(int size) {
  std::string all;
  for (int r = 0; r < size; ++r) all += part_of(r);
  return all;
}

class MpiClusterTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  MpiCluster ranks{GetParam()};
};

TEST_P(MpiClusterTest, RankAndSizeAreTheLaunchers) {
  EXPECT_EQ(ranks.size(), std::atoi(std::getenv("OMPI_COMM_WORLD_SIZE")));
  EXPECT_EQ(ranks.rank(), std::atoi(std::getenv("OMPI_COMM_WORLD_RANK")));
  EXPECT_EQ(ranks.ranks_on_this_node(), ranks.size());  // one machine
}

TEST_P(MpiClusterTest, AllgatherConcatenatesInRankOrder) {
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  const auto mine = text_bytes(part_of(ranks.rank()));
  ranks.allgather(mine, all, offsets);
  EXPECT_EQ(all, text_bytes(all_parts(ranks.size())));
  ASSERT_EQ(offsets.size(), std::size_t(ranks.size()) + 1);
  for (int r = 0; r < ranks.size(); ++r) EXPECT_EQ(offsets[r + 1] - offsets[r], part_of(r).size());
  EXPECT_EQ(ranks.bytes_sent(), mine.size() * (ranks.size() - 1));
}

TEST_P(MpiClusterTest, GatherFillsTheRootAlone) {
  std::vector<std::byte> all{std::byte{1}};
  std::vector<std::size_t> offsets{7};
  const int root = ranks.size() - 1;
  ranks.gather(root, text_bytes(part_of(ranks.rank())), all, offsets);
  if (ranks.rank() == root) {
    EXPECT_EQ(all, text_bytes(all_parts(ranks.size())));
    EXPECT_EQ(offsets.back(), all.size());
    EXPECT_EQ(ranks.bytes_sent(), 0u);
  } else {
    EXPECT_TRUE(all.empty());
    EXPECT_TRUE(offsets.empty());
    EXPECT_EQ(ranks.bytes_sent(), part_of(ranks.rank()).size());
  }
}

TEST_P(MpiClusterTest, BroadcastCopiesTheRootsBytes) {
  const std::string sent = "twenty-three bytes long";
  auto bytes = text_bytes(ranks.rank() == 1 ? sent : std::string(sent.size(), '?'));
  ranks.broadcast(1, bytes);
  EXPECT_EQ(bytes, text_bytes(sent));
  EXPECT_EQ(ranks.bytes_sent(), ranks.rank() == 1 ? sent.size() * (ranks.size() - 1) : 0u);
}

TEST_P(MpiClusterTest, MaxIsTheLargestOfAll) {
  const std::uint64_t big = std::uint64_t{1} << 40;
  EXPECT_EQ(ranks.max(big + 10 * ranks.rank()), big + 10 * (ranks.size() - 1));
}

// A ring: each rank sends two messages (tags 0 and 1, 13 and 3 bytes) to
// the next rank and receives the previous rank's.
TEST_P(MpiClusterTest, ExchangeDeliversEachMessageByPeerAndTag) {
  const int next = (ranks.rank() + 1) % ranks.size();
  const int previous = (ranks.rank() + ranks.size() - 1) % ranks.size();
  const auto say = [](int rank, int tag) { return std::string(tag == 0 ? 13 : 3, static_cast<char>('A' + rank * 2 + tag)); };
  auto long_out = text_bytes(say(ranks.rank(), 0)), short_out = text_bytes(say(ranks.rank(), 1));
  std::vector<std::byte> long_in(13), short_in(3);
  const std::vector<Message> sends{{next, 1, short_out}, {next, 0, long_out}};
  const std::vector<Message> receives{{previous, 0, long_in}, {previous, 1, short_in}};
  ranks.exchange(sends, receives);
  EXPECT_EQ(long_in, text_bytes(say(previous, 0)));
  EXPECT_EQ(short_in, text_bytes(say(previous, 1)));
  EXPECT_EQ(ranks.bytes_sent(), 16u);
}

INSTANTIATE_TEST_SUITE_P(MessageLimits, MpiClusterTest, ::testing::Values(MpiCluster::kMaxMessage, std::size_t{5}));

// Ranks other than 0 print their failures only, each line naming the rank.
class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed())
      std::printf("rank %d: %s:%d: %s\n", rank_, r.file_name() ? r.file_name() : "?", r.line_number(), r.summary());
  }

 private:
  int rank_;
};

}  // namespace
}  // namespace mfrec::dist

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const mfrec::dist::MpiRun run;
  const int rank = mfrec::dist::MpiCluster().rank();
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new mfrec::dist::FailurePrinter(rank));
  }
  return RUN_ALL_TESTS();
}
