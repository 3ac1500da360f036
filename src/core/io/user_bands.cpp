#include "io/user_bands.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <utility>

#include "util/huge_pages.hpp"

namespace mfrec::detail {

namespace {

// The first mapping: 64K ratings (768 KiB), then doubling. No huge pages:
// a band's last one would be mostly empty, and bands are many.
constexpr std::size_t kFirstCapacity = std::size_t{1} << 16;

std::size_t bytes_for(std::size_t ratings) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (ratings * sizeof(Rating) + page - 1) / page * page;
}

}  // namespace

MappedRatings::MappedRatings(MappedRatings&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

MappedRatings& MappedRatings::operator=(MappedRatings&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void MappedRatings::release() {
  if (data_) ::munmap(data_, bytes_for(capacity_));
  data_ = nullptr;
  size_ = capacity_ = 0;
}

void MappedRatings::grow() {
  const std::size_t capacity = std::max(kFirstCapacity, 2 * capacity_);
  void* p = data_ ? ::mremap(data_, bytes_for(capacity_), bytes_for(capacity), MREMAP_MAYMOVE)
                  : ::mmap(nullptr, bytes_for(capacity), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<Rating*>(p);
  capacity_ = bytes_for(capacity) / sizeof(Rating);
}

// Band by band: a stable counting sort by user straight into the end of
// `out`, which grows (and is written) by one band as the band is released.
void UserBands::move_grouped_by_user(std::vector<Rating>& out) {
  out.reserve(out.size() + size_);
  advise_huge_pages(out.data() + out.size(), size_ * sizeof(Rating));
  std::vector<std::size_t> next;
  for (std::size_t b = 0; b < bands_.size(); ++b) {
    MappedRatings& band = bands_[b];
    const std::uint32_t first_user = static_cast<std::uint32_t>(b << kUserBits);
    next.assign((std::size_t{1} << kUserBits) + 1, 0);
    for (std::size_t i = 0; i < band.size(); ++i) ++next[band.data()[i].user - first_user + 1];
    for (std::size_t u = 1; u < next.size(); ++u) next[u] += next[u - 1];
    const std::size_t start = out.size();
    out.resize(start + band.size());
    Rating* to = out.data() + start;
    for (std::size_t i = 0; i < band.size(); ++i) {
      const Rating& r = band.data()[i];
      to[next[r.user - first_user]++] = r;
    }
    band.release();
  }
  bands_.clear();
  size_ = 0;
}

}  // namespace mfrec::detail
