// The single error boundary: everything thrown below is mapped to one line on
// stderr and an exit code of CLI.md. Under mpirun rank 0 speaks for the run
// (README "Many machines").
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
#include "mpi_session.hpp"
#include "mfrec/error.hpp"
#include "output.hpp"
#include "parse_errors.hpp"

namespace {

void say_error(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "mfrec: error: %s\n", message.c_str());
}

// An error every rank meets alike (parsing, and what the readers, the
// trainer and rank_agreement.hpp make every rank throw): said once, by rank
// 0; every rank returns the code and leaves the MPI run on the way out.
int fail(int code, const std::string& message) {
  if (mfrec::cli::launcher_rank() == 0) say_error(message);
  return code;
}

// A failure this rank may meet alone, while its peers wait for it in a
// collective: said here, and the whole run ends with `code` (MPI_Abort).
int fail_alone(int code, const std::string& message) {
  using namespace mfrec::cli;
  say_error(message);
  if (joined_mpi()) ranks().abort(code);
  return code;
}

// Every rank meets an interruption: mpirun hands each one SIGTERM (never
// SIGINT), and the trainer agrees to stop at the same point everywhere.
// Rank 0 says it and ends the run once its temporary model file is gone
// (MPI_Finalize would hang: mpirun is already tearing the run down); the
// others leave quietly, MPI_Finalize waiting for rank 0's abort.
int fail_interrupted(const std::string& message) {
  using namespace mfrec::cli;
  const int code = interrupt_exit_code();
  if (!joined_mpi() || ranks().rank() != 0) return fail(code, message);
  say_error(message);
  ranks().abort(code);
  return code;  // not reached: abort() does not return
}

// The commands that run on every rank under mpirun; rank 0 runs the others alone.
bool runs_across_ranks(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (sub->get_name() == "train") return true;
    if (sub->get_name() == "recommend" && sub->count("--all-users") > 0) return true;
  }
  return false;
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

  // Leaves the MPI run, if this process joined one, after everything below
  // has been said.
  struct SessionEnd {
    ~SessionEnd() { end_mpi_session(); }
  } session_end;

  // Under mpirun, ranks other than 0 print nothing but what a command across
  // ranks asks of them.
  const bool follower = launcher_rank() != 0;
  CliApp cli = make_app();
  CLI::App& app = *cli.app;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {  // `mfrec` alone: the overview, as `mfrec help`
    if (!follower) std::fputs(help_text(app, "").c_str(), stdout);
    return kExitOk;
  }
  // CLI11 would only say "a subcommand is required" for a misspelt command.
  if (args[0][0] != '-' && !cli.runners.count(args[0])) return fail(kExitUsage, unknown_command_message(app, args[0]));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return follower ? kExitOk : app.exit(e);  // --help, --version
    return fail(kExitUsage, parse_error_message(app, e, args));
  }
  if (follower && !runs_across_ranks(app)) return kExitOk;

  try {
    for (CLI::App* sub : app.get_subcommands()) cli.runners.at(sub->get_name())();
    return kExitOk;
  } catch (const StdoutClosed&) {
    return kExitOk;  // the reader has all it wanted (`| head`)
  } catch (const mfrec::Error& e) {
    if (e.kind() == mfrec::ErrorKind::Interrupted) return fail_interrupted(e.what());
    if (e.kind() == mfrec::ErrorKind::Internal) return fail_alone(kExitInternal, e.what());
    return fail(exit_code(e.kind()), e.what());
  } catch (const std::bad_alloc&) {
    return fail_alone(kExitInternal, "out of memory");
  } catch (const std::exception& e) {
    return fail_alone(kExitInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail_alone(kExitInternal, "internal error");
  }
}
