/* SPDX-License-Identifier: MIT */
/* The seed's transport: a pair of FIFOs, one byte each way per sync. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int ts_fifo_ensure(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISFIFO(st.st_mode) ? 0 : TS_ENOTFIFO;
	if (errno != ENOENT)
		return -errno;
	if (mkfifo(path, 0600) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* stat() saw nothing but mkfifo() found a name: a dangling symlink, or a race. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) != 0)
		return TS_EDANGLING;
	if (stat(path, &st) != 0)
		return -errno;
	return S_ISFIFO(st.st_mode) ? 0 : TS_ENOTFIFO;
}

/* A FIFO to open, and the descriptor once it is open. */
struct fifo_open {
	const char *path;
	int flags;
	int fd;
};

/* One try; the other end may not be there yet (O_WRONLY|O_NONBLOCK gives ENXIO). */
static int try_open(void *arg, int timeout_ms)
{
	struct fifo_open *fifo = arg;
	struct stat st;
	int fd = open(fifo->path, fifo->flags | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno == ENXIO || errno == EINTR ? -EAGAIN : -errno;
	if (fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return TS_ENOTFIFO;
	}
	fifo->fd = fd;
	return 0;
}

/* Opens a FIFO, waiting for its other end; the descriptor or a negative error. */
static int open_waiting(const char *path, int flags, const struct ts_wait *wait)
{
	struct fifo_open fifo = { .path = path, .flags = flags, .fd = -1 };
	int ret = ts__wait_until(try_open, &fifo, 0, TS__NAP_NONE, wait);

	return ret < 0 ? ret : fifo.fd;
}

static int open_pair(const char *first, int first_flags, const char *second, int second_flags,
		     const struct ts_wait *wait, int *first_fd, int *second_fd)
{
	int a = open_waiting(first, first_flags, wait);

	if (a < 0)
		return a;
	int b = open_waiting(second, second_flags, wait);
	if (b < 0) {
		close(a);
		return b;
	}
	*first_fd = a;
	*second_fd = b;
	return 0;
}

int ts__fifo_open_guest_end(const char *host_to_guest, const char *guest_to_host,
			    const struct ts_wait *wait, int *read_fd, int *write_fd)
{
	return open_pair(host_to_guest, O_RDONLY, guest_to_host, O_WRONLY, wait, read_fd, write_fd);
}

int ts__fifo_open_participant_end(const char *host_to_guest, const char *guest_to_host,
				  const struct ts_wait *wait, int *read_fd, int *write_fd)
{
	return open_pair(host_to_guest, O_WRONLY, guest_to_host, O_RDONLY, wait, write_fd, read_fd);
}
