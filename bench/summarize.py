#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the raw CSVs of bench/run.sh into results.md and the plot's data (ratios.dat).

Usage: summarize.py RESULTS_DIR. Reads environment.txt, timing.csv, memory.csv and
skipped.txt (if any) from RESULTS_DIR. Walls are medians over rounds and ratios are
ratios of those medians: on a shared machine other processes only ever slow a run down,
in spikes, and a median per variant survives more spikes than a median of per-round
ratios (a pair is hit when either of its runs is). The ratio of the fastest runs is
given too: the best estimate of the cost on an idle machine.
"""
import os
import statistics
import sys

from benchlib import (BUSY_CORES, fmt, median_or_none, quantum_label, read_csv,
                      read_environment, table_head, table_row)

BASELINE = "none"
SEED = "seed"
OURS = "ours"
# A variant's name in a run with the participant that blocks in read like the seed's.
BLOCKING = " (blocking peer)"
# Targets of the issues: (workload, quantum_us, variant, at most this ratio vs no plugin).
TARGETS = [("compute", "1000", OURS, 1.03), ("loop", "1000", OURS, 1.10),
           ("linux", "1000", OURS, 1.05), ("linux", "1000", OURS + BLOCKING, 1.05),
           ("compute", "1000", OURS + "-exact", 1.50)]
# A variant "keeps nothing per translated block" below this growth (bytes per block).
FLAT_BYTES_PER_BLOCK = 4.0
QUANTUM_ORDER = ["-", "1000", "100", "none"]


def participant(variant):
    """The participant part of a variant's name: BLOCKING or ""."""
    return BLOCKING if variant.endswith(BLOCKING) else ""


def plugin_variant(variant):
    """A variant's name without its participant part."""
    return variant[:-len(BLOCKING)] if variant.endswith(BLOCKING) else variant


class Timing:
    def __init__(self, rows):
        self.others = [float(r["others_cores"]) for r in rows if r["status"] == "0"]
        self.wall = {}  # (workload, quantum, variant) -> {round: wall_s}
        self.cpu = {}   # the same for QEMU's CPU time (user + system)
        self.syncs = {}
        self.wait = {}
        self.failed = [r for r in rows if r["status"] != "0"]
        self.outputs = {}  # workload -> set of guest output digests
        self.order = []
        for r in rows:
            variant = r["variant"] + (BLOCKING if r.get("participant") == "block" else "")
            key = (r["workload"], r["quantum_us"], variant)
            if key not in self.wall:
                self.order.append(key)
                self.wall[key], self.cpu[key], self.syncs[key], self.wait[key] = {}, {}, [], []
            if r["status"] != "0":
                continue
            self.wall[key][r["round"]] = float(r["wall_s"])
            self.cpu[key][r["round"]] = float(r["cpu_s"])
            if r["syncs"]:
                self.syncs[key].append(int(r["syncs"]))
            if r["wait_mean_ns"]:
                self.wait[key].append(int(r["wait_mean_ns"]))
            self.outputs.setdefault(r["workload"], set()).add(r["guest_output"])
        self.variants = []
        for _, _, v in self.order:
            if v not in self.variants:
                self.variants.append(v)
        self.workloads = []
        for w, _, _ in self.order:
            if w not in self.workloads:
                self.workloads.append(w)

    def keys(self):
        def sort_key(key):
            w, q, v = key
            return (self.workloads.index(w), QUANTUM_ORDER.index(q) if q in QUANTUM_ORDER
                    else len(QUANTUM_ORDER), self.variants.index(v))
        return sorted(self.order, key=sort_key)

    def median_wall(self, key):
        return median_or_none(list(self.wall.get(key, {}).values()))

    def ratio(self, key, ref, measure=None, pick=statistics.median):
        measure = self.wall if measure is None else measure
        a, b = list(measure.get(key, {}).values()), list(measure.get(ref, {}).values())
        if not a or not b or pick(b) <= 0:
            return None
        return pick(a) / pick(b)

    def ratio_vs_none(self, key, measure=None, pick=statistics.median):
        return self.ratio(key, (key[0], "-", BASELINE), measure, pick)

    def ratio_vs_seed(self, key):
        if key[2] == BASELINE:
            return None
        return self.ratio(key, (key[0], key[1], SEED + participant(key[2])))


def timing_section(t):
    out = ["## Wall time", ""] + table_head(
        ["workload", "quantum", "variant", "median wall s", "ratio vs no plugin",
         "ratio vs seed algorithm", "fastest-run ratio vs no plugin",
         "CPU time ratio vs no plugin", "syncs", "wait per sync us"], "lllrrrrrrr")
    for key in t.keys():
        w, q, v = key
        wait = median_or_none(t.wait[key])
        out.append(table_row([
            w, quantum_label(q), v, fmt(t.median_wall(key), 3), fmt(t.ratio_vs_none(key), 3),
            fmt(t.ratio_vs_seed(key), 3), fmt(t.ratio_vs_none(key, pick=min), 3),
            fmt(t.ratio_vs_none(key, measure=t.cpu), 3),
            round(median_or_none(t.syncs[key])) if t.syncs[key] else "-",
            fmt(None if wait is None else wait / 1000, 1) if q not in ("-", "none") else "-"]))
    out.append("")
    return out


