/* SPDX-License-Identifier: MIT */
/*
 * libtimesync: the participant side of qemu-timesync, also used by the QEMU plugin.
 *
 * Every function returns 0 (or a count) on success and a negative value on failure:
 * either a negative errno value or one of the TS_E* codes below. ts_strerror() turns
 * any of them into text, ts_err_name() into a name. The library keeps no global state.
 */
#ifndef TIMESYNC_H
#define TIMESYNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What libtimesync.so exports. The library is built with hidden symbols and
 * TS_BUILDING_SHARED, so that its internals (ts__, lib/internal.h) stay inside it.
 */
#if defined(TS_BUILDING_SHARED) && defined(__GNUC__)
#define TS_EXTERN __attribute__((visibility("default")))
#else
#define TS_EXTERN
#endif

/*
 * Every TS_E* error code, in one table: name, value (beyond errno's range, so one int
 * carries either), text. It makes the constants, ts_strerror() and ts_err_name(). After
 * TS_EPROTO and TS_EVERSION ts_session_error() says more, after TS_EGOODBYE
 * ts_session_goodbye() says why the other end left.
 */
#define TS_ERRNO_MAP(XX)                                                          \
	XX(TS_EOF, -10001, "the other end closed the connection")                 \
	XX(TS_ENOTFIFO, -10002, "exists but is not a FIFO (named pipe)")          \
	XX(TS_EPROTO, -10003, "the other end broke the protocol")                 \
	XX(TS_EDANGLING, -10004, "is a symbolic link to nothing")                 \
	XX(TS_EVERSION, -10005, "the other end speaks another protocol version")  \
	XX(TS_EGOODBYE, -10006, "the other end said goodbye")                     \
	XX(TS_EINUSE, -10007, "is in use by another guest or participant")

enum ts_errno {
#define TS_ERRNO_CONSTANT(name, value, text) name = (value),
	TS_ERRNO_MAP(TS_ERRNO_CONSTANT)
#undef TS_ERRNO_CONSTANT
};

/* Text for an error returned by any ts_ function (negative errno or TS_E*). */
TS_EXTERN const char *ts_strerror(int err);

/* Room for any name ts_err_name() writes, its NUL included. */
#define TS_ERR_NAME_SIZE 16

/*
 * The symbolic name of an error returned by any ts_ function: "TS_EOF", ... for the codes
 * above, for a negative errno value its name ("ENOENT") where the C library can tell,
 * else "E" and -err ("E4095"), written to buf (len bytes, TS_ERR_NAME_SIZE are enough).
 */
TS_EXTERN const char *ts_err_name(int err, char *buf, size_t len);

/* Monotonic wall-clock time in nanoseconds. */
TS_EXTERN uint64_t ts_now_ns(void);

/*
 * How a session waits for the other end: to send or receive a record it spins (checks
 * without blocking) for up to spin_ns; then, and to connect, it blocks in slices of
 * slice_ms (0: 100). After each slice keep_waiting(arg), when set, is called: a negative
 * return value ends the wait with that error (e.g. -ETIMEDOUT).
 */
struct ts_wait {
	uint64_t spin_ns;
	int slice_ms;
	int (*keep_waiting)(void *arg);
	void *arg;
};

/*
 * Makes sure path is a FIFO: creates it with owner-only permissions (0600) when it does
 * not exist; TS_ENOTFIFO when something else (file, directory, ...) is there, TS_EDANGLING
 * for a symbolic link to nothing. Overwrites, deletes and follows into nothing else.
 */
TS_EXTERN int ts_fifo_ensure(const char *path);

/*
 * The transport between the guest end (the QEMU plugin) and the participant end: FIFOs,
 * a Unix-domain stream socket or shared memory. Either end may start first.
 */
enum ts_transport { TS_TRANSPORT_FIFO, TS_TRANSPORT_SOCKET, TS_TRANSPORT_SHM };
enum ts_role { TS_ROLE_GUEST, TS_ROLE_PARTICIPANT };

/* Where a session's link goes and how it waits, part of struct ts_session_config. */
struct ts_link_config {
	enum ts_transport transport;
	const char *host_to_guest; /* FIFO: participant writes, guest reads */
	const char *guest_to_host; /* FIFO: guest writes, participant reads */
	const char *path;          /* socket, or shared-memory file (e.g. under /dev/shm) */
	struct ts_wait wait;       /* how connect, send and receive wait: spin, slices */
};

/* "fifo", "socket" or "shm" (any case) to *out; -EINVAL for anything else. */
TS_EXTERN int ts_transport_parse(const char *name, enum ts_transport *out);

/*
 * The name of a transport ("fifo", "socket", "shm"), as ts_transport_parse reads it; NULL
 * for a value that is no transport, so that counting up from TS_TRANSPORT_FIFO until NULL
 * lists them all.
 */
TS_EXTERN const char *ts_transport_name(enum ts_transport transport);

/*
 * Who holds a FIFO pair or socket path (cfg) for role: the process id of the guest (QEMU)
 * or participant whose session has it, or a negative error (-ECONNREFUSED: nobody), and
 * for messages "process 1234 (qemu-system-ris)" in text (len bytes). For the message
 * after ts_session_open() refused the link with TS_EINUSE.
 */
