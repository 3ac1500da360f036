#!/usr/bin/env python3
"""The scale model of `mpirun -np N mfrec train` (README "Many machines").

Netflix's shape (480,189 users x 17,770 items, 100,480,507 ratings) at k = 100,
AdaGrad (the default), on N nodes of `--threads` cores joined by a network of
`--gbits` Gbit/s and `--alpha-us` microseconds per message. Prints a Markdown
table: per node count, the bytes one working rank sends per epoch (what the
epoch line's "sent X MB" counts, from the design's formulas) and the predicted
epoch time, computation plus communication (v1 overlaps none of it).

  bench/netflix_scale_model.py --epoch-seconds T [--threads 2] [--nodes 1 4 16 64] [--gbits 10]
                               [--shape USERS ITEMS RATINGS] [--k 100] [--optimizer adagrad|sgd]

(--shape and --optimizer model another data set, e.g. to hold the bytes
against what bench/mpi_scale.sh's runs log.)

T is one node's measured epoch (SGD pass plus objective pass), e.g. the
median epoch of `mfrec train FILE -k 100 -e 2 --threads 2` on
bench/netflix_shape.sh's file. The model, per epoch, with B bands
(choose_bands), N_eff = min(N, B) ranks that run blocks, c = B / N_eff user
bands per working rank, a row of R = 4·(k padded to 16) + 4 bytes (factors and
bias) and AdaGrad's sums of 24 bytes a row (src/core/dist/epoch_across.cpp):

  SGD pass: B strata; after each but the last, an item band goes to the rank
    whose user band meets it next, when that is another rank. The seeded
    shifts make the next band any other with equal chance, so a rank sends
    c·(B − c)/(B − 1) bands a step: c·(B − c)·(I/B)·R bytes an epoch.
  Then every rank gets every item band from its last holder (I/N_eff rows,
    all-gathered: the counter counts mine × (N − 1); on the wire a
    bandwidth-optimal all-gather sends (N − 1)/N of the whole I·R from every
    rank). Users' rows stay with their rank: what one process sums over them
    in row order (‖U‖², ‖b_u‖², AdaGrad's user penalty), each rank continues
    over its own rows and hands the running sum on (N hops of 8 bytes), and
    validation sends rank 0 8 bytes a held-out rating. Users are gathered once,
    for the model.
  AdaGrad's objective pass: item sums travel band by band in B − 1 steps (one
    band of I/B rows x 24 B leaves each rank a step), then the items' sums
    are all-gathered like the rows.
  Computation: a rank runs c blocks a stratum on min(threads, c) threads, so
    an epoch takes T · ceil(c / threads) · threads / B with blocks of equal
    size. With --critical FILE (bench/grid_critical_path's output on the data
    itself) it is T / speedup(N) instead: per stratum the busiest rank's
    blocks, as they are.
"""
import argparse
import math

NETFLIX = (480_189, 17_770, 100_480_507)  # users, items, ratings
GRADIENT_SUMS = 24  # bytes a row: factor and bias sums (double), the rating count (u32), padded


def choose_bands(ratings):
    """src/core/train/block_grid.cpp: ceil(sqrt(R / 32768)), between 1 and 32."""
    return int(min(32, max(1, math.ceil(math.sqrt(ratings / 32768)))))


def row_bytes(k):
    return 4 * (math.ceil(k / 16) * 16) + 4


