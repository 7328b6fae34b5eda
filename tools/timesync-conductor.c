/* SPDX-License-Identifier: MIT */
/*
 * timesync-conductor: several QEMUs and simulators in one co-simulation, in lockstep.
 *
 * Members come from a configuration file. A QEMU member is a QEMU whose plugin talks
 * protocol 2 over a socket or shared memory: the conductor is its participant. A
 * participant member is a simulator on libtimesync (examples/ns3, examples/systemc, ...):
 * to it the conductor is the guest, halting at the common time and taking its grants.
 *
 * Conservative lockstep: every member stands at the common time T and says how far it
 * wants to go next (a QEMU: its next step boundary, the next multiple of its step; a
 * participant: its grant). The next common time is the least of those; every member that
 * wants to go that far or further is granted it, the others (their want is exactly it)
 * too, so every member halts at every common time and none passes another by more than
 * a step of its own. A QEMU halts a block late at most (exactly on it with exact=on).
 * Lookahead: a QEMU whose guest idled is already at the end of its idle time (QEMU skips
 * it at once) and says so in its halt (TS_CAP_LOOKAHEAD); it wants the step after that,
 * so when every member can go as far the common time moves past the idle time in one
 * grant instead of one step at a time.
 *
 * A QEMU whose guest powers off leaves and the others go on; when no QEMU is left the
 * participants are told goodbye (the guest's end time in the text, as the plugin does)
 * and the conductor ends. A member that goes away without a goodbye stops everyone
 * (--on-crash stop, the default: the others get a GOODBYE naming it) or is dropped
 * (--on-crash continue).
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

#include "timesync.h"
#include "timesync_proto.h"

#define PROG "timesync-conductor"
#define MAX_MEMBERS 64
#define NAME_MAX_LEN 32
#define SPIN_NS 50000u
#define SLICE_MS 50
/* Guest time is at most 2^62 ns (the plugin's limit). */
#define MAX_NS (UINT64_C(1) << 62)

enum kind { QEMU, PARTICIPANT };

struct member {
	char name[NAME_MAX_LEN];
	enum kind kind;
	enum ts_transport transport;
	char *path;
	uint64_t step_ns; /* QEMU: 0 = its quantum from HELLO; participant: the quantum we announce */
	int line;
	struct ts_session *session;
	bool active;
	bool granted;     /* a QEMU running to its grant: the next round waits for its halt */
	uint64_t at_ns;   /* where it stands: its last halt */
	uint64_t want_ns; /* how far it wants to go next */
	uint64_t syncs;
	uint64_t lookaheads; /* QEMU: halts that said until when its guest idled */
	uint64_t waited_ns; /* wall time spent waiting for it */
};

static struct {
	struct member m[MAX_MEMBERS];
	unsigned n;
	uint64_t join_timeout_ns;
	uint64_t sync_timeout_ns; /* 0: wait for ever for a member's halt or grant */
	bool no_lookahead;        /* --lookahead off: QEMUs are not asked for it */
	bool continue_on_crash;
	bool crashed; /* a member went away without a goodbye (and the others went on) */
	FILE *grants; /* --grants FILE: one line per common time */
	uint64_t wait_start_ns;
	uint64_t wait_limit_ns; /* 0: wait for ever */
} c;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int keep_waiting(void *arg)
{
	(void)arg;
	return c.wait_limit_ns && ts_now_ns() - c.wait_start_ns >= c.wait_limit_ns ? -ETIMEDOUT : 0;
}

static const char *kind_name(enum kind k)
{
	return k == QEMU ? "qemu" : "participant";
}

/* Parses a whole number of us into *ns; false if malformed or beyond MAX_NS. */
static bool parse_us(const char *text, uint64_t *ns)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v == 0 || v > MAX_NS / 1000)
		return false;
	*ns = v * 1000;
	return true;
}

