#include "table_writer.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string>
#include <utility>
#include <vector>

#include "text_width.hpp"

namespace mfrec::cli {

std::string group_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

namespace {

// A cell as printed, and whether it aligns as a number.
using TableCell = std::pair<std::string, bool>;

TableCell table_cell(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return {*s, false};
  if (const auto* i = std::get_if<std::int64_t>(&c)) return {fmt::format("{}", *i), true};
  if (std::holds_alternative<std::monostate>(c)) return {std::string(), true};  // aligns as a number
  return {fmt::format("{:.4f}", std::get<double>(c)), true};
}

class TableWriter final : public RecordWriter {
 public:
  TableWriter(Sink& sink, std::size_t max_width, std::size_t max_rows)
      : sink_(sink), max_width_(max_width), max_rows_(max_rows) {}
  void header(const std::vector<std::string>& columns) override { header_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    ++total_rows_;
    if (max_rows_ && rows_.size() >= max_rows_) return;  // only counted
    std::vector<TableCell> r;
    r.reserve(cells.size());
    for (const auto& c : cells) r.push_back(table_cell(c));
    rows_.push_back(std::move(r));
  }
  void finish() override;

 private:
  void measure();
  std::size_t columns_that_fit() const;
  void fit_to_terminal();
  void write_panel(std::size_t first, std::size_t last);
  void write_footer(std::size_t shown_columns);

  Sink& sink_;
  const std::size_t max_width_, max_rows_;
  std::vector<std::string> header_;
  std::vector<std::vector<TableCell>> rows_;
  std::uint64_t total_rows_ = 0;
  // Per column, from measure(): width, narrowest width, all numbers.
  std::vector<std::size_t> width_, floor_;
  std::vector<bool> numeric_;
  const std::string empty_;
};

void TableWriter::finish() {
  measure();
  const std::size_t n = header_.size();
  // Cut for a terminal: the columns of the first panel only, or 9,724 items
  // of a predicted matrix become thousands of panels.
  const std::size_t shown = max_rows_ && max_width_ ? columns_that_fit() : n;
  width_.resize(shown);
  floor_.resize(shown);
  numeric_.resize(shown);
  fit_to_terminal();
  // Columns that still do not fit go into further panels, each repeating
  // the first (name) column, as R and pandas print wide frames.
  std::size_t first = 1;
  do {
    std::size_t last = first, used = width_[0];
    while (last < shown && (last == first || max_width_ == 0 || used + 2 + width_[last] <= max_width_))
      used += 2 + width_[last++];
    if (first > 1) sink_.write("\n");
    write_panel(first, last);
    first = last;
  } while (first < shown);
  if (total_rows_ > rows_.size() || shown < n) write_footer(shown);
}

// Widths of the header and the kept rows; a column is numeric when every
// kept row's cell is. A numeric column is never narrowed below its numbers,
// a text column not below 14 columns (or its width).
void TableWriter::measure() {
  const std::size_t n = header_.size();
  constexpr std::size_t kMinText = 14;
  width_.assign(n, 0);
  numeric_.assign(n, !rows_.empty());
  std::vector<std::size_t> number_width(n, 0);
  for (std::size_t i = 0; i < n; ++i) width_[i] = display_width(header_[i]);
  for (const auto& r : rows_)
    for (std::size_t i = 0; i < r.size() && i < n; ++i) {
      const std::size_t w = display_width(r[i].first);
      width_[i] = std::max(width_[i], w);
      number_width[i] = std::max(number_width[i], w);
      if (!r[i].second) numeric_[i] = false;
    }
  floor_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    floor_[i] = std::min(width_[i], std::max(numeric_[i] ? number_width[i] : 0, kMinText));
}

// How many leading columns fit the width at their narrowest (at least two:
// the name column and one more).
std::size_t TableWriter::columns_that_fit() const {
  const std::size_t n = header_.size();
  std::size_t shown = std::min<std::size_t>(n, 2), used = 0;
  for (std::size_t i = 0; i < shown; ++i) used += floor_[i] + (i ? 2 : 0);
  while (shown < n && used + 2 + floor_[shown] <= max_width_) used += 2 + floor_[shown++];
  return shown;
}

// On a terminal narrower than the table, narrows the widest columns (names
// get an ellipsis; numbers are never cut) until the table fits, or every
// column is at its narrowest.
void TableWriter::fit_to_terminal() {
  if (max_width_ == 0 || width_.empty()) return;
  auto total = [&] {
    std::size_t t = 2 * (width_.size() - 1);
    for (auto w : width_) t += w;
    return t;
  };
  while (total() > max_width_) {
    std::size_t pick = width_.size();
    for (std::size_t i = 0; i < width_.size(); ++i)
      if (width_[i] > floor_[i] && (pick == width_.size() || width_[i] > width_[pick])) pick = i;
    if (pick == width_.size()) break;
    --width_[pick];
  }
}

// Writes column 0 and columns [first, last).
void TableWriter::write_panel(std::size_t first, std::size_t last) {
  std::string out;
  auto cell = [&](const std::string& full, std::size_t i, bool right) {
    if (i) out += "  ";
    const std::string text = truncate_to_width(full, width_[i]);
    const std::size_t pad = width_[i] - std::min(width_[i], display_width(text));
    if (right) out.append(pad, ' ');
    out += text;
    if (!right && i + 1 < last) out.append(pad, ' ');
  };
  auto line = [&](auto get) {
    out.clear();
    cell(get(0), 0, numeric_[0]);
    for (std::size_t i = std::max<std::size_t>(first, 1); i < last; ++i) cell(get(i), i, numeric_[i]);
    out.erase(out.find_last_not_of(' ') + 1);  // an empty number cell at the end pads nothing
    out += '\n';
    sink_.write(out);
  };
  line([&](std::size_t i) -> const std::string& { return header_[i]; });
  for (const auto& r : rows_) line([&](std::size_t i) -> const std::string& { return i < r.size() ? r[i].first : empty_; });
}

// "… 610 rows × 9,725 columns, 50 rows and 6 columns shown (…)": the whole
// table's size, what was shown, and how to see the rest.
void TableWriter::write_footer(std::size_t shown_columns) {
  std::string shown;
  if (total_rows_ > rows_.size()) shown = group_thousands(rows_.size()) + (rows_.size() == 1 ? " row" : " rows");
  if (shown_columns < header_.size())
    shown += (shown.empty() ? "" : " and ") + group_thousands(shown_columns) + " columns";
  sink_.write(fmt::format("… {} {} × {} columns, {} shown (-f csv, -o FILE or --max-rows 0 for all)\n",
                          group_thousands(total_rows_), total_rows_ == 1 ? "row" : "rows",
                          group_thousands(header_.size()), shown));
}

}  // namespace

std::unique_ptr<RecordWriter> make_table_writer(Sink& sink, std::size_t max_width, std::size_t max_rows) {
  return std::make_unique<TableWriter>(sink, max_width, max_rows);
}

}  // namespace mfrec::cli
