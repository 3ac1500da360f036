#pragma once
// recommend/predict for a user who is not in the model: the ratings they
// give, from --ratings "ITEM=R,ITEM=R,…" or --ratings-file PATH|- (rows
// item,rating; a header row allowed), folded in (mfrec/query/fold_in.hpp)
// and answered as --as NAME (default "new").
//   --ratings: pieces split at commas outside double quotes; in each, the
//   last `=` separates the rating, so a title may contain `=`; an item may
//   be quoted ("Heat, The"=4, "Say ""Hi"""=3), or the whole piece.
//   Items: an id or, with titles in the model, an exact title (ItemLookup);
//   a title several items share is Error(Data) listing their ids. Items the
//   model does not know are ignored and counted on stderr, or with `strict`
//   are Error(Data). An item given twice counts with its last rating.
//   Ratings: numbers within the model's rating range (a rating model's; an
//   implicit model takes any finite strength), else Error(Data).
//   No usable rating: the model's guess for a stranger (fold_in.hpp), with a
//   note on stderr.
#include <CLI/CLI.hpp>
#include <string>

#include "mfrec/model/model.hpp"
#include "mfrec/query/fold_in.hpp"

namespace mfrec::cli {

struct GivenRatingFlags {
  std::string ratings;       // --ratings
  std::string ratings_file;  // --ratings-file
  std::string as = "new";    // --as

  bool given() const { return !ratings.empty() || !ratings_file.empty(); }
};

// Adds --ratings, --ratings-file and --as.
void add_given_rating_flags(CLI::App& cmd, GivenRatingFlags& flags);

// Error(Usage) unless the flags give ratings one way only (or none).
void check_given_rating_flags(const GivenRatingFlags& flags);

// The user the flags' ratings describe; notes on stderr unless `quiet`.
FoldedUser fold_in_given(const Model& model, const GivenRatingFlags& flags, bool strict, bool quiet);

}  // namespace mfrec::cli