/*
 * The configuration: one member per line, "member NAME qemu|participant TRANSPORT PATH
 * [STEP_US]"; '#' starts a comment. Returns false (the message said) on any error.
 */
static bool read_config(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	int lineno = 0;
	bool ok = true;

	if (!f) {
		say("%s: %s", file, strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f)) {
		char *words[8], *save = NULL, *w;
		unsigned nw = 0;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			say("%s:%d: line too long", file, lineno);
			ok = false;
			break;
		}
		line[strcspn(line, "#")] = '\0';
		for (w = strtok_r(line, " \t\r\n", &save); w && nw < 8; w = strtok_r(NULL, " \t\r\n", &save))
			words[nw++] = w;
		if (nw == 0)
			continue;
		if (strcmp(words[0], "member") != 0 || nw < 5 || nw > 6) {
			say("%s:%d: expected 'member NAME qemu|participant socket|shm PATH [STEP_US]'",
			    file, lineno);
			ok = false;
			break;
		}
		if (c.n == MAX_MEMBERS) {
			say("%s:%d: more than %d members", file, lineno, MAX_MEMBERS);
			ok = false;
			break;
		}
		struct member *m = &c.m[c.n];
		memset(m, 0, sizeof(*m));
		m->line = lineno;
		if (strlen(words[1]) >= NAME_MAX_LEN) {
			say("%s:%d: member name '%s' longer than %d characters", file, lineno, words[1],
			    NAME_MAX_LEN - 1);
			ok = false;
			break;
		}
		snprintf(m->name, sizeof(m->name), "%s", words[1]);
		for (unsigned i = 0; i < c.n; i++) {
			if (strcmp(c.m[i].name, m->name) == 0) {
				say("%s:%d: member '%s' named twice (line %d)", file, lineno, m->name,
				    c.m[i].line);
				ok = false;
			}
		}
		if (strcmp(words[2], "qemu") == 0) {
			m->kind = QEMU;
		} else if (strcmp(words[2], "participant") == 0) {
			m->kind = PARTICIPANT;
		} else {
			say("%s:%d: member '%s': kind '%s' is not qemu or participant", file, lineno,
			    m->name, words[2]);
			ok = false;
		}
		if (ok && (ts_transport_parse(words[3], &m->transport) < 0 ||
			   m->transport == TS_TRANSPORT_FIFO)) {
			say("%s:%d: member '%s': transport '%s' is not socket or shm", file, lineno,
			    m->name, words[3]);
			ok = false;
		}
		if (ok && nw == 6 && !parse_us(words[5], &m->step_ns)) {
			say("%s:%d: member '%s': step '%s' is not a positive whole number of us (at "
			    "most %" PRIu64 ")", file, lineno, m->name, words[5], MAX_NS / 1000);
			ok = false;
		}
		if (ok && m->kind == PARTICIPANT && !m->step_ns)
			m->step_ns = 1000000; /* the quantum it hears of in our HELLO */
		m->path = ok ? strdup(words[4]) : NULL;
		if (ok && !m->path) {
			say("out of memory");
			ok = false;
		}
		if (ok)
			c.n++;
	}
	fclose(f);
	if (ok && c.n == 0) {
		say("%s: no members", file);
		ok = false;
	}
	bool any_qemu = false;
	for (unsigned i = 0; ok && i < c.n; i++)
		any_qemu |= c.m[i].kind == QEMU;
	if (ok && !any_qemu) {
		say("%s: no qemu member: nothing would ever halt", file);
		ok = false;
	}
	return ok;
}

static void describe(const struct member *m, char *buf, size_t len)
{
	snprintf(buf, len, "member '%s' (%s, %s %s)", m->name, kind_name(m->kind),
		 ts_transport_name(m->transport), m->path);
}

/* Ends the co-simulation: a goodbye to every active member, the reason's text. */
static void goodbye_all(uint32_t reason, const char *text)
{
	for (unsigned i = 0; i < c.n; i++) {
		if (c.m[i].session) {
			ts_session_close(c.m[i].session, c.m[i].active ? reason : 0, text);
			c.m[i].session = NULL;
		}
		c.m[i].active = false;
	}
}

