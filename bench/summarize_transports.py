#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns transports.csv of bench/transports.sh into transports.md.

Usage: summarize_transports.py RESULTS_DIR. Reads transports-environment.txt and
transports.csv from RESULTS_DIR. Every value is the median over rounds (each round ran
every measurement once, in a rotated order); ratios are ratios of those medians, as in
results.md (summarize.py).
"""
import os
import statistics
import sys

from benchlib import (BUSY_CORES, fmt, median_or_none, quantum_label, read_csv,
                      read_environment, table_head, table_row)

# Targets (issue 4): round trips in ns and ratios.
SHM_ROUND_TRIP_MAX_NS = 2000
SHM_VS_RAW_MAX = 10.0
PIPE_VS_RAW_MAX = 1.5
OWN_RAW_MAX = 1.1  # issue 14: fifo vs raw pipe, socket vs raw socket pair
SLOWDOWN_QUANTUM_US = "10"
SLOWDOWN_MAX = 2.0
QUANTUM_ORDER = ["-", "nosync", "1000", "100", "10", "1"]
TRANSPORT_ORDER = ["none", "startup", "shm", "fifo", "socket"]


def us(ns):
    return None if ns is None else ns / 1000.0


def ratio(a, b):
    return a / b if a is not None and b else None


class Measure:
    """All rounds of one measurement: a raw mode, a link setting, or a QEMU run."""

    def __init__(self):
        self.values = {}  # column -> [value per successful round]
        self.others = []
        self.failed = 0

    def add(self, row):
        if row["status"] != "0":
            self.failed += 1
            return
        self.others.append(float(row["others_cores"]))
        for column in ("wall_s", "cpu_s", "round_trip_ns", "syncs", "wait_mean_ns",
                       "wait_p99_ns"):
            if row[column] not in ("", "-"):
                self.values.setdefault(column, []).append(float(row[column]))

    def median(self, column):
        return median_or_none(self.values.get(column))

    def lowest(self, column):
        v = self.values.get(column)
        return min(v) if v else None

    def highest(self, column):
        v = self.values.get(column)
        return max(v) if v else None

    def rounds(self, column):
        return len(self.values.get(column, []))

    def busy(self):
        return median_or_none(self.others)


def load(rows):
    measures = {}
    for r in rows:
        if r["kind"] == "qemu":
            key = ("qemu", r["variant"], r["quantum_us"], r["options"])
        else:
            key = (r["kind"], r["variant"], r["record_bytes"], r["spin_ns"])
        measures.setdefault(key, Measure()).add(r)
    return measures


class Report:
    def __init__(self, env, measures):
        self.env = env
        self.m = measures
        self.lines = []
        self.inconclusive = []

    def get(self, *key):
        return self.m.get(key)

    def rt(self, *key):
        m = self.get(*key)
        return m.median("round_trip_ns") if m else None

    def raw(self, mode):
        return self.rt("raw", mode, "4" if mode == "shm-spin" else "1",
                       "0" if mode == "pipe-block" else "forever")

    def link(self, transport, size, spin="50000"):
        return self.rt("link", transport, str(size), spin)

    def qemu(self, transport, quantum, options=""):
        return self.get("qemu", transport, quantum, options)

    def busy_note(self, *measures):
        """' (inconclusive: ...)' when any measure ran on a busy machine."""
        busy = [m.busy() for m in measures if m and m.busy() is not None]
        worst = max(busy) if busy else None
        if worst is not None and worst > BUSY_CORES:
            return (f" (**inconclusive**: other processes kept {worst:.2f} cores busy during "
                    f"the median run)")
        return ""

    def verdict(self, text, value, limit, measures, unit_fmt):
        if value is None:
            self.lines.append(f"- {text}: **not measured**")
            return
        met = value <= limit
        note = self.busy_note(*measures)
        if note and not met:
            self.inconclusive.append(text)
        self.lines.append(f"- {text}: measured {unit_fmt(value)}: "
                          f"**{'met' if met else 'missed'}**{note}")

    def header(self):
        e = self.env
        all_others = [o for m in self.m.values() for o in m.others]
        busy = statistics.median(all_others) if all_others else 0.0
        self.busy = busy
        self.lines += [
            f"# Transport benchmark results {e.get('date', '')}",
            "",
            f"- QEMU: {e.get('qemu', '?')}",
            f"- CPU: {e.get('cpu', '?')}, {e.get('cores', '?')} cores; kernel "
            f"{e.get('kernel', '?')}; clock source {e.get('clocksource', '?')}; host "
            f"{e.get('host', '?')}",
            f"- load average at start {e.get('load_start', '?')}, at end "
            f"{e.get('load_end', '?')}; other processes (not the measured ones: both ends "
            f"of a ping-pong, QEMU and its participant) kept {busy:.2f} cores busy during "
            f"the median measurement (max {max(all_others, default=0):.2f})",
            f"- tree: {e.get('commit', '?')}",
            f"- {e.get('rounds', '?')} rounds, each measurement once per round in a rotated "
            f"order; medians over rounds; run took {e.get('duration_s', '?')} s",
            f"- raw ping-pongs (`bench/pingpong.c`): {e.get('pipe_block_trips')} round trips "
            f"with blocking pipes, {e.get('pipe_spin_trips')} spinning on pipes, "
            f"{e.get('shm_spin_trips')} spinning on shared memory; link round trips "
            f"(`test_link --latency {e.get('link_trips')}`): mean of "
            f"{e.get('link_trips')} per transport, record size and spin",
            f"- QEMU: loop guest, {e.get('loop_iterations')} iterations "
            f"({(2 * int(e.get('loop_iterations', 0)) + 14) / 1e6:.0f} ms of guest time; "
            f"{(2 * int(e.get('loop_iterations_1us', 0)) + 14) / 1e6:.0f} ms at 1 us "
            f"quanta), -icount {e.get('icount', '?')}, protocol 2, `timesync-peer` with "
            f"default options (answers at once, spins 50 us before sleeping)",
            "- raw data: [transports.csv](transports.csv), "
            "[transports-environment.txt](transports-environment.txt)",
            "",
        ]
        if busy > BUSY_CORES:
            self.lines += [
                f"**The machine was busy**: other processes kept {busy:.2f} cores busy "
                f"during the median measurement (more than {BUSY_CORES}); spinning "
                "measurements need both cores, so the verdicts below are inconclusive. "
                "Rerun on an idle machine before quoting them.", ""]

    def targets(self):
        shm1, shm64 = self.link("shm", 1), self.link("shm", 64)
        raw_shm, raw_pipe = self.raw("shm-spin"), self.raw("pipe-spin")
        raw_shm_m = self.get("raw", "shm-spin", "4", "forever")
        raw_pipe_m = self.get("raw", "pipe-spin", "1", "forever")
        link_m = self.get("link", "shm", "64", "50000")
        self.lines += ["## Targets", ""]
        for size, value in ((1, shm1), (64, shm64)):
            self.verdict(f"shared-memory link round trip, {size}-byte records, both ends "
                         f"spinning: at most {us(SHM_ROUND_TRIP_MAX_NS):.0f} us", value,
                         SHM_ROUND_TRIP_MAX_NS, [link_m], lambda v: f"{us(v):.2f} us")
            self.verdict(f"the same within {SHM_VS_RAW_MAX:.0f}x of the raw shared-memory "
                         f"ping-pong ({fmt(us(raw_shm), 3)} us)", ratio(value, raw_shm),
                         SHM_VS_RAW_MAX, [link_m, raw_shm_m], lambda v: f"{v:.1f}x")
        raw_socket = self.raw("socket-spin")
        for transport in ("fifo", "socket"):
            for size in (1, 64):
                value = self.link(transport, size)
                own = "" if transport == "fifo" else (
                    f"; {fmt(ratio(value, raw_socket), 2)}x the raw socket ping-pong, "
                    f"{fmt(us(raw_socket), 2)} us")
                self.verdict(f"{transport} link round trip, {size}-byte records, both ends "
                             f"spinning: within {PIPE_VS_RAW_MAX}x of the raw pipe ping-pong "
                             f"with both ends spinning ({fmt(us(raw_pipe), 2)} us)",
                             ratio(value, raw_pipe), PIPE_VS_RAW_MAX,
                             [self.get("link", transport, str(size), "50000"), raw_pipe_m],
                             lambda v, value=value, own=own:
                             f"{fmt(us(value), 2)} us, {v:.2f}x{own}")
        # Issue 14: each link against the raw ping-pong of its own kind, spinning.
        raw_socket_m = self.get("raw", "socket-spin", "1", "forever")
        for transport, raw, raw_m, name in (("fifo", raw_pipe, raw_pipe_m, "pipe"),
                                            ("socket", raw_socket, raw_socket_m,
                                             "Unix socket pair")):
            for size in (1, 64):
                value = self.link(transport, size)
                self.verdict(f"{transport} link round trip, {size}-byte records, both ends "
                             f"spinning: within {OWN_RAW_MAX}x of the raw {name} ping-pong "
                             f"({fmt(us(raw), 2)} us)", ratio(value, raw), OWN_RAW_MAX,
                             [self.get("link", transport, str(size), "50000"), raw_m],
                             lambda v, value=value: f"{fmt(us(value), 2)} us, {v:.2f}x")
        none, run = self.qemu("none", "-"), self.qemu("shm", SLOWDOWN_QUANTUM_US)
        value = ratio(run.median("wall_s") if run else None,
                      none.median("wall_s") if none else None)
        self.verdict(f"guest slowdown at a {SLOWDOWN_QUANTUM_US} us quantum over shared "
                     f"memory: at most {SLOWDOWN_MAX}x the wall time without plugin (keeps "
                     f"at least {100 / SLOWDOWN_MAX:.0f}% of its speed)", value, SLOWDOWN_MAX,
                     [none, run], lambda v: f"{v:.2f}x, {100 / v:.0f}% of its speed")
        sync = run.median("wait_mean_ns") if run else None
        self.lines += [
            "",
            f"For reference (not a target): inside QEMU a sync over shared memory at a "
            f"{SLOWDOWN_QUANTUM_US} us quantum (64-byte records, both ends spinning) waited "
            f"{fmt(us(sync), 2)} us for `timesync-peer` (median of the plugin's mean), "
            f"{fmt(ratio(sync, raw_shm), 1)}x the raw shared-memory ping-pong.", ""]
        if self.inconclusive:
            self.lines += [
                "Missed on a busy machine, so inconclusive: " + "; ".join(self.inconclusive)
                + ".", ""]

    def round_trips(self):
        raw_block, raw_pipe, raw_shm = (self.raw("pipe-block"), self.raw("pipe-spin"),
                                        self.raw("shm-spin"))
        self.lines += [
            "## Round trips", "",
            "Two processes, one record each way, the mean round trip of a measurement; the "
            "median, fastest and slowest of those over rounds. \"vs raw\": against the raw "
            "ping-pong that waits the same way (spinning: pipe for fifo and socket, as the "
            "targets say, shared memory for shm; sleeping: blocking pipe). Link round "
            "trips: `test_link --latency` on the `ts_link_*` API, spin 50 us (what the plugin and `timesync-peer` use) or 0 (both sleep at "
            "once: poll or futex). Inside QEMU: the plugin's \"waited for participant "
            "mean\" (from writing its HALT to reading the grant; `timesync-peer` decodes the "
            "HALT and answers at once), median over rounds; it starts once the HALT is "
            "written, so the write (or futex wake) that sends it is not in it. At 10 us "
            "quanta a quantum takes less wall time than the peer's 50 us spin; at 100 us and "
            "1 ms the peer may have gone to sleep (futex or poll) before the next halt, and "
            "the first sync includes connecting. \"vs raw\" compares those with the "
            "blocking pipe.", ""] + table_head(
            ["measurement", "transport", "record", "waiting", "median us", "fastest us",
             "slowest us", "vs raw", "others cores"], "llrlrrrrr")

        def row(what, transport, record, waiting, m, column, raw):
            if not m:
                return
            med = m.median(column)
            self.lines.append(table_row([
                what, transport, record, waiting, fmt(us(med), 3),
                fmt(us(m.lowest(column)), 3), fmt(us(m.highest(column)), 3),
                fmt(ratio(med, raw), 2, "x") if raw is not None else "-", fmt(m.busy(), 2)]))

        row("raw ping-pong", "pipe", "1 B", "blocking reads",
            self.get("raw", "pipe-block", "1", "0"), "round_trip_ns", None)
        row("raw ping-pong", "pipe", "1 B", "both spin (non-blocking reads)",
            self.get("raw", "pipe-spin", "1", "forever"), "round_trip_ns", None)
        row("raw ping-pong", "Unix socket pair", "1 B", "both spin (non-blocking reads)",
            self.get("raw", "socket-spin", "1", "forever"), "round_trip_ns", None)
        row("raw ping-pong", "shared memory", "flag", "both spin",
            self.get("raw", "shm-spin", "4", "forever"), "round_trip_ns", None)
        for spin, waiting in (("50000", "both spin 50 us"), ("0", "both sleep")):
            for transport in ("fifo", "socket", "shm"):
                for size in ("1", "64"):
                    if spin == "0":
                        raw = raw_block
                    else:
                        raw = raw_shm if transport == "shm" else raw_pipe
                    row("link", transport, f"{size} B", waiting,
                        self.get("link", transport, size, spin), "round_trip_ns", raw)
        for quantum in ("10", "100", "1000"):
            for transport in ("shm", "fifo", "socket"):
                if quantum == "10":
                    raw = raw_shm if transport == "shm" else raw_pipe
                    waiting = "both spin 50 us"
                else:
                    raw, waiting = raw_block, "peer spins 50 us, then sleeps"
                row(f"sync in QEMU, {quantum_label(quantum)} quantum", transport, "64 B",
                    waiting, self.qemu(transport, quantum), "wait_mean_ns", raw)
        self.lines.append("")

    def slowdown(self):
        none, startup, nosync = (self.qemu("none", "-"), self.qemu("startup", "-"),
                                 self.qemu("shm", "nosync"))
        wall_none = none.median("wall_s") if none else None
        fastest_none = none.lowest("wall_s") if none else None
        wall_startup = startup.median("wall_s") if startup else None
        wall_nosync = nosync.median("wall_s") if nosync else None
        self.lines += [
            "## Guest slowdown", "",
            "Wall time of the QEMU process (start to exit), median over rounds; ratio = "
            "median / median without plugin. \"without start-up\": the same after "
            "subtracting QEMU's start-up and exit (a run of the same guest with "
            f"{self.env.get('startup_iterations', '?')} iterations: "
            f"{fmt(wall_startup, 3)} s), the ratio for the guest's own time. CPU: user + "
            "system of QEMU and the participant. Per sync: (wall - wall of the same "
            "plugin without syncs, `no sync`) / syncs: the plugin's wait for the participant "
            "(wait mean) and the rest (in QEMU: leaving the translated code for the "
            "callback and back, the guest clock register read, the lock, the bookkeeping, "
            "the clock reads around the wait). Noisy where there are few syncs (1 ms).",
            ""] + table_head(
            ["transport", "quantum", "options", "median wall s", "ratio vs no plugin",
             "fastest-run ratio", "ratio without start-up", "CPU s", "syncs", "wait mean us",
             "wait p99 us", "per sync us", "rest us", "others cores"], "lll" + "r" * 11)
        keys = sorted((k for k in self.m if k[0] == "qemu"),
                      key=lambda k: (TRANSPORT_ORDER.index(k[1]), QUANTUM_ORDER.index(k[2]),
                                     k[3]))
        for key in keys:
            m = self.m[key]
            wall = m.median("wall_s")
            syncs = m.median("syncs")
            wait = m.median("wait_mean_ns")
            per_sync = rest = None
            if syncs and wall is not None and wall_nosync is not None:
                per_sync = (wall - wall_nosync) / syncs * 1e9
                rest = per_sync - wait if wait is not None else None
            without_startup = None
            if wall is not None and wall_startup is not None and wall_none:
                without_startup = ratio(wall - wall_startup, wall_none - wall_startup)
            self.lines.append(table_row([
                key[1], quantum_label(key[2]), key[3] or "-", fmt(wall, 3),
                fmt(ratio(wall, wall_none), 3), fmt(ratio(m.lowest("wall_s"), fastest_none), 3),
                fmt(without_startup, 3), fmt(m.median("cpu_s"), 3),
                "-" if syncs is None else f"{syncs:.0f}", fmt(us(wait), 2),
                fmt(us(m.median("wait_p99_ns")), 2), fmt(us(per_sync), 2), fmt(us(rest), 2),
                fmt(m.busy(), 2)]))
        self.lines.append("")
        clock, noclock = self.qemu("shm", "1"), self.qemu("shm", "1", "follow_clock=off")
        if clock and noclock and clock.median("syncs"):
            diff = (clock.median("wall_s") - noclock.median("wall_s")) / clock.median("syncs")
            self.lines += [
                f"Reading the guest's clock register at every sync (`follow_clock=on`, the "
                f"default on riscv64) costs {diff * 1e6:.2f} us per sync at a 1 us quantum "
                f"(wall with it - wall with `follow_clock=off`, per sync).", ""]
        if wall_nosync is not None and wall_none:
            self.lines += [
                f"Counting alone (plugin loaded, no sync): {ratio(wall_nosync, wall_none):.3f}x "
                f"the wall time without plugin.", ""]

    def failures(self):
        failed = [(k, m.failed) for k, m in self.m.items() if m.failed]
        if failed:
            self.lines += ["## Failed runs", ""] + [
                f"- {' '.join(x for x in k if x)}: {n} run(s) failed (left out)"
                for k, n in failed] + [""]


def main():
    results = sys.argv[1]
    env = read_environment(os.path.join(results, "transports-environment.txt"))
    report = Report(env, load(read_csv(os.path.join(results, "transports.csv"))))
    report.header()
    report.targets()
    report.round_trips()
    report.slowdown()
    report.failures()
    with open(os.path.join(results, "transports.md"), "w") as f:
        f.write("\n".join(report.lines).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
