#!/usr/bin/env bash
# bench/instructions.sh [BUILD_DIR]: what each plugin variant costs in host instructions,
# not time: QEMU runs under valgrind's cachegrind (no cache simulation), without syncs
# (counting alone), and the count of instructions it executed (cachegrind's "I refs", all
# threads) is compared with QEMU's without a plugin. On a shared machine whose timing
# noise (±25% a run) hides a difference of 1-2%, this count does not move: runs of a
# variant agree to a few thousand instructions in hundreds of millions, except that now
# and then one counts hundreds of millions more (in the vCPU thread, callgrind's
# per-thread counts show), so the measure is the smallest of RUNS.
# It counts instructions, not cycles: a load and an add to memory count one each.
#
# Environment: RUNS (per variant, default 3), JOBS (runs at once, default the cores),
# WORKLOADS ("loop compute"; "linux" adds the riscv64 Linux boot of bench/run.sh, about
# 7 minutes a run), VARIANTS (names, default all: "none floor-empty floor seed ours
# ours-exact"; none is always run), LOOP_ITERATIONS (20000000), COMPUTE_ITERATIONS (2000).
set -euo pipefail

BENCH_NAME=instructions
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(nproc)}
read -r -a WORKLOADS <<<"${WORKLOADS:-loop compute}"
LOOP_ITERATIONS=${LOOP_ITERATIONS:-20000000}
COMPUTE_ITERATIONS=${COMPUTE_ITERATIONS:-2000}
. "$BENCH/workloads.sh"
require_workloads "${WORKLOADS[@]}"
read -r -a ONLY <<<"${VARIANTS:-}"
ALL_VARIANTS=(
	"none||"
	"floor-empty|$BUILD/bench/libFloorPlugin.so|empty=on"
	"floor|$BUILD/bench/libFloorPlugin.so|"
	"seed|$BUILD/bench/libSeedAlgorithmPlugin.so|"
	"ours|$BUILD/plugin/libTimeSyncPlugin.so|"
	"ours-exact|$BUILD/plugin/libTimeSyncPlugin.so|exact=on"
)
VARIANTS=()
for variant in "${ALL_VARIANTS[@]}"; do
	name=${variant%%|*}
	[ ${#ONLY[@]} -eq 0 ] || [ "$name" = none ] || [[ " ${ONLY[*]} " == *" $name "* ]] ||
		continue
	VARIANTS+=("$variant")
done

command -v valgrind >/dev/null ||
	{ say "needs valgrind: apt-get install valgrind"; exit 1; }
build TimeSyncPlugin SeedAlgorithmPlugin FloorPlugin guest-loop bench-guest-compute

# count WORKLOAD VARIANT_LINE RUN: one run under cachegrind; its count to $WORK/counts.
count() {
	local workload=$1 name plugin options dir=$WORK/$1-$3-${2%%|*} args ir WORKLOAD_ARGS WORKLOAD_ICOUNT=
	IFS='|' read -r name plugin options <<<"$2"
	"workload_$workload"
	args=("${WORKLOAD_ARGS[@]}")
	mkdir -p "$dir"
	[ -z "$plugin" ] || args+=(-plugin "$plugin,HostToGuestPipe=$dir/h2g,GuestToHostPipe=$dir/g2h,TimeinMicroseconds=$NO_SYNC_QUANTUM_US${options:+,$options}")
	timeout -k 5 3600 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		--log-file="$dir/valgrind.log" "$QEMU" "${args[@]}" -icount "${WORKLOAD_ICOUNT:-$ICOUNT}" -display none \
		-monitor none -serial file:"$dir/uart" >"$dir/out" 2>"$dir/err" ||
		{ say "$workload $name: QEMU failed: $(tail -n 1 "$dir/err")"; return 1; }
	ir=$(sed -n 's/.*I *refs: *//p' "$dir/valgrind.log" | tr -d ,)
	[ -n "$ir" ] || { say "$workload $name: no count in $dir/valgrind.log"; return 1; }
	echo "$workload $name $ir $(md5sum <"$dir/uart" | cut -c1-12)" >>"$WORK/counts"
}

say "${WORKLOADS[*]}, $RUNS runs per variant, $JOBS at once, under cachegrind"
: >"$WORK/counts"
for ((r = 0; r < RUNS; r++)); do
	for workload in "${WORKLOADS[@]}"; do
		for variant in "${VARIANTS[@]}"; do
			while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || exit 1; done
			count "$workload" "$variant" "$r" &
		done
	done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || exit 1; done

python3 - "$WORK/counts" "${WORKLOADS[*]}" "${VARIANTS[*]%%|*}" <<'PY'
import sys
counts, outputs = {}, {}
for line in open(sys.argv[1]):
    workload, variant, ir, uart = line.split()
    counts.setdefault((workload, variant), []).append(int(ir))
    outputs.setdefault(workload, set()).add(uart)
order = {(w, v): i for i, (w, v) in enumerate(
    (w, v) for w in sys.argv[2].split() for v in sys.argv[3].split())}
counts = dict(sorted(counts.items(), key=lambda item: order[item[0]]))
print("| workload | variant | host instructions (fewest of the runs) | ratio vs no plugin "
      "| ratio vs seed algorithm | runs (and how many counted 1% more) |")
print("|---|---|---:|---:|---:|---:|")
for workload in dict.fromkeys(w for w, _ in counts):
    none, seed = min(counts[(workload, "none")]), min(counts.get((workload, "seed"), [0]))
    for (w, variant), irs in counts.items():
        if w != workload:
            continue
        best = min(irs)
        vs_seed = f"{best / seed:.3f}" if seed else "n/a"
        print(f"| {w} | {variant} | {best:,} | {best / none:.3f} | {vs_seed} "
              f"| {len(irs)} ({sum(ir > best * 1.01 for ir in irs)}) |")
    if len(outputs[workload]) > 1:
        print(f"\n{workload}: the guest's output differed between runs: {sorted(outputs[workload])}")
PY
