# The checks of one Linux guest boot (guests/linux) in lockstep with timesync-peer, for the
# Linux tests of every architecture; sourced after lib.sh. The guest prints its clocks at
# userland start and after `sleep 0.2` (guests/linux/init); guest-clock names its
# hardware clock by the architecture's (tsc_ns on x86_64, cntvct_ns on aarch64, time_ns
# on riscv64): all are QEMU's virtual clock under -icount, the time the plugin counts,
# read by the guest.
# uptime_ns is the kernel's CLOCK_BOOTTIME: the hardware clock plus an offset C that
# depends on the kernel's boot path; the checks measure C at the first print.
#
# The sourcing test sets:
#   QUANTUM_NS              the plugin's quantum
#   SLEEP_NS                the guest's sleep (guests/linux/init: 0.2 s)
#   SLEEP_OVERHEAD_MAX_NS   the most the guest clock may pass beyond SLEEP_NS across it
#   AFTER_LAST_READ_MAX_NS  the most the plugin's time at exit may be past the last read
#   OFFSET_DRIFT_MAX_NS     the most C may move between the two prints

# check_range WHAT VALUE MIN MAX (integers)
check_range() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		pass "$1: $2 in [$3, $4]"
	else
		fail "$1: $2 not in [$3, $4]"
	fi
}

# linux_initramfs OUTPUT BUSYBOX ARCH: packs guests/linux's initramfs of this tree.
linux_initramfs() {
	if ! bash "$(dirname "${BASH_SOURCE[0]}")/../../guests/linux/build-initramfs.sh" "$@" \
		>"$WORK/build.out" 2>&1; then
		fail "building the initramfs (guests/linux/build-initramfs.sh $*):"
		show "$WORK/build.out"
		return 1
	fi
}

# linux_foreign_guest DEBIAN_ARCH INITRAMFS_ARCH KERNEL BUSYBOX: the guest that
# scripts/setup-foreign-guest.sh DEBIAN_ARCH cached (KERNEL, BUSYBOX: overrides, may be
# empty): sets kernel, busybox and initrd (packed afresh from this tree's guests/linux);
# without them a failed check and the test's end.
linux_foreign_guest() {
	local env_file="${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux-$1/guest.env"
	kernel=${3:-$(sed -n 's/^LINUX_KERNEL=//p' "$env_file" 2>/dev/null || true)}
	busybox=${4:-$(sed -n 's/^LINUX_BUSYBOX=//p' "$env_file" 2>/dev/null || true)}
	if [ -z "$kernel" ] || [ ! -r "$kernel" ] || [ -z "$busybox" ] || [ ! -r "$busybox" ]; then
		fail "no $1 kernel or busybox: run 'bash scripts/setup-foreign-guest.sh $1' as root (it writes $env_file)"
		finish || exit
	fi
	initrd="$WORK/initramfs.cpio.gz"
	linux_initramfs "$initrd" "$busybox" "$2" || { finish || exit; }
}

# The Nth value of FIELD in the guest's clock lines (console.out); a whole field name only
# (time_ns is not the end of uptime_ns).
linux_clock_field() { sed -n "s/^guest: clock.* $1=\([0-9]*\).*/\1/p" "$WORK/console.out" | sed -n "$2p"; }

