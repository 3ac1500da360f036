#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "mfrec/error.hpp"
#include "mfrec/io/csv_reader.hpp"
#include "mfrec/io/ratings_reader.hpp"
#include "plot_axis.hpp"

namespace mfrec::cli {

namespace {

constexpr double kWidth = 800, kHeight = 480;
constexpr double kLeft = 80, kRight = 720, kTop = 50, kBottom = 420;  // the plot area

struct Series {
  const char* name;   // data-series, and the legend's text
  const char* label;
  const char* color;
  double EpochPoint::*field;
  bool right;  // on the objective's axis
};

constexpr Series kSeries[] = {
    {"objective", "objective (right axis)", "#7f7f7f", &EpochPoint::objective, true},
    {"train_rmse", "train RMSE", "#1f77b4", &EpochPoint::train_rmse, false},
    {"validation_rmse", "validation RMSE", "#d62728", &EpochPoint::validation_rmse, false},
};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out.push_back(c);
  }
  return out;
}

// The finite range of a series; {inf, -inf} when it has no value.
std::pair<double, double> range_of(const std::vector<EpochPoint>& epochs, double EpochPoint::*field) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& e : epochs)
    if (std::isfinite(e.*field)) {
      lo = std::min(lo, e.*field);
      hi = std::max(hi, e.*field);
    }
  return {lo, hi};
}

bool has_values(const std::vector<EpochPoint>& epochs, double EpochPoint::*field) {
  return range_of(epochs, field).first <= range_of(epochs, field).second;
}

std::string vertical_axis(const Axis& axis, const char* id, double x, bool right, const std::string& title) {
  std::string out = fmt::format("<g class=\"axis\" id=\"{}\" data-scale=\"{}\">\n", id, axis.log() ? "log" : "linear");
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n", x, kTop, kBottom);
  const double dir = right ? 1 : -1;
  for (const Tick& t : axis.ticks()) {
    const double y = axis.pixel(t.value);
    out += fmt::format("<line x1=\"{}\" y1=\"{:.2f}\" x2=\"{}\" y2=\"{:.2f}\" stroke=\"#333\"/>\n", x, y, x + 5 * dir, y);
    if (!right)
      out += fmt::format("<line x1=\"{}\" y1=\"{:.2f}\" x2=\"{}\" y2=\"{:.2f}\" stroke=\"#e5e5e5\"/>\n", kLeft, y, kRight, y);
    out += fmt::format(
        "<text class=\"tick-label\" data-axis=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{:.2f}\" text-anchor=\"{}\" "
        "dominant-baseline=\"middle\">{}</text>\n",
        id, t.label, x + 8 * dir, y, right ? "start" : "end", t.label);
  }
  const double tx = right ? kWidth - 14 : 18, ty = (kTop + kBottom) / 2;
  out += fmt::format("<text x=\"{0}\" y=\"{1}\" transform=\"rotate(-90 {0} {1})\" text-anchor=\"middle\">{2}</text>\n",
                     tx, ty, escape(title));
  return out + "</g>\n";
}

std::string horizontal_axis(const Axis& axis) {
  std::string out = "<g class=\"axis\" id=\"x\" data-scale=\"linear\">\n";
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", kLeft, kBottom, kRight);
  for (const Tick& t : axis.ticks()) {
    const double x = axis.pixel(t.value);
    out += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1}\" x2=\"{0:.2f}\" y2=\"{2}\" stroke=\"#333\"/>\n", x, kBottom,
                       kBottom + 5);
    out += fmt::format(
        "<text class=\"tick-label\" data-axis=\"x\" data-value=\"{}\" x=\"{:.2f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
        t.label, x, kBottom + 20, t.label);
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">epoch</text>\n", (kLeft + kRight) / 2, kHeight - 15);
  return out + "</g>\n";
}

std::string polyline(const std::vector<EpochPoint>& epochs, const Series& s, const Axis& x, const Axis& y) {
  std::string points;
  for (const auto& e : epochs)
    if (std::isfinite(e.*s.field) && (!y.log() || e.*s.field > 0))
      points += fmt::format("{}{:.3f},{:.3f}", points.empty() ? "" : " ", x.pixel(e.epoch), y.pixel(e.*s.field));
  return fmt::format(
      "<polyline class=\"series\" data-series=\"{}\" data-axis=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
      "points=\"{}\"/>\n",
      s.name, s.right ? "y-right" : "y-left", s.color, points);
}

std::string legend(const std::vector<const Series*>& shown) {
  std::string out = "<g class=\"legend\">\n";
  // On a light box: a line may pass under the legend.
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"190\" height=\"{}\" fill=\"white\" fill-opacity=\"0.85\" "
                     "stroke=\"#ccc\"/>\n",
                     kRight - 198, kTop + 4, 18 * shown.size() + 2);
  double y = kTop + 14;
  for (const Series* s : shown) {
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/>\n",
                       kRight - 190, y, kRight - 165, s->color);
    out += fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text>\n", kRight - 158, y, s->label);
    y += 18;
  }
  return out + "</g>\n";
}

}  // namespace

