/* SPDX-License-Identifier: MIT */
/*
 * timesync-dds-bridge: a QEMU on one machine, its participant on another, over Eclipse
 * Cyclone DDS.
 *
 * Two bridges of one name make a pair in a DDS domain. Next to the QEMU (--side qemu)
 * the bridge is the QEMU's participant: it connects to the plugin (protocol 2, socket or
 * shared memory) and publishes what the plugin says (HELLO, HALT, GOODBYE) on the topic
 * timesync_NAME_guest; it takes what the far side answers (RUN_UNTIL, GOODBYE) from
 * timesync_NAME_participant and hands it to the plugin. Next to the participant (--side
 * participant) the bridge is the participant's guest: it waits for the QEMU's HELLO over
 * DDS, then listens on its socket or shared-memory file with that QEMU's quantum and
 * capabilities, as the plugin would, so any participant (timesync-peer, ns-3, SystemC,
 * timesync-conductor) takes it for the QEMU.
 *
 * Every DDS sample is one 64-byte protocol-2 record as libtimesync encodes it, numbered
 * from 1; both topics are reliable and keep all history, so DDS loses and reorders
 * nothing, and a number out of turn ends the bridge. A far bridge that goes away
 * (killed, its machine gone) is noticed within the liveliness lease (LEASE_MS); a far
 * bridge that ends says so first. A bridge whose far side went away without a goodbye
 * closes its own link without one, as a crashed QEMU or participant would, so the
 * QEMU's plugin or the participant acts as on a crash (participant_lost=, --on-crash).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>

#include "timesync.h"
#include "timesync_dds.h"
#include "timesync_proto.h"

#define PROG "timesync-dds-bridge"
#define NAME_MAX_LEN 32
/* A far bridge not heard of for this long is gone (DDS automatic liveliness). */
#define LEASE_MS 500
/* How long a wait on DDS blocks before it looks at the far side and the deadline. */
#define SLICE_MS 50
/* How long an ending bridge waits for its last record (GOODBYE) to be acknowledged. */
#define ACK_TIMEOUT_S 2
#define SPIN_NS 0

enum side { SIDE_QEMU, SIDE_PARTICIPANT };

static struct {
	enum side side;
	char name[NAME_MAX_LEN + 1];
	struct ts_link_config link;
	uint32_t domain;
	uint64_t join_timeout_ns;
	uint64_t wait_limit_ns; /* the deadline of the join, 0 once joined */
	/* DDS */
	dds_entity_t participant, writer, reader, waitset;
	uint64_t sent, received; /* record numbers */
	bool far_seen;           /* the far bridge matched both topics once */
	bool relaying;           /* both ends were there: the statistics mean something */
	/* statistics */
	uint64_t halts, answer_total_ns, answer_max_ns;
} b;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *side_name(enum side side)
{
	return side == SIDE_QEMU ? "qemu" : "participant";
}

static const char *far_side_name(void)
{
	return side_name(b.side == SIDE_QEMU ? SIDE_PARTICIPANT : SIDE_QEMU);
}

/* The local link's wait gives up at the join's deadline (while joining only). */
static int keep_waiting(void *arg)
{
	(void)arg;
	return b.wait_limit_ns && ts_now_ns() >= b.wait_limit_ns ? -ETIMEDOUT : 0;
}

/* ---- DDS ---------------------------------------------------------------------------- */

static bool dds_ok(dds_return_t ret, const char *what)
{
	if (ret >= 0)
		return true;
	say("DDS: %s: %s", what, dds_strretcode(ret));
	return false;
}

/*
 * The participant, the two topics and their writer and reader, and a waitset that wakes
 * on data and on any change of the far side (matched, alive).
 */
