// The single error boundary: everything thrown below is mapped to one line on
// stderr and an exit code of CLI.md.
#include <csignal>
#include <cstdio>
#include <exception>
#include <map>
#include <new>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "mfrec/error.hpp"
#include "output.hpp"

namespace {

int fail(int code, const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "mfrec: error: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mfrec::cli;
  // A closed pipe must be an ordinary write error we can handle, not a kill.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"mfrec: matrix-factorization recommender (SGD) for ratings CSV files", "mfrec"};
  app.set_version_flag("--version", std::string("mfrec ") + MFREC_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  std::map<std::string, Runner> runners{
      {"train", register_train(app)},
      {"predict", register_predict(app)},
      {"similarity", register_similarity(app)},
      {"recommend", register_recommend(app)},
      {"evaluate", register_evaluate(app)},
      {"cv", register_cv(app)},
      {"info", register_info(app)},
      {"plot", register_plot(app)},
  };

  // CLI11 would only say "a subcommand is required" for a misspelt command.
  if (argc > 1 && argv[1][0] != '-' && !runners.count(argv[1])) {
    std::string names;
    for (const auto& [name, run] : runners) names += (names.empty() ? "" : ", ") + name;
    return fail(kExitUsage, std::string("unknown command '") + argv[1] + "' (commands: " + names + ")");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail(kExitUsage, std::string(e.what()) + " (see mfrec --help)");
  }

  try {
    for (CLI::App* sub : app.get_subcommands()) runners.at(sub->get_name())();
    return kExitOk;
  } catch (const StdoutClosed&) {
    return kExitOk;  // the reader has all it wanted (`| head`)
  } catch (const mfrec::Error& e) {
    if (e.kind() == mfrec::ErrorKind::Interrupted) return fail(interrupt_exit_code(), e.what());
    return fail(exit_code(e.kind()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(kExitInternal, "out of memory");
  } catch (const std::exception& e) {
    return fail(kExitInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(kExitInternal, "internal error");
  }
}
