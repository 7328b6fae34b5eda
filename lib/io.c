/* SPDX-License-Identifier: MIT */
/* Reading and writing on non-blocking descriptors: EINTR, short transfers, waiting. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* What a wait for a descriptor waits for. */
struct fd_events {
	int fd;
	short events;
};

/* One poll(): 0 ready, -EAGAIN not yet, negative on an error or a hang-up without data. */
static int poll_fd(void *arg, int timeout_ms)
{
	const struct fd_events *want = arg;
	struct pollfd pfd = { .fd = want->fd, .events = want->events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if (n == 0)
		return -EAGAIN;
	if (pfd.revents & want->events)
		return 0;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	if (pfd.revents & POLLERR)
		return want->events == POLLOUT ? -EPIPE : -EIO;
	return TS_EOF; /* POLLHUP without data */
}

static int wait_fd(int fd, short events, const struct ts_wait *wait)
{
	struct fd_events want = { .fd = fd, .events = events };

	return ts__wait_until(poll_fd, &want, wait ? wait->spin_ns : 0, TS__NAP_WHOLE_SLICE, wait);
}

/* write(2), or send(2) for a socket: what write_all moves the bytes with. */
typedef ssize_t write_fn(int fd, const void *buf, size_t len);

static int write_all(int fd, const void *buf, size_t len, const struct ts_wait *wait,
		     write_fn *write_some)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write_some(fd, p, len);

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

int ts__write_full(int fd, const void *buf, size_t len, const struct ts_wait *wait)
{
	return write_all(fd, buf, len, wait, write);
}

static ssize_t send_without_sigpipe(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL);
}

int ts__socket_send(int fd, const void *buf, size_t len, const struct ts_wait *wait)
{
	return write_all(fd, buf, len, wait, send_without_sigpipe);
}

/* What a read waits for: the bytes still to come. */
struct read_state {
	int fd;
	char *p;
	size_t len;
};

/*
 * One check of a read: 0 when all bytes are in, -EAGAIN not yet. A spin (timeout_ms 0)
 * costs one read() per round: no poll() first. A read of 0 bytes is ambiguous on a FIFO
 * (its writer closed, or has not opened it yet: poll() reports a hang-up only once a
 * writer has come and gone), so then poll() decides, as it does when the check may block.
 */
static int read_some(void *arg, int timeout_ms)
{
	struct read_state *r = arg;
	struct fd_events want = { .fd = r->fd, .events = POLLIN };
	ssize_t n = read(r->fd, r->p, r->len);
	int ret;

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n < 0 && timeout_ms == 0)
		return -EAGAIN;
	if (n <= 0) {
		ret = poll_fd(&want, timeout_ms);
		if (ret < 0)
			return ret;
		n = read(r->fd, r->p, r->len);
		if (n == 0)
			return TS_EOF;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	}
	r->p += n;
	r->len -= (size_t)n;
	return r->len ? -EAGAIN : 0;
}

int ts__read_full(int fd, void *buf, size_t len, const struct ts_wait *wait)
{
	struct read_state r = { .fd = fd, .p = buf, .len = len };

	if (len == 0)
		return 0;
	return ts__wait_until(read_some, &r, wait ? wait->spin_ns : 0, TS__NAP_WHOLE_SLICE, wait);
}