static bool dds_open(void)
{
	char guest_topic[64], participant_topic[64];
	dds_entity_t guest, participant, readcond;
	dds_qos_t *qos;
	bool ok;

	snprintf(guest_topic, sizeof(guest_topic), "timesync_%s_guest", b.name);
	snprintf(participant_topic, sizeof(participant_topic), "timesync_%s_participant", b.name);
	/* The participant's lease too: a killed bridge's far side hears of it in LEASE_MS. */
	qos = dds_create_qos();
	dds_qset_liveliness(qos, DDS_LIVELINESS_AUTOMATIC, DDS_MSECS(LEASE_MS));
	b.participant = dds_create_participant(b.domain, qos, NULL);
	dds_delete_qos(qos);
	if (!dds_ok(b.participant, "create participant (CYCLONEDDS_URI, --domain?)"))
		return false;
	guest = dds_create_topic(b.participant, &timesync_Record_desc, guest_topic, NULL, NULL);
	participant = dds_create_topic(b.participant, &timesync_Record_desc, participant_topic,
				       NULL, NULL);
	if (!dds_ok(guest, "create topic") || !dds_ok(participant, "create topic"))
		return false;
	qos = dds_create_qos();
	dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
	dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
	dds_qset_liveliness(qos, DDS_LIVELINESS_AUTOMATIC, DDS_MSECS(LEASE_MS));
	b.writer = dds_create_writer(b.participant, b.side == SIDE_QEMU ? guest : participant, qos,
				     NULL);
	b.reader = dds_create_reader(b.participant, b.side == SIDE_QEMU ? participant : guest, qos,
				     NULL);
	dds_delete_qos(qos);
	if (!dds_ok(b.writer, "create writer") || !dds_ok(b.reader, "create reader"))
		return false;
	b.waitset = dds_create_waitset(b.participant);
	readcond = dds_create_readcondition(b.reader, DDS_ANY_STATE);
	ok = dds_ok(b.waitset, "create waitset") && dds_ok(readcond, "create read condition") &&
	     dds_ok(dds_set_status_mask(b.reader, DDS_SUBSCRIPTION_MATCHED_STATUS |
							  DDS_LIVELINESS_CHANGED_STATUS),
		    "status mask") &&
	     dds_ok(dds_set_status_mask(b.writer, DDS_PUBLICATION_MATCHED_STATUS), "status mask") &&
	     dds_ok(dds_waitset_attach(b.waitset, readcond, 0), "attach") &&
	     dds_ok(dds_waitset_attach(b.waitset, b.reader, 1), "attach") &&
	     dds_ok(dds_waitset_attach(b.waitset, b.writer, 2), "attach");
	return ok;
}

/* Ends DDS: the far side hears of it at once (the participant's dispose), not at the lease. */
static void dds_close(void)
{
	if (b.participant > 0)
		dds_delete(b.participant);
	b.participant = 0;
}

enum far { FAR_NOT_YET, FAR_HERE, FAR_GONE, FAR_TWO };

/* Where the far bridge is: not yet seen, here (both topics matched, alive), gone, or two. */
static enum far far_state(void)
{
	dds_subscription_matched_status_t sub;
	dds_publication_matched_status_t pub;
	dds_liveliness_changed_status_t live;

	if (dds_get_subscription_matched_status(b.reader, &sub) < 0 ||
	    dds_get_publication_matched_status(b.writer, &pub) < 0 ||
	    dds_get_liveliness_changed_status(b.reader, &live) < 0)
		return FAR_GONE;
	if (sub.current_count > 1 || pub.current_count > 1)
		return FAR_TWO;
	if (sub.current_count == 1 && pub.current_count == 1 && live.alive_count == 1) {
		b.far_seen = true;
		return FAR_HERE;
	}
	return b.far_seen ? FAR_GONE : FAR_NOT_YET;
}

static void far_two_say(void)
{
	say("two bridges on the %s side are named '%s' in DDS domain %" PRIu32 ": give each "
	    "pair its own --name", far_side_name(), b.name, b.domain);
}

static void join_timeout_say(const char *what)
{
	say("%s within --join-timeout (%" PRIu64 " s): stopping", what,
	    b.join_timeout_ns / 1000000000u);
}

