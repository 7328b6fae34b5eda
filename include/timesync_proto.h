/* SPDX-License-Identifier: MIT */
/*
 * Protocol v2 between the QEMU plugin (the guest end) and a participant: the whole wire
 * format, used by both ends.
 *
 * Every message is one 64-byte record, all integers little-endian. The ts_wire_* structs
 * below are the layout (byte arrays only, so no padding and no alignment); the codec
 * reads and writes them byte by byte, never by copying a struct. Reserved bytes are zero
 * on the wire and a record with a nonzero reserved byte is refused, so later versions
 * can give them a meaning.
 *
 * A session: both ends send HELLO first. Then the plugin sends HALT whenever the guest
 * stops and waits for RUN_UNTIL, which says until which guest time it may run. Either
 * end may send GOODBYE at any time and then closes, so nobody has to guess why the
 * other side went quiet.
 */
#ifndef TIMESYNC_PROTO_H
#define TIMESYNC_PROTO_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "timesync.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TS_PROTO_MAGIC   UINT64_C(0x434e5953454d4954) /* "TIMESYNC" on the wire */
#define TS_PROTO_VERSION 2
#define TS_MSG_SIZE      64

/*
 * Message types. 0 is never valid (a zeroed record is an error, not a message);
 * 5..0xff are kept for later versions of this protocol, 0x100..0xffff for extensions
 * announced in HELLO capabilities. A decoder refuses every type it does not know.
 */
#define TS_MSG_HELLO     1 /* both directions, first message */
#define TS_MSG_HALT      2 /* plugin -> participant: the guest has stopped */
#define TS_MSG_RUN_UNTIL 3 /* participant -> plugin: the guest may run until ... */
#define TS_MSG_GOODBYE   4 /* either direction, last message */

/*
 * HELLO capability bits; a receiver ignores bits it does not know. An end announces them
 * in ts_session_config.capabilities, the other end reads them with
 * ts_session_guest_capabilities().
 */
#define TS_CAP_IDLE_TIME (UINT64_C(1) << 0) /* the guest end sees time the guest spent idle */
/*
 * Lookahead: in a guest end's HELLO, its idle HALTs may say until when the guest idled
 * (idle_until_ns); in a participant's HELLO, it reads that field. A HALT carries a nonzero
 * idle_until_ns only when both announced it (older participants refuse the bytes).
 */
#define TS_CAP_LOOKAHEAD (UINT64_C(1) << 1)

/* HALT reasons. */
#define TS_HALT_QUANTUM 1 /* a quantum boundary (k * quantum_ns) was reached */
#define TS_HALT_GRANTED 2 /* the time granted by RUN_UNTIL was reached */

/* HALT flags. */
#define TS_HALT_IDLE (UINT32_C(1) << 0) /* the boundary passed while every vCPU was idle */
/*
 * The guest's own clock went back since the previous HALT (system_reset, a reboot, loadvm):
 * guest time goes on without a jump, and the guest's clock now reads less than it.
 */
#define TS_HALT_CLOCK_RESET (UINT32_C(1) << 1)

/* GOODBYE reasons. */
#define TS_GOODBYE_POWEROFF 1 /* the guest powered itself off */
#define TS_GOODBYE_QUIT     2 /* QEMU is quitting (monitor, signal, ...) */
#define TS_GOODBYE_DONE     3 /* the participant has finished its simulation */
#define TS_GOODBYE_ERROR    4 /* an error; the text says which */
#define TS_GOODBYE_VERSION  5 /* the peer's protocol version is not supported */

/* Room for the GOODBYE text, its NUL terminator included. */
#define TS_GOODBYE_TEXT_SIZE 56

/*
 * HELLO. type, version and magic keep these offsets in every version, so that any
 * version can tell a peer's version from its HELLO.
 */
struct ts_wire_hello {
	uint8_t type[4];         /* TS_MSG_HELLO */
	uint8_t version[4];      /* TS_PROTO_VERSION of the sender */
	uint8_t magic[8];        /* TS_PROTO_MAGIC */
	uint8_t capabilities[8]; /* TS_CAP_* bits the sender supports */
	uint8_t quantum_ns[8];   /* plugin: its configured quantum; participant: 0 */
	uint8_t role[4];         /* enum ts_role of the sender: 0 guest (plugin), 1 participant */
	uint8_t reserved[28];
};

struct ts_wire_halt {
	uint8_t type[4];         /* TS_MSG_HALT */
	uint8_t reason[4];       /* TS_HALT_* */
	uint8_t seq[8];          /* 1 for the first HALT, then +1 each */
	uint8_t guest_ns[8];     /* guest time when it stopped: at or just past the boundary */
	uint8_t instructions[8]; /* instructions executed by all vCPUs so far */
	uint8_t flags[4];        /* TS_HALT_* flag bits; a receiver ignores unknown ones */
	uint8_t idle_until_ns[8]; /* TS_CAP_LOOKAHEAD: see struct ts_halt; else 0 */
	uint8_t reserved[20];
};