static void print_stats(void)
{
	printf(PROG ": %-*s %-11s %10s %16s %14s %12s %10s\n", NAME_MAX_LEN / 2, "member", "kind",
	       "syncs", "guest time ns", "waited ms", "per sync us", "lookahead");
	for (unsigned i = 0; i < c.n; i++) {
		const struct member *m = &c.m[i];

		printf(PROG ": %-*s %-11s %10" PRIu64 " %16" PRIu64 " %14.3f %12.1f %10" PRIu64 "\n",
		       NAME_MAX_LEN / 2, m->name, kind_name(m->kind), m->syncs, m->at_ns,
		       (double)m->waited_ns / 1e6,
		       m->syncs ? (double)m->waited_ns / 1e3 / (double)m->syncs : 0.0,
		       m->lookaheads);
	}
}

/* Opens and connects every member, within the join timeout. */
static bool join_all(void)
{
	c.wait_limit_ns = c.join_timeout_ns;
	c.wait_start_ns = ts_now_ns();
	for (unsigned i = 0; i < c.n; i++) {
		struct member *m = &c.m[i];
		struct ts_session_config cfg;
		char who[NAME_MAX_LEN + 300];
		int ret;

		describe(m, who, sizeof(who));
		memset(&cfg, 0, sizeof(cfg));
		cfg.protocol = 2;
		cfg.quantum_ns = m->kind == PARTICIPANT ? m->step_ns : 0;
		cfg.capabilities = m->kind == QEMU && !c.no_lookahead ? TS_CAP_LOOKAHEAD : 0;
		cfg.link.transport = m->transport;
		cfg.link.path = m->path;
		cfg.link.wait = (struct ts_wait){ .spin_ns = SPIN_NS, .slice_ms = SLICE_MS,
						  .keep_waiting = keep_waiting };
		ret = ts_session_open(&m->session, m->kind == QEMU ? TS_ROLE_PARTICIPANT : TS_ROLE_GUEST,
				      &cfg);
		if (ret < 0) {
			say("%s: %s", who, ts_strerror(ret));
			m->session = NULL;
			return false;
		}
		ret = ts_session_connect(m->session);
		if (ret == -ETIMEDOUT) {
			say("%s did not join within --join-timeout (%" PRIu64 " s): stopping", who,
			    c.join_timeout_ns / 1000000000u);
			return false;
		}
		if (ret < 0) {
			say("%s: cannot connect: %s %s", who, ts_strerror(ret),
			    ts_session_error(m->session));
			return false;
		}
		m->active = true;
		if (m->kind == QEMU && !m->step_ns)
			m->step_ns = ts_session_guest_quantum_ns(m->session);
		if (!m->step_ns) {
			say("%s announced no quantum: give its step in the configuration", who);
			return false;
		}
		say("%s joined, steps of %" PRIu64 " ns", who, m->step_ns);
	}
	c.wait_limit_ns = 0;
	return true;
}

/*
 * A member is gone (err from its session). A QEMU's power-off or quit: it leaves. Else it
 * crashed: false to stop all (unless --on-crash continue).
 */
