#pragma once
// The whole command line as one CLI::App tree: main parses with it, and the
// help command writes the man page and completions from it.
#include <map>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace mfrec::cli {

struct CliApp {
  std::unique_ptr<CLI::App> app;
  std::map<std::string, Runner> runners;  // by command name
};

CliApp make_app();

}  // namespace mfrec::cli
