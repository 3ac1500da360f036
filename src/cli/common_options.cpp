#include "common_options.hpp"

#include <cstdlib>

#include "flag_range.hpp"

namespace mfrec::cli {

void add_model_options(CLI::App& cmd, SharedOptions& opts) {
  cmd.add_option("-m,--model", opts.model, "model file (default: $MFREC_MODEL, else ./mfrec.model)");
  cmd.add_flag("-q,--quiet", opts.quiet, "print nothing on stderr but errors");
}

void add_output_options(CLI::App& cmd, SharedOptions& opts) {
  cmd.add_option("-f,--format", opts.format, "table, csv, tsv, json or jsonl (default: table on a terminal, else csv)")
      ->check(CLI::IsMember({"table", "csv", "tsv", "json", "jsonl"}));
  cmd.add_option("-o,--output", opts.output,
                 "write the result to this file, atomically (default: stdout); without -f, the format is the "
                 "extension's (.csv, .tsv/.tab, .json, .jsonl/.ndjson; else csv)");
  cmd.add_option("--max-rows", opts.max_rows, "rows of a default table on a terminal (0: all)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40))
      ->capture_default_str();
}

void add_read_options(CLI::App& cmd, ReadFlags& flags) {
  cmd.add_option("--layout", flags.layout, "wide (user x item matrix), long (user,item,rating rows) or auto")
      ->check(CLI::IsMember({"auto", "wide", "long"}));
  cmd.add_option("--delimiter", flags.delimiter, "auto, ',', tab, ';', '|' (pipe) or space");
  // Without either, the first row is data when it reads as data (a number in
  // the rating column, a pair of known names) and a header otherwise.
  auto* header = cmd.add_flag("--header", flags.header, "the first row is a header, even if it looks like data (default: decided by the first row)");
  cmd.add_flag("--no-header", flags.no_header, "the first row is data (default: decided by the first row)")->excludes(header);
  cmd.add_option("--user-col", flags.user_col, "long layout: user column, by name or 1-based index (default: from the header, else 1)");
  cmd.add_option("--item-col", flags.item_col, "long layout: item column, by name or 1-based index (default: from the header, else 2)");
  cmd.add_option("--rating-col", flags.rating_col, "long layout: rating column, by name or 1-based index (default: from the header, else 3)");
  cmd.add_option("--missing", flags.missing,
                 "wide layout: values meaning \"not rated\", comma-separated, e.g. 0,NA,N/A,- (default 0; empty "
                 "cells always)");
}

void add_pairs_read_options(CLI::App& cmd, ReadFlags& flags) {
  cmd.add_option("--delimiter", flags.delimiter, "--pairs: auto, ',', tab, ';', '|' (pipe) or space");
  auto* header = cmd.add_flag("--header", flags.header, "--pairs: the first row is a header, even if it names known users and items (default: decided by the first row)");
  cmd.add_flag("--no-header", flags.no_header, "--pairs: the first row is data (default: decided by the first row)")->excludes(header);
  cmd.add_option("--user-col", flags.user_col, "--pairs: user column, by name or 1-based index (default: 1)");
  cmd.add_option("--item-col", flags.item_col, "--pairs: item column, by name or 1-based index (default: 2)");
}

ReadOptions ReadFlags::resolve() const {
  ReadOptions o;
  o.layout = parse_layout(layout);
  o.delimiter = parse_delimiter(delimiter);
  o.header = !no_header;
  o.force_header = header;
  o.user_col = user_col;
  o.item_col = item_col;
  o.rating_col = rating_col;
  o.missing = missing;
  return o;
}

void add_ranking_flags(CLI::App& cmd, RecommendOptions& o) {
  cmd.add_option("--min-ratings", o.min_ratings,
                 "only items with at least N training ratings (1: every item; the shrunk score already ranks "
                 "barely-rated items low)")
      ->check(whole_range(1, 4294967295u))
      ->capture_default_str();
  cmd.add_option("--shrink", o.shrink,
                 "rank by the prediction with each item's own part weighted n/(n + S x mean ratings per item), n its "
                 "training ratings; 0 = the plain prediction (default: 300 for rating models, 0 for implicit ones)")
      ->check(number_range(0, kMaxShrink));
}

std::string resolve_model_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("MFREC_MODEL"); env && *env) return env;
  return kDefaultModelPath;
}

}  // namespace mfrec::cli