def epoch(nodes, args):
    users, items, ratings = args.shape
    bands = choose_bands(ratings)
    working = min(nodes, bands)
    c = bands / working  # user bands per working rank (on average)
    row = row_bytes(args.k)
    bw = args.gbits * 1e9 / 8
    alpha = args.alpha_us * 1e-6
    peers = nodes - 1
    # Bytes one working rank sends (the epoch line's counter).
    sgd = c * (bands - c) * (items / bands) * row if working > 1 else 0.0
    share = (items / working) * row * peers
    sums = GRADIENT_SUMS if args.optimizer == "adagrad" else 0
    ada_walk = (bands - 1) * (items / bands) * sums if working > 1 else 0.0
    ada_share = (items / working) * sums * peers
    sent = sgd + share + ada_walk + ada_share
    # Time: the computation, then every transfer at bw (an all-gather is
    # (N − 1)/N of the whole on each link), α a message round.
    compute = args.epoch_seconds * math.ceil(math.ceil(c) / args.threads) * args.threads / bands
    if nodes in args.speedups:
        compute = args.epoch_seconds / args.speedups[nodes]
    gathered = (peers / nodes) * items * (row + sums)
    # Rounds: the two walks' steps, a stop agreement a stratum (a tree), four
    # ring all-gathers (v, bv, the item sums, the fit parts) and three sums
    # handed along the ranks (‖U‖², ‖b_u‖², the user penalty).
    rounds = 2 * (bands - 1) + bands * math.ceil(math.log2(nodes)) + 4 * peers + 3 * peers if nodes > 1 else 0
    comm = (sgd + ada_walk + gathered) / bw + rounds * alpha
    return dict(nodes=nodes, working=working, c=c, compute=compute, sgd=sgd, share=share + ada_share + ada_walk,
                sent=sent, comm=comm, total=compute + comm, gathered=gathered)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epoch-seconds", type=float, required=True, help="one node's measured epoch at k (s)")
    p.add_argument("--threads", type=int, default=2, help="cores per node (--threads of the measurement)")
    p.add_argument("--k", type=int, default=100)
    p.add_argument("--nodes", type=int, nargs="+", default=[1, 4, 16, 64])
    p.add_argument("--shape", type=int, nargs=3, default=list(NETFLIX), metavar=("USERS", "ITEMS", "RATINGS"),
                   help="another shape (to check the bytes against bench/mpi_scale.sh's)")
    p.add_argument("--optimizer", choices=["adagrad", "sgd"], default="adagrad")
    p.add_argument("--gbits", type=float, default=10.0, help="network bandwidth per node, each way")
    p.add_argument("--alpha-us", type=float, default=20.0, help="latency per message round")
    p.add_argument("--critical", help="bench/grid_critical_path output: the computation from its speed-ups")
    args = p.parse_args()
    args.speedups = {}
    if args.critical:
        with open(args.critical) as f:
            for line in f:
                cols = line.split("\t")
                if cols[0].isdigit():
                    args.speedups[int(cols[0])] = float(cols[3])
    users, items, ratings = args.shape
    bands = choose_bands(ratings)
    print(f"{users:,} users x {items:,} items, {ratings:,} ratings, k = {args.k} (rows of "
          f"{row_bytes(args.k)} B), B = {bands} bands; {args.threads}-core nodes at {args.gbits:g} Gbit/s, "
          f"α = {args.alpha_us:g} µs; one node's epoch {args.epoch_seconds:.2f} s (measured).\n")
    print("| nodes | ranks with blocks | user bands per rank | computation | SGD item bands sent | "
          "item sharing and AdaGrad sums sent | sent per rank (log) | communication | epoch | vs 1 node |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.nodes:
        e = epoch(n, args)
        print(f"| {n} | {e['working']} | {e['c']:g} | {e['compute']:.3f} s | {e['sgd'] / 1e6:.1f} MB | "
              f"{e['share'] / 1e6:.1f} MB | {e['sent'] / 1e6:.1f} MB | {e['comm'] * 1e3:.0f} ms | "
              f"**{e['total']:.2f} s** | {args.epoch_seconds / e['total']:.1f}x |")
    e = epoch(max(args.nodes), args)
    print(f"\nSharing the item bands at every epoch's end puts (N − 1)/N of the I item rows on every link: "
          f"{e['gathered'] / 1e6:.1f} MB, {e['gathered'] / (args.gbits * 1e9 / 8) * 1e3:.0f} ms at {args.gbits:g} "
          f"Gbit/s for any N. The computation stops shrinking at N_eff = B = {bands} ranks.")


if __name__ == "__main__":
    main()
