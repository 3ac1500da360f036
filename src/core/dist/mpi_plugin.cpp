// mfrec-mpi.so: the MPI plug-in (mpi_plugin.hpp says why it is one).
#include "mpi_plugin.hpp"

#include <memory>
#include <string>

#include "cluster_mpi.hpp"

namespace {

using mfrec::dist::MpiCluster;
using mfrec::dist::MpiRun;

struct Membership {
  std::unique_ptr<MpiRun> run;
  std::unique_ptr<MpiCluster> world;
};

Membership& membership() {
  static Membership m;
  return m;
}

const mfrec::dist::Cluster* join() {
  Membership& m = membership();
  if (!m.world) {
    m.run = std::make_unique<MpiRun>();
    m.world = std::make_unique<MpiCluster>();
  }
  return m.world.get();
}

int ranks_on_this_node() { return membership().world ? membership().world->ranks_on_this_node() : 1; }

void leave() {
  Membership& m = membership();
  m.world.reset();
  m.run.reset();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const mfrec::dist::MpiPlugin* mfrec_mpi_plugin() {
  static const std::string library = mfrec::dist::mpi_library_name();
  static const mfrec::dist::MpiPlugin plugin{mfrec::dist::kMpiPluginAbi, library.c_str(), join, ranks_on_this_node,
                                             leave};
  return &plugin;
}
