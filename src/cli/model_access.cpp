#include "model_access.hpp"

#include "mfrec/error.hpp"
#include "mfrec/io/model_io.hpp"
#include "suggest.hpp"

namespace mfrec::cli {

Model load_query_model(const SharedOptions& shared) {
  const std::string path = resolve_model_path(shared.model);
  try {
    return load_model(path);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Open) throw;
    throw Error(ErrorKind::Open, e.message() + "; train one first with: mfrec train RATINGS -m " + path);
  }
}

namespace {
// Only names a typo away are suggested: a name that is simply not in the
// model ("Nobody") must not get a list of unrelated ones.
std::uint32_t find_named(const IdMap& ids, const std::string& name, const char* what) {
  if (auto index = ids.find(name)) return *index;
  std::vector<std::string> close;
  for (auto& candidate : closest_names(ids, name, 3))
    if (is_close(name, candidate)) close.push_back(std::move(candidate));
  throw Error(ErrorKind::Data, std::string("unknown ") + what + " '" + name + "'" + did_you_mean(close));
}
}  // namespace

std::uint32_t find_user(const Model& model, const std::string& name) { return find_named(model.users, name, "user"); }
// An item named by its id or, failing that, by an exact title; a title
// several items share is an error listing their ids.
std::uint32_t find_item(const Model& model, const std::string& name) {
  return find_item(model, ItemLookup(model), name);
}

std::uint32_t find_item(const Model& model, const ItemLookup& lookup, const std::string& name) {
  const std::vector<std::uint32_t> titled = lookup.find(name);
  if (titled.size() == 1) return titled[0];
  if (titled.empty()) return find_named(model.items, name, "item");
  std::string ids;
  for (std::uint32_t i : titled) ids += (ids.empty() ? "" : ", ") + model.items.name(i);
  throw Error(ErrorKind::Data, "the title '" + name + "' names " + std::to_string(titled.size()) +
                                   " items (" + ids + "); give one by its id");
}

std::vector<std::uint32_t> find_users(const Model& model, const std::vector<std::string>& names) {
  std::vector<std::uint32_t> out;
  for (const auto& name : names) out.push_back(find_user(model, name));
  return out;
}

std::vector<std::uint32_t> find_items(const Model& model, const std::vector<std::string>& names) {
  const ItemLookup lookup(model);
  std::vector<std::uint32_t> out;
  for (const auto& name : names) out.push_back(find_item(model, lookup, name));
  return out;
}

}  // namespace mfrec::cli
