#pragma once
// Help beyond CLI11's --help: the `help` command, the version line, and the
// man page and shell completions generated from the same CLI::App tree that
// parses the command line (so they cannot drift from the flags).
#include <string>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace mfrec::cli {

// register_help (commands.hpp) adds `mfrec help [COMMAND]` and, hidden,
// `--man` (roff for mfrec(1)) and `--completion bash|zsh|fish`, which the
// build runs to make the installed files.

// "mfrec 0.1.0 (SGD kernel: AVX2+FMA)".
std::string version_text();

// The help of `command` ("" for the overview) as `--help` prints it.
std::string help_text(const CLI::App& app, const std::string& command);

// mfrec(1) in roff: every command (but help) with its options and examples.
std::string man_page(const CLI::App& app);

// A completion script for bash, zsh or fish; Error(Usage) for another shell.
std::string completion_script(const CLI::App& app, const std::string& shell);

// A command's options as help, the man page and completions list them:
// visible ones only (hidden options have no group).
std::vector<const CLI::Option*> visible_options(const CLI::App& command);
// The commands, in the overview's order.
std::vector<const CLI::App*> visible_commands(const CLI::App& app);

}  // namespace mfrec::cli
