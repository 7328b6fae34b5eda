# A real guest: Debian's cloud kernel with a busybox initramfs (guests/linux) boots on
# qemu-system-x86_64 in lockstep with timesync-peer, reaches userland, sleeps 0.2 s of
# guest time and powers off. The guest's own clocks must agree with the plugin's time:
# as the kernel is (its idle loop halts the CPU with hlt: the plugin follows the guest's
# clock reads, rdtsc, and so sees the idle time), and with idle=poll (no hlt at all:
# every nanosecond is an instruction). The sanitizer build boots only the first way.
#
# The guest prints two clocks, read back to back by guests/linux/guest-clock.c, at
# userland start and after the sleep:
#   tsc_ns     rdtsc. Under -icount QEMU answers rdtsc with its virtual clock in ns, so
#              this is the guest time the plugin counts, but read by the guest itself.
#   uptime_ns  CLOCK_BOOTTIME, the kernel clock behind /proc/uptime, at ns resolution.
# The kernel's clock is not the virtual clock: uptime_ns - tsc_ns = C, a constant offset
# once the kernel runs on the TSC clocksource (kernel time ~0.52 s). The kernel clock
# starts ~137 ms after the first instruction (SeaBIOS and the kernel's decompressor run
# first), then, while it still counts timer ticks (jiffies), it runs fast, mostly during
# the LAPIC timer calibration, and ends up slightly ahead: C = +17.06 ms with this command
# line and initramfs on 6.1.0-56 (+16.0..+20.6 ms with other arguments or /init scripts,
# +1..3 ms when the boot log is printed). So C depends on the kernel and the boot path,
# not on the plugin: the test measures C at the first print and checks that it stays put
# instead of assuming a value. Details in guests/linux/README.md.
#
# Deterministic: -icount sleep=off and an RTC on the virtual clock (-rtc clock=vm; with
# the default clock=host the boot waits on the host's RTC update cycle and varies by tens
# of us) make every guest-side number identical from run to run. Only the exit point
# varies (QEMU's main loop acts on the power-off request asynchronously, see below).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/linux_checks.sh"

QEMU_X86_64="${QEMU_X86_64:-qemu-system-x86_64}"
QUANTUM_NS=1000000
SLEEP_NS=200000000 # guests/linux/init sleeps 0.2 s
# After the last clock read the guest still runs `read`, two `echo`s and `poweroff -f`
# (fork, exec, sync, the kernel's device shutdown and ACPI S5 path): 3.91 ms here (5.3 ms
# with some other command lines: where the kernel's timer ticks fall matters), the same
# in every run to a few us. Then the vCPU goes on until QEMU's main loop acts on the
# power-off request, which depends on host scheduling: +1.2 ms of guest time at worst
# seen on this loaded 2-core machine. 20 ms leaves room for that and for other kernel
# versions; an idle period the plugin did not see (what this test exists to catch) would
# be the whole 0.2 s sleep, and it would make the difference negative (-196 ms without
# idle=poll).
AFTER_LAST_READ_MAX_NS=20000000
# Around the sleep the guest also forks and execs `sleep` and guest-clock, and the timer
# fires up to its slack late: measured 1.57 ms on top of the 200 ms.
SLEEP_OVERHEAD_MAX_NS=5000000
# The kernel clock advances at the TSC's rate after its refined calibration (1000.000 or
# 999.999 MHz here: <= 1 ppm, 0.2 us over the 0.2 s between the reads): C moved 192 ns.
OFFSET_DRIFT_MAX_NS=10000

# The kernel from scripts/setup-linux-guest.sh's cache (LINUX_KERNEL overrides it); the
# initramfs built afresh from guests/linux, so the test runs the guest in this tree.
guest_env="${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux/guest.env"
kernel=${LINUX_KERNEL:-$(sed -n 's/^LINUX_KERNEL=//p' "$guest_env" 2>/dev/null || true)}
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	fail "no Linux kernel: run 'bash scripts/setup-linux-guest.sh' as root (it writes $guest_env)"
	finish || exit
fi
initrd="$WORK/initramfs.cpio.gz"
linux_initramfs "$initrd" /bin/busybox x86_64 || finish || exit

# A boot takes ~10 s alone and several times that under load; with ASan preloaded into
# QEMU (sanitizer build) ~95 s, as ASan's longjmp interceptor makes a sigaltstack call at
# each of the many TCG exits (cpu_loop_exit) of a Linux boot. Meson stops us at 300 s.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-270}
PEER_TIMEOUT=${PEER_TIMEOUT:-280}

# boot WHAT APPEND: one boot in lockstep with kernel arguments APPEND, and its checks.
# The sync trace goes to $WORK/trace.WHAT (spaces and commas as _).
boot() {
	local what=$1 append=$2 trace="$WORK/trace.${1//[ ,]/_}"
	rm -f "$WORK/trace"
	ln -s "$trace" "$WORK/trace" # check_linux_trace reads $WORK/trace
	start_peer --quantum-ns "$QUANTUM_NS"
	QEMU_STATUS=0
	timeout -k 2 "$QEMU_TIMEOUT" "${QEMU_ENV[@]}" "$QEMU_X86_64" -M q35 -m 256 \
		-icount shift=0,sleep=off -rtc base=2025-01-01T00:00:00,clock=vm \
		-display none -monitor none -serial "file:$WORK/console.out" -nic none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 $append quiet panic=-1" \
		-plugin "$PLUGIN,$(pipes_args),TimeinMicroseconds=$((QUANTUM_NS / 1000)),trace=$trace" \
		</dev/null >"$WORK/qemu.out" 2>&1 || QEMU_STATUS=$?
	wait_peer
	check_linux_boot "$what" tsc_ns "$([ -z "$append" ] && echo "$SLEEP_NS" || echo none)"
	[ -n "$append" ] || check_linux_trace "$what" 1
	tsc_last=$(linux_clock_field tsc_ns 2)
}

boot "idle with hlt" ""
[ -n "${QEMU_PRELOAD:-}" ] || {
	first_tsc_last=$tsc_last
	boot "idle=poll" "idle=poll"
	# Deterministic: the same boot again gives the same syncs, idle ones included.
	boot "idle with hlt, again" ""
	check_linux_same_syncs determinism "$WORK/trace.idle_with_hlt" \
		"$WORK/trace.idle_with_hlt__again" "$first_tsc_last"
}
finish
