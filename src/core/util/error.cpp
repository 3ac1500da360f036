#include "mfrec/error.hpp"

namespace mfrec {

namespace {
std::string render(const std::string& message, const std::optional<Location>& where) {
  if (!where) return message;
  std::string s = message;
  s.append(" (").append(where->file);
  if (where->line) {
    s.append(":").append(std::to_string(where->line));
    if (where->column) s.append(":").append(std::to_string(where->column));
  }
  s.append(")");
  return s;
}
}  // namespace

Error::Error(ErrorKind kind, std::string what, std::optional<Location> where)
    : std::runtime_error(render(what, where)),
      kind_(kind),
      message_(std::move(what)),
      where_(std::move(where)) {}

}  // namespace mfrec
