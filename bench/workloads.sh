# The benchmark workloads that bench/run.sh and bench/instructions.sh share: a function
# workload_NAME sets WORKLOAD_ARGS (machine, guest, its parameters) and may set
# WORKLOAD_ICOUNT. A script sources this after lib.sh, with LOOP_ITERATIONS and
# COMPUTE_ITERATIONS set; to add a workload, write its function here.
# shellcheck shell=bash disable=SC2034 # the scripts use the variables set here
workload_loop() {
	WORKLOAD_ARGS=(-M virt -bios none -kernel "$BUILD/guests/loop.elf"
		-device "loader,addr=0x80001000,data=$LOOP_ITERATIONS,data-len=8")
}
workload_compute() {
	WORKLOAD_ARGS=(-M virt -bios none -kernel "$BUILD/bench/compute.elf"
		-device "loader,addr=0x80001000,data=$COMPUTE_ITERATIONS,data-len=8")
}
# Debian's riscv64 Linux kernel with the busybox initramfs of the riscv64 Linux test
# (scripts/setup-foreign-guest.sh riscv64 caches both): boots to userland, sleeps 0.2 s
# (the kernel's crypto self-tests keep the CPU busy meanwhile: no idle) and powers off.
LINUX_ENV=${QEMU_TIMESYNC_CACHE:-/var/cache/qemu-timesync}/linux-riscv64/guest.env
workload_linux() {
	local kernel initrd
	kernel=$(sed -n 's/^LINUX_KERNEL=//p' "$LINUX_ENV")
	initrd=$(sed -n 's/^LINUX_INITRD=//p' "$LINUX_ENV")
	WORKLOAD_ARGS=(-M virt -m 256 -rtc base=2025-01-01T00:00:00,clock=vm -seed 1 -nic none
		-no-reboot -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1")
}

# require_workloads NAME...: exits with a message unless every one can run here.
require_workloads() {
	local workload
	for workload in "$@"; do
		declare -F "workload_$workload" >/dev/null ||
			{ say "unknown workload $workload"; exit 2; }
		[ "$workload" != linux ] || [ -r "$LINUX_ENV" ] ||
			{ say "no riscv64 Linux guest ($LINUX_ENV): run 'bash scripts/setup-foreign-guest.sh riscv64' as root, or leave linux out of WORKLOADS"; exit 1; }
	done
}
