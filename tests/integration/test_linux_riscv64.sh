# A real riscv64 guest: Debian trixie's riscv64 kernel with a busybox initramfs
# (guests/linux, scripts/setup-foreign-guest.sh riscv64) boots on qemu-system-riscv64 -M virt
# (OpenSBI, QEMU's default firmware, first) in lockstep with timesync-peer, reaches
# userland, sleeps 0.2 s of guest time and powers off. The guest's clock is the time CSR
# (the ACLINT's mtime, 10 MHz on virt: QEMU's virtual clock in ticks of 100 ns), which the
# plugin reads itself at every check (the register `time`), idle or not: its time must be
# the guest's clock at every sync, to the 100 ns of a tick.
#
# The kernel's crypto self-tests (testmgr, in cryptomgr_test threads) keep the CPU busy
# until ~0.73 s of guest time after /init starts, so as the kernel is, the sleep does not
# idle: the self-tests run instead, the whole boot executes no wfi and the plugin sees no
# idle time (0 ns; the sleep lasts 228 ms, not 202, as the woken shell waits for the
# CPU). That boot is checked as it is, then a second one with cryptomgr.notests: no
# self-tests (userland 0.42 s earlier), the kernel's idle loop halts the CPU with wfi
# in the sleep, and the plugin must see that idle time in the time CSR. Then that boot
# once more, which must give the same syncs.
#
# The guest prints, at userland start and after the sleep, time_ns (the time CSR in ns)
# and uptime_ns (CLOCK_BOOTTIME). The kernel's clocksource is the same time CSR from its
# start, so C = uptime - time is constant (-113.2194 ms with 6.12.117+deb13-riscv64 as it
# is, -113.2759 ms with cryptomgr.notests) and did not move by one ns across the sleep.
#
# Deterministic: -seed 1 (the virt board writes rng-seed from QEMU's random generator into
# the device tree), -icount sleep=off and -rtc clock=vm make every guest-side number
# identical from run to run, and identical with and without the plugin.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/linux_checks.sh"

QUANTUM_NS=1000000
SLEEP_NS=200000000 # guests/linux/init sleeps 0.2 s
RESOLUTION_NS=100  # a tick of the time CSR
# After the last clock read the guest runs `read`, two `echo`s and `poweroff -f`: 7.83 ms
# as the kernel is (the self-tests still take their share of the CPU), 1.24 ms with
# cryptomgr.notests, the same in every run. The rest is what test_linux.sh says: QEMU's
# main loop acts on the power-off asynchronously.
AFTER_LAST_READ_MAX_NS=20000000
OFFSET_DRIFT_MAX_NS=10000

# The guest from the cache, its initramfs built afresh from guests/linux (this tree's).
linux_foreign_guest riscv64 riscv64 "${LINUX_RISCV64_KERNEL:-}" "${LINUX_RISCV64_BUSYBOX:-}"

# A boot takes ~2.5 s of wall time alone (1.26 s of guest time), several times that under
# load; Meson stops us at 300 s.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-270}
PEER_TIMEOUT=${PEER_TIMEOUT:-280}

# boot WHAT APPEND IDLE_MIN_NS SLEEP_OVERHEAD_MAX_NS: one boot in lockstep with kernel
# arguments APPEND, and its checks: the plugin saw at least IDLE_MIN_NS of idle time
# ("none": no idle at all), the guest's clock passed at most SLEEP_OVERHEAD_MAX_NS more
# than the sleep across it. The sync trace goes to $WORK/trace.WHAT (spaces and commas
# as _), the guest's last clock read (ns) to $last_read.
boot() {
	local what=$1 append=$2 idle_min=$3 started trace="$WORK/trace.${1//[ ,]/_}"
	SLEEP_OVERHEAD_MAX_NS=$4 # check_linux_boot reads it
	rm -f "$WORK/trace"
	ln -s "$trace" "$WORK/trace" # check_linux_trace reads $WORK/trace
	start_peer --quantum-ns "$QUANTUM_NS"
	QEMU_STATUS=0
	started=$(now_ms)
	timeout -k 2 "$QEMU_TIMEOUT" "${QEMU_ENV[@]}" "$QEMU_RISCV64" -M virt -m 256 \
		-icount shift=0,sleep=off -rtc base=2025-01-01T00:00:00,clock=vm -seed 1 \
		-display none -monitor none -serial "file:$WORK/console.out" -nic none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1${append:+ $append}" \
		-plugin "$PLUGIN,$(pipes_args),TimeinMicroseconds=$((QUANTUM_NS / 1000)),trace=$trace" \
		</dev/null >"$WORK/qemu.out" 2>&1 || QEMU_STATUS=$?
	wait_peer
	note "$what: the boot took $(($(now_ms) - started)) ms of wall time"

	check_linux_boot "$what" time_ns "$idle_min"
	check_linux_trace "$what" "$RESOLUTION_NS"
	last_read=$(linux_clock_field time_ns 2)
}

# As the kernel is: the self-tests fill the sleep (227.96 ms between the clock reads).
boot "self-tests running" "" none 50000000
# The plugin's idle time is a little less than the sleep: inside it the kernel wakes for
# its ticks until NOHZ stops them, and the timer fires late by its slack (199.916 ms idle;
# 201.76 ms between the clock reads). 1 ms less than the sleep still tells a plugin that
# sees it from one that misses it (0 ns).
boot "cryptomgr.notests" cryptomgr.notests $((SLEEP_NS - 1000000)) 5000000
first_last_read=$last_read
boot "cryptomgr.notests, again" cryptomgr.notests $((SLEEP_NS - 1000000)) 5000000
check_linux_same_syncs "determinism (cryptomgr.notests)" "$WORK/trace.cryptomgr.notests" \
	"$WORK/trace.cryptomgr.notests__again" "$first_last_read"
finish