std::string render_training_plot(const std::vector<EpochPoint>& epochs, const std::string& title) {
  if (epochs.empty()) throw Error(ErrorKind::Data, "no epochs to plot");
  const auto [e_lo, e_hi] = range_of(epochs, &EpochPoint::epoch);
  const Axis x(e_lo, e_hi, kLeft, kRight, false);
  auto [r_lo, r_hi] = range_of(epochs, &EpochPoint::train_rmse);
  const auto [v_lo, v_hi] = range_of(epochs, &EpochPoint::validation_rmse);
  r_lo = std::min(r_lo, v_lo);
  r_hi = std::max(r_hi, v_hi);
  const Axis left(r_lo, r_hi, kBottom, kTop, false);
  const auto [o_lo, o_hi] = range_of(epochs, &EpochPoint::objective);
  // A log scale shows a steep fall and the slow tail after it at once.
  const Axis right(o_lo, o_hi, kBottom, kTop, o_lo > 0 && o_hi / o_lo >= 10);

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"28\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      kWidth, kHeight, (kLeft + kRight) / 2, escape(title));
  svg += horizontal_axis(x);
  svg += vertical_axis(left, "y-left", kLeft, false, "RMSE");
  svg += vertical_axis(right, "y-right", kRight, true, right.log() ? "objective (log scale)" : "objective");
  std::vector<const Series*> shown;
  for (const Series& s : kSeries)
    if (has_values(epochs, s.field)) {
      svg += polyline(epochs, s, x, s.right ? right : left);
      shown.push_back(&s);
    }
  svg += legend(shown);
  return svg + "</svg>\n";
}

namespace {

// A log cell: a number, or NaN for "", "nan" or null (no validation).
double log_number(std::string_view text) {
  const auto v = parse_number(text);
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
}

bool looks_like_jsonl(const std::string& path) {
  for (const char* ext : {".jsonl", ".ndjson"})
    if (path.ends_with(ext)) return true;
  std::ifstream in(path);
  char c = 0;
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {}
  return c == '{';
}

std::vector<EpochPoint> read_jsonl_log(const std::string& path) {
  std::ifstream in(path);
  std::vector<EpochPoint> out;
  std::string line;
  for (std::uint64_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("epoch") || !j["epoch"].is_number())
      throw Error(ErrorKind::Data, "not an epoch log line (want a JSON object with \"epoch\")", Location{path, n, 1});
    auto get = [&](const char* key) {
      return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::numeric_limits<double>::quiet_NaN();
    };
    out.push_back({get("epoch"), get("objective"), get("train_rmse"), get("validation_rmse")});
  }
  return out;
}

std::vector<EpochPoint> read_csv_log(const std::string& path) {
  CsvRowReader rows = CsvRowReader::open_file(path, ',');
  if (!rows.next()) throw Error(ErrorKind::Data, "empty epoch log", Location{path, 0, 0});
  const std::vector<std::string> names(rows.fields().begin(), rows.fields().end());
  auto column = [&](const std::string& name) {
    const auto at = std::find(names.begin(), names.end(), name);
    if (at == names.end()) throw Error(ErrorKind::Data, "the epoch log has no '" + name + "' column", Location{path, 1, 1});
    return static_cast<std::size_t>(at - names.begin());
  };
  const std::size_t epoch = column("epoch"), objective = column("objective"), train = column("train_rmse"),
                    validation = column("validation_rmse");
  std::vector<EpochPoint> out;
  while (rows.next()) {
    const auto& f = rows.fields();
    if (f.size() != names.size())
      throw Error(ErrorKind::Data, "row has " + std::to_string(f.size()) + " fields, the header has " +
                                       std::to_string(names.size()), Location{path, rows.line(), 1});
    const auto e = parse_number(f[epoch]);
    if (!e) throw Error(ErrorKind::Data, "epoch '" + std::string(f[epoch]) + "' is not a number",
                        Location{path, rows.line(), rows.column(epoch)});
    out.push_back({*e, log_number(f[objective]), log_number(f[train]), log_number(f[validation])});
  }
  return out;
}

}  // namespace

std::vector<EpochPoint> read_epoch_log(const std::string& path) {
  if (!std::ifstream(path)) throw Error(ErrorKind::Open, "cannot open " + path);
  std::vector<EpochPoint> epochs = looks_like_jsonl(path) ? read_jsonl_log(path) : read_csv_log(path);
  if (epochs.empty()) throw Error(ErrorKind::Data, "no epochs in " + path);
  return epochs;
}

}  // namespace mfrec::cli
