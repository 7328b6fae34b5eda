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

/*
 * Links: fixed-size records (1 byte in protocol v1, 64 in v2) between the guest end (the
 * QEMU plugin) and the participant end, over FIFOs, a Unix-domain stream socket or shared
 * memory. Either end may start first. TS_EOF from send or receive means the other end
 * closed the link or died. A link is not thread-safe: use it from one thread at a time.
 */
#define TS_LINK_RECORD_MAX 64 /* bytes; records are 1 .. TS_LINK_RECORD_MAX long */

enum ts_transport { TS_TRANSPORT_FIFO, TS_TRANSPORT_SOCKET, TS_TRANSPORT_SHM };
enum ts_role { TS_ROLE_GUEST, TS_ROLE_PARTICIPANT };

struct ts_link_config {
	enum ts_transport transport;
	const char *host_to_guest; /* FIFO: participant writes, guest reads */
	const char *guest_to_host; /* FIFO: guest writes, participant reads */
	const char *path;          /* socket, or shared-memory file (e.g. under /dev/shm) */
	struct ts_wait wait;       /* how connect, send and receive wait: spin, slices */
};

struct ts_link;

/* "fifo", "socket" or "shm" (any case) to *out; -EINVAL for anything else. */
int ts_transport_parse(const char *name, enum ts_transport *out);

/*
 * Makes a link for role from cfg (copied) without blocking: FIFOs are made sure of (as by
 * ts_fifo_ensure), the guest end listens on its socket or creates its shared-memory file.
 * A path that is not a socket is refused with -ENOTSOCK, a shared-memory path that is not
 * a link file with -EEXIST, one in use by a live guest with -EADDRINUSE; stale ones of a
 * dead guest are replaced.
 */
int ts_link_prepare(struct ts_link **link, enum ts_role role, const struct ts_link_config *cfg);

/*
 * Waits for the other end, as cfg->wait says. The guest end removes its socket or
 * shared-memory file once the participant is there.
 */
int ts_link_connect(struct ts_link *link);

/* Sends one record of len bytes (1 .. TS_LINK_RECORD_MAX). TS_EOF: the other end is gone. */
int ts_link_send(struct ts_link *link, const void *rec, size_t len);

/* Receives one record of exactly len bytes. TS_EOF when the other end closed or died. */
int ts_link_recv(struct ts_link *link, void *rec, size_t len);

/* Closes the link (the other end then gets TS_EOF) and removes a file the link created. */
void ts_link_close(struct ts_link *link);

/*
 * The socket transport alone. None of these blocks: -EAGAIN means "not yet, try again".
 * ts_socket_listen: the guest end binds and listens at path (mode 0600), replacing a stale
 * socket; -ENOTSOCK if path is something else, -EADDRINUSE if someone listens there.
 * ts_socket_accept: a connection, or -EAGAIN while nobody has connected.
 * ts_socket_connect: connects to path, -EAGAIN while nobody listens there yet.
 * All descriptors are non-blocking and close-on-exec.
 */
int ts_socket_listen(const char *path, int *listen_fd);
int ts_socket_accept(int listen_fd, int *fd);
int ts_socket_connect(const char *path, int *fd);

/* Like ts_write_full, but raises no SIGPIPE: -EPIPE when the other end is gone. */
int ts_socket_send(int fd, const void *buf, size_t len, const struct ts_wait *wait);

/*
 * The shared-memory transport alone: one file, one single-slot ring per direction.
 * ts_shm_create: the guest end creates path (mode 0600), replacing the file of a dead guest.
 * ts_shm_accept: 0 once a participant joined (path is then removed), -EAGAIN before.
 * ts_shm_join: the participant end maps path; -EAGAIN while there is no live guest's file,
 * -EADDRINUSE when another participant has joined it.
 * ts_shm_send, ts_shm_recv: one record, waiting as wait says; TS_EOF when the other end
 * closed or died (found out within 100 ms while waiting).
 * ts_shm_close: the other end then gets TS_EOF.
 */
struct ts_shm;
int ts_shm_create(struct ts_shm **shm, const char *path);
int ts_shm_accept(struct ts_shm *shm);
int ts_shm_join(struct ts_shm **shm, const char *path);
int ts_shm_send(struct ts_shm *shm, const void *rec, size_t len, const struct ts_wait *wait);
int ts_shm_recv(struct ts_shm *shm, void *rec, size_t len, const struct ts_wait *wait);
void ts_shm_close(struct ts_shm *shm);

/*
 * Sessions: the protocol on top of a link, for both ends. Protocol 1 is the seed's byte
 * each way (the participant must know the plugin's fixed quantum to know guest time);
 * protocol 2 starts with a HELLO each way (magic, version) and carries time-stamped
 * 64-byte records (include/timesync_proto.h): HALT from the guest, RUN_UNTIL from the
 * participant (any step, so steps may change during a run), GOODBYE from either.
 */
#define TS_EGOODBYE (-10006) /* the other end said goodbye: see ts_session_goodbye() */

struct ts_session_config {
	struct ts_link_config link; /* transport, paths, waiting */
	int protocol;               /* 1 or 2 */
	uint64_t quantum_ns;        /* the plugin's quantum: v1 participants count with it */
};

struct ts_session;
struct ts_halt;
struct ts_goodbye;

/* Prepares a session for role without blocking (ts_link_prepare). */
int ts_session_open(struct ts_session **session, enum ts_role role,
		    const struct ts_session_config *cfg);

/* Waits for the other end; in protocol 2 exchanges HELLOs (TS_EVERSION on a mismatch). */
int ts_session_connect(struct ts_session *session);

/* Participant: waits until the guest halts; fills *halt (guest time, instructions, ...). */
int ts_session_wait_halt(struct ts_session *session, struct ts_halt *halt);

/* Participant: lets the guest run until guest time until_ns (protocol 1: one quantum). */
int ts_session_run_until(struct ts_session *session, uint64_t until_ns);

/* Guest: tells the participant the guest halted. */
int ts_session_send_halt(struct ts_session *session, const struct ts_halt *halt);

/* Guest: waits for the participant's grant (*until_ns; 0 in protocol 1: one quantum). */
int ts_session_wait_grant(struct ts_session *session, uint64_t *until_ns);

/* Says goodbye (protocol 2, unless reason is 0) with a reason and text, then closes. */
void ts_session_close(struct ts_session *session, uint32_t reason, const char *text);

/* The protocol in use; the guest's quantum from its HELLO (protocol 2, else 0). */
int ts_session_protocol(const struct ts_session *session);
uint64_t ts_session_guest_quantum_ns(const struct ts_session *session);

/* What the other end said when it left (after TS_EGOODBYE), or NULL. */
const struct ts_goodbye *ts_session_goodbye(const struct ts_session *session);

/* Details of the last TS_EPROTO or TS_EVERSION, for messages. */
const char *ts_session_error(const struct ts_session *session);

#ifdef __cplusplus
}
#endif

#endif
