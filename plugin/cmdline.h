/* SPDX-License-Identifier: MIT */
/*
 * What the plugin needs to know from QEMU's own command line, which it reads from
 * /proc/self/cmdline (it runs inside QEMU): the -icount settings and -rtc clock.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct qemu_cmdline {
	bool icount;     /* -icount with a shift: instruction counting is on */
	bool shift_auto; /* -icount shift=auto: time follows the host, not instructions */
	unsigned shift;  /* one instruction = 2^shift ns */
	bool sleep;      /* sleep=on (QEMU's default): idle time passes in real time */
	bool rtc_host;   /* -rtc clock=host given: the RTC follows the host's clock */
};

/*
 * Parses a NUL-separated argument list (the contents of /proc/self/cmdline, len bytes).
 * Returns 0, or -1 with a message in err for an -icount value QEMU would not run with.
 */
int qemu_cmdline_parse(const char *args, size_t len, struct qemu_cmdline *out, char *err,
		       size_t err_len);

/*
 * What QEMU's own command line (/proc/self/cmdline) says about time, told with messages:
 * without -icount there is no guest time to synchronize (refused when require_icount),
 * shift=auto ties it to the host (refused); sleep=on and -rtc clock=host let host time
 * leak in (warnings). Returns the shift, or -1 to refuse to start.
 */
int qemu_cmdline_check(bool require_icount);

#endif
