#include "dist/reader_wire.hpp"

#include "dist/agreement.hpp"

namespace mfrec::dist {

namespace {

void put_names(ByteWriter& out, const detail::NewNames& names) {
  out.put(names.forgot_earlier);
  out.put(names.first_id);
  out.put_string(names.text);
  out.put_vector(names.ends);
}

void get_names(ByteReader& in, detail::NewNames& names) {
  names.forgot_earlier = in.get<bool>();
  names.first_id = in.get<std::uint32_t>();
  names.text = in.get_string();
  in.get_vector(names.ends);
}

void put_lines(ByteWriter& out, const detail::RatingLines& lines) {
  out.put_vector(lines.checkpoint_list());
}

detail::RatingLines get_lines(ByteReader& in) {
  std::vector<detail::RatingLines::Checkpoint> checkpoints;
  in.get_vector(checkpoints);
  detail::RatingLines lines(true);
  for (const auto& c : checkpoints) lines.add(c.position, c.line);
  return lines;
}

void put_id_map(ByteWriter& out, const IdMap& ids) {
  out.put(ids.size());
  for (std::uint32_t i = 0; i < ids.size(); ++i) out.put_string(ids.name(i));
}

// The names in index order: interning them again gives each its index.
void get_id_map(ByteReader& in, IdMap& ids) {
  const auto size = in.get<std::uint32_t>();
  ids.reserve(size);
  for (std::uint32_t i = 0; i < size; ++i) ids.intern(in.get_string());
}

void put_report(ByteWriter& out, const ReadReport& r) {
  out.put(r.layout);
  out.put(r.delimiter);
  out.put(r.rows);
  out.put(r.skipped_cells);
  out.put(r.header);
  for (std::size_t c : {r.user_column, r.item_column, r.rating_column, r.items}) out.put(c);
  for (const std::string* name : {&r.user_name, &r.item_name, &r.rating_name}) out.put_string(*name);
  out.put(r.notes.size());
  for (const std::string& note : r.notes) out.put_string(note);
}

void get_report(ByteReader& in, ReadReport& r) {
  r.layout = in.get<Layout>();
  r.delimiter = in.get<Delimiter>();
  r.rows = in.get<std::uint64_t>();
  r.skipped_cells = in.get<std::uint64_t>();
  r.header = in.get<bool>();
  for (std::size_t* c : {&r.user_column, &r.item_column, &r.rating_column, &r.items}) *c = in.get<std::size_t>();
  for (std::string* name : {&r.user_name, &r.item_name, &r.rating_name}) *name = in.get_string();
  r.notes.resize(in.get<std::size_t>());
  for (std::string& note : r.notes) note = in.get_string();
}

}  // namespace

void put_piece(ByteWriter& out, const detail::ParsedPiece& piece) {
  out.put(piece.index);
  out.put(piece.worker);
  out.put(piece.lines);
  out.put(piece.rows);
  out.put(piece.end_offset);
  put_names(out, piece.new_users);
  put_names(out, piece.new_items);
  put_lines(out, piece.rating_lines);
  put_failure(out, piece.error);
  out.put_vector(piece.ratings);
}

void get_piece(ByteReader& in, detail::ParsedPiece& piece) {
  piece.index = in.get<std::uint32_t>();
  piece.worker = in.get<unsigned>();
  piece.lines = in.get<std::uint64_t>();
  piece.rows = in.get<std::uint64_t>();
  piece.end_offset = in.get<std::uint64_t>();
  get_names(in, piece.new_users);
  get_names(in, piece.new_items);
  piece.rating_lines = get_lines(in);
  piece.error = get_failure(in);
  in.get_vector(piece.ratings);
}

void put_dataset_head(ByteWriter& out, const Dataset& data, const ReadReport& report) {
  out.put_string(data.source);
  put_id_map(out, data.users);
  put_id_map(out, data.items);
  out.put<std::uint64_t>(data.ratings.size());
  put_report(out, report);
}

void get_dataset_head(ByteReader& in, Dataset& data, ReadReport& report, std::uint64_t& rating_count) {
  data.source = in.get_string();
  get_id_map(in, data.users);
  get_id_map(in, data.items);
  rating_count = in.get<std::uint64_t>();
  get_report(in, report);
}

}  // namespace mfrec::dist