static bool member_gone(struct member *m, int err)
{
	/* A copy: the goodbye lives in the session, closed below. */
	const struct ts_goodbye *said = ts_session_goodbye(m->session);
	struct ts_goodbye copy = said ? *said : (struct ts_goodbye){ 0 };
	const struct ts_goodbye *bye = said ? &copy : NULL;
	char who[NAME_MAX_LEN + 300];

	describe(m, who, sizeof(who));
	uint64_t end_ns;
	if (err == TS_EGOODBYE && bye && m->kind == QEMU &&
	    sscanf(bye->text, "QEMU exits at guest time %" SCNu64 " ns", &end_ns) == 1)
		m->at_ns = end_ns;
	ts_session_close(m->session, err == -ETIMEDOUT ? TS_GOODBYE_ERROR : 0,
			 "no answer within the conductor's --sync-timeout");
	m->session = NULL;
	m->active = false;
	if (err == TS_EGOODBYE && bye &&
	    (bye->reason == TS_GOODBYE_POWEROFF || bye->reason == TS_GOODBYE_QUIT ||
	     bye->reason == TS_GOODBYE_DONE)) {
		say("%s left at guest time %" PRIu64 " ns (%s); the others go on", who, m->at_ns,
		    ts_goodbye_reason_name(bye->reason));
		return true;
	}
	if (err == TS_EGOODBYE && bye)
		say("%s left with an error at guest time %" PRIu64 " ns: %s", who, m->at_ns, bye->text);
	else if (err == -ETIMEDOUT)
		say("%s did not answer within --sync-timeout (%" PRIu64 " s) at guest time %" PRIu64
		    " ns: taken for hung", who, c.sync_timeout_ns / 1000000000u, m->at_ns);
	else
		say("%s went away at guest time %" PRIu64 " ns without a goodbye: %s", who,
		    m->at_ns, ts_strerror(err));
	c.crashed = true;
	if (c.continue_on_crash) {
		say("--on-crash continue: the others go on without it");
		return true;
	}
	return false;
}

/* A wait for one member's halt or grant: --sync-timeout bounds it. Returns its start. */
static uint64_t sync_wait_begin(void)
{
	c.wait_start_ns = ts_now_ns();
	c.wait_limit_ns = c.sync_timeout_ns;
	return c.wait_start_ns;
}

/* Ends that wait; how long it took. */
static uint64_t sync_wait_end(uint64_t start_ns)
{
	c.wait_limit_ns = 0;
	return ts_now_ns() - start_ns;
}

/* Waits for a QEMU's halt at (or a block past) the common time. False: stop all. */
static bool qemu_halt(struct member *m)
{
	struct ts_halt halt;
	uint64_t start = sync_wait_begin();
	int ret = ts_session_wait_halt(m->session, &halt);

	m->waited_ns += sync_wait_end(start);
	if (ret < 0)
		return member_gone(m, ret);
	m->syncs++;
	m->at_ns = halt.guest_ns;
	m->want_ns = (halt.guest_ns / m->step_ns + 1) * m->step_ns;
	/* Lookahead: idle (and there already) until idle_until_ns, it wants the step after. */
	if (halt.idle_until_ns > m->want_ns && halt.idle_until_ns < MAX_NS) {
		m->want_ns = (halt.idle_until_ns / m->step_ns + 1) * m->step_ns;
		m->lookaheads++;
	}
	return true;
}

/* Halts a participant at time t and takes its grant. False: stop all. */
static bool participant_halt(struct member *m, uint64_t t)
{
	struct ts_halt halt = { .reason = TS_HALT_GRANTED, .seq = m->syncs + 1, .guest_ns = t,
				.instructions = t };
	uint64_t start = sync_wait_begin(), until;
	int ret = ts_session_send_halt(m->session, &halt);

	if (ret == 0)
		ret = ts_session_wait_grant(m->session, &until);
	m->waited_ns += sync_wait_end(start);
	if (ret < 0)
		return member_gone(m, ret);
	m->syncs++;
	m->at_ns = t;
	if (until <= t) {
		say("member '%s' granted %" PRIu64 " ns at %" PRIu64 " ns: not after the halt", m->name,
		    until, t);
		ts_session_close(m->session, TS_GOODBYE_ERROR, "grant not after the halt");
		m->session = NULL;
		m->active = false;
		c.crashed = true;
		return c.continue_on_crash;
	}
	m->want_ns = until;
	return true;
}

