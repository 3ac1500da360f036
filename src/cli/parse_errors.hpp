#pragma once
// mfrec's own one-line sentences for what CLI11 refuses while parsing: what
// was wrong, a close name when there is one, and which --help to read.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mfrec::cli {

// `args` is argv without the program name.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error,
                                const std::vector<std::string>& args);

// For a first argument that names no command.
std::string unknown_command_message(const CLI::App& app, const std::string& name);

// The commands' names, in the order they were registered.
std::vector<std::string> command_names(const CLI::App& app);

}  // namespace mfrec::cli
