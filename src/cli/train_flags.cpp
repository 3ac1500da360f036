#include "train_flags.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "flag_range.hpp"
#include "mfrec/error.hpp"

namespace mfrec::cli {

// CLI11 finds an option by any of its names.
std::string first_flag(const OptionSpec& spec) {
  const auto comma = spec.flags.find(',');
  return std::string(comma == std::string_view::npos ? spec.flags : spec.flags.substr(0, comma));
}

namespace {

template <class T>
void add_flag(CLI::App& cmd, const OptionSpec& spec, T& field) {
  const std::string flags(spec.flags), help(spec.help);
  if constexpr (std::is_same_v<T, bool>) {
    // A switch flips its default: --normalize turns on, --no-bias off.
    const bool flipped = !field;
    cmd.add_flag_callback(flags, [&field, flipped] { field = flipped; }, help);
  } else if constexpr (std::is_enum_v<T>) {
    const auto& names = ChoiceNames<T>::names;
    cmd.add_option_function<std::string>(
           flags,
           [&field](const std::string& name) {
             const auto& names = ChoiceNames<T>::names;
             field = static_cast<T>(std::find(names.begin(), names.end(), name) - names.begin());
           },
           help)
        ->check(CLI::IsMember(std::vector<std::string>(names.begin(), names.end())))
        ->default_str(std::string(names[static_cast<std::size_t>(field)]));
  } else {
    CLI::Option* option = cmd.add_option(flags, field, help)->check(range_check(spec));
    // A default that help states in words ("default: all cores") is not
    // shown again as the field's stand-in value.
    if (help.find("(default: ") == std::string::npos) option->capture_default_str();
  }
}

}  // namespace

void add_train_flags(CLI::App& cmd, TrainOptions& options, bool for_train) {
  for_each_option(options, [&](const OptionSpec& spec, auto& field) {
    if (spec.flags.empty() || (spec.train_only && !for_train)) return;
    add_flag(cmd, spec, field);
  });
}

void resolve_objective(const CLI::App& cmd, TrainOptions& options, const TrainOptions* inherited) {
  // Options come in table order, objective and optimizer first: an
  // inherited objective is in place before the flags it rules are checked.
  const TrainOptions defaults =
      inherited ? *inherited : TrainOptions::defaults_for(options.objective, options.optimizer);
  for_each_option(options, [&](const OptionSpec& spec, auto& field) {
    if (spec.flags.empty()) return;
    const CLI::Option* flag = cmd.get_option_no_throw(first_flag(spec));
    if (!flag) return;
    if (flag->count() > 0) {
      if (!applies(spec, options))
        throw Error(ErrorKind::Usage, flag_name(spec) + " has no effect with " +
                                          (spec.adagrad_only && options.objective == Objective::Rating
                                               ? "--optimizer sgd"
                                               : "--objective " + objective_name(options.objective)));
      return;
    }
    for_each_option(defaults, [&](const OptionSpec& other, const auto& value) {
      if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::decay_t<decltype(field)>>)
        if (other.name == spec.name) field = value;
    });
  });
}

std::vector<std::string> given_options(const CLI::App& cmd) {
  std::vector<std::string> names;
  for_each_option(TrainOptions{}, [&](const OptionSpec& spec, const auto&) {
    const CLI::Option* flag = spec.flags.empty() ? nullptr : cmd.get_option_no_throw(first_flag(spec));
    if (flag && flag->count() > 0) names.emplace_back(spec.name);
  });
  return names;
}

Cell option_cell(const TrainOptions& o, std::string_view name) {
  Cell cell{std::string()};
  for_each_option(o, [&](const OptionSpec& spec, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    if (spec.name != name) return;
    if constexpr (std::is_same_v<T, bool>) cell = Cell{std::string(field ? "yes" : "no")};
    else if constexpr (std::is_enum_v<T>) cell = Cell{std::string(ChoiceNames<T>::names[static_cast<std::size_t>(field)])};
    else if constexpr (std::is_integral_v<T>) cell = Cell{static_cast<std::int64_t>(field)};
    else cell = Cell{*option_value(o, name)};
  });
  return cell;
}

}  // namespace mfrec::cli
