#include "mfrec/dist/read_across.hpp"

#include <sys/stat.h>

#include <cstring>
#include <functional>
#include <optional>

#include "dist/agreement.hpp"
#include "dist/pieces_across.hpp"
#include "dist/reader_wire.hpp"
#include "io/ratings_load.hpp"

namespace mfrec::dist {

namespace {

// stdin, a pipe or a terminal: only rank 0 may read it (mpirun hands stdin
// to rank 0 alone, and a pipe's bytes go to whoever reads them first).
// Rank 0 decides for all.
bool rank_0_reads_alone(const Cluster& ranks, const std::string& path) {
  std::uint8_t alone = 0;
  struct stat st;
  if (ranks.rank() == 0) alone = path == "-" || (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode));
  ranks.broadcast(0, std::as_writable_bytes(std::span(&alone, 1)));
  return alone != 0;
}

// Rank 0's Dataset and report into every other rank's: the names and the
// report as bytes, the ratings straight from vector to vector.
void broadcast_dataset(const Cluster& ranks, Dataset& data, ReadReport& report) {
  ByteWriter head;
  if (ranks.rank() == 0) put_dataset_head(head, data, report);
  std::uint64_t size = head.bytes().size();
  ranks.broadcast(0, std::as_writable_bytes(std::span(&size, 1)));
  head.bytes().resize(size);
  ranks.broadcast(0, head.bytes());
  if (ranks.rank() != 0) {
    ByteReader in(head.bytes());
    std::uint64_t rating_count = 0;
    get_dataset_head(in, data, report, rating_count);
    data.ratings.resize(rating_count);
  }
  ranks.broadcast(0, bytes_of(data.ratings));
}

// `read` runs on rank 0 alone; every rank returns its Dataset, or throws
// its failure.
Dataset read_on_rank_0(const Cluster& ranks, const std::function<Dataset(ReadReport&)>& read, ReadReport* report) {
  Dataset data;
  ReadReport decided;
  agreed(ranks, [&] {
    if (ranks.rank() == 0) data = read(decided);
  });
  broadcast_dataset(ranks, data, decided);
  if (report) *report = std::move(decided);
  return data;
}

// The ranks' steps differ with the file's size and layout: a rank whose
// file differs from rank 0's would wait for its peers forever. Every rank
// sees every rank's, and throws alike.
void check_same_file(const Cluster& ranks, const detail::RatingsLoad& load) {
  const std::uint64_t mine[2] = {load.rows.size_hint(), static_cast<std::uint64_t>(load.layout)};
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  ranks.allgather(std::as_bytes(std::span(mine)), all, offsets);
  std::vector<std::uint64_t> seen(all.size() / sizeof(std::uint64_t));
  std::memcpy(seen.data(), all.data(), all.size());
  for (int r = 1; r < ranks.size(); ++r) {
    if (seen[2 * r] == seen[0] && seen[2 * r + 1] == seen[1]) continue;
    throw Error(ErrorKind::Data,
                "not the same file on every rank: rank 0 sees " + std::to_string(seen[0]) + " bytes, rank " +
                    std::to_string(r) + " sees " + std::to_string(seen[2 * r]) + " (use a file every rank shares)",
                Location{load.rows.name(), 0, 0});
  }
}

// The Dataset's order and the report on every rank, or (every rank alike)
// a duplicate pair to name by its lines once the file order was lost.
Dataset finish_across(const Cluster& ranks, detail::RatingsLoad& load, const detail::LongShape& shape,
                      ReadReport* report) {
  Dataset data;
  bool file_order_needed = false;
  agreed(ranks, [&] {
    try {
      data = detail::finish_reading(load, shape, report);
    } catch (const detail::FileOrderNeeded&) {
      file_order_needed = true;
    }
  });
  if (ranks.max(file_order_needed ? 1 : 0) != 0) throw detail::FileOrderNeeded{};
  return data;
}

// Every rank opens the file and sniffs it (the same rows, so the same
// decisions), then reads its share of the long layout.
Dataset read_in_shares(const Cluster& ranks, const std::string& path, const ReadOptions& options,
                       ReadReport* report, bool keep_file_order) {
  std::optional<CsvRowReader> rows;
  std::optional<detail::RatingsLoad> load;
  detail::LongShape shape;
  agreed(ranks, [&] {
    rows.emplace(CsvRowReader::open_file(path, options.delimiter));
    load.emplace(*rows, options);
    load->keep_file_order = keep_file_order;
    shape = detail::start_reading(*load);
  });
  check_same_file(ranks, *load);
  if (load->layout == Layout::Wide) {
    auto read_wide = [&](ReadReport& decided) {
      detail::load_wide(*load);
      return detail::finish_reading(*load, shape, &decided);
    };
    return read_on_rank_0(ranks, read_wide, report);
  }
  load_long_across(ranks, *load, shape);
  return finish_across(ranks, *load, shape, report);
}

}  // namespace

Dataset read_ratings_across(const Cluster& ranks, const std::string& path, const ReadOptions& options,
                            ReadReport* report) {
  if (ranks.size() == 1) return read_ratings(path, options, report);
  if (rank_0_reads_alone(ranks, path)) {
    auto read_all = [&](ReadReport& decided) { return read_ratings(path, options, &decided); };
    return read_on_rank_0(ranks, read_all, report);
  }
  try {
    return read_in_shares(ranks, path, options, report, false);
  } catch (const detail::FileOrderNeeded&) {
    // As read_ratings does: a duplicate pair in a file read in user order;
    // read it again in file order, for the lines the error names.
    return read_in_shares(ranks, path, options, report, true);
  }
}

}  // namespace mfrec::dist
