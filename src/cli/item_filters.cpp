#include "item_filters.hpp"

#include <fmt/format.h>

#include "mfrec/io/csv_reader.hpp"
#include "item_lookup.hpp"
#include "output.hpp"

namespace mfrec::cli {

namespace {

// The first field of every row of `path` ("-": stdin). Comma-separated,
// not sniffed: a list of one item per line has no delimiter to sniff, and
// names with spaces must stay whole.
std::vector<std::string> read_first_column(const std::string& path) {
  CsvRowReader rows = CsvRowReader::open_file(path, ',');
  std::vector<std::string> names;
  while (rows.next()) names.emplace_back(rows.fields().front());
  return names;
}

// The items the names name (an id, or a title naming every item that has
// it); the names the model does not know are counted on stderr as ignored.
// `from_file`: a first name the model does not know is a header, neither
// used nor counted.
std::vector<std::uint32_t> resolve_items(const ItemLookup& lookup, const std::vector<std::string>& names,
                                         const std::string& source, bool from_file, bool quiet) {
  std::vector<std::uint32_t> items;
  std::size_t unknown = 0;
  for (std::size_t n = 0; n < names.size(); ++n) {
    const std::vector<std::uint32_t> named = lookup.find(names[n]);
    items.insert(items.end(), named.begin(), named.end());
    if (named.empty() && !(from_file && n == 0)) ++unknown;
  }
  if (unknown && !quiet)
    log_line(fmt::format("mfrec: {} item{} in {} not in the model: ignored", unknown, unknown == 1 ? "" : "s",
                         source));
  return items;
}

}  // namespace

void add_item_filter_flags(CLI::App& cmd, ItemFilterFlags& f) {
  cmd.add_option("--exclude", f.exclude, "never recommend this item (repeatable; default: none)")->type_name("ITEM");
  cmd.add_option("--exclude-file", f.exclude_file,
                 "never recommend the items listed in PATH (one per line, or the first column of a CSV; default: none)")
      ->type_name("PATH");
  cmd.add_option("--candidates", f.candidates,
                 "recommend only among the items listed in PATH (one per line, or the first column of a CSV; default: none)")
      ->type_name("PATH");
}

void apply_item_filters(const Model& model, const ItemFilterFlags& f, bool quiet, RecommendOptions& o) {
  const ItemLookup lookup(model);
  o.exclude = resolve_items(lookup, f.exclude, "--exclude", false, quiet);
  if (!f.exclude_file.empty()) {
    const auto listed = resolve_items(lookup, read_first_column(f.exclude_file), f.exclude_file, true, quiet);
    o.exclude.insert(o.exclude.end(), listed.begin(), listed.end());
  }
  if (!f.candidates.empty())
    o.candidates = resolve_items(lookup, read_first_column(f.candidates), f.candidates, true, quiet);
}

}  // namespace mfrec::cli
