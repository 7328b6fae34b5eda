/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "peer.h"

/* How often a wait looks up from its poll: QEMU quitting, timeouts. */
#define WAIT_SLICE_MS 50
/* Tell the user the guest waits for a participant once it has waited this long. */
#define CONNECT_NOTICE_NS 1000000000u
/* Tell the user the participant has not answered a halt for this long. */
#define ANSWER_NOTICE_NS 10000000000u

static struct {
	struct peer_config cfg;
	struct ts_session *session;
	bool connected;
	bool gone;
	bool halt_sent;
	uint64_t wait_start_ns;
	bool connecting;
	bool connect_noticed;
	bool answer_noticed;   /* "still waiting" said for the halt in hand */
	uint64_t stale_bytes;  /* protocol 1: extra answer bytes dropped so far ... */
	uint64_t stale_halts;  /* ... before this many halts */
	uint64_t halt_guest_ns; /* guest time of the halt in hand, for messages */
	struct wait_stats waits;
	struct spin_budget spin; /* how long a wait spins on the answer (DESIGN.md: latency) */
} peer;

static int keep_waiting(void *arg)
{
	(void)arg;
	if (peer.cfg.quit_requested && peer.cfg.quit_requested())
		return -EINTR;
	uint64_t waited = ts_now_ns() - peer.wait_start_ns;
	if (!peer.connecting) {
		if (!peer.answer_noticed && waited >= ANSWER_NOTICE_NS) {
			say("still waiting for the participant on %s to answer the halt at guest "
			    "time %" PRIu64 " ns (%" PRIu64 " s so far%s)", peer.cfg.where,
			    peer.halt_guest_ns, waited / 1000000000u,
			    peer.cfg.sync_timeout_ns ? "" : "; sync_timeout= gives up");
			peer.answer_noticed = true;
		}
		if (peer.cfg.sync_timeout_ns && waited >= peer.cfg.sync_timeout_ns)
			return -ETIMEDOUT;
		return 0;
	}
	if (!peer.connect_noticed && waited >= CONNECT_NOTICE_NS) {
		say("guest halted at its first boundary; waiting for a participant on %s",
		    peer.cfg.where);
		peer.connect_noticed = true;
	}
	if (peer.cfg.connect_timeout_ns && waited >= peer.cfg.connect_timeout_ns)
		return -ETIMEDOUT;
	return 0;
}

int peer_prepare(const struct peer_config *cfg)
{
	int ret;

	memset(&peer, 0, sizeof(peer));
	peer.cfg = *cfg;
	spin_budget_init(&peer.spin);
	peer.cfg.session.link.wait = (struct ts_wait){ .spin_ns = peer.spin.spin_ns,
						       .slice_ms = WAIT_SLICE_MS,
						       .keep_waiting = keep_waiting };
	ret = ts_session_open(&peer.session, TS_ROLE_GUEST, &peer.cfg.session);
	if (ret == TS_EINUSE) {
		char holder[64];

		ts_link_holder(&cfg->session.link, TS_ROLE_GUEST, holder, sizeof(holder));
		say("%s: in use by another QEMU, %s: two guests cannot share one participant; "
		    "give this QEMU a link (and a participant) of its own", cfg->where, holder);
		return -1;
	}
	if (ret == -EADDRINUSE) {
		say("%s: in use by another QEMU that is running: give this QEMU a path (and a "
		    "participant) of its own", cfg->where);
		return -1;
	}
	if (ret < 0) {
		say("%s: %s", cfg->where, ts_strerror(ret));
		return -1;
	}
	return 0;
}

/* The participant failed or left: end QEMU, or let the guest run free. */
static enum sync_answer lost(int err, const char *what)
{
	const struct ts_goodbye *bye = ts_session_goodbye(peer.session);
	bool done = err == TS_EGOODBYE && bye && bye->reason == TS_GOODBYE_DONE;

	if (err == TS_EGOODBYE && bye)
		say("the participant said goodbye (%s%s%s)", ts_goodbye_reason_name(bye->reason),
		    bye->text[0] ? ": " : "", bye->text);
	else if (err == TS_EOF || err == -EPIPE)
		say("the participant closed %s", peer.cfg.where);
	else if (err == TS_EPROTO || err == TS_EVERSION)
		say("%s on %s: %s (%s)", what, peer.cfg.where, ts_strerror(err),
		    ts_session_error(peer.session));
	else
		say("%s on %s: %s", what, peer.cfg.where, ts_strerror(err));
	if (peer.cfg.run_free_on_loss) {
		say("the guest runs on without synchronization (participant_lost=run)");
		peer.gone = true;
		return SYNC_RUN_FREE;
	}
	say("stopping QEMU");
	return done ? SYNC_STOP_OK : SYNC_STOP_FAIL;
}