# check_linux_boot WHAT CLOCK IDLE_MIN_NS: the checks of the boot that just ended
# ($QEMU_STATUS, $PEER_STATUS, $WORK/console.out, qemu.out, peer.out). CLOCK is the
# hardware clock's field in the guest's lines; the plugin must have seen at least
# IDLE_MIN_NS of idle time, or none at all if IDLE_MIN_NS is "none" (idle=poll).
check_linux_boot() {
	local what=$1 clock=$2 idle_min=$3
	local hw_first hw_last uptime_first uptime_last plugin_ns syncs idle_ns
	local offset_first offset_last

	check_eq "$what: QEMU exit status" 0 "$QEMU_STATUS"
	check_eq "$what: peer exit status" 0 "$PEER_STATUS"
	check_grep "$what: guest reached userland" "^guest: userland reached" "$WORK/console.out"
	check_grep "$what: guest powered off after its work" "^guest: powering off" "$WORK/console.out"

	hw_first=$(linux_clock_field "$clock" 1)
	uptime_first=$(linux_clock_field uptime_ns 1)
	hw_last=$(linux_clock_field "$clock" 2)
	uptime_last=$(linux_clock_field uptime_ns 2)
	plugin_ns=$(sed -n 's/^timesync: exit: .* guest time \([0-9]*\) ns.*/\1/p' "$WORK/qemu.out")
	idle_ns=$(sed -n 's/^timesync: exit: .*, \([0-9]*\) ns idle.*/\1/p' "$WORK/qemu.out")
	syncs=$(plugin_syncs)
	if [ -z "$hw_first" ] || [ -z "$hw_last" ] || [ -z "$uptime_first" ] ||
		[ -z "$uptime_last" ] || [ -z "$plugin_ns" ] || [ -z "$idle_ns" ] || [ -z "$syncs" ]; then
		fail "$what: missing numbers: guest clock lines ($clock) or the plugin's exit line:"
		show "$WORK/console.out" "$WORK/qemu.out"
		return
	fi

	offset_first=$((uptime_first - hw_first))
	offset_last=$((uptime_last - hw_last))
	note "$what: guest time at exit $plugin_ns ns, $syncs syncs, $idle_ns ns idle;" \
		"last $clock $hw_last; kernel clock offset C = uptime - ${clock%_ns} = $offset_first ns"

	# The guest's hardware clock ends where the plugin's time ends: the plugin saw all of it,
	# the idle sleep included (a plugin that misses the idle time fails here by ~0.2 s).
	check_range "$what: plugin time at exit - guest $clock at its last read (ns)" \
		$((plugin_ns - hw_last)) 0 "$AFTER_LAST_READ_MAX_NS"
	# The same with the kernel's uptime: taken on the plugin's time scale (minus C as measured
	# at the first print), the last uptime printed is <= the plugin's time and close to it.
	check_range "$what: plugin time at exit - (last uptime - C) (ns)" \
		$((plugin_ns - (uptime_last - offset_first))) 0 "$AFTER_LAST_READ_MAX_NS"
	check_range "$what: drift of C between the two prints (ns)" \
		$((offset_last - offset_first)) "-$OFFSET_DRIFT_MAX_NS" "$OFFSET_DRIFT_MAX_NS"
	check_range "$what: guest time across 'sleep 0.2' ($clock)" \
		$((hw_last - hw_first)) "$SLEEP_NS" $((SLEEP_NS + SLEEP_OVERHEAD_MAX_NS))
	# One sync per quantum passed. The last boundary may be passed by the block that powers
	# off, before a block start could deliver it: floor(T/q) or one less.
	check_range "$what: plugin syncs vs floor(guest time / quantum) = $((plugin_ns / QUANTUM_NS))" \
		"$syncs" $((plugin_ns / QUANTUM_NS - 1)) $((plugin_ns / QUANTUM_NS))
	check_eq "$what: peer syncs" "$syncs" "$(peer_syncs)"
	if [ "$idle_min" = none ]; then
		check_eq "$what: no idle time" 0 "$idle_ns"
	else
		check_range "$what: idle time the plugin saw (ns)" "$idle_ns" "$idle_min" "$plugin_ns"
	fi
}

# check_linux_trace WHAT RESOLUTION_NS: at every sync of trace=$WORK/trace where the guest
# had read its clock, the plugin's time is that clock (to its resolution), and there are
# at least 100 such syncs: the boundaries the 0.2 s sleep passes while the CPU halts are
# all delivered at the guest's first clock read after it wakes. Prints the largest
# difference seen.
check_linux_trace() {
	local what=$1 resolution=$2 compared disagreeing largest
	read -r compared disagreeing largest < <(awk -v r="$resolution" '!/^#/ && $4 != "-" {
			n++; d = $3 - $4; if (d < 0 || d >= r) bad++; if (d < 0) d = -d; if (d > max) max = d }
		END { print n + 0, bad + 0, max + 0 }' "$WORK/trace")
	note "$what: $compared syncs with a clock read, largest |plugin time - guest clock| $largest ns"
	if [ "$compared" -ge 100 ]; then
		pass "$what: $compared syncs compared with the guest's clock"
	else
		fail "$what: only $compared syncs had a clock read"
	fi
	check_eq "$what: syncs whose time disagrees with the guest's clock by $resolution ns or more" 0 "$disagreeing"
}

# check_linux_same_syncs WHAT TRACE TRACE_AGAIN LAST_READ_NS: two boots of the same guest
# gave the same syncs (boundary, guest time, guest clock, idle) up to the guest's last
# clock read at LAST_READ_NS (after it only the power-off path runs, whose end depends on
# when QEMU's main loop acts on the request).
check_linux_same_syncs() {
	local what=$1 last_read=$4 syncs syncs_again
	syncs=$(awk -v end="$last_read" '!/^#/ && $2 <= end' "$2")
	syncs_again=$(awk -v end="$last_read" '!/^#/ && $2 <= end' "$3")
	if [ -z "$syncs" ]; then
		fail "$what: no syncs up to the last clock read ($last_read ns) in ${2##*/}"
	elif [ "$syncs" = "$syncs_again" ]; then
		pass "$what: two boots give the same $(printf '%s\n' "$syncs" | wc -l) syncs (boundary, guest time, guest clock, idle) up to the last clock read"
	else
		fail "$what: the two boots' sync traces differ before the last clock read"
		diff <(printf '%s\n' "$syncs") <(printf '%s\n' "$syncs_again") | head -20 | show || true
	fi
}
