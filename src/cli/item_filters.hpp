#pragma once
// recommend's item filters from the command line: --exclude ITEM
// (repeatable), --exclude-file PATH and --candidates PATH, resolved to the
// model's item indices. A list file holds one item per line or items in the
// first column of a CSV/TSV; a first row naming no item of the model is a
// header. Items the model does not know are ignored and counted on stderr.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "mfrec/model/model.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec::cli {

struct ItemFilterFlags {
  std::vector<std::string> exclude;
  std::string exclude_file;
  std::string candidates;
};

void add_item_filter_flags(CLI::App& cmd, ItemFilterFlags& flags);

// Sets options.exclude and options.candidates. Throws Error(Open) for a file
// that cannot be read.
void apply_item_filters(const Model& model, const ItemFilterFlags& flags, bool quiet, RecommendOptions& options);

}  // namespace mfrec::cli
