#pragma once
// The MPI session of one mfrec process: under a launcher (mpirun, srun) the
// ranks of the run, else this process alone (no MPI call is made, so plain
// `mfrec` pays nothing for it). README "Many machines".
#include "mfrec/dist/cluster.hpp"

namespace mfrec::cli {

// The ranks this command runs on; joins the MPI run on first use when a
// launcher started this process. Only the commands that work across ranks
// (train, recommend --all-users) call it.
const dist::Cluster& ranks();

}  // namespace mfrec::cli
