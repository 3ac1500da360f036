#pragma once
// Loading the model for a query command, and finding users and items by name
// with "did you mean" hints.
#include <cstdint>
#include <string>
#include <vector>

#include "common_options.hpp"
#include "item_lookup.hpp"
#include "mfrec/model/model.hpp"

namespace mfrec::cli {

// Loads the model named by -m / $MFREC_MODEL / ./mfrec.model; a missing file
// is Error(Open) with a hint to train one.
Model load_query_model(const SharedOptions& shared);

// Index of a user (item) named `name`; Error(Data) with the closest names.
// An item may also be named by its exact title (train --item-names).
std::uint32_t find_user(const Model& model, const std::string& name);
std::uint32_t find_item(const Model& model, const std::string& name);
std::uint32_t find_item(const Model& model, const ItemLookup& lookup, const std::string& name);
// Indices of the users (items) named, in the order given; Error(Data) as above.
std::vector<std::uint32_t> find_users(const Model& model, const std::vector<std::string>& names);
std::vector<std::uint32_t> find_items(const Model& model, const std::vector<std::string>& names);

}  // namespace mfrec::cli
