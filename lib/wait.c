/* SPDX-License-Identifier: MIT */
/* Time and waiting: the library's one wait loop, for every transport. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <time.h>

#include "internal.h"

/* Slices last this long when struct ts_wait does not say. */
#define DEFAULT_SLICE_MS 100
/* Between checks that cannot block. */
#define RETRY_PAUSE_NS 1000000

uint64_t ts_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t slice_ns(const struct ts_wait *wait)
{
	int slice_ms = wait && wait->slice_ms > 0 ? wait->slice_ms : DEFAULT_SLICE_MS;

	return (uint64_t)slice_ms * 1000000u;
}

/* How long the next check may block: up to the slice's end (rounded up), at most nap_ms. */
static int check_timeout_ms(uint64_t slice_end_ns, int nap_ms)
{
	uint64_t now_ns = ts_now_ns();
	uint64_t left_ms = now_ns < slice_end_ns ? (slice_end_ns - now_ns + 999999) / 1000000 : 1;

	return left_ms < (uint64_t)nap_ms ? (int)left_ms : nap_ms;
}

int ts__wait_until(ts__check_fn *check, void *arg, uint64_t spin_ns, int nap_ms,
		   const struct ts_wait *wait)
{
	const struct timespec pause = { .tv_nsec = RETRY_PAUSE_NS };
	uint64_t slice_end_ns;
	int ret;

	if (spin_ns) {
		uint64_t spin_end_ns = ts_now_ns() + spin_ns;

		do {
			ret = check(arg, 0);
			if (ret != -EAGAIN)
				return ret;
		} while (ts_now_ns() < spin_end_ns);
	}
	slice_end_ns = ts_now_ns() + slice_ns(wait);
	for (;;) {
		ret = check(arg, nap_ms == TS__NAP_NONE ? 0 : check_timeout_ms(slice_end_ns, nap_ms));
		if (ret != -EAGAIN)
			return ret;
		if (nap_ms == TS__NAP_NONE)
			nanosleep(&pause, NULL);
		if (ts_now_ns() < slice_end_ns)
			continue;
		if (wait && wait->keep_waiting) {
			ret = wait->keep_waiting(wait->arg);
			if (ret < 0)
				return ret;
		}
		slice_end_ns = ts_now_ns() + slice_ns(wait);
	}
}