/* Waits until the far bridge is here (false: the message is out). */
static bool dds_wait_far(void)
{
	for (;;) {
		switch (far_state()) {
		case FAR_HERE:
			return true;
		case FAR_TWO:
			far_two_say();
			return false;
		case FAR_GONE:
			say("the %s side of '%s' came and went before the start", far_side_name(),
			    b.name);
			return false;
		case FAR_NOT_YET:
			break;
		}
		if (keep_waiting(NULL) < 0) {
			char what[128];

			snprintf(what, sizeof(what), "no bridge on the %s side named '%s' in DDS "
				 "domain %" PRIu32, far_side_name(), b.name, b.domain);
			join_timeout_say(what);
			return false;
		}
		dds_waitset_wait(b.waitset, NULL, 0, DDS_MSECS(SLICE_MS));
	}
}

static int dds_send(const struct ts_msg *msg)
{
	timesync_Record rec = { .seq = b.sent + 1 };
	dds_return_t ret;

	ts_msg_encode(msg, rec.data);
	ret = dds_write(b.writer, &rec);
	if (!dds_ok(ret, "write"))
		return -EIO;
	b.sent++;
	return 0;
}

/*
 * The far side's next record: 0, TS_EOF when the far bridge went away, -ETIMEDOUT at the
 * join's deadline, TS_EPROTO for a record out of turn or undecodable (said), -EIO.
 */
static int dds_recv(struct ts_msg *msg)
{
	for (;;) {
		timesync_Record rec;
		void *samples[1] = { &rec };
		dds_sample_info_t info;
		dds_return_t n = dds_take(b.reader, samples, &info, 1, 1);

		if (!dds_ok(n, "take"))
			return -EIO;
		if (n == 1 && info.valid_data) {
			if (rec.seq != b.received + 1) {
				say("record %" PRIu64 " from the %s side came after record %" PRIu64
				    ": lost or repeated", rec.seq, far_side_name(), b.received);
				return TS_EPROTO;
			}
			b.received = rec.seq;
			if (ts_msg_decode(rec.data, msg) < 0) {
				say("record %" PRIu64 " from the %s side is no protocol-2 record",
				    rec.seq, far_side_name());
				return TS_EPROTO;
			}
			return 0;
		}
		if (n == 1)
			continue; /* a notice of a writer's end: far_state() tells */
		switch (far_state()) {
		case FAR_GONE:
			return TS_EOF;
		case FAR_TWO:
			far_two_say();
			return TS_EPROTO;
		default:
			break;
		}
		if (keep_waiting(NULL) < 0)
			return -ETIMEDOUT;
		dds_waitset_wait(b.waitset, NULL, 0, DDS_MSECS(SLICE_MS));
	}
}

/* The last record out: a GOODBYE the far side must get before DDS ends. */
static void dds_send_goodbye(uint32_t reason, const char *text)
{
	struct ts_msg msg = ts_msg_goodbye(reason, text);

	if (dds_send(&msg) == 0)
		dds_wait_for_acks(b.writer, DDS_SECS(ACK_TIMEOUT_S));
}

/* ---- the two sides -------------------------------------------------------------------- */

static int session_open(struct ts_session **s, enum ts_role role, uint64_t quantum_ns,
			uint64_t capabilities)
{
	struct ts_session_config cfg = { .link = b.link, .protocol = 2, .quantum_ns = quantum_ns,
					 .capabilities = capabilities };
	char holder[128];
	int ret = ts_session_open(s, role, &cfg);

	if (ret == TS_EINUSE && ts_link_holder(&b.link, role, holder, sizeof(holder)) > 0)
		say("%s: %s: held by %s", b.link.path, ts_strerror(ret), holder);
	else if (ret < 0)
		say("%s: %s", b.link.path, ts_strerror(ret));
	return ret;
}

/* The local link failed (ret): says so; 1 (the exit status). */
static int local_gone(const char *who, int ret)
{
	say("%s on %s went away (%s): closing the bridge '%s'", who, b.link.path,
	    ts_strerror(ret), b.name);
	return 1;
}

static void far_gone_say(void)
{
	say("the %s side of '%s' went away without a goodbye (killed, or its network lost)",
	    far_side_name(), b.name);
}

/*
 * The far side's next record, while the local link s is up: 0, or -1 when the far side
 * went away (s closed without a goodbye, as a crash) or DDS failed (s told why).
 */
