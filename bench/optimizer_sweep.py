#!/usr/bin/env python3
"""Analysis of the optimizer sweep (bench/optimizer_sweep.sh, issue 13 target 4).

Reads OUT/curves.csv and writes OUT/summary.md: for each data set its shape
and the best held-out RMSE any setting reaches at any epoch; for each
candidate setting (label prefix, default "ada-") divergence, best RMSE,
RMSE at epoch 20, and, simulating the stopping rule offline on the objective
column, the epoch each tolerance stops at and the RMSE there as % above the
set's best; then the (setting, tol, max epochs) that minimises the worst
case % over the data sets (ties: the mean), and its per-set table. The same
table for today's SGD default (60 epochs, no stopping rule) for comparison.

Usage: bench/optimizer_sweep.py [OUT=/work/sweep-results] [DATA=/work/sweep-data] [PREFIX=ada-]
"""
import csv
import itertools
import math
import os
import sys
from collections import defaultdict

TOLS = [1e-2, 5e-3, 2e-3, 1e-3, 5e-4]
MAX_EPOCHS = [30, 50, 100]  # the 10M curves end at 60: a cap above it is the curve's end
# The first epoch the rule may stop at: the objective has a plateau near the
# biases-only fit in the first epochs (dense sets, epochs 2-8) before the
# factors take off, where a plain relative tolerance stops too soon.
MIN_EPOCHS = [0, 10, 15, 20]
SGD_DEFAULT = ("sgd-default", (0.0, 60, 0))  # today's rule: 60 epochs, no stopping
LEAD_DEFAULT = ("ada-a0.05-l0.1-r10", (1e-3, 100, 0))  # i13-optimizer's defaults (commit 4bbdcab)


class Curve:
    """One run: its per-epoch objective and held-out RMSE, and its status."""

    def __init__(self, status):
        self.status = status
        self.objective = []
        self.rmse = []

    @property
    def diverged(self):
        return self.status != "ok"

    def stop_epoch(self, tol, max_epochs, min_epochs=0):
        """The epoch the stopping rule ends at: the first (from min_epochs on)
        whose objective improves on the previous one by less than tol
        (relative), else the cap. The lead's rule has min_epochs 0."""
        last = min(max_epochs, len(self.objective))
        if tol > 0:
            for e in range(max(1, min_epochs - 1), last):
                before, now = self.objective[e - 1], self.objective[e]
                if before - now < tol * abs(before):
                    return e + 1
        return last

    def rmse_at(self, epoch):
        return self.rmse[epoch - 1] if self.rmse and not self.diverged else math.inf


def read_curves(path):
    curves = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            curve = curves.setdefault((row["dataset"], row["setting"]), Curve(row["status"]))
            if row["epoch"] and row["validation_rmse"]:
                curve.objective.append(float(row["objective"]))
                curve.rmse.append(float(row["validation_rmse"]))
    return curves


def data_shape(data_dir, name):
    """users, items, ratings, density and the distinct values of a set."""
    paths = ["data/music.csv"] if name == "music" else [f"{data_dir}/{name}-{p}.csv" for p in ("train", "test")]
    if name == "music":  # wide: a header of items, a row per user, 0 = not rated
        with open(paths[0]) as f:
            rows = list(csv.reader(f))[1:]
        values = [float(v) for r in rows for v in r[1:] if v and float(v) != 0]
        return len(rows), len(rows[0]) - 1, len(values), scale_text(set(values))
    users, items, values, n = set(), set(), set(), 0
    for path in paths:
        with open(path) as f:
            next(f)
            for line in f:
                u, i, v = line.rstrip("\n").split(",")
                users.add(u), items.add(i), values.add(v)
                n += 1
    return len(users), len(items), n, scale_text({float(v) for v in values})


def scale_text(values):
    lo, hi = min(values), max(values)
    if len(values) > 20:
        return f"continuous {lo:g}..{hi:g}"
    steps = sorted(values)
    step = min(b - a for a, b in zip(steps, steps[1:]))
    return f"{lo:g}..{hi:g} step {step:g}"


