#include "mfrec/dist/cluster.hpp"

#include <cstdlib>

#include "mfrec/error.hpp"

namespace mfrec::dist {

void LocalCluster::allgather(std::span<const std::byte> mine, std::vector<std::byte>& all,
                             std::vector<std::size_t>& offsets) const {
  all.assign(mine.begin(), mine.end());
  offsets = {0, mine.size()};
}

void LocalCluster::gather(int, std::span<const std::byte> mine, std::vector<std::byte>& all,
                          std::vector<std::size_t>& offsets) const {
  allgather(mine, all, offsets);
}

void LocalCluster::exchange(std::span<const Message> sends, std::span<const Message> receives) const {
  if (!sends.empty() || !receives.empty())
    throw Error(ErrorKind::Internal, "a process alone has no peer to exchange messages with");
}

void LocalCluster::abort(int exit_code) const { std::_Exit(exit_code); }

}  // namespace mfrec::dist