def breakdown_section(t):
    out = ["## Where the time goes", "",
           "Counting = ratio vs no plugin without syncs (quantum \"no sync\") - 1. "
           "Syncing = syncs x wait per sync / median wall without plugin (the guest "
           "stands still while the plugin waits for the participant's answer). "
           "Their sum should be close to the measured overhead (ratio - 1).", ""] + table_head(
        ["workload", "quantum", "variant", "counting", "syncing", "sum", "measured"],
        "lllrrrr")
    for key in t.keys():
        w, q, v = key
        if q in ("-", "none"):
            continue
        counting = t.ratio_vs_none((w, "none", plugin_variant(v)))
        counting = None if counting is None else counting - 1
        wall_none = t.median_wall((w, "-", BASELINE))
        syncs, wait = median_or_none(t.syncs[key]), median_or_none(t.wait[key])
        syncing = None if None in (syncs, wait, wall_none) else syncs * wait / 1e9 / wall_none
        total = None if None in (counting, syncing) else counting + syncing
        measured = t.ratio_vs_none(key)
        pct = lambda x: "n/a" if x is None else f"{100 * x:+.1f}%"
        out.append(table_row([w, quantum_label(q), v, pct(counting), pct(syncing), pct(total),
                              pct(None if measured is None else measured - 1)]))
    out.append("")
    return out


def machine_busy(t):
    others = median_or_none(t.others)
    return others is not None and others > BUSY_CORES


def targets_section(t):
    out = ["## Targets", ""]
    if machine_busy(t):
        out += [f"**The machine was busy**: other processes kept "
                f"{median_or_none(t.others):.2f} cores busy during the median run (more "
                f"than {BUSY_CORES}), so the wall-time verdicts below are inconclusive; "
                f"the CPU time ratios still show what counting costs. Rerun on an idle "
                f"machine before quoting them.", ""]
    for workload, quantum, variant, limit in TARGETS:
        ratio = t.ratio_vs_none((workload, quantum, variant))
        verdict = "not measured" if ratio is None else ("met" if ratio <= limit else "missed")
        key = (workload, quantum, variant)
        out.append(f"- {workload}, {quantum_label(quantum)} quantum, {variant}: at most "
                   f"{limit:.2f}x no plugin: measured {fmt(ratio, 3)}x: **{verdict}** "
                   f"(fastest runs {fmt(t.ratio_vs_none(key, pick=min), 3)}x, CPU time "
                   f"{fmt(t.ratio_vs_none(key, measure=t.cpu), 3)}x)")
    compared = []  # (label, variant, ratio vs seed)
    for key in t.keys():
        w, q, v = key
        ratio = t.ratio_vs_seed(key)
        if v.startswith(OURS) and ratio is not None:
            compared.append((f"{w} {quantum_label(q)} {v} {ratio:.3f}x", v, ratio))
    default = [(label, ratio) for label, v, ratio in compared if plugin_variant(v) == OURS]
    faster = [label for label, ratio in default if ratio < 1]
    ours_slower = [label for label, ratio in default if ratio >= 1]
    exact = [label for label, v, ratio in compared if plugin_variant(v) != OURS]
    for workload in sorted({w for w, _, _ in t.keys()}):
        floors = [(v, t.ratio_vs_none((workload, "none", v), measure=t.cpu))
                  for v in ("floor-empty", "floor", SEED, OURS)]
        if all(r is not None for _, r in floors):
            out.append(f"- {workload}, the floor without syncs (CPU time vs no plugin): "
                       + ", ".join(f"{v} {r:.3f}x" for v, r in floors)
                       + f": ours is {floors[3][1] / floors[1][1]:.3f}x the inline-add floor")
    out.append(f"- {OURS} (default mode) faster than the seed's algorithm on every workload "
               f"and quantum: **{'met' if default and not ours_slower else 'missed'}** "
               f"(ratio vs seed < 1 on: {', '.join(faster) or 'none'}; not faster on: "
               f"{', '.join(ours_slower) or 'none'})")
    if exact:
        out.append(f"- exact mode vs the seed's algorithm (no target: it counts every "
                   f"instruction, the seed every block): {', '.join(exact)}")
    out.append("")
    return out


