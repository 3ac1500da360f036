#pragma once
// Options shared by several commands, bound once here.
#include <string>

#include <CLI/CLI.hpp>

#include "mfrec/io/ratings_reader.hpp"
#include "mfrec/query/recommend.hpp"

namespace mfrec::cli {

inline constexpr const char* kDefaultModelPath = "mfrec.model";

struct SharedOptions {
  std::string model;   // empty: $MFREC_MODEL, else ./mfrec.model
  std::string format;  // empty: by destination
  std::string output;  // empty: stdout
  std::size_t max_rows = 50;  // a default table on a terminal; 0: all
  bool quiet = false;
};

// -m/--model and -q/--quiet.
void add_model_options(CLI::App& cmd, SharedOptions& opts);
// -f/--format and -o/--output.
void add_output_options(CLI::App& cmd, SharedOptions& opts);

// The reading flags of CLI.md, as text until resolved into ReadOptions.
struct ReadFlags {
  std::string layout = "auto";
  std::string delimiter = "auto";
  bool no_header = false;
  bool header = false;  // --header
  std::string user_col, item_col, rating_col;
  std::string missing = "0";
  ReadOptions resolve() const;
};
void add_read_options(CLI::App& cmd, ReadFlags& flags);
// The flags `predict --pairs` reads its user,item rows with: the delimiter,
// the header and the two columns (no layout, rating or missing value).
void add_pairs_read_options(CLI::App& cmd, ReadFlags& flags);

// How `recommend` ranks, shared by `evaluate` so that it scores the same
// lists: --min-ratings and --shrink.
void add_ranking_flags(CLI::App& cmd, RecommendOptions& options);

// The model path to use: the flag, else $MFREC_MODEL, else ./mfrec.model.
std::string resolve_model_path(const std::string& flag);

}  // namespace mfrec::cli
