/* SPDX-License-Identifier: MIT */
/*
 * libtimesync's internals: the link and the transports under it. Not API: only lib/ and
 * the tests that drive a link directly include this header. Every name here has the
 * prefix ts__; the public ones (ts_) are in include/timesync.h.
 */
#ifndef TIMESYNC_INTERNAL_H
#define TIMESYNC_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "timesync.h"

/*
 * One look at what a wait waits for: 0 when it has happened, -EAGAIN for "not yet",
 * another negative value for an error that ends the wait. A check that can (poll, futex)
 * blocks for up to timeout_ms; with timeout_ms 0 it does not block.
 */
typedef int ts__check_fn(void *arg, int timeout_ms);

#define TS__NAP_NONE 0              /* the check cannot block: pause 1 ms between checks */
#define TS__NAP_WHOLE_SLICE INT_MAX /* the check may block until the slice ends */

/*
 * The library's one wait loop: checks without blocking for spin_ns (0: not at all), then
 * lets each check block for up to nap_ms, never past the end of a slice of wait->slice_ms
 * (0, or no wait: 100 ms). After every slice wait->keep_waiting, when set, says whether to
 * go on. Returns the first answer of check other than -EAGAIN, or keep_waiting's error.
 */
int ts__wait_until(ts__check_fn *check, void *arg, uint64_t spin_ns, int nap_ms,
		   const struct ts_wait *wait);

/* Writes all len bytes, retrying on EINTR, short writes and EAGAIN. -EPIPE: reader gone. */
int ts__write_full(int fd, const void *buf, size_t len, const struct ts_wait *wait);

/* Like ts__write_full on a socket, but raises no SIGPIPE: -EPIPE when the other end is gone. */
int ts__socket_send(int fd, const void *buf, size_t len, const struct ts_wait *wait);

/* Reads exactly len bytes, waiting as wait says. TS_EOF if the writer closed. */
int ts__read_full(int fd, void *buf, size_t len, const struct ts_wait *wait);

/*
 * The two ends of the seed's FIFO pair. Both open without blocking the process, waiting
 * (as told by wait) for the other end, so either side may start first:
 *   guest end (the QEMU plugin): host_to_guest for reading, then guest_to_host for writing;
 *   participant end: host_to_guest for writing, then guest_to_host for reading, the order
 *   in which the seed's participant opens them.
 * On success *read_fd and *write_fd are non-blocking descriptors.
 */
int ts__fifo_open_guest_end(const char *host_to_guest, const char *guest_to_host,
			    const struct ts_wait *wait, int *read_fd, int *write_fd);
int ts__fifo_open_participant_end(const char *host_to_guest, const char *guest_to_host,
				  const struct ts_wait *wait, int *read_fd, int *write_fd);

/*
 * Links: fixed-size records (1 byte in protocol v1, 64 in v2) between the guest end (the
 * QEMU plugin) and the participant end, over FIFOs, a Unix-domain stream socket or shared
 * memory. Either end may start first. TS_EOF from send or receive means the other end
 * closed the link or died. A link is not thread-safe: use it from one thread at a time.
 */
/*
 * Claims a FIFO pair or socket path for role (lib/claim.c, ts_link_holder): *claim_fd
 * holds the claim until it is closed. TS_EINUSE when another process has it.
 */
int ts__claim(const struct ts_link_config *cfg, enum ts_role role, int *claim_fd);

#define TS__LINK_RECORD_MAX 64 /* bytes; records are 1 .. TS__LINK_RECORD_MAX long */

struct ts__link;

/*
 * Makes a link for role from cfg (copied) without blocking: FIFOs are made sure of (as by
 * ts_fifo_ensure), the guest end listens on its socket or creates its shared-memory file.
 * A path that is not a socket is refused with -ENOTSOCK, a shared-memory path that is not
 * a link file with -EEXIST, one in use by a live guest with -EADDRINUSE; stale ones of a
 * dead guest are replaced.
 */
int ts__link_prepare(struct ts__link **link, enum ts_role role, const struct ts_link_config *cfg);

/*
 * Waits for the other end, as cfg->wait says. The guest end removes its socket or
 * shared-memory file once the participant is there.
 */
int ts__link_connect(struct ts__link *link);

/* Sends one record of len bytes (1 .. TS__LINK_RECORD_MAX). TS_EOF: the other end is gone. */
int ts__link_send(struct ts__link *link, const void *rec, size_t len);

/* Receives one record of exactly len bytes. TS_EOF when the other end closed or died. */
int ts__link_recv(struct ts__link *link, void *rec, size_t len);

/* Sets how long the link's waits spin before they block (its wait's spin_ns). */
void ts__link_set_spin(struct ts__link *link, uint64_t spin_ns);

/* Closes the link (the other end then gets TS_EOF) and removes a file the link created. */
void ts__link_close(struct ts__link *link);

/*
 * Receives one record of len bytes if one has arrived, without waiting for one: -EAGAIN
 * when none has (always on shared memory), TS_EOF when the other end closed.
 */
int ts__link_try_recv(struct ts__link *link, void *rec, size_t len);

/*
 * The socket transport alone. None of these blocks: -EAGAIN means "not yet, try again".
 * ts__socket_listen: the guest end binds and listens at path (mode 0600), replacing a
 * stale socket; -ENOTSOCK if path is something else, -EADDRINUSE if someone listens there.
 * ts__socket_accept: a connection, or -EAGAIN while nobody has connected.
 * ts__socket_connect: connects to path, -EAGAIN while nobody listens there yet.
 * All descriptors are non-blocking and close-on-exec.
 */
int ts__socket_listen(const char *path, int *listen_fd);
int ts__socket_accept(int listen_fd, int *fd);
int ts__socket_connect(const char *path, int *fd);

/*
 * The shared-memory transport alone: one file, one single-slot ring per direction.
 * ts__shm_create: the guest end creates path (mode 0600), replacing the file of a dead
 * guest.
 * ts__shm_accept: 0 once a participant joined (path is then removed), -EAGAIN before.
 * ts__shm_join: the participant end maps path; -EAGAIN while there is no live guest's
 * file, -EADDRINUSE when another participant has joined it.
 * ts__shm_send, ts__shm_recv: one record, waiting as wait says; TS_EOF when the other end
 * closed or died (found out within 100 ms while waiting).
 * ts__shm_close: the other end then gets TS_EOF.
 */
struct ts__shm;
int ts__shm_create(struct ts__shm **shm, const char *path);
int ts__shm_accept(struct ts__shm *shm);
int ts__shm_join(struct ts__shm **shm, const char *path);
int ts__shm_send(struct ts__shm *shm, const void *rec, size_t len, const struct ts_wait *wait);
int ts__shm_recv(struct ts__shm *shm, void *rec, size_t len, const struct ts_wait *wait);
void ts__shm_close(struct ts__shm *shm);

#endif
