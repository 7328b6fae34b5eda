/* SPDX-License-Identifier: MIT */
/*
 * A session: protocol v1 (the seed's byte each way) or v2 (time-stamped 64-byte records,
 * include/timesync_proto.h) over a link, for both ends: the plugin (guest role) and a
 * participant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timesync_proto.h"

#define V1_BYTE_HALT 'h'
#define V1_BYTE_RUN 'c'

struct ts_session {
	struct ts__link *link;
	enum ts_role role;
	int protocol;
	uint64_t quantum_ns;
	uint64_t capabilities;   /* TS_CAP_* bits our HELLO announces */
	uint64_t seq;            /* halts sent or received */
	uint64_t peer_quantum_ns; /* v2: the guest's quantum from its HELLO */
	uint64_t peer_capabilities; /* v2: the TS_CAP_* bits of the other end's HELLO */
	uint64_t halt_ns;        /* participant: guest time of the last halt */
	uint64_t granted_ns;     /* participant: the last grant; at first the first boundary */
	uint64_t stale_bytes;    /* guest, v1: bytes that came before their halt, dropped */
	uint64_t stale_halts;    /* guest, v1: halts before which such bytes were dropped */
	struct ts_goodbye goodbye; /* what the other end said when it left */
	char error[160];
};

int ts_session_open(struct ts_session **session, enum ts_role role,
		    const struct ts_session_config *cfg)
{
	struct ts_session *s;
	int ret;

	if (cfg->protocol != 1 && cfg->protocol != 2)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->role = role;
	s->protocol = cfg->protocol;
	s->quantum_ns = cfg->quantum_ns;
	s->capabilities = cfg->capabilities;
	ret = ts__link_prepare(&s->link, role, &cfg->link);
	if (ret < 0) {
		free(s);
		return ret;
	}
	*session = s;
	return 0;
}

static int send_msg(struct ts_session *s, const struct ts_msg *msg)
{
	uint8_t rec[TS_MSG_SIZE];

	ts_msg_encode(msg, rec);
	return ts__link_send(s->link, rec, sizeof(rec));
}

/* Receives one message; a GOODBYE is kept and returned as TS_EGOODBYE. */
static int recv_msg(struct ts_session *s, struct ts_msg *msg)
{
	uint8_t rec[TS_MSG_SIZE];
	int ret = ts__link_recv(s->link, rec, sizeof(rec));

	if (ret < 0)
		return ret;
	if (ts_msg_decode(rec, msg) < 0) {
		snprintf(s->error, sizeof(s->error), "undecodable record (type %u)",
			 (unsigned)rec[0] | (unsigned)rec[1] << 8);
		return TS_EPROTO;
	}
	if (msg->type == TS_MSG_GOODBYE) {
		s->goodbye = msg->goodbye;
		return TS_EGOODBYE;
	}
	return 0;
}

/* A message that has arrived, without waiting: -EAGAIN when none has. */
static int try_recv_msg(struct ts_session *s, struct ts_msg *msg)
{
	uint8_t rec[TS_MSG_SIZE];
	int ret = ts__link_try_recv(s->link, rec, sizeof(rec));

	return ret < 0 ? ret : ts_msg_decode(rec, msg);
}

/*
 * A send found the other end gone (ret TS_EOF): it may have said why before it left (a
 * GOODBYE sent while this end was busy): TS_EGOODBYE with it kept, else ret.
 */
static int goodbye_if_gone(struct ts_session *s, int ret)
{
	struct ts_msg msg;

	if (ret == TS_EOF && try_recv_msg(s, &msg) == 0 && msg.type == TS_MSG_GOODBYE) {
		s->goodbye = msg.goodbye;
		return TS_EGOODBYE;
	}
	return ret;
}

static int unexpected(struct ts_session *s, const struct ts_msg *msg, const char *wanted)
{
	snprintf(s->error, sizeof(s->error), "expected %s, got %s", wanted,
		 ts_msg_type_name(msg->type));
	return TS_EPROTO;
}

int ts_session_connect(struct ts_session *s)
{
	struct ts_msg msg;
	int ret = ts__link_connect(s->link);

	if (ret < 0 || s->protocol == 1)
		return ret;
	msg = ts_msg_hello(s->role, s->capabilities, s->role == TS_ROLE_GUEST ? s->quantum_ns : 0);
	ret = send_msg(s, &msg);
	if (ret < 0)
		return ret;
	ret = recv_msg(s, &msg);
	if (ret < 0)
		return ret;
	ret = ts_proto_check_hello(&msg, s->error, sizeof(s->error));
	if (ret < 0) {
		struct ts_msg bye = ts_msg_goodbye(TS_GOODBYE_VERSION, s->error);

		send_msg(s, &bye);
		return ret;
	}
	s->peer_quantum_ns = msg.hello.quantum_ns;
	s->peer_capabilities = msg.hello.capabilities;
	/* The guest halts first at its first boundary, one quantum into its time. */
	s->granted_ns = s->peer_quantum_ns;
	return 0;
}

