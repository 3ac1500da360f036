#include "mfrec/train/grid_search.hpp"

#include <algorithm>
#include <chrono>

#include "mfrec/error.hpp"
#include "mfrec/io/ratings_reader.hpp"

namespace mfrec {

namespace {

std::string grid_names_list() {
  const std::vector<std::string> names = grid_option_names();
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i)
    list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return list;
}

}  // namespace

std::vector<std::string> grid_option_names() {
  std::vector<std::string> names;
  for_each_option(TrainOptions{}, [&](const OptionSpec& spec, const auto&) {
    if (spec.grid) names.emplace_back(spec.name);
  });
  return names;
}

GridAxis parse_grid_axis(std::string_view text) {
  const std::string where = "--grid " + std::string(text);
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) throw Error(ErrorKind::Usage, where + ": write NAME=V1,V2,… (e.g. k=16,32,64)");
  const std::string_view name = text.substr(0, eq);
  const auto spec = find_option(name);
  if (!spec || !spec->grid)
    throw Error(ErrorKind::Usage, where + ": unknown option '" + std::string(name) + "' (use " + grid_names_list() + ")");
  GridAxis axis{std::string(spec->name), {}};
  TrainOptions check;
  for (std::size_t start = eq + 1; start <= text.size();) {
    const auto comma = std::min(text.find(',', start), text.size());
    const std::string item(text.substr(start, comma - start));
    const auto value = parse_number(item);
    if (!value) throw Error(ErrorKind::Usage, where + ": bad value '" + item + "'");
    try {
      set_option(check, axis.name, *value);
    } catch (const Error& e) {
      throw Error(ErrorKind::Usage, where + ": bad value '" + item + "' (" + e.what() + ")");
    }
    axis.values.push_back(*value);
    start = comma + 1;
  }
  return axis;
}

std::vector<TrainOptions> expand_grid(const TrainOptions& base, const std::vector<GridAxis>& axes) {
  for (std::size_t a = 0; a < axes.size(); ++a)
    for (std::size_t b = 0; b < a; ++b)
      if (axes[a].name == axes[b].name)
        throw Error(ErrorKind::Usage, "--grid: " + axes[a].name +
                                          " is already on the grid (list all its values in one --grid)");
  std::vector<TrainOptions> settings{base};
  for (const auto& axis : axes) {
    std::vector<TrainOptions> next;
    for (const auto& s : settings)
      for (double v : axis.values) {
        TrainOptions o = s;
        set_option(o, axis.name, v);
        o.validate();
        next.push_back(o);
      }
    settings = std::move(next);
  }
  return settings;
}

std::vector<GridResult> grid_search(const Dataset& data, const std::vector<TrainOptions>& settings, std::uint32_t folds,
                                    std::uint64_t fold_seed, const GridProgress& progress) {
  std::vector<GridResult> results;
  for (std::size_t n = 0; n < settings.size(); ++n) {
    const auto start = std::chrono::steady_clock::now();
    auto fold_done = [&](const FoldResult& f) {
      if (progress.fold) progress.fold(n, f);
    };
    CrossValidation cv = cross_validate(data, settings[n], folds, fold_seed, fold_done);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back({settings[n], std::move(cv), seconds});
    if (progress.setting) progress.setting(n, results.back());
  }
  std::stable_sort(results.begin(), results.end(), [](const GridResult& x, const GridResult& y) {
    return x.cv.better_than(y.cv, x.options.objective);
  });
  return results;
}

}  // namespace mfrec
