/* SPDX-License-Identifier: MIT */
/*
 * libtimesync: the participant side of qemu-timesync, also used by the QEMU plugin.
 *
 * Every function returns 0 (or a count) on success and a negative value on failure:
 * either a negative errno value or one of the TS_E* codes below. ts_strerror() turns
 * any of them into text. The library keeps no global state.
 */
#ifndef TIMESYNC_H
#define TIMESYNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes beyond errno's range. */
#define TS_EOF      (-10001) /* the other end closed the connection */
#define TS_ENOTFIFO (-10002) /* the path exists but is not a FIFO */
#define TS_EPROTO   (-10003) /* the other end sent something the protocol does not allow */
#define TS_EDANGLING (-10004) /* the path is a symbolic link to nothing */

/* Text for an error returned by any ts_ function (negative errno or TS_E*). */
const char *ts_strerror(int err);

/* Monotonic wall-clock time in nanoseconds. */
uint64_t ts_now_ns(void);

/*
 * How to wait for a file descriptor: spin (non-blocking polls) for up to spin_ns, then
 * block in slices of slice_ms. After each slice keep_waiting(arg), when set, is called:
 * a negative return value ends the wait with that error (e.g. -ETIMEDOUT).
 */
struct ts_wait {
	uint64_t spin_ns;
	int slice_ms;
	int (*keep_waiting)(void *arg);
	void *arg;
};

/*
 * Waits until fd has data to read (POLLIN). Returns 0 when it has, TS_EOF when the
 * writer closed it and no data is left, or the negative value keep_waiting returned.
 */
int ts_wait_readable(int fd, const struct ts_wait *wait);

/* Writes all len bytes, retrying on EINTR, short writes and EAGAIN. -EPIPE: reader gone. */
int ts_write_full(int fd, const void *buf, size_t len, const struct ts_wait *wait);

/* Reads exactly len bytes (waiting as in ts_wait_readable). TS_EOF if the writer closed. */
int ts_read_full(int fd, void *buf, size_t len, const struct ts_wait *wait);

/*
 * Makes sure path is a FIFO: creates it with owner-only permissions (0600) when it does
 * not exist; TS_ENOTFIFO when something else (file, directory, ...) is there, TS_EDANGLING
 * for a symbolic link to nothing. Overwrites, deletes and follows into nothing else.
 */
int ts_fifo_ensure(const char *path);

/*
 * The two ends of the seed's FIFO pair. Both open without blocking the process, waiting
 * (as told by wait) for the other end, so either side may start first:
 *   guest end (the QEMU plugin): host_to_guest for reading, then guest_to_host for writing;
 *   participant end: host_to_guest for writing, then guest_to_host for reading, the order
 *   in which the seed's participant opens them.
 * On success *read_fd and *write_fd are non-blocking descriptors.
 */
int ts_fifo_open_guest_end(const char *host_to_guest, const char *guest_to_host,
			   const struct ts_wait *wait, int *read_fd, int *write_fd);
int ts_fifo_open_participant_end(const char *host_to_guest, const char *guest_to_host,
				 const struct ts_wait *wait, int *read_fd, int *write_fd);

#ifdef __cplusplus
}
#endif

#endif