static int recv_far(struct ts_session *s, struct ts_msg *msg)
{
	int ret = dds_recv(msg);

	if (ret == 0)
		return 0;
	if (ret == TS_EOF) {
		far_gone_say();
		ts_session_close(s, 0, NULL);
	} else {
		ts_session_close(s, TS_GOODBYE_ERROR, "the DDS bridge failed");
	}
	return -1;
}

static void print_stats(void)
{
	if (!b.relaying)
		return;
	if (b.side == SIDE_QEMU && b.halts)
		say("%s: %" PRIu64 " halts; the far side answered in mean %" PRIu64 " us, max %" PRIu64
		    " us", b.name, b.halts, b.answer_total_ns / b.halts / 1000,
		    b.answer_max_ns / 1000);
	else
		say("%s: %" PRIu64 " halts", b.name, b.halts);
}

/* The QEMU said goodbye (powered off, quit): the far side hears it; exit status 0. */
static int qemu_said_goodbye(struct ts_session *s)
{
	const struct ts_goodbye *g = ts_session_goodbye(s);

	dds_send_goodbye(g->reason, g->text);
	say("%s: QEMU said goodbye (%s: %s)", b.name, ts_goodbye_reason_name(g->reason), g->text);
	ts_session_close(s, 0, NULL);
	return 0;
}

/* Next to the QEMU: the plugin's participant. The exit status. */
static int run_qemu_side(void)
{
	struct ts_session *s;
	struct ts_msg msg;
	int ret;

	/* Lookahead passes through: the far side's session drops it for a participant that
	 * does not read it. */
	if (session_open(&s, TS_ROLE_PARTICIPANT, 0, TS_CAP_LOOKAHEAD) < 0)
		return 1;
	say("%s: waiting for QEMU on %s", b.name, b.link.path);
	ret = ts_session_connect(s);
	if (ret == -ETIMEDOUT) {
		join_timeout_say("no QEMU came");
		ts_session_close(s, 0, NULL);
		return 1;
	}
	if (ret < 0) {
		say("%s: %s", b.link.path, ts_strerror(ret));
		ts_session_close(s, 0, NULL);
		return 1;
	}
	if (!dds_wait_far()) {
		ts_session_close(s, TS_GOODBYE_ERROR, "the DDS bridge's far side did not come");
		return 1;
	}
	b.wait_limit_ns = 0;
	say("%s: QEMU and the participant side are here (quantum %" PRIu64 " ns)", b.name,
	    ts_session_guest_quantum_ns(s));
	msg = ts_msg_hello(TS_ROLE_GUEST, ts_session_guest_capabilities(s),
			   ts_session_guest_quantum_ns(s));
	if (dds_send(&msg) < 0)
		return 1;
	b.relaying = true;
	for (;;) {
		struct ts_halt halt;
		uint64_t asked_ns;

		ret = ts_session_wait_halt(s, &halt);
		if (ret == TS_EGOODBYE)
			return qemu_said_goodbye(s);
		if (ret < 0) {
			ts_session_close(s, 0, NULL);
			return local_gone("QEMU", ret);
		}
		msg = ts_msg_halt(halt.guest_ns, halt.instructions, halt.reason, halt.flags, halt.seq);
		msg.halt.idle_until_ns = halt.idle_until_ns;
		asked_ns = ts_now_ns();
		if (dds_send(&msg) < 0)
			return 1;
		b.halts++;
		if (recv_far(s, &msg) < 0)
			return 1;
		uint64_t answer_ns = ts_now_ns() - asked_ns;
		b.answer_total_ns += answer_ns;
		if (answer_ns > b.answer_max_ns)
			b.answer_max_ns = answer_ns;
		if (msg.type == TS_MSG_GOODBYE) {
			say("%s: the participant side said goodbye (%s: %s)", b.name,
			    ts_goodbye_reason_name(msg.goodbye.reason), msg.goodbye.text);
			ts_session_close(s, msg.goodbye.reason, msg.goodbye.text);
			return msg.goodbye.reason == TS_GOODBYE_ERROR ? 1 : 0;
		}
		if (msg.type != TS_MSG_RUN_UNTIL) {
			say("the participant side sent %s where RUN_UNTIL or GOODBYE belongs",
			    ts_msg_type_name(msg.type));
			ts_session_close(s, TS_GOODBYE_ERROR, "the DDS bridge's far side broke the protocol");
			return 1;
		}
		ret = ts_session_run_until(s, msg.run_until.until_ns);
		if (ret == TS_EGOODBYE)
			return qemu_said_goodbye(s);
		if (ret < 0) {
			ts_session_close(s, 0, NULL);
			return local_gone("QEMU", ret);
		}
	}
}

