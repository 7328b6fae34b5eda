/* SPDX-License-Identifier: MIT */
/*
 * guest-clock: prints the guest's two clocks on one line, read back to back:
 *
 *   guest: clock tsc_ns=1609873429 uptime_ns=1626112345       (x86_64)
 *   guest: clock cntvct_ns=1609873429 uptime_ns=1626112345    (aarch64)
 *   guest: clock time_ns=1609873400 uptime_ns=1626112345      (riscv64)
 *
 * tsc_ns is the time stamp counter. Under `-icount` QEMU's TCG returns its virtual clock
 * in nanoseconds for rdtsc (cpu_get_tsc -> icount_get), so this is the guest time that the
 * plugin counts in instructions, read without the kernel in between. On aarch64 the
 * generic timer's virtual counter CNTVCT_EL0 is that clock too, in ticks of CNTFRQ_EL0
 * (62.5 MHz on cortex-a57, 1 GHz on -cpu max; no CNTVOFF without EL2): cntvct_ns is it in
 * ns. On riscv64 the time CSR (rdtime) counts the ACLINT's mtime, QEMU's virtual clock in
 * ticks of 10 MHz on the virt machine: time_ns is it in ns, to 100 ns. uptime_ns is
 * CLOCK_BOOTTIME, the clock behind /proc/uptime, at full resolution.
 *
 * Freestanding (no libc): built with clang for x86_64, aarch64 or riscv64 Linux, static, run from
 * busybox.
 */
#define CLOCK_BOOTTIME 7

struct timespec_k {
	long tv_sec;
	long tv_nsec;
};

#if defined(__x86_64__)
#define SYS_write 1
#define SYS_exit 60
#define SYS_clock_gettime 228
#define CLOCK_FIELD "tsc_ns"
/* The kernel enters _start with a 16-byte aligned stack, not the call ABI's layout. */
#define ENTRY __attribute__((noreturn, force_align_arg_pointer))

static long syscall3(long number, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(number), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The TSC counts ns under -icount. */
static unsigned long read_clock_ns(void)
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long)hi << 32) | lo;
}
#elif defined(__aarch64__)
#define SYS_write 64
#define SYS_exit 93
#define SYS_clock_gettime 113
#define CLOCK_FIELD "cntvct_ns"
#define ENTRY __attribute__((noreturn)) /* sp is 16-byte aligned at entry, as the ABI wants */

static long syscall3(long number, long a, long b, long c)
{
	register long x8 __asm__("x8") = number;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

/* CNTVCT_EL0 in ns; the isb keeps the read from being taken early. */
static unsigned long read_clock_ns(void)
{
	unsigned long ticks, hz;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(ticks));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return ticks / hz * 1000000000ul + ticks % hz * 1000000000ul / hz;
}
#elif defined(__riscv) && __riscv_xlen == 64
#define SYS_write 64
#define SYS_exit 93
#define SYS_clock_gettime 113
#define CLOCK_FIELD "time_ns"
#define ENTRY __attribute__((noreturn)) /* sp is 16-byte aligned at entry, as the ABI wants */
/* The virt machine's timebase-frequency (its device tree): the ACLINT's mtime rate. */
#define TIME_HZ 10000000ul

static long syscall3(long number, long a, long b, long c)
{
	register long a7 __asm__("a7") = number;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
	return a0;
}

/* The time CSR in ns. */
static unsigned long read_clock_ns(void)
{
	unsigned long ticks;

	__asm__ volatile("rdtime %0" : "=r"(ticks));
	return ticks * (1000000000ul / TIME_HZ);
}
#else
#error "guest-clock: x86_64, aarch64 or riscv64 only"
#endif

/* Appends the decimal digits of value at *pos. */
static void put_decimal(char **pos, unsigned long value)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (n)
		*(*pos)++ = digits[--n];
}

static void put_text(char **pos, const char *text)
{
	while (*text)
		*(*pos)++ = *text++;
}

ENTRY void _start(void)
{
	struct timespec_k boot = { 0, 0 };
	char line[96];
	char *pos = line;

	unsigned long clock_ns = read_clock_ns();
	long ret = syscall3(SYS_clock_gettime, CLOCK_BOOTTIME, (long)&boot, 0);

	put_text(&pos, "guest: clock " CLOCK_FIELD "=");
	put_decimal(&pos, clock_ns);
	put_text(&pos, " uptime_ns=");
	put_decimal(&pos, (unsigned long)boot.tv_sec * 1000000000ul + (unsigned long)boot.tv_nsec);
	*pos++ = '\n';
	syscall3(SYS_write, 1, (long)line, pos - line);
	syscall3(SYS_exit, ret == 0 ? 0 : 1, 0, 0);
	__builtin_unreachable();
}