/*
 * Protocol 1, before a halt: bytes already there came with an earlier answer ("c\n" from
 * echo), not for this halt, and each would let the guest run one quantum ahead. Drops
 * them; the caller hears how many (ts_session_stale_bytes).
 */
static void drop_stale_bytes(struct ts_session *s)
{
	uint8_t byte;
	uint64_t dropped = 0;

	while (ts__link_try_recv(s->link, &byte, 1) == 0)
		dropped++;
	if (dropped) {
		s->stale_bytes += dropped;
		s->stale_halts++;
	}
}

int ts_session_send_halt(struct ts_session *s, const struct ts_halt *halt)
{
	struct ts_msg msg;
	uint8_t byte = V1_BYTE_HALT;

	s->seq++;
	if (s->protocol == 1) {
		drop_stale_bytes(s);
		return ts__link_send(s->link, &byte, 1);
	}
	msg = ts_msg_halt(halt->guest_ns, halt->instructions, halt->reason, halt->flags, s->seq);
	/* Only to a participant that reads it: an older one refuses the bytes. */
	if ((s->capabilities & s->peer_capabilities & TS_CAP_LOOKAHEAD) &&
	    (halt->flags & TS_HALT_IDLE))
		msg.halt.idle_until_ns = halt->idle_until_ns;
	return goodbye_if_gone(s, send_msg(s, &msg));
}

int ts_session_wait_grant(struct ts_session *s, uint64_t *until_ns)
{
	struct ts_msg msg;
	uint8_t byte;
	int ret;

	if (s->protocol == 1) {
		*until_ns = 0;
		return ts__link_recv(s->link, &byte, 1);
	}
	ret = recv_msg(s, &msg);
	if (ret < 0)
		return ret;
	if (msg.type != TS_MSG_RUN_UNTIL)
		return unexpected(s, &msg, "RUN_UNTIL");
	*until_ns = msg.run_until.until_ns;
	return 0;
}

int ts_session_wait_halt(struct ts_session *s, struct ts_halt *halt)
{
	struct ts_msg msg;
	uint8_t byte;
	int ret;

	if (s->protocol == 1) {
		ret = ts__link_recv(s->link, &byte, 1);
		if (ret < 0)
			return ret;
		s->seq++;
		*halt = (struct ts_halt){ .reason = TS_HALT_QUANTUM, .seq = s->seq,
					  .guest_ns = s->seq * s->quantum_ns };
		return 0;
	}
	ret = recv_msg(s, &msg);
	if (ret < 0)
		return ret;
	if (msg.type != TS_MSG_HALT)
		return unexpected(s, &msg, "HALT");
	s->seq = msg.halt.seq;
	s->halt_ns = msg.halt.guest_ns;
	*halt = msg.halt;
	return 0;
}

int ts_session_run_until(struct ts_session *s, uint64_t until_ns)
{
	struct ts_msg msg;
	uint8_t byte = V1_BYTE_RUN;
	int ret;

	if (s->protocol == 1)
		return ts__link_send(s->link, &byte, 1);
	msg = ts_msg_run_until(until_ns);
	ret = send_msg(s, &msg);
	if (ret == 0)
		s->granted_ns = until_ns;
	return goodbye_if_gone(s, ret);
}

int ts_session_run_for(struct ts_session *s, uint64_t step_ns)
{
	uint64_t until_ns;

	if (s->protocol == 1)
		return ts_session_run_until(s, 0);
	if (step_ns == 0 || s->granted_ns > UINT64_MAX - step_ns ||
	    s->halt_ns > UINT64_MAX - step_ns)
		return -EINVAL;
	until_ns = s->granted_ns + step_ns;
	/*
	 * The guest ran past whole steps (a block longer than a step, a guest clock that
	 * jumped): those are over, the grant is the first point of the same grid after it.
	 */
	if (until_ns <= s->halt_ns)
		until_ns += ((s->halt_ns - until_ns) / step_ns + 1) * step_ns;
	return ts_session_run_until(s, until_ns);
}

void ts_session_close(struct ts_session *s, uint32_t reason, const char *text)
{
	if (!s)
		return;
	if (s->protocol == 2 && reason) {
		struct ts_msg msg = ts_msg_goodbye(reason, text);

		send_msg(s, &msg);
	}
	ts__link_close(s->link);
	free(s);
}

int ts_session_protocol(const struct ts_session *s)
{
	return s->protocol;
}

uint64_t ts_session_guest_quantum_ns(const struct ts_session *s)
{
	return s->peer_quantum_ns;
}

uint64_t ts_session_stale_bytes(const struct ts_session *s, uint64_t *halts)
{
	if (halts)
		*halts = s->stale_halts;
	return s->stale_bytes;
}

uint64_t ts_session_guest_capabilities(const struct ts_session *s)
{
	return s->peer_capabilities;
}

const struct ts_goodbye *ts_session_goodbye(const struct ts_session *s)
{
	return s->goodbye.reason ? &s->goodbye : NULL;
}

void ts_session_set_spin(struct ts_session *s, uint64_t spin_ns)
{
	ts__link_set_spin(s->link, spin_ns);
}

const char *ts_session_error(const struct ts_session *s)
{
	return s->error;
}