/* The lockstep. Returns the exit status. */
static int run(void)
{
	uint64_t common = 0, rounds = 0;
	bool first = true;

	for (;;) {
		unsigned qemus = 0;

		/* Every active QEMU halts at the common time (at first: at its first boundary). */
		for (unsigned i = 0; i < c.n; i++) {
			struct member *m = &c.m[i];

			if (!m->active || m->kind != QEMU || (!first && !m->granted))
				continue;
			m->granted = false;
			if (!qemu_halt(m))
				goto crashed;
		}
		for (unsigned i = 0; i < c.n; i++)
			qemus += c.m[i].active && c.m[i].kind == QEMU;
		if (first) {
			/* The first boundaries may differ: start from the latest, which every
			 * QEMU reaches within its first step. */
			for (unsigned i = 0; i < c.n; i++)
				if (c.m[i].active && c.m[i].kind == QEMU && c.m[i].at_ns > common)
					common = c.m[i].at_ns;
		}
		if (qemus == 0)
			break;
		/* Every participant whose grant is reached halts at the common time. */
		for (unsigned i = 0; i < c.n; i++) {
			struct member *m = &c.m[i];

			if (m->active && m->kind == PARTICIPANT && (first || m->want_ns <= common) &&
			    !participant_halt(m, common))
				goto crashed;
		}
		/* The next common time: the least any member wants. */
		uint64_t next = UINT64_MAX;
		for (unsigned i = 0; i < c.n; i++)
			if (c.m[i].active && c.m[i].want_ns < next)
				next = c.m[i].want_ns;
		if (c.grants) {
			fprintf(c.grants, "grant %" PRIu64 " at %" PRIu64 " until %" PRIu64, ++rounds,
				common, next);
			for (unsigned i = 0; i < c.n; i++)
				if (c.m[i].active)
					fprintf(c.grants, " %s=%" PRIu64, c.m[i].name, c.m[i].at_ns);
			fputc('\n', c.grants);
		}
		for (unsigned i = 0; i < c.n; i++) {
			struct member *m = &c.m[i];
			int ret;

			/* A QEMU that stands before next runs to it; one ahead of it (after
			 * differing first boundaries) waits there. */
			if (!m->active || m->kind != QEMU || m->at_ns >= next)
				continue;
			ret = ts_session_run_until(m->session, next);
			if (ret < 0) {
				if (!member_gone(m, ret))
					goto crashed;
				continue;
			}
			m->granted = true;
		}
		common = next;
		first = false;
	}
	/* Every QEMU has left: the participants end at the last guest time. */
	uint64_t end = 0;
	char text[TS_GOODBYE_TEXT_SIZE];
	for (unsigned i = 0; i < c.n; i++)
		if (c.m[i].kind == QEMU && c.m[i].at_ns > end)
			end = c.m[i].at_ns;
	snprintf(text, sizeof(text), "QEMU exits at guest time %" PRIu64 " ns", end);
	for (unsigned i = 0; i < c.n; i++)
		if (c.m[i].kind == PARTICIPANT)
			c.m[i].at_ns = end;
	goodbye_all(TS_GOODBYE_POWEROFF, text);
	say("every QEMU has left: the co-simulation ends at guest time %" PRIu64 " ns", end);
	return c.crashed ? 1 : 0;
crashed:
	goodbye_all(TS_GOODBYE_ERROR, "a member of the co-simulation went away");
	say("stopping every member");
	return 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]... CONFIG\n"
		"Runs several QEMUs (libTimeSyncPlugin.so, protocol=2) and simulator participants\n"
		"(libtimesync) in conservative lockstep: every member halts at the common time,\n"
		"which moves on to the least time any member asks for next.\n"
		"\n"
		"CONFIG lists the members, one per line ('#' starts a comment):\n"
		"  member NAME qemu TRANSPORT PATH [STEP_US]\n"
		"      a QEMU started with -plugin ...,protocol=2,transport=TRANSPORT,path=PATH;\n"
		"      STEP_US: its step (default: its quantum, TimeInMicroseconds)\n"
		"  member NAME participant TRANSPORT PATH [QUANTUM_US]\n"
		"      a participant that connects to PATH as to a plugin; QUANTUM_US: the quantum\n"
		"      it is told in HELLO (default 1000); its grants decide its steps\n"
		"  TRANSPORT is socket or shm.\n"
		"\n"
		"  --join-timeout S    every member must have joined within S seconds (default 30;\n"
		"                      0: wait for ever)\n"
		"  --sync-timeout S    a member that does not halt or grant within S seconds of\n"
		"                      being waited for is taken for hung, as a crash (default 0:\n"
		"                      wait for ever)\n"
		"  --lookahead on|off  on (default): a QEMU whose guest idled until T says so\n"
		"                      in its halt, and when every member can go that far the\n"
		"                      common time moves there in one grant\n"
		"  --on-crash stop|continue\n"
		"                      a member gone without a goodbye stops all (default), or\n"
		"                      the others go on\n"
		"  --grants FILE       one line per common time: grant N at T until NEXT NAME=TIME...\n"
		"  -h, --help          this text\n"
		"\n"
		"A QEMU whose guest powers off leaves and the others go on; once every QEMU has\n"
		"left, the participants are told goodbye and statistics per member are printed.\n"
		"Exit status: 0 when every QEMU left normally; 1 when a member did not join, went\n"
		"away without a goodbye (with --on-crash continue too, once the others ended) or a\n"
		"link failed; 2 on bad usage or a bad configuration.\n");
}

