#pragma once
// The one exception type of the core library. The CLI maps `kind` to an exit
// code; the core never prints or exits.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace mfrec {

enum class ErrorKind {
  Usage,     // an option value the core cannot accept
  Open,      // an input file cannot be opened
  Data,      // malformed ratings, unknown names
  Format,    // a corrupt, truncated or newer model file
  Diverged,  // training blew up
  Create,    // an output file cannot be created
  Io,        // a read or write failed midway
  Interrupted,  // the caller asked training to stop
  Internal,  // a bug
};

// Where in an input file something went wrong (1-based; 0 = not known).
struct Location {
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string what, std::optional<Location> where = std::nullopt);

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }
  const std::optional<Location>& where() const noexcept { return where_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::optional<Location> where_;
};

}  // namespace mfrec