TS_EXTERN int ts_link_holder(const struct ts_link_config *cfg, enum ts_role role, char *text,
			     size_t len);

/*
 * Sessions: the protocol on top of a link, for both ends. Protocol 1 is the seed's byte
 * each way (the participant must know the plugin's fixed quantum to know guest time);
 * protocol 2 starts with a HELLO each way (magic, version) and carries time-stamped
 * 64-byte records (include/timesync_proto.h): HALT from the guest, RUN_UNTIL from the
 * participant (any step, so steps may change during a run), GOODBYE from either.
 */
struct ts_session_config {
	struct ts_link_config link; /* transport, paths, waiting */
	int protocol;               /* 1 or 2 */
	uint64_t quantum_ns;        /* the plugin's quantum: v1 participants count with it */
	uint64_t capabilities;      /* v2: the TS_CAP_* bits this end's HELLO announces */
};

struct ts_session;
struct ts_halt;
struct ts_goodbye;

/*
 * Prepares a session for role without blocking: FIFOs are made sure of (as by
 * ts_fifo_ensure), FIFO pairs and socket paths are claimed for this end (TS_EINUSE while
 * another guest, or another participant, has them: see ts_link_holder), the guest end
 * listens on its socket or creates its shared-memory file. A path that is not a socket is
 * refused with -ENOTSOCK, a shared-memory path that is not a link file with -EEXIST, one
 * in use by a live guest with -EADDRINUSE; stale ones of a dead guest are replaced.
 */
TS_EXTERN int ts_session_open(struct ts_session **session, enum ts_role role,
			      const struct ts_session_config *cfg);

/*
 * Waits for the other end, as cfg->link.wait says; in protocol 2 exchanges HELLOs
 * (TS_EVERSION on a mismatch). The guest end removes its socket or shared-memory file
 * once the participant is there.
 */
TS_EXTERN int ts_session_connect(struct ts_session *session);

/* Participant: waits until the guest halts; fills *halt (guest time, instructions, ...). */
TS_EXTERN int ts_session_wait_halt(struct ts_session *session, struct ts_halt *halt);

/* Participant: lets the guest run until guest time until_ns (protocol 1: one quantum). */
TS_EXTERN int ts_session_run_until(struct ts_session *session, uint64_t until_ns);

/*
 * Participant: lets the guest run for step_ns more than the last grant (not than the
 * halt, which comes up to a block late), so that boundaries stay where the steps put
 * them: with a constant step q they are at exactly k * q, however late each halt was.
 * Before the first grant the last one is the guest's first boundary, its quantum from
 * HELLO. Steps may change from grant to grant. When the guest has run past whole steps,
 * the grant is the first point after the halt on that grid of steps. -EINVAL for a step
 * of 0 or one beyond UINT64_MAX ns; protocol 1: one quantum, whatever step_ns.
 */
TS_EXTERN int ts_session_run_for(struct ts_session *session, uint64_t step_ns);

/* Guest: tells the participant the guest halted. */
TS_EXTERN int ts_session_send_halt(struct ts_session *session, const struct ts_halt *halt);

/* Guest: waits for the participant's grant (*until_ns; 0 in protocol 1: one quantum). */
TS_EXTERN int ts_session_wait_grant(struct ts_session *session, uint64_t *until_ns);

/* Says goodbye (protocol 2, unless reason is 0) with a reason and text, then closes. */
TS_EXTERN void ts_session_close(struct ts_session *session, uint32_t reason, const char *text);

/*
 * The protocol in use; the guest's quantum and TS_CAP_* bits (timesync_proto.h) from its
 * HELLO (protocol 2, else 0; on the guest end: those of the participant's HELLO).
 */
TS_EXTERN int ts_session_protocol(const struct ts_session *session);
TS_EXTERN uint64_t ts_session_guest_quantum_ns(const struct ts_session *session);
TS_EXTERN uint64_t ts_session_guest_capabilities(const struct ts_session *session);

/*
 * Guest, protocol 1: bytes that were already there before a halt (a participant that
 * answers with more than one byte, e.g. "c\n" from echo) and were dropped, so that each
 * halt is released by one answer; *halts (when not NULL): before how many halts.
 */
TS_EXTERN uint64_t ts_session_stale_bytes(const struct ts_session *session, uint64_t *halts);

/*
 * How long the session's next waits spin (check without blocking) before they block, as
 * cfg->link.wait.spin_ns at open: e.g. to follow how fast the other end answers.
 */
TS_EXTERN void ts_session_set_spin(struct ts_session *session, uint64_t spin_ns);

/* What the other end said when it left (after TS_EGOODBYE), or NULL. */
TS_EXTERN const struct ts_goodbye *ts_session_goodbye(const struct ts_session *session);

/* Details of the last TS_EPROTO or TS_EVERSION, for messages. */
TS_EXTERN const char *ts_session_error(const struct ts_session *session);

#ifdef __cplusplus
}
#endif

#endif