def shapes(out_dir, data_dir, names):
    """The shapes, cached in OUT/datasets.csv (reading 10M lines is slow)."""
    cache = os.path.join(out_dir, "datasets.csv")
    known = {}
    if os.path.exists(cache):
        with open(cache, newline="") as f:
            known = {r["dataset"]: r for r in csv.DictReader(f)}
    for name in names:
        if name not in known:
            u, i, n, scale = data_shape(data_dir, name)
            known[name] = {"dataset": name, "users": u, "items": i, "ratings": n, "scale": scale}
    with open(cache, "w", newline="") as f:
        w = csv.DictWriter(f, ["dataset", "users", "items", "ratings", "scale"])
        w.writeheader()
        w.writerows(known.values())
    return known


def shape_text(s):
    users, items, ratings = int(s["users"]), int(s["items"]), int(s["ratings"])
    return f"{users}×{items}, {ratings} ({100 * ratings / (users * items):.3g}%), {s['scale']}"


def best_per_set(curves):
    best = {}
    for (ds, setting), c in curves.items():
        if not c.diverged and c.rmse and min(c.rmse) < best.get(ds, (math.inf,))[0]:
            best[ds] = (min(c.rmse), setting)
    return best


def pct(rmse, best):
    return 100 * (rmse / best - 1) if math.isfinite(rmse) else math.inf


def choice_scores(curves, best, settings, sets):
    """Rule scores, best first: (worst %, mean %, mean epochs, setting,
    (tol, max, min epochs), the worst set, worst % without music). A setting that diverged on any set
    (or misses one) is left out: defaults never diverge."""
    scores = []
    for s in settings:
        runs = [curves.get((ds, s)) for ds in sets]
        if any(c is None or c.diverged for c in runs):
            continue
        for rule in itertools.product(TOLS, MAX_EPOCHS, MIN_EPOCHS):
            stops = [c.stop_epoch(*rule) for c in runs]
            p = [pct(c.rmse_at(e), best[ds][0]) for c, e, ds in zip(runs, stops, sets)]
            worst_set = sets[p.index(max(p))]
            no_music = max(x for x, ds in zip(p, sets) if ds != "music")
            scores.append((max(p), sum(p) / len(p), sum(stops) / len(stops), s, rule, worst_set, no_music))
    return sorted(scores)


def ranking_table(scores, rows=15):
    """The best rule of each setting, for the best `rows` settings."""
    seen = set()
    scores = [r for r in scores if r[3] not in seen and not seen.add(r[3])]
    return table([(r[3], f"{r[4][0]:g}", r[4][1], r[4][2], fmt(r[0], 2), r[5], fmt(r[6], 2), fmt(r[1], 2),
                   f"{r[2]:.1f}") for r in scores[:rows]],
                 ["setting", "tol", "max epochs", "min epochs", "worst %", "worst set", "worst % without music",
                  "mean %", "mean epochs"])


def fmt(x, digits=4):
    return "diverged" if not math.isfinite(x) else f"{x:.{digits}f}"


def table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def datasets_table(best, shape, sets):
    rows = [(ds, shape_text(shape[ds]), fmt(best[ds][0]), best[ds][1]) for ds in sets]
    return table(rows, ["data set", "users×items, ratings (density), scale", "best RMSE", "by"])


def setting_table(curves, best, settings, sets):
    """Per setting, over the sets: divergences, worst/mean % above best of its
    best epoch and of epoch 20, and per tol the worst/mean % and mean epochs."""
    rows = []
    for s in settings:
        runs = [(ds, curves.get((ds, s))) for ds in sets]
        runs = [(ds, c) for ds, c in runs if c is not None]
        div = sum(c.diverged for _, c in runs)
        at_best = [pct(min(c.rmse) if not c.diverged else math.inf, best[ds][0]) for ds, c in runs]
        at_20 = [pct(c.rmse_at(min(20, len(c.rmse))) if c.rmse else math.inf, best[ds][0]) for ds, c in runs]
        cells = [s, f"{div}/{len(runs)}", worst_mean(at_best), worst_mean(at_20)]
        for tol in TOLS:
            stops = [c.stop_epoch(tol, 100) for _, c in runs]
            p = [pct(c.rmse_at(e), best[ds][0]) for (ds, c), e in zip(runs, stops)]
            cells.append(f"{worst_mean(p)} @{sum(stops) / len(stops):.0f}")
        rows.append(cells)
    header = ["setting", "diverged", "best epoch % (worst/mean)", "epoch 20 %"] + [f"tol {t:g} % @epochs" for t in TOLS]
    return table(rows, header)


