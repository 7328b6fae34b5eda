# SPDX-License-Identifier: MIT
"""What summarize.py and summarize_transports.py share: reading a results directory,
formatting numbers and writing Markdown tables."""
import csv
import os
import statistics

# Above this many cores used by other processes (not the measured ones: QEMU and its
# participant, both ends of a ping-pong) in the median run, the numbers say more about
# them than about what is measured: 2-core machines; a participant answering at once uses
# a few hundredths, and every spinning measurement keeps both cores busy.
BUSY_CORES = 0.25


def read_environment(path):
    """The KEY=VALUE lines of an environment file (bench/lib.sh) as a dict."""
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


def read_csv(path):
    """The rows of a CSV file as dicts; none when there is no such file."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def median_or_none(values):
    return statistics.median(values) if values else None


def fmt(value, digits, suffix=""):
    """VALUE with DIGITS decimals and SUFFIX, or n/a when there is none."""
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def quantum_label(quantum):
    """A quantum in us as a column says it: "-" (no plugin), "no sync", "1 ms", "10 us"."""
    return {"-": "-", "none": "no sync", "nosync": "no sync", "1000": "1 ms"}.get(
        quantum, f"{quantum} us")


def table_head(columns, align):
    """The header and separator lines of a Markdown table; ALIGN has one letter a column:
    l (text) or r (numbers, right-aligned)."""
    rule = {"l": "---", "r": "---:"}
    return [table_row(columns), "|" + "".join(rule[a] + "|" for a in align)]


def table_row(cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