/* A whole number of seconds (at most 1000000) for option name into *ns; false: said. */
static bool parse_seconds(const char *name, const char *text, uint64_t *ns)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > 1000000) {
		say("%s: '%s' is not a whole number of seconds (at most 1000000)", name, text);
		return false;
	}
	*ns = v * UINT64_C(1000000000);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "join-timeout", required_argument, NULL, 'j' },
		{ "sync-timeout", required_argument, NULL, 's' },
		{ "lookahead", required_argument, NULL, 'l' },
		{ "on-crash", required_argument, NULL, 'c' },
		{ "grants", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *grants = NULL;
	int opt, status;

	c.join_timeout_ns = 30 * UINT64_C(1000000000);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (!parse_seconds("--join-timeout", optarg, &c.join_timeout_ns))
				return 2;
			break;
		case 's':
			if (!parse_seconds("--sync-timeout", optarg, &c.sync_timeout_ns))
				return 2;
			break;
		case 'l':
			if (strcmp(optarg, "on") == 0 || strcmp(optarg, "off") == 0) {
				c.no_lookahead = strcmp(optarg, "off") == 0;
			} else {
				say("--lookahead: '%s' is not on or off", optarg);
				return 2;
			}
			break;
		case 'c':
			if (strcmp(optarg, "stop") == 0) {
				c.continue_on_crash = false;
			} else if (strcmp(optarg, "continue") == 0) {
				c.continue_on_crash = true;
			} else {
				say("--on-crash: '%s' is not stop or continue", optarg);
				return 2;
			}
			break;
		case 'g':
			grants = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			say("unknown option or missing value: '%s' (try --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		say(optind == argc ? "give the configuration file (try --help)"
				   : "one configuration file only (try --help)");
		return 2;
	}
	if (!read_config(argv[optind]))
		return 2;
	if (grants) {
		c.grants = fopen(grants, "w");
		if (!c.grants) {
			say("--grants %s: %s", grants, strerror(errno));
			return 2;
		}
		setvbuf(c.grants, NULL, _IOLBF, 0);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!join_all()) {
		goodbye_all(TS_GOODBYE_ERROR, "a member did not join the co-simulation");
		status = 1;
	} else {
		status = run();
	}
	print_stats();
	for (unsigned i = 0; i < c.n; i++)
		free(c.m[i].path);
	if (c.grants)
		fclose(c.grants);
	return status;
}
