// Parsing one piece of a long file. Each line goes first to fast-cpp-csv-
// parser (the project's CSV tokenizer), when it is plain: no quote, a field
// count the shape allows and, with whitespace separation, single spaces.
// Anything else, and any row the fast path would refuse, is split again by
// hand (FieldSplitter) and checked by LongRowRules, which either reads the
// row or raises the error a user sees, with its column: the library's errors
// name no column, and its quoting accepts '"a"b'.
#include "io/piece_parser.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#define CSV_IO_NO_THREAD  // the pieces are the parallelism; only the tokenizer is used
#include <libfccp/csv.h>

namespace mfrec::detail {

void LongRowRules::fail(const std::string& what, std::uint64_t line, std::uint64_t column) const {
  throw Error(ErrorKind::Data, what, Location{load_.rows.name(), line, column});
}

// A row with too few fields for the three columns, or more than the first
// row had.
void LongRowRules::fail_width(std::size_t fields, const std::vector<std::uint64_t>& columns, std::uint64_t line,
                              bool first_row) const {
  if (fields < shape_.needed) {
    // One field in the first row: most likely the wrong separator.
    std::string hint;
    if (first_row) hint = fields == 1 ? load_.one_column_hint() : fields == 2 ? load_.pairs_hint() : "";
    fail("row has " + std::to_string(fields) + " field" + (fields == 1 ? "" : "s") + ", need at least " +
             std::to_string(shape_.needed) + (shape_.rating ? " (user, item, rating)" : " (user, item)") + hint,
         line, 0);
  }
  const std::string reference = load_.has_header ? "the header has " : "the first row has ";
  fail("row has " + std::to_string(fields) + " fields, " + reference + std::to_string(shape_.width) +
           " (a decimal comma in a comma-separated file?)",
       line, columns[shape_.width]);
}

LongRow LongRowRules::check(const std::vector<std::string_view>& f, const std::vector<std::uint64_t>& columns,
                            std::uint64_t line, bool first_row) const {
  if (f.size() < shape_.needed || f.size() > shape_.width) fail_width(f.size(), columns, line, first_row);
  if (f[shape_.user].empty()) fail("empty user id", line, columns[shape_.user]);
  if (f[shape_.item].empty()) fail("empty item id", line, columns[shape_.item]);
  if (!shape_.rating) return LongRow{f[shape_.user], f[shape_.item], 1.0f};  // interactions: each row counts 1
  const std::size_t r = *shape_.rating;
  return LongRow{f[shape_.user], f[shape_.item], load_.rating_value(f[r], line, columns[r])};
}

namespace {

// fccp's trimming: spaces and tabs around a field, except the separator.
template <char Sep>
struct TrimFor {
  using type = io::trim_chars<' ', '\t'>;
};
template <>
struct TrimFor<'\t'> {
  using type = io::trim_chars<' '>;
};
template <>
struct TrimFor<' '> {
  using type = io::trim_chars<>;  // a plain whitespace-separated line has no space in a field
};

}  // namespace

struct PieceParser::Impl {
  Impl(const LongRowRules& r, WorkerNames& n, unsigned w, RatingBuffers& b)
      : rules(r),
        shape(r.shape()),
        names(n),
        worker(w),
        buffers(b),
        splitter(r.load().rows.delimiter()),
        // 65,536 names with 4 MiB pieces; small pieces (tests) forget often.
        forget_at(std::max<std::size_t>(64, (r.load().options.piece_bytes ? r.load().options.piece_bytes
                                                                          : kDefaultPieceBytes) /
                                                64)) {
    // fccp fills row[c] for every column c of a line of `count` fields.
    for (std::size_t count = 0; count <= shape.width; ++count) {
      col_orders.emplace_back(count);
      for (std::size_t c = 0; c < count; ++c) col_orders.back()[c] = static_cast<int>(c);
    }
    row.resize(shape.width);
  }

  std::unique_ptr<ParsedPiece> parse(Piece& piece) {
    auto parsed = std::make_unique<ParsedPiece>();
    out = parsed.get();
    out->index = piece.index;
    out->worker = worker;
    out->end_offset = piece.end_offset;
    out->ratings = buffers.take();
    out->ratings.reserve(piece.text.size() / 16);
    start_piece(names.users, out->new_users);
    start_piece(names.items, out->new_items);
    try {
      switch (splitter.delimiter()) {
        case ',': parse_lines<','>(piece); break;
        case '\t': parse_lines<'\t'>(piece); break;
        case ';': parse_lines<';'>(piece); break;
        case '|': parse_lines<'|'>(piece); break;
        default: parse_lines<' '>(piece); break;
      }
      intern_batch();
    } catch (const Error&) {
      out->error = std::current_exception();
      intern_batch();  // the rows before the error keep their place in the order of names
    }
    return parsed;
  }

  // The piece's lines with LineSource's rules (line_source.hpp), each read
  // into a rating.
  template <char Sep>
  void parse_lines(Piece& piece) {
    char* text = piece.text.data();
    const std::size_t n = piece.text.size();
    const void* nul_at = std::memchr(text, 0, n);
    const std::size_t nul = nul_at ? static_cast<std::size_t>(static_cast<const char*>(nul_at) - text) : n;
    for (std::size_t at = 0; at < n;) {
      const void* newline = std::memchr(text + at, '\n', n - at);
      const std::size_t end = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - text) : n;
      const std::uint64_t line = ++out->lines;
      if (end - at >= kMaxLineBytes) fail("line longer than the reader's limit of 16 MiB", line, 0);
      if (nul < end) fail("NUL byte in text input (is this a binary file?)", line, nul - at + 1);
      std::size_t length = end - at;
      if (length > 0 && text[end - 1] == '\r') --length;
      if (!blank(text + at, length)) read_row<Sep>(text + at, length, line);
      at = end + 1;
    }
  }

