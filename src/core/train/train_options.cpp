#include "mfrec/train/train_options.hpp"

#include <charconv>
#include <cmath>
#include <type_traits>

#include "mfrec/error.hpp"

namespace mfrec {

Order parse_order(std::string_view t) {
  if (t == "shuffled") return Order::Shuffled;
  if (t == "sequential") return Order::Sequential;
  throw Error(ErrorKind::Usage, "unknown order '" + std::string(t) + "' (use shuffled or sequential)");
}

std::string order_name(Order order) { return order == Order::Sequential ? "sequential" : "shuffled"; }

Objective parse_objective(std::string_view t) {
  if (t == "rating" || t == "ratings" || t == "explicit") return Objective::Rating;
  if (t == "implicit") return Objective::Implicit;
  throw Error(ErrorKind::Usage, "unknown objective '" + std::string(t) + "' (use rating or implicit)");
}

std::string objective_name(Objective objective) {
  return std::string(ChoiceNames<Objective>::names[static_cast<std::size_t>(objective)]);
}

TrainOptions TrainOptions::defaults_for(Objective objective, Optimizer optimizer) {
  TrainOptions o;
  o.objective = objective;
  o.optimizer = optimizer;
  if (objective == Objective::Rating && optimizer == Optimizer::Sgd) {
    // The first round's defaults, kept so that `--optimizer sgd` trains
    // exactly the models it trained: α and λ best at 60 epochs on a seeded
    // 80/20 split of MovieLens latest-small.
    o.lr = 0.003;
    o.lambda = 0.075;
    o.epochs = 60;
    o.tol = 0.0;
    o.lambda_row = 0.0;
  }
  if (objective == Objective::Implicit) {
    // README "Ratings or clicks?" has the measurements. λ is relative to
    // the data's size (detail::scaled_lambda: times √(Σ c·p)). 0.06 was best or within 0.01 NDCG@10 of the best on
    // MovieLens-small (80/20 seeds 42, 7, 123; 40% of the users; half the
    // ratings; as clicks) and on synthetic taste-structured clicks of
    // 20000 x 2000 and 100000 x 10000 (bench/implicit_study.sh); the old
    // absolute λ = 40 (0.06 on MovieLens's 80k ratings) ranked below
    // popularity on the larger sets. Confidence 1 + r (α = 1).
    // k = 128 ranks 0.004 better for twice the time, 32 0.008 worse; 10, 15
    // and 25 iterations rank the same here, 15 leaves room for larger data.
    o.factors = 64;
    o.lambda = 0.06;
    o.epochs = 15;
    o.confidence = 1.0;
    o.bias = false;
  }
  return o;
}

namespace {

// Options that hold a number users type (not a switch or a choice).
template <class T>
inline constexpr bool kNumeric = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

// A limit as users would write it: 1000000, not 1e+06.
// An option's value as a number: a switch 0 or 1, a choice its code.
template <class T>
double as_number(const T& value) {
  if constexpr (std::is_enum_v<T>) return static_cast<double>(static_cast<std::underlying_type_t<T>>(value));
  else return static_cast<double>(value);
}

std::string limit_text(double x) {
  char buf[32];
  const bool whole = x == std::floor(x) && std::fabs(x) < 1e15;
  const auto res = whole ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(x))
                         : std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

std::string normalized(std::string_view name) {
  std::string s(name);
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

}  // namespace

std::string range_problem(const OptionSpec& spec, double value) {
  if (!spec.negative_means.empty() && value < 0.0) return "";
  const bool has_min = std::isfinite(spec.min), has_max = std::isfinite(spec.max);
  const bool above = spec.min_open ? value > spec.min : value >= spec.min;
  const bool below = spec.max_open ? value < spec.max : value <= spec.max;
  if (above && below) return "";  // false for NaN
  if (has_min && has_max && !spec.min_open && !spec.max_open)
    return "must be between " + limit_text(spec.min) + " and " + limit_text(spec.max);
  std::string text = "must be";
  if (has_min) text += (spec.min_open ? " > " : " >= ") + limit_text(spec.min);
  if (has_min && has_max) text += " and";
  if (has_max) text += (spec.max_open ? " < " : " <= ") + limit_text(spec.max);
  return text;
}

std::string flag_name(const OptionSpec& spec) {
  if (spec.flags.empty()) return "--" + std::string(spec.name);
  const auto comma = spec.flags.find(',');
  const std::string first(spec.flags.substr(0, comma));
  if (first.size() == 2 && comma != std::string_view::npos) {  // "-k" alone says little: "-k/--factors"
    const auto second = spec.flags.substr(comma + 1, spec.flags.find(',', comma + 1) - comma - 1);
    return first + "/" + std::string(second);
  }
  return first;
}

void TrainOptions::validate() const {
  for_each_option(*this, [](const OptionSpec& spec, const auto& value) {
    if constexpr (kNumeric<std::decay_t<decltype(value)>>) {
      const std::string problem = range_problem(spec, static_cast<double>(value));
      if (!problem.empty()) throw Error(ErrorKind::Usage, flag_name(spec) + " " + problem);
    }
  });
  // --early-stop without validation is checked by train(), which also knows
  // about a validation file.
}

std::optional<OptionSpec> find_option(std::string_view name) {
  const std::string wanted = normalized(name);
  std::optional<OptionSpec> found;
  const TrainOptions defaults;
  for_each_option(defaults, [&](const OptionSpec& spec, const auto&) {
    if (found) return;
    if (normalized(spec.name) == wanted) found = spec;
    for (std::size_t start = 0; !found && start < spec.flags.size();) {
      const auto end = std::min(spec.flags.find(',', start), spec.flags.size());
      std::string_view flag = spec.flags.substr(start, end - start);
      while (!flag.empty() && flag.front() == '-') flag.remove_prefix(1);
      if (normalized(flag) == wanted) found = spec;
      start = end + 1;
    }
  });
  return found;
}

std::optional<double> option_value(const TrainOptions& o, std::string_view name) {
  std::optional<double> value;
  std::string_view fallback;
  for_each_option(o, [&](const OptionSpec& spec, const auto& field) {
    if (spec.name != name) return;
    value = as_number(field);
    if (!spec.negative_means.empty() && *value < 0.0) fallback = spec.negative_means;
  });
  if (!fallback.empty()) return option_value(o, fallback);
  return value;
}

void set_option(TrainOptions& o, std::string_view name, double value) {
  bool known = false;
  for_each_option(o, [&](const OptionSpec& spec, auto& field) {
    using T = std::decay_t<decltype(field)>;
    if (spec.name != name) return;
    known = true;
    if constexpr (kNumeric<T>) {
      std::string problem = range_problem(spec, value);
      if (problem.empty() && std::is_integral_v<T> && value != std::floor(value)) problem = "must be a whole number";
      if (!problem.empty()) throw Error(ErrorKind::Usage, std::string(spec.name) + " " + problem);
      field = static_cast<T>(value);
    } else {
      throw Error(ErrorKind::Usage, std::string(spec.name) + " cannot be set to a number");
    }
  });
  if (!known) throw Error(ErrorKind::Usage, "unknown option '" + std::string(name) + "'");
}

}  // namespace mfrec
