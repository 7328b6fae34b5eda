# A real aarch64 guest: Debian bookworm's arm64 kernel with a busybox initramfs
# (guests/linux, scripts/setup-foreign-guest.sh arm64) boots on qemu-system-aarch64 -M virt in
# lockstep with timesync-peer, reaches userland, sleeps 0.2 s of guest time and powers off,
# as the kernel is: no idle=poll (arm64 has no such option, nor nohlt), its idle loop
# halts the CPU with wfi. The plugin follows the guest's counter reads (mrs Xt, CNTVCT_EL0
# and its kin, in ticks of CNTFRQ_EL0) and so sees the idle time; the guest's own counter
# and the plugin's time must agree. Boots -cpu cortex-a57 (62.5 MHz counter, the kernel
# reads CNTVCT_EL0), -cpu max (1 GHz, and the kernel patches in CNTVCTSS_EL0 reads,
# FEAT_ECV), and cortex-a57 again, which must give the same syncs as the first boot. The
# sanitizer build boots all three too: with ASan preloaded into QEMU a boot took 2.3 to
# 4.1 s (cortex-a57) and 2.6 to 5.1 s (max) here, not the ~95 s of test_linux.sh's x86_64
# boot.
#
# The guest prints, at userland start and after the sleep, cntvct_ns (CNTVCT_EL0 in ns:
# QEMU's virtual clock; no CNTVOFF without EL2) and uptime_ns (CLOCK_BOOTTIME). The
# kernel's clock runs on the same counter from its start, so C = uptime - cntvct is
# constant from the first print on (-104.04 ms on cortex-a57, -106.54 ms on max, with
# 6.1.0-50-arm64: the time before the kernel's timekeeping starts) and did not move by one
# ns across the sleep.
#
# Deterministic: -seed 1 (the virt board writes kaslr-seed and rng-seed from QEMU's random
# generator into the device tree; without it the boot varies by tens of us), -icount
# sleep=off and -rtc clock=vm make every guest-side number identical from run to run, and
# identical with and without the plugin, and the plugin's syncs identical up to the last
# counter read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/linux_checks.sh"

QEMU_AARCH64="${QEMU_AARCH64:-qemu-system-aarch64}"
QUANTUM_NS=1000000
SLEEP_NS=200000000 # guests/linux/init sleeps 0.2 s
# After the last counter read the guest runs `read`, two `echo`s and `poweroff -f`:
# 0.95 ms (cortex-a57) and 0.90 ms (max) here, the same in every run. The rest is what
# test_linux.sh says: QEMU's main loop acts on the power-off asynchronously. A missed idle
# period would make the difference about -0.2 s.
AFTER_LAST_READ_MAX_NS=20000000
# fork and exec of `sleep` and guest-clock, and the timer's 50 us slack: 201.41 ms between
# the two reads on cortex-a57, 201.38 ms on max.
SLEEP_OVERHEAD_MAX_NS=5000000
OFFSET_DRIFT_MAX_NS=10000
# The plugin's idle time is a little less than the sleep: the whole boot idles only in it
# (and for 47 us at power-off), and inside it the kernel wakes every 4 ms (HZ=250) for the
# tick until NOHZ stops it, each time running ~10,000 instructions, which are guest time
# but not idle: 199.972 ms idle on cortex-a57, 199.970 ms on max (a debug plugin counting
# every instruction and reading every counter read found 199.972 ms of idle in QEMU's
# clock as well). 1 ms less than the sleep still tells a plugin that sees it from one that
# misses it (0 ns).
IDLE_MIN_NS=$((SLEEP_NS - 1000000))

if ! command -v "$QEMU_AARCH64" >/dev/null; then
	fail "no $QEMU_AARCH64: install qemu-system-arm from bookworm-backports (scripts/setup.sh)"
	finish || exit
fi
# The guest from the cache, its initramfs built afresh from guests/linux (this tree's).
linux_foreign_guest arm64 aarch64 "${LINUX_AARCH64_KERNEL:-}" "${LINUX_AARCH64_BUSYBOX:-}"

# A boot takes ~2 s of wall time alone (1.11 s of guest time), several times that under
# load; Meson stops us at 300 s.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-270}
PEER_TIMEOUT=${PEER_TIMEOUT:-280}

# boot WHAT CPU RESOLUTION_NS: one boot in lockstep on -cpu CPU (its counter ticks every
# RESOLUTION_NS), and its checks. The sync trace goes to $WORK/trace.WHAT (spaces and
# commas as _), the guest's last counter read (ns) to $last_read.
boot() {
	local what=$1 cpu=$2 resolution=$3 started trace="$WORK/trace.${1//[ ,]/_}"
	rm -f "$WORK/trace"
	ln -s "$trace" "$WORK/trace" # check_linux_trace reads $WORK/trace
	start_peer --quantum-ns "$QUANTUM_NS"
	QEMU_STATUS=0
	started=$(now_ms)
	timeout -k 2 "$QEMU_TIMEOUT" "${QEMU_ENV[@]}" "$QEMU_AARCH64" -M virt -cpu "$cpu" -m 256 \
		-icount shift=0,sleep=off -seed 1 -rtc base=2025-01-01T00:00:00,clock=vm \
		-display none -monitor none -serial "file:$WORK/console.out" -nic none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyAMA0 quiet panic=-1" \
		-plugin "$PLUGIN,$(pipes_args),TimeinMicroseconds=$((QUANTUM_NS / 1000)),trace=$trace" \
		</dev/null >"$WORK/qemu.out" 2>&1 || QEMU_STATUS=$?
	wait_peer
	note "$what: the boot took $(($(now_ms) - started)) ms of wall time"

	check_linux_boot "$what" cntvct_ns "$IDLE_MIN_NS"
	check_linux_trace "$what" "$resolution"
	last_read=$(linux_clock_field cntvct_ns 2)
}

boot "cortex-a57" cortex-a57 16
first_last_read=$last_read
boot "max" max 1
boot "cortex-a57, again" cortex-a57 16
check_linux_same_syncs "determinism (cortex-a57)" "$WORK/trace.cortex-a57" \
	"$WORK/trace.cortex-a57__again" "$first_last_read"
finish
