#include "mpi_session.hpp"

#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "mfrec/error.hpp"

#ifdef MFREC_HAVE_MPI
#include "mpi_plugin.hpp"
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
  const dist::MpiPlugin* plugin = nullptr;
  const dist::Cluster* cluster = nullptr;  // the plug-in's, once joined
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
// The cores this machine's ranks share fairly, within those this rank may
// run on: mpirun binds each of 1 or 2 ranks to a core of its own, and more
// to a socket.
unsigned threads_per_rank(int ranks_on_node) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency() / static_cast<unsigned>(ranks_on_node));
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) cores = std::min(cores, unsigned(CPU_COUNT(&allowed)));
  return std::max(1u, cores);
}

// The directory this binary is in ("" when /proc does not say).
std::string own_directory() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
  if (n <= 0) return "";
  path.resize(static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/') + 1);
}

// mfrec-mpi.so beside the binary (the build tree), else where `make
// install` puts it (MFREC_PLUGIN_DIR, relative to the binary); nullptr when
// neither loads, with why in `why`. Loaded RTLD_GLOBAL: Open MPI's own
// components (mca_*.so) look for libmpi's symbols there.
const dist::MpiPlugin* load_plugin(std::string& why) {
  const std::string dir = own_directory();
  for (const std::string& path : {dir + "mfrec-mpi.so", dir + MFREC_PLUGIN_DIR "/mfrec-mpi.so"}) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      if (::access(path.c_str(), F_OK) == 0) why = ::dlerror();
      continue;
    }
    using Entry = const dist::MpiPlugin* (*)();
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "mfrec_mpi_plugin"));
    const dist::MpiPlugin* plugin = entry ? entry() : nullptr;
    if (plugin && plugin->abi == dist::kMpiPluginAbi) return plugin;
    why = path + " is not this build's plug-in";
  }
  if (why.empty()) why = "mfrec-mpi.so is neither beside mfrec nor in " + dir + MFREC_PLUGIN_DIR;
  return nullptr;
}

const dist::MpiPlugin* plugin(Session& s) {
  static std::string why;
  if (!s.plugin) s.plugin = load_plugin(why);
  if (!s.plugin && launched_by_mpi())
    throw Error(ErrorKind::Usage, "cannot run across MPI ranks: " + why);
  return s.plugin;
}

const dist::Cluster& join(Session& s) {
  s.cluster = plugin(s)->join();
  const int started = announced_size();
  if (started > 1 && s.cluster->size() != started) throw size_mismatch(started, s.cluster->size());
  s.threads = threads_per_rank(s.plugin->ranks_on_this_node());
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
  if (!s.cluster) return;
  std::fflush(stdout);
  s.cluster = nullptr;
  s.plugin->leave();
#endif
}

std::string mpi_version_line() {
#ifdef MFREC_HAVE_MPI
  std::string why;
  const dist::MpiPlugin* found = load_plugin(why);
  return found ? std::string("MPI: ") + found->library : "MPI: no (" + why + ")";
#else
  return "MPI: no";
#endif
}

}  // namespace mfrec::cli
