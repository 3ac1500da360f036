#pragma once
// The MPI session of one mfrec process: under a launcher (mpirun, srun) the
// ranks of the run, else this process alone (no MPI call is made, so plain
// `mfrec` pays nothing for it). README "Many machines".
#include <string>

#include "mfrec/dist/cluster.hpp"

namespace mfrec::cli {

// Whether a launcher started this process as one rank of several, from its
// environment (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE), before any MPI
// call.
bool launched_by_mpi();
// This process's rank as the launcher announced it (OMPI_COMM_WORLD_RANK,
// PMIX_RANK or PMI_RANK); 0 when not launched. Rank 0 speaks for the run.
int launcher_rank();

// The ranks this command runs on; joins the MPI run on first use when a
// launcher started this process (a collective: every rank calls it at the
// same point). Only the commands that work across ranks (train, recommend
// --all-users) call it. Throws Error(Usage) when the launcher started more
// ranks than the run has (a binary without MPI, or another MPI's mpirun).
const dist::Cluster& ranks();
// Whether ranks() joined an MPI run (which end_mpi_session() must leave).
bool joined_mpi();
// --threads' default under MPI: this machine's cores shared among its
// ranks; 0 (all cores) alone.
unsigned default_threads();
// Leaves the MPI run, if joined, once stdout is flushed: MPI_Finalize waits
// for every rank, and after it a peer's exit may end this process.
void end_mpi_session();

// "MPI: Open MPI 4.1.4", or "MPI: no" for a build without it (--version).
std::string mpi_version_line();

}  // namespace mfrec::cli