  template <char Sep>
  void read_row(char* p, std::size_t n, std::uint64_t line) {
    ++out->rows;
    LongRow r;
    if (!plain_row<Sep>(p, n, r)) {
      splitter.split(p, n, rules.load().rows.name(), line);
      r = rules.check(splitter.fields(), splitter.columns(), line, false);
    }
    batch.push_back(PendingRow{IdMap::Key(r.user), IdMap::Key(r.item), r.value, line});
    names.users.ids.prefetch(batch.back().user);
    names.items.ids.prefetch(batch.back().item);
    if (batch.size() == kBatchRows) intern_batch();
  }

  // The rows of the batch into the piece, their names interned: each slot
  // was prefetched when its row was read, a batch ago at most.
  void intern_batch() {
    for (const PendingRow& row : batch) {
      out->rating_lines.add(out->ratings.size(), row.line);
      out->ratings.push_back({local_id(names.users, row.user, out->new_users),
                              local_id(names.items, row.item, out->new_items), row.value});
    }
    batch.clear();
    arena_used = 0;
  }

  // The row split by fccp; false when the line is not plain or the row
  // breaks a rule (the caller's hand split then says which).
  template <char Sep>
  bool plain_row(const char* p, std::size_t n, LongRow& r) {
    std::size_t fields = 1;
    for (std::size_t i = 0; i < n; ++i) {
      fields += p[i] == Sep;
      if (p[i] == '"' || (Sep == ' ' && p[i] == '\t')) return false;
    }
    if (fields < shape.needed || fields > shape.width) return false;
    // fccp writes into the line: it works on a copy, so that the piece's
    // line is intact for the hand split, and the copy lives as long as the
    // batch that views its names.
    char* line = arena_line(p, n);
    io::detail::parse_line<typename TrimFor<Sep>::type, io::no_quote_escape<Sep>>(line, row.data(), col_orders[fields]);
    if constexpr (Sep == ' ') {
      for (std::size_t c = 0; c < fields; ++c)
        if (*row[c] == '\0') return false;  // a run of spaces: the hand split's rule
    }
    r.user = row[shape.user];
    r.item = row[shape.item];
    if (r.user.empty() || r.item.empty()) return false;
    if (!shape.rating) {
      r.value = 1.0f;
      return true;
    }
    const auto v = parse_finite_number(row[*shape.rating]);
    if (!v || std::fabs(*v) > std::numeric_limits<float>::max()) return false;
    r.value = static_cast<float>(*v);
    return true;
  }

  // p[0..n) copied into the arena, NUL-terminated. A full arena ends the
  // batch first.
  char* arena_line(const char* p, std::size_t n) {
    if (arena_used + n + 1 > arena.size()) {
      intern_batch();
      if (n + 1 > arena.size()) arena.resize(n + 1);
    }
    char* line = arena.data() + arena_used;
    std::memcpy(line, p, n);
    line[n] = '\0';
    arena_used += n + 1;
    return line;
  }

  static bool blank(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != ' ' && p[i] != '\t') return false;
    return true;
  }

  static std::uint32_t local_id(WorkerNames::Table& t, const IdMap::Key& name, NewNames& new_names) {
    const std::uint32_t id = t.ids.intern(name);
    if (id < new_names.first_id) {
      ++t.reused;
    } else if (id == new_names.end_id()) {
      ++t.added;
      new_names.text.append(name.name);
      new_names.ends.push_back(static_cast<std::uint32_t>(new_names.text.size()));
    }
    return id;
  }

  // Empties the table when it is large and the last piece met mostly new
  // names in it (not the first piece since it was emptied: that one meets
  // only new names), then starts counting for this piece.
  void start_piece(WorkerNames::Table& t, NewNames& new_names) const {
    if (t.pieces >= 2 && t.ids.size() >= forget_at && t.reused * 16 < t.added) {
      t.ids = IdMap();
      t.pieces = 0;
      new_names.forgot_earlier = true;
    }
    ++t.pieces;
    t.reused = t.added = 0;
    new_names.first_id = t.ids.size();
  }

  [[noreturn]] void fail(const std::string& what, std::uint64_t line, std::uint64_t column) const {
    throw Error(ErrorKind::Data, what, Location{rules.load().rows.name(), line, column});
  }

  const LongRowRules& rules;
  const LongShape& shape;
  WorkerNames& names;
  const unsigned worker;
  RatingBuffers& buffers;
  FieldSplitter splitter;
  const std::size_t forget_at;  // table size from which a worker may forget its names
  std::vector<char*> row;                    // fccp's fields of a plain line
  std::vector<std::vector<int>> col_orders;  // by field count
  ParsedPiece* out = nullptr;
  // Rows read and checked, their names not yet interned.
  struct PendingRow {
    IdMap::Key user, item;
    float value;
    std::uint64_t line;
  };
  static constexpr std::size_t kBatchRows = 32;
  std::vector<PendingRow> batch;
  std::string arena = std::string(std::size_t{64} << 10, '\0');  // the lines fccp split, for the batch's names
  std::size_t arena_used = 0;
};

PieceParser::PieceParser(const LongRowRules& rules, WorkerNames& names, unsigned worker, RatingBuffers& buffers)
    : impl_(std::make_unique<Impl>(rules, names, worker, buffers)) {}
PieceParser::~PieceParser() = default;
std::unique_ptr<ParsedPiece> PieceParser::parse(Piece& piece) { return impl_->parse(piece); }

}  // namespace mfrec::detail
