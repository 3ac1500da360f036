#pragma once
// What the ranks reading one file send each other (read_across.cpp), into
// bytes and back: a parsed piece of the long layout, and a whole Dataset
// with its ReadReport (read on rank 0 alone). A Dataset's ratings travel
// apart, straight from and into the vector: the bytes here are its names.
#include "dist/byte_stream.hpp"
#include "io/piece_parser.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec::dist {

void put_piece(ByteWriter& out, const detail::ParsedPiece& piece);
// Into `piece`, whose ratings vector is reused.
void get_piece(ByteReader& in, detail::ParsedPiece& piece);

// A Dataset but its ratings, which number `rating_count`.
void put_dataset_head(ByteWriter& out, const Dataset& data, const ReadReport& report);
void get_dataset_head(ByteReader& in, Dataset& data, ReadReport& report, std::uint64_t& rating_count);

}  // namespace mfrec::dist
