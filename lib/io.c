/* SPDX-License-Identifier: MIT */
/* Waiting, reading and writing on non-blocking descriptors: EINTR, short transfers. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

uint64_t ts_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One poll(); 1 ready, 0 not yet, negative on error or hang-up without data. */
static int poll_once(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	if (pfd.revents & events)
		return 1;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	if (pfd.revents & POLLERR)
		return events == POLLOUT ? -EPIPE : -EIO;
	return TS_EOF; /* POLLHUP without data */
}

static int wait_fd(int fd, short events, const struct ts_wait *wait)
{
	uint64_t spin_end = ts_now_ns() + (wait ? wait->spin_ns : 0);
	int slice_ms = wait && wait->slice_ms > 0 ? wait->slice_ms : 100;
	int ret;

	do {
		ret = poll_once(fd, events, 0);
		if (ret)
			return ret < 0 ? ret : 0;
	} while (ts_now_ns() < spin_end);

	for (;;) {
		ret = poll_once(fd, events, slice_ms);
		if (ret)
			return ret < 0 ? ret : 0;
		if (wait && wait->keep_waiting) {
			ret = wait->keep_waiting(wait->arg);
			if (ret < 0)
				return ret;
		}
	}
}

static int wait_readable(int fd, const struct ts_wait *wait)
{
	return wait_fd(fd, POLLIN, wait);
}

int ts__write_full(int fd, const void *buf, size_t len, const struct ts_wait *wait)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			int ret = wait_fd(fd, POLLOUT, wait);
			if (ret < 0)
				return ret == TS_EOF ? -EPIPE : ret;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ts__read_full(int fd, void *buf, size_t len, const struct ts_wait *wait)
{
	char *p = buf;

	/*
	 * Wait before reading: a FIFO whose writer has not opened it yet reads as EOF, while
	 * poll() reports a hang-up only once a writer has come and gone.
	 */
	while (len > 0) {
		int ret = wait_readable(fd, wait);

		if (ret < 0)
			return ret;
		ssize_t n = read(fd, p, len);
		if (n == 0)
			return TS_EOF;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