/* Next to the participant: the participant's guest. The exit status. */
static int run_participant_side(void)
{
	struct ts_session *s;
	struct ts_msg msg;
	int ret;

	say("%s: waiting for the qemu side in DDS domain %" PRIu32, b.name, b.domain);
	if (!dds_wait_far())
		return 1;
	ret = dds_recv(&msg);
	if (ret == -ETIMEDOUT) {
		join_timeout_say("the qemu side sent no HELLO");
		return 1;
	}
	if (ret == TS_EOF)
		far_gone_say();
	if (ret < 0)
		return 1;
	if (msg.type != TS_MSG_HELLO) {
		say("the qemu side's first record is %s, not HELLO", ts_msg_type_name(msg.type));
		return 1;
	}
	if (session_open(&s, TS_ROLE_GUEST, msg.hello.quantum_ns, msg.hello.capabilities) < 0) {
		dds_send_goodbye(TS_GOODBYE_ERROR, "the DDS bridge's far side cannot open its link");
		return 1;
	}
	say("%s: waiting for the participant on %s (quantum %" PRIu64 " ns)", b.name, b.link.path,
	    msg.hello.quantum_ns);
	ret = ts_session_connect(s);
	if (ret < 0) {
		if (ret == -ETIMEDOUT)
			join_timeout_say("no participant came");
		else
			say("%s: %s", b.link.path, ts_strerror(ret));
		ts_session_close(s, 0, NULL);
		dds_send_goodbye(TS_GOODBYE_ERROR, "no participant came to the DDS bridge");
		return 1;
	}
	b.wait_limit_ns = 0;
	b.relaying = true;
	for (;;) {
		uint64_t until_ns;

		if (recv_far(s, &msg) < 0)
			return 1;
		if (msg.type == TS_MSG_GOODBYE) {
			say("%s: the qemu side said goodbye (%s: %s)", b.name,
			    ts_goodbye_reason_name(msg.goodbye.reason), msg.goodbye.text);
			ts_session_close(s, msg.goodbye.reason, msg.goodbye.text);
			return 0;
		}
		if (msg.type != TS_MSG_HALT) {
			say("the qemu side sent %s where HALT or GOODBYE belongs",
			    ts_msg_type_name(msg.type));
			ts_session_close(s, TS_GOODBYE_ERROR, "the DDS bridge's far side broke the protocol");
			dds_send_goodbye(TS_GOODBYE_ERROR, "the DDS bridge's participant side saw a broken protocol");
			return 1;
		}
		b.halts++;
		ret = ts_session_send_halt(s, &msg.halt);
		if (ret == 0)
			ret = ts_session_wait_grant(s, &until_ns);
		if (ret == TS_EGOODBYE) {
			const struct ts_goodbye *g = ts_session_goodbye(s);

			say("%s: the participant said goodbye (%s: %s)", b.name,
			    ts_goodbye_reason_name(g->reason), g->text);
			dds_send_goodbye(g->reason, g->text);
			ts_session_close(s, 0, NULL);
			return 0;
		}
		if (ret < 0) {
			ts_session_close(s, 0, NULL);
			return local_gone("the participant", ret);
		}
		msg = ts_msg_run_until(until_ns);
		if (dds_send(&msg) < 0)
			return 1;
	}
}