static enum sync_answer connect_peer(void)
{
	int ret;

	peer.connecting = true;
	peer.wait_start_ns = ts_now_ns();
	ret = ts_session_connect(peer.session);
	peer.connecting = false;
	if (ret == -EINTR)
		return SYNC_INTERRUPTED;
	if (ret == -ETIMEDOUT) {
		say("no participant came on %s within connect_timeout", peer.cfg.where);
		say("stopping QEMU");
		return SYNC_STOP_FAIL;
	}
	if (ret < 0)
		return lost(ret, "cannot connect");
	if (peer.connect_noticed)
		say("participant connected");
	peer.connected = true;
	return SYNC_GRANTED;
}

/* Protocol 1: the participant answered with more than one byte: say so once. */
static void note_stale_bytes(void)
{
	uint64_t halts, stale = ts_session_stale_bytes(peer.session, &halts);

	if (stale && !peer.stale_bytes)
		say("warning: the participant on %s answered a halt with more than one byte "
		    "(%" PRIu64 " extra; e.g. echo writes a newline after the character): protocol "
		    "1 is exactly one byte per halt, each extra byte would let the guest run one "
		    "quantum ahead; they are dropped (counted at exit)", peer.cfg.where, stale);
	peer.stale_bytes = stale;
	peer.stale_halts = halts;
}

/* sync_timeout ran out: say so, tell the participant (protocol 2), stop QEMU. */
static enum sync_answer answer_timed_out(void)
{
	char text[TS_GOODBYE_TEXT_SIZE];

	snprintf(text, sizeof(text), "no answer within sync_timeout=%" PRIu64 " s",
		 peer.cfg.sync_timeout_ns / 1000000000u);
	say("the participant on %s did not answer the halt at guest time %" PRIu64 " ns within "
	    "sync_timeout=%" PRIu64 " s", peer.cfg.where, peer.halt_guest_ns,
	    peer.cfg.sync_timeout_ns / 1000000000u);
	say("stopping QEMU");
	ts_session_close(peer.session, TS_GOODBYE_ERROR, text);
	peer.session = NULL;
	peer.gone = true;
	return SYNC_STOP_FAIL;
}

enum sync_answer peer_sync(void *unused, const struct ts_halt *halt, uint64_t *until_ns)
{
	int ret;

	(void)unused;
	if (peer.gone)
		return SYNC_RUN_FREE;
	if (!peer.connected) {
		enum sync_answer answer = connect_peer();

		if (answer != SYNC_GRANTED)
			return answer;
	}
	if (!peer.halt_sent) {
		ret = ts_session_send_halt(peer.session, halt);
		if (ret < 0)
			return lost(ret, "cannot send the halt");
		note_stale_bytes();
		peer.halt_sent = true;
		peer.answer_noticed = false;
		peer.halt_guest_ns = halt->guest_ns;
		peer.wait_start_ns = ts_now_ns();
	}
	ret = ts_session_wait_grant(peer.session, until_ns);
	if (ret == -EINTR)
		return SYNC_INTERRUPTED;
	if (ret == -ETIMEDOUT)
		return answer_timed_out();
	if (ret < 0)
		return lost(ret, "no answer");
	peer.halt_sent = false;
	uint64_t answer_ns = ts_now_ns() - peer.wait_start_ns;
	wait_stats_add(&peer.waits, answer_ns);
	spin_budget_answered(&peer.spin, answer_ns);
	ts_session_set_spin(peer.session, peer.spin.spin_ns);
	return SYNC_GRANTED;
}

void peer_protocol_error(void *unused, const char *text)
{
	(void)unused;
	say("the participant on %s broke the protocol: %s", peer.cfg.where, text);
	say("stopping QEMU");
	ts_session_close(peer.session, TS_GOODBYE_ERROR, text);
	peer.session = NULL;
	peer.gone = true;
}

void peer_close(uint32_t reason, const char *text)
{
	ts_session_close(peer.session, reason, text);
	peer.session = NULL;
	peer.gone = true;
}

uint64_t peer_stale_bytes(uint64_t *halts)
{
	if (halts)
		*halts = peer.stale_halts;
	return peer.stale_bytes;
}

const struct wait_stats *peer_waits(void)
{
	return &peer.waits;
}
