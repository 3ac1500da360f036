#include "mpi_session.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "mfrec/error.hpp"

#ifdef MFREC_HAVE_MPI
#include "cluster_mpi.hpp"
#endif

namespace mfrec::cli {

namespace {

// The first of `names` set in the environment, as a number; -1 when none is.
// Never "any OMPI_ variable": OMPI_ALLOW_RUN_AS_ROOT and OMPI_MCA_* are often
// set in a plain shell.
int launcher_number(std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (const char* value = std::getenv(name)) return std::atoi(value);
  return -1;
}

// How many ranks the launcher started; 0 when it does not say (PMIx).
int announced_size() { return std::max(0, launcher_number({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})); }

struct Session {
#ifdef MFREC_HAVE_MPI
  std::unique_ptr<dist::MpiRun> run;
  std::unique_ptr<dist::MpiCluster> cluster;
#endif
  dist::LocalCluster alone;
  unsigned threads = 0;
  bool ended = false;
};

Session& session() {
  static Session s;
  return s;
}

Error size_mismatch(int started, int joined) {
  return Error(ErrorKind::Usage, "the launcher started " + std::to_string(started) + " ranks but this mfrec " +
                                     (joined ? "joined a run of " + std::to_string(joined)
                                             : std::string("was built without MPI")) +
                                     " (" + mpi_version_line() + "; see mfrec --version)");
}

#ifdef MFREC_HAVE_MPI
const dist::Cluster& join(Session& s) {
  s.run = std::make_unique<dist::MpiRun>();
  s.cluster = std::make_unique<dist::MpiCluster>();
  const int started = announced_size();
  if (started > 1 && s.cluster->size() != started) throw size_mismatch(started, s.cluster->size());
  const int on_node = s.cluster->ranks_on_this_node();
  if (on_node > 1) s.threads = std::max(1u, std::thread::hardware_concurrency() / static_cast<unsigned>(on_node));
  return *s.cluster;
}
#endif

}  // namespace

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_SIZE");
}

int launcher_rank() { return std::max(0, launcher_number({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})); }

const dist::Cluster& ranks() {
  Session& s = session();
#ifdef MFREC_HAVE_MPI
  if (s.cluster) return *s.cluster;
  if (launched_by_mpi() && !s.ended) return join(s);
#else
  if (announced_size() > 1) throw size_mismatch(announced_size(), 0);
#endif
  return s.alone;
}

bool joined_mpi() {
#ifdef MFREC_HAVE_MPI
  return session().cluster != nullptr;
#else
  return false;
#endif
}

unsigned default_threads() { return session().threads; }

void end_mpi_session() {
  Session& s = session();
  s.ended = true;
#ifdef MFREC_HAVE_MPI
  if (!s.run) return;
  std::fflush(stdout);
  s.cluster.reset();
  s.run.reset();
#endif
}

std::string mpi_version_line() {
#ifdef MFREC_HAVE_MPI
  return "MPI: " + dist::mpi_library_name();
#else
  return "MPI: no";
#endif
}

}  // namespace mfrec::cli
