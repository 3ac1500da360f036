#include "suggest.hpp"

#include <algorithm>
#include <utility>

namespace mfrec::cli {

namespace {
// Leading dashes are typed by habit, not chosen: "--usr" is "usr".
std::string_view bare(std::string_view s) {
  while (!s.empty() && s.front() == '-') s.remove_prefix(1);
  return s;
}
}  // namespace

bool is_close(std::string_view typed, std::string_view candidate) {
  typed = bare(typed);
  candidate = bare(candidate);
  if (typed.empty() || candidate.empty()) return false;
  if (typed.size() >= 3 && candidate.size() > typed.size() && edit_distance(typed, candidate.substr(0, typed.size())) == 0)
    return true;
  // A one-letter name is never a typo of another one-letter name ('7', '1').
  const std::size_t allowed = std::max<std::size_t>(1, std::min(typed.size(), candidate.size()) / 3);
  const std::size_t distance = edit_distance(typed, candidate);
  return distance <= allowed && distance < candidate.size();
}

std::vector<std::string> close_matches(std::string_view typed, const std::vector<std::string>& candidates,
                                       std::size_t count) {
  std::vector<std::pair<std::size_t, const std::string*>> scored;
  for (const auto& c : candidates)
    if (is_close(typed, c)) scored.emplace_back(edit_distance(bare(typed), bare(c)), &c);
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < count; ++i) out.push_back(*scored[i].second);
  return out;
}

std::string did_you_mean(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string text = "; did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) text += i + 1 == names.size() ? " or " : ", ";
    text += "'" + names[i] + "'";
  }
  return text + "?";
}

}  // namespace mfrec::cli