/* ---- options ---------------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " --side qemu|participant --name NAME --path PATH [OPTIONS]\n"
		"\n"
		"Carries one QEMU's protocol-2 link over Eclipse Cyclone DDS, to a participant on\n"
		"another machine: run one bridge with --side qemu next to the QEMU (it connects to\n"
		"the plugin's socket or shm file) and one of the same --name with --side\n"
		"participant next to the participant (it listens on its PATH as the plugin would;\n"
		"the participant, e.g. timesync-conductor, connects to it as to the QEMU).\n"
		"\n"
		"  --side qemu|participant  which end of the pair this bridge is\n"
		"  --name NAME              the pair's name in DDS (letters, digits, _; at most %d)\n"
		"  --transport socket|shm   the local link (default socket)\n"
		"  --path PATH              the local socket or shared-memory file\n"
		"  --domain N               the DDS domain (default 0)\n"
		"  --join-timeout S         give up after S s without the far side, the QEMU or the\n"
		"                           participant at the start (default 60; 0: never)\n"
		"  -h, --help               this text\n"
		"\n"
		"DDS settings (the network interface, peers) come from CYCLONEDDS_URI as usual.\n"
		"A far bridge that goes away is noticed within %d ms; the near bridge then closes\n"
		"its link without a goodbye, as a crash. Exit status: 0 after a goodbye, 1 on an\n"
		"error at run time, 2 on bad usage.\n",
		NAME_MAX_LEN, LEASE_MS);
}

static bool parse_uint(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

static int parse_options(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "side", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "transport", required_argument, NULL, 't' },
		{ "path", required_argument, NULL, 'p' },
		{ "domain", required_argument, NULL, 'd' },
		{ "join-timeout", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool have_side = false;
	uint64_t v;
	int o;

	b.link.transport = TS_TRANSPORT_SOCKET;
	b.join_timeout_ns = UINT64_C(60) * 1000000000u;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (strcmp(optarg, "qemu") == 0)
				b.side = SIDE_QEMU;
			else if (strcmp(optarg, "participant") == 0)
				b.side = SIDE_PARTICIPANT;
			else {
				say("--side: '%s' is not qemu or participant", optarg);
				return 2;
			}
			have_side = true;
			break;
		case 'n':
			if (!valid_name(optarg)) {
				say("--name: '%s' is not 1 to %d letters, digits or _", optarg,
				    NAME_MAX_LEN);
				return 2;
			}
			snprintf(b.name, sizeof(b.name), "%s", optarg);
			break;
		case 't':
			if (ts_transport_parse(optarg, &b.link.transport) < 0 ||
			    b.link.transport == TS_TRANSPORT_FIFO) {
				say("--transport: '%s' is not socket or shm", optarg);
				return 2;
			}
			break;
		case 'p':
			b.link.path = optarg;
			break;
		case 'd':
			if (!parse_uint(optarg, 229, &v)) { /* DDS domains: 0..229 (RTPS ports) */
				say("--domain: '%s' is not a DDS domain (0 to 229)", optarg);
				return 2;
			}
			b.domain = (uint32_t)v;
			break;
		case 'j':
			if (!parse_uint(optarg, UINT64_C(1) << 30, &v)) {
				say("--join-timeout: '%s' is not a whole number of seconds", optarg);
				return 2;
			}
			b.join_timeout_ns = v * 1000000000u;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			say("unknown option '%s' (--help lists them)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		say("unexpected argument '%s' (--help lists the options)", argv[optind]);
		return 2;
	}
	if (!have_side || !b.name[0] || !b.link.path) {
		say("--side, --name and --path are needed (--help)");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = parse_options(argc, argv);

	if (status)
		return status;
	b.link.wait = (struct ts_wait){ .spin_ns = SPIN_NS, .slice_ms = SLICE_MS,
					.keep_waiting = keep_waiting };
	if (b.join_timeout_ns)
		b.wait_limit_ns = ts_now_ns() + b.join_timeout_ns;
	if (!dds_open()) {
		dds_close();
		return 1;
	}
	status = b.side == SIDE_QEMU ? run_qemu_side() : run_participant_side();
	print_stats();
	dds_close();
	return status;
}
