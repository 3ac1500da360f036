#pragma once
// "Did you mean" for typos in commands, options and names: a suggestion is
// made only when few edits separate it from what was typed, so that a name
// that is simply not there ("Nobody") gets no unrelated guesses.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mfrec/model/id_map.hpp"  // edit_distance

namespace mfrec::cli {

// `candidate` is a plausible typo of `typed`: at most a third of the letters
// differ (one for short words), or `typed` (3+ letters) begins `candidate`.
bool is_close(std::string_view typed, std::string_view candidate);

// The close candidates, closest first, at most `count`.
std::vector<std::string> close_matches(std::string_view typed, const std::vector<std::string>& candidates,
                                       std::size_t count);

// "; did you mean 'a' or 'b'?", or "" when there is nothing to suggest.
std::string did_you_mean(const std::vector<std::string>& names);

}  // namespace mfrec::cli
