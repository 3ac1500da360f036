#pragma once
// One register/run pair per subcommand; main.cpp wires them up.
#include <CLI/CLI.hpp>
#include <functional>

namespace mfrec::cli {

// Registers the subcommand on `app` and returns the function that runs it
// once the command line has been parsed.
using Runner = std::function<void()>;

Runner register_train(CLI::App& app);
Runner register_info(CLI::App& app);
Runner register_predict(CLI::App& app);
Runner register_similarity(CLI::App& app);
Runner register_recommend(CLI::App& app);
Runner register_evaluate(CLI::App& app);
Runner register_cv(CLI::App& app);
Runner register_tune(CLI::App& app);
Runner register_split(CLI::App& app);
// `mfrec help [COMMAND]` (help.cpp), with the man page and completions.
Runner register_help(CLI::App& app);
Runner register_plot(CLI::App& app);

}  // namespace mfrec::cli
