#pragma once
// The MPI plug-in, mfrec-mpi.so: what `mfrec` loads (dlopen) only when a
// launcher (mpirun, srun) started it. Linked into the binary, Open MPI's
// dozen shared libraries would cost every mfrec process CPU at start, MPI
// run or not (`perf stat -r 30 mfrec recommend` on music.csv's model, task
// clock: idle, 8.0 ms without against 10.6 ms with libmpi preloaded; at load
// 6, 11.5–14.0 ms against 15.8–20.7 ms linked).
// This C interface is all the binary and the plug-in share; the plug-in
// must come from the same build (kMpiPluginAbi).
#include "mfrec/dist/cluster.hpp"

namespace mfrec::dist {

inline constexpr int kMpiPluginAbi = 1;

struct MpiPlugin {
  int abi;              // kMpiPluginAbi of the build that made the plug-in
  const char* library;  // "Open MPI 4.1.4": the MPI it was built with
  // Joins the run (MPI_Init_thread, FUNNELED): the world as a Cluster, owned
  // by the plug-in until leave().
  const Cluster* (*join)();
  // How many ranks share this machine's memory, this one included. Collective.
  int (*ranks_on_this_node)();
  // Leaves the run (MPI_Finalize: returns once every rank has called it).
  void (*leave)();
};

}  // namespace mfrec::dist

// The plug-in's one exported symbol.
extern "C" const mfrec::dist::MpiPlugin* mfrec_mpi_plugin();