def worst_mean(p):
    return f"{fmt(max(p), 2)}/{fmt(sum(p) / len(p), 2)}"


def rule_table(curves, best, shape, sets, setting, rule):
    rows = []
    for ds in sets:
        c = curves.get((ds, setting))
        e = c.stop_epoch(*rule)
        rmse = c.rmse_at(e)
        rows.append((ds, shape_text(shape[ds]), fmt(best[ds][0]), fmt(rmse), fmt(pct(rmse, best[ds][0]), 2), e))
    return table(rows, ["data set", "users×items, ratings (density), scale", "best any setting",
                        "default's RMSE", "% above best", "epochs run"])


def per_set_detail(curves, best, settings, sets, rule):
    """% above best at the stop of rule (tol, max, min epochs) for every setting and set."""
    rows = []
    for s in settings:
        cells = [s]
        for ds in sets:
            c = curves.get((ds, s))
            cells.append("-" if c is None else fmt(pct(c.rmse_at(c.stop_epoch(*rule)), best[ds][0]), 1))
        rows.append(cells)
    return table(rows, ["setting"] + sets)


def rule_text(rule):
    tol, cap, min_epochs = rule
    return f"tol {tol:g}, max {cap} epochs" + (f", stopping from epoch {min_epochs} on" if min_epochs else "")


def rule_section(curves, best, shape, sets, title, setting, rule):
    if any((ds, setting) not in curves for ds in sets):
        return []
    return [f"\n## {title}: {setting}, {rule_text(rule)}\n", rule_table(curves, best, shape, sets, setting, rule)]


def choice_sections(curves, best, shape, sets, settings):
    """The rules ranked over every set (the settings the 10M sets ran) and
    over the sets up to 1M (the full grid); the best rule's table."""
    small = [ds for ds in sets if int(shape[ds]["ratings"]) < 5_000_000]
    every, up_to_1m = choice_scores(curves, best, settings, sets), choice_scores(curves, best, settings, small)
    text = ["\n## Settings ranked by their best rule's worst-case % above best (then mean), over every set\n", ranking_table(every),
            "\n## The same over the sets up to 1M ratings (the whole grid)\n", ranking_table(up_to_1m)]
    if every:
        setting, rule = every[0][3:5]
        text += rule_section(curves, best, shape, sets, "The choice", setting, rule)
        text += [f"\n## Every setting at {rule_text(rule)} (% above best)\n",
                 per_set_detail(curves, best, settings, sets, rule)]
    return text


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/sweep-results"
    data_dir = sys.argv[2] if len(sys.argv) > 2 else "/work/sweep-data"
    prefix = sys.argv[3] if len(sys.argv) > 3 else "ada-"
    curves = read_curves(os.path.join(out_dir, "curves.csv"))
    best = best_per_set(curves)
    shape = shapes(out_dir, data_dir, sorted(best))
    sets = sorted(best, key=lambda ds: int(shape[ds]["ratings"]))
    settings = sorted({s for _, s in curves if s.startswith(prefix)})
    others = sorted({s for _, s in curves} - set(settings))
    text = ["# Optimizer sweep\n", "## Data sets and the best held-out RMSE of any setting at any epoch\n",
            datasets_table(best, shape, sets),
            f"\n## Every setting, {prefix} first (% above each set's best; @ = mean epochs, max 100)\n",
            setting_table(curves, best, settings + others, sets)]
    text += choice_sections(curves, best, shape, sets, settings)
    text += rule_section(curves, best, shape, sets, "The lead's default", *LEAD_DEFAULT)
    text += rule_section(curves, best, shape, sets, "Today's default for comparison (α 0.003, λ 0.075)", *SGD_DEFAULT)
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write("".join(text))
    print("".join(text))


if __name__ == "__main__":
    main()