def memory_section(rows):
    if not rows:
        return []
    hwm, rss, translated = {}, {}, {}
    failed = [r for r in rows if r["status"] != "0"]
    variants, passes_list = [], []
    for r in rows:
        if r["variant"] not in variants:
            variants.append(r["variant"])
        if r["passes"] not in passes_list:
            passes_list.append(r["passes"])
        if r["status"] != "0" or not r["vmhwm_kb"]:
            continue
        key = (r["variant"], r["passes"])
        hwm.setdefault(key, []).append(int(r["vmhwm_kb"]))
        rss.setdefault(key, []).append(int(r["vmrss_kb"]))
        if r["translated"]:
            translated.setdefault(r["passes"], []).append(int(r["translated"]))
    passes_list.sort(key=int)
    small, large = passes_list[0], passes_list[-1]
    blocks = {p: median_or_none(translated.get(p, [])) for p in passes_list}
    out = ["## Memory", "",
           "QEMU's resident memory at exit (VmHWM = peak, VmRSS = current, kB, medians) on "
           "`retranslate.elf`, which makes QEMU translate about 4096 blocks per pass "
           "(translation cache limited to 16 MiB). Growth per translated block = "
           "(VmHWM at the larger run - VmHWM at the smaller) / (blocks translated "
           "more); a malloc(8) never freed costs at least 32 bytes per block in glibc.", ""]
    out += table_head(["variant"] + [f"{m} {p} passes" for p in passes_list
                                     for m in ("VmHWM", "VmRSS")]
                      + ["growth per translated block", "verdict"],
                      "l" + "rr" * len(passes_list) + "rl")
    for v in variants:
        cells = [v]
        for p in passes_list:
            cells += [fmt(median_or_none(hwm.get((v, p), [])), 0),
                      fmt(median_or_none(rss.get((v, p), [])), 0)]
        growth = None
        h_small = median_or_none(hwm.get((v, small), []))
        h_large = median_or_none(hwm.get((v, large), []))
        if None not in (h_small, h_large, blocks[small], blocks[large]) and \
                blocks[large] > blocks[small]:
            growth = (h_large - h_small) * 1024 / (blocks[large] - blocks[small])
        verdict = "n/a" if growth is None else (
            "flat" if growth < FLAT_BYTES_PER_BLOCK else "grows")
        out.append(table_row(cells + [fmt(growth, 1, " B"), verdict]))
    out.append("")
    out.append("Blocks translated (counted by the seed algorithm's plugin): " + ", ".join(
        f"{p} passes: {fmt(blocks[p], 0)}" for p in passes_list) + ".")
    if failed:
        out.append(f"Failed memory runs (left out): {len(failed)}.")
    out.append("")
    return out


def write_plot_data(t, path):
    plugin_variants = [v for v in t.variants if v != BASELINE]
    groups = []
    for w, q, _ in t.keys():
        if q != "-" and (w, q) not in groups:
            groups.append((w, q))
    with open(path, "w") as f:
        f.write("group " + " ".join(plugin_variants) + "\n")
        for w, q in groups:
            values = [t.ratio_vs_none((w, q, v)) for v in plugin_variants]
            f.write(f'"{w}\\n{quantum_label(q)}" ' +
                    " ".join("?" if x is None else f"{x:.4f}" for x in values) + "\n")


def main():
    results = sys.argv[1]
    env = read_environment(os.path.join(results, "environment.txt"))
    t = Timing(read_csv(os.path.join(results, "timing.csv")))
    memory_rows = read_csv(os.path.join(results, "memory.csv"))
    out = [f"# Benchmark results {env.get('date', '')}", "",
           f"- QEMU: {env.get('qemu')}",
           f"- CPU: {env.get('cpu')}, {env.get('cores')} cores; kernel {env.get('kernel')}; "
           f"host {env.get('host')}",
           f"- load average at start {env.get('load_start')}, at end {env.get('load_end')}; "
           f"other processes kept {fmt(median_or_none(t.others), 2)} cores busy during the "
           f"median run (max {fmt(max(t.others) if t.others else None, 2)}; the participant "
           f"counts as other): the machine is shared, compare ratios, not absolute times",
           f"- tree: {env.get('commit')}",
           f"- {env.get('rounds')} timing rounds, {env.get('memory_rounds')} memory rounds, "
           f"-icount {env.get('icount')}; loop: {env.get('loop_iterations')} iterations, "
           f"compute: {env.get('compute_iterations')} iterations; linux: Debian's riscv64 "
           f"kernel booting the test initramfs to userland and powering off; workloads "
           f"{env.get('workloads', 'loop compute')}; run took {env.get('duration_s')} s",
           "- participant: `timesync-peer`, answers at once, spinning 2 ms on the halt "
           f"(takes a core), and in the rows marked{BLOCKING} blocking in `read` like the "
           "seed's; plot: "
           "[ratios.png](ratios.png); raw data: [timing.csv](timing.csv), "
           "[memory.csv](memory.csv)", ""]
    skipped = os.path.join(results, "skipped.txt")
    if os.path.exists(skipped):
        with open(skipped) as f:
            out += ["Variants skipped (QEMU refused their options): " +
                    "; ".join(line.strip() for line in f if line.strip()), ""]
    out += targets_section(t)
    out += timing_section(t)
    out += breakdown_section(t)
    notes = []
    if t.failed:
        notes.append(f"{len(t.failed)} runs failed and are left out (see timing.csv).")
    for w, digests in t.outputs.items():
        notes.append(f"{w}: guest output {'identical in all' if len(digests) == 1 else 'DIFFERS between'} runs.")
    out += notes + [""]
    out += memory_section(memory_rows)
    with open(os.path.join(results, "results.md"), "w") as f:
        f.write("\n".join(out))
    write_plot_data(t, os.path.join(results, "ratios.dat"))


if __name__ == "__main__":
    main()
