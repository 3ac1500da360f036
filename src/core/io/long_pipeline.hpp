#pragma once
// The long layout's loading in its steps, for load_long (long_pipeline.cpp)
// and for the reader that spreads the pieces over ranks
// (dist/read_across.cpp): the rows read before the pieces, the pieces
// parsed on worker threads, and the merge of parsed pieces in file order.
#include <functional>

#include "io/piece_parser.hpp"

namespace mfrec::detail {

// The first data row and the rows read ahead of it, on the calling thread,
// straight into the Dataset.
void read_first_rows(RatingsLoad& load, const LongRowRules& rules);

// Where parsed pieces go: on the calling thread, in index order.
class PieceSink {
 public:
  virtual ~PieceSink() = default;
  virtual void take(ParsedPiece& piece, const PieceSource& source) = 0;
  RatingBuffers buffers;  // the taken pieces' vectors, for the parsers to reuse
};

// Parses the pieces `source` hands out on `threads` workers while the
// calling thread hands them to `sink` in index order. A piece with an error
// is the last one parsed.
void parse_pieces(const LongRowRules& rules, PieceSource& source, unsigned threads, PieceSink& sink);

// Merges the pieces `feed` hands its sink (in file order, numbered from 0,
// their `worker` below `workers`) into load.data.ratings, after the first
// rows; raises the first piece error at its line in the file.
void merge_pieces(RatingsLoad& load, const PieceSource& source, unsigned workers,
                  const std::function<void(PieceSink& merger)>& feed);

// options.threads, or every core for 0.
unsigned thread_count(const ReadOptions& options);

}  // namespace mfrec::detail
