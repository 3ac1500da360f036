// The copying half of `split`: every line of the file once more, each rating
// line (long) or rated cell (wide) sent to the part HeldOut says, the rest of
// the bytes as they were.
#include "io/split_copy.hpp"

#include <algorithm>
#include <bit>

#include "io/field_splitter.hpp"
#include "mfrec/error.hpp"

namespace mfrec::detail {

void throw_split_interrupted() { throw Error(ErrorKind::Interrupted, "split interrupted; nothing written"); }

void throw_file_changed(const std::string& file) {
  throw Error(ErrorKind::Io, "the file changed while it was being split; nothing written", Location{file, 0, 0});
}

PairSet::PairSet(std::size_t count) {
  std::size_t size = 16;
  while (size < 2 * count) size *= 2;
  slots_.assign(size, kEmpty);
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(size));
}

// Fibonacci hashing: the top bits of the key times 2^64/phi.
std::size_t PairSet::slot_of(std::uint64_t key) const {
  std::size_t slot = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  while (slots_[slot] != key && slots_[slot] != kEmpty) slot = (slot + 1) & (slots_.size() - 1);
  return slot;
}

void PairSet::insert(std::uint32_t user, std::uint32_t item) {
  const std::uint64_t key = (std::uint64_t{user} << 32) | item;
  slots_[slot_of(key)] = key;
}

bool PairSet::contains(std::uint32_t user, std::uint32_t item) const {
  const std::uint64_t key = (std::uint64_t{user} << 32) | item;
  return slots_[slot_of(key)] == key;
}

namespace {

std::size_t count_held(const std::vector<bool>& held) {
  return static_cast<std::size_t>(std::count(held.begin(), held.end(), true));
}

}  // namespace

HeldOut::HeldOut(const Dataset& data, const std::vector<bool>& held)
    : users_(data.users),
      items_(data.items),
      ratings_(held.size()),
      pairs_are_test_(2 * count_held(held) <= held.size()),
      pairs_(pairs_are_test_ ? count_held(held) : held.size() - count_held(held)) {
  for (std::size_t i = 0; i < held.size(); ++i)
    if (held[i] == pairs_are_test_) pairs_.insert(data.ratings[i].user, data.ratings[i].item);
}

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool blank(const char* p, std::size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == ' ' || c == '\t'; });
}

// Where the cell starting at raw[begin] ends: after its closing quote, or
// `unquoted` bytes on (a plain field is its own text).
std::size_t cell_end(std::string_view raw, std::size_t begin, std::size_t unquoted) {
  if (raw[begin] != '"') return begin + unquoted;
  std::size_t i = begin + 1;
  while (i < raw.size()) {
    if (raw[i] != '"') {
      ++i;
    } else if (i + 1 < raw.size() && raw[i + 1] == '"') {
      i += 2;  // an escaped quote
    } else {
      return i + 1;
    }
  }
  return raw.size();
}

// What a held-out cell reads in the part that does not hold it: the first
// "not rated" value; with none, an empty cell ("" when spaces separate, where
// nothing would be no cell at all).
std::string not_rated_text(const CopyRules& rules) {
  if (!rules.missing.texts().empty()) return rules.missing.texts().front();
  return rules.report.delimiter == kWhitespaceDelimiter ? "\"\"" : "";
}

// Sends one data line at a time to its part (long) or parts (wide).
class LineCopier {
 public:
  LineCopier(const CopyRules& rules, const HeldOut& held, PartWriter& train, PartWriter& test, const std::string& file)
      : rules_(rules),
        held_(held),
        train_(train),
        test_(test),
        file_(file),
        not_rated_(not_rated_text(rules)),
        splitter_(rules.report.delimiter) {}

  // `raw` is the line with its end; its first `length` bytes the text.
  void copy(std::string_view raw, std::size_t length, std::uint64_t line) {
    if (rules_.report.layout == Layout::Wide) {
      copy_wide(raw, length, line);
    } else {
      copy_long(raw, length, line);
    }
  }

  SplitCounts counts;

 private:
  const std::vector<std::string_view>& split(std::string_view raw, std::size_t length, std::uint64_t line) {
    scratch_.assign(raw.data(), length);  // the splitter unquotes in place
    splitter_.split(scratch_.data(), length, file_, line);
    return splitter_.fields();
  }

  std::uint32_t index_of(const IdMap& ids, std::string_view name) const {
    const auto index = ids.find(name);
    if (!index) throw_file_changed(file_);
    return *index;
  }

  void copy_long(std::string_view raw, std::size_t length, std::uint64_t line) {
    const ReadReport& report = rules_.report;
    const auto& f = split(raw, length, line);
    if (f.size() <= std::max(report.user_column, report.item_column)) throw_file_changed(file_);
    const std::uint32_t user = index_of(held_.users(), f[report.user_column]);
    const bool to_test = held_.test(user, index_of(held_.items(), f[report.item_column]));
    (to_test ? test_ : train_).add(raw);
    ++(to_test ? counts.test : counts.train);
  }

  // Both parts get the row; each rated cell keeps its text in its own part
  // and reads "not rated" in the other. Item j is column j + 1 (the reader
  // numbers items in column order).
  void copy_wide(std::string_view raw, std::size_t length, std::uint64_t line) {
    const auto& f = split(raw, length, line);
    const std::size_t items_end = 1 + rules_.report.items;
    if (f.size() < items_end) throw_file_changed(file_);
    const std::uint32_t user = index_of(held_.users(), f[0]);
    train_line_.clear();
    test_line_.clear();
    std::size_t copied = 0;
    for (std::size_t c = 1; c < items_end; ++c) {
      if (rules_.missing.matches(f[c])) continue;
      const bool to_test = held_.test(user, static_cast<std::uint32_t>(c - 1));
      const std::size_t begin = splitter_.columns()[c] - 1, end = cell_end(raw, begin, f[c].size());
      train_line_.append(raw.substr(copied, begin - copied));
      test_line_.append(raw.substr(copied, begin - copied));
      (to_test ? test_line_ : train_line_).append(raw.substr(begin, end - begin));
      (to_test ? train_line_ : test_line_).append(not_rated_);
      ++(to_test ? counts.test : counts.train);
      copied = end;
    }
    train_line_.append(raw.substr(copied));
    test_line_.append(raw.substr(copied));
    train_.add(train_line_);
    test_.add(test_line_);
  }

  const CopyRules& rules_;
  const HeldOut& held_;
  PartWriter& train_;
  PartWriter& test_;
  const std::string& file_;
  const std::string not_rated_;
  FieldSplitter splitter_;
  std::string scratch_, train_line_, test_line_;
};

}  // namespace

SplitCounts copy_split(LineSource& lines, const CopyRules& rules, const HeldOut& held, PartWriter& train,
                       PartWriter& test) {
  const std::string file = lines.name();
  LineCopier copier(rules, held, train, test, file);
  // LineSource starts past a BOM, and only then at offset 3.
  if (lines.position() == kBom.size()) {
    train.add(kBom);
    test.add(kBom);
  }
  bool header_next = rules.report.header;  // the first line that is not blank
  std::uint64_t start = lines.position();
  std::size_t length = 0;
  while (char* p = lines.next(length)) {
    const std::string_view raw(p, lines.position() - start);
    start = lines.position();
    if (rules.stop && rules.stop->load(std::memory_order_relaxed)) throw_split_interrupted();
    if (blank(p, length)) continue;
    if (header_next) {
      train.add(raw);
      test.add(raw);
      header_next = false;
      continue;
    }
    copier.copy(raw, length, lines.line());
  }
  return copier.counts;
}

}  // namespace mfrec::detail
