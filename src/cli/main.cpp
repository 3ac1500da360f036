// The single error boundary: everything thrown below is mapped to one line on
// stderr and an exit code of CLI.md.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app.hpp"
#include "exit_codes.hpp"
#include "help.hpp"
#include "interrupt.hpp"
#include "mfrec/error.hpp"
#include "output.hpp"
#include "parse_errors.hpp"

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
  // Blocks of 1 MiB and more straight from the system and back to it when
  // freed. glibc's default threshold grows to the largest block freed, after
  // which the reader's per-piece buffers (megabytes each, freed by another
  // thread than the one that made them) stay in the threads' heaps: 25 MB
  // more at the peak of reading 10M ratings.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);

  CliApp cli = make_app();
  CLI::App& app = *cli.app;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {  // `mfrec` alone: the overview, as `mfrec help`
    std::fputs(help_text(app, "").c_str(), stdout);
    return kExitOk;
  }
  // CLI11 would only say "a subcommand is required" for a misspelt command.
  if (args[0][0] != '-' && !cli.runners.count(args[0])) return fail(kExitUsage, unknown_command_message(app, args[0]));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return fail(kExitUsage, parse_error_message(app, e, args));
  }

  try {
    for (CLI::App* sub : app.get_subcommands()) cli.runners.at(sub->get_name())();
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