struct ts_wire_run_until {
	uint8_t type[4];         /* TS_MSG_RUN_UNTIL */
	uint8_t reserved0[4];
	uint8_t until_ns[8];     /* the guest may run until this guest time, any step */
	uint8_t reserved[48];
};

struct ts_wire_goodbye {
	uint8_t type[4];         /* TS_MSG_GOODBYE */
	uint8_t reason[4];       /* TS_GOODBYE_* */
	char text[TS_GOODBYE_TEXT_SIZE]; /* NUL-terminated, zero after the NUL */
};

/* static_assert: _Static_assert in C11 (by <assert.h>), a keyword for C++ participants. */
static_assert(sizeof(struct ts_wire_hello) == TS_MSG_SIZE, "HELLO is 64 bytes");
static_assert(sizeof(struct ts_wire_halt) == TS_MSG_SIZE, "HALT is 64 bytes");
static_assert(sizeof(struct ts_wire_run_until) == TS_MSG_SIZE, "RUN_UNTIL is 64 bytes");
static_assert(sizeof(struct ts_wire_goodbye) == TS_MSG_SIZE, "GOODBYE is 64 bytes");
static_assert(TS_ROLE_GUEST == 0 && TS_ROLE_PARTICIPANT == 1, "enum ts_role goes on the wire");

/* The host's view of each message: the fields of its ts_wire_* struct, in host order. */
struct ts_hello {
	uint32_t version;
	uint64_t magic;
	uint64_t capabilities;
	uint64_t quantum_ns;
	uint32_t role;
};

struct ts_halt {
	uint32_t reason;
	uint32_t flags;
	uint64_t seq;
	uint64_t guest_ns;
	uint64_t instructions;
	/*
	 * Lookahead (TS_CAP_LOOKAHEAD, an idle HALT): the guest idled until this guest time, and
	 * is there already (QEMU skips idle time at once), so it has nothing to do before it: a
	 * grant may go past it in one step. 0: not known (not idle, or not announced).
	 */
	uint64_t idle_until_ns;
};

struct ts_run_until {
	uint64_t until_ns;
};

struct ts_goodbye {
	uint32_t reason;
	char text[TS_GOODBYE_TEXT_SIZE];
};

/* A message: type selects the member of the union. */
struct ts_msg {
	uint32_t type;
	union {
		struct ts_hello hello;
		struct ts_halt halt;
		struct ts_run_until run_until;
		struct ts_goodbye goodbye;
	};
};

/* Writes msg as a 64-byte record, reserved bytes zeroed. */
TS_EXTERN void ts_msg_encode(const struct ts_msg *msg, uint8_t out[TS_MSG_SIZE]);

/*
 * Reads a 64-byte record. TS_EPROTO for an unknown type, a nonzero reserved byte, a
 * GOODBYE text without NUL and a HELLO without TS_PROTO_MAGIC. A HELLO of another
 * version decodes (only type, version and magic; the rest is zeroed): check it with
 * ts_proto_check_hello.
 */
TS_EXTERN int ts_msg_decode(const uint8_t in[TS_MSG_SIZE], struct ts_msg *msg);

/*
 * 0 when hello is a HELLO of this version. Otherwise TS_EVERSION (another version) or
 * TS_EPROTO (not a HELLO), and a message for the user in err (when err_len > 0).
 */
TS_EXTERN int ts_proto_check_hello(const struct ts_msg *hello, char *err, size_t err_len);

/* Messages of this version, ready for ts_msg_encode. */
TS_EXTERN struct ts_msg ts_msg_hello(enum ts_role role, uint64_t capabilities,
				     uint64_t quantum_ns);
TS_EXTERN struct ts_msg ts_msg_halt(uint64_t guest_ns, uint64_t instructions, uint32_t reason,
				    uint32_t flags, uint64_t seq);
TS_EXTERN struct ts_msg ts_msg_run_until(uint64_t until_ns);
/* text (NULL for none) is cut to fit, never inside a UTF-8 character. */
TS_EXTERN struct ts_msg ts_msg_goodbye(uint32_t reason, const char *text);

/* Names for logs: "HELLO", ..., "guest powered off", ...; "unknown" otherwise. */
TS_EXTERN const char *ts_msg_type_name(uint32_t type);
TS_EXTERN const char *ts_goodbye_reason_name(uint32_t reason);

#ifdef __cplusplus
}
#endif

#endif
