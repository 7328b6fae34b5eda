/* SPDX-License-Identifier: MIT */
/* timesync-peer: the reference participant. Answers every halt of the plugin. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timesync.h"
#include "timesync_proto.h"

#define SPIN_NS 50000u
#define MAX_STEPS 64

struct peer_config {
	struct ts_session_config session;
	uint64_t steps_ns[MAX_STEPS]; /* protocol 2: the grants' steps, cycled */
	size_t n_steps;
	uint64_t delay_ns;
	uint64_t max_syncs; /* 0: no limit */
	uint64_t print_every;
	double realtime_factor; /* 0: as fast as possible */
	const char *trace;
	uint64_t spin_ns;
};

struct peer_stats {
	uint64_t syncs;
	uint64_t guest_ns;
	uint64_t waited_total_ns;
	uint64_t waited_max_ns;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: timesync-peer [OPTION]...\n"
		"Reference participant for libTimeSyncPlugin.so: answers every halt of the guest\n"
		"until QEMU goes away, then prints a summary.\n"
		"\n"
		"Connection (the same as the plugin's options):\n"
		"  --protocol 1|2        1: the seed's byte each way (default); 2: time-stamped\n"
		"                        records with HELLO, HALT, RUN_UNTIL, GOODBYE\n"
		"  --transport NAME      fifo (default), socket or shm\n"
		"  --host-to-guest PATH  FIFO the peer writes (default /tmp/HostToGuestPipe)\n"
		"  --guest-to-host PATH  FIFO the peer reads (default /tmp/GuestToHostPipe)\n"
		"  --path PATH           socket or shared-memory file (transport socket, shm)\n"
		"Time:\n"
		"  --quantum-us N        the plugin's TimeInMicroseconds (default 1000); protocol 1\n"
		"                        counts guest time with it\n"
		"  --quantum-ns N        the same in nanoseconds (TimeInNanoseconds)\n"
		"  --step-us LIST        protocol 2: grant these steps in turn, e.g. 1000,250,5000\n"
		"                        (default: the guest's quantum, from its HELLO)\n"
		"  --step-ns LIST        the same in nanoseconds\n"
		"  --realtime-factor F   pace guest time against the wall clock: 1 = real time,\n"
		"                        0.5 = half speed, 0 = as fast as possible (default)\n"
		"  --delay-us N          hold the guest N microseconds at every halt (default 0;\n"
		"                        the seed sleeps 1000)\n"
		"  --spin-us N           spin this long waiting for a halt before sleeping\n"
		"                        (default 50); a spin longer than the guest takes per\n"
		"                        quantum answers at once (no wake-up latency) for a core\n"
		"Run:\n"
		"  --steps N             answer N halts, then end: protocol 2 says goodbye and QEMU\n"
		"                        exits 0; protocol 1 closes the pipes and QEMU stops (1)\n"
		"  --print-every N       print guest time and syncs every N syncs (0: never)\n"
		"  --trace FILE          one line per sync: guest_ns instructions wall_ns wait_ns\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 when QEMU went away normally (protocol 2: its GOODBYE says the\n"
		"guest powered off or QEMU quit; protocol 1: it closed the pipe, which a crash\n"
		"does too) or the step limit was reached; 1 on errors and when QEMU vanished\n"
		"without a goodbye (protocol 2); 2 on bad usage.\n");
}

static bool fail_value(const char *name, const char *text, const char *what)
{
	fprintf(stderr, "timesync-peer: --%s %s: %s\n", name, text, what);
	return false;
}

/* Parses a decimal value: digits only, no overflow, at most max. */
static bool parse_count(const char *name, const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*text == '\0')
		return fail_value(name, text, "expected a whole number");
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return fail_value(name, text, "expected a whole number");
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		return fail_value(name, text, "too large");
	*out = v;
	return true;
}

/* A comma-separated list of steps, each 1..(2^62 / unit), times unit ns. */
static bool parse_steps(const char *name, const char *text, uint64_t unit_ns,
			struct peer_config *cfg)
{
	char item[32];
	const char *p = text;

	cfg->n_steps = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(item) || cfg->n_steps == MAX_STEPS)
			return fail_value(name, text, "expected up to 64 steps, like 1000,250");
		memcpy(item, p, n);
		item[n] = '\0';
		uint64_t v;
		if (!parse_count(name, item, (UINT64_C(1) << 62) / unit_ns, &v))
			return false;
		if (v == 0)
			return fail_value(name, text, "a step must be at least 1");
		cfg->steps_ns[cfg->n_steps++] = v * unit_ns;
		p += n + (p[n] == ',');
	}
	return cfg->n_steps ? true : fail_value(name, text, "expected at least one step");
}

static bool parse_factor(const char *name, const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);

	if (*text == '\0' || *end != '\0' || !(v >= 0 && v <= 1e6))
		return fail_value(name, text, "expected a number from 0 to 1000000");
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv, struct peer_config *cfg)
{
	static const struct option long_options[] = {
		{ "protocol", required_argument, NULL, 'P' },
		{ "transport", required_argument, NULL, 'T' },
		{ "host-to-guest", required_argument, NULL, 'H' },
		{ "guest-to-host", required_argument, NULL, 'G' },
		{ "path", required_argument, NULL, 'p' },
		{ "quantum-us", required_argument, NULL, 'u' },
		{ "quantum-ns", required_argument, NULL, 'n' },
		{ "step-us", required_argument, NULL, 'U' },
		{ "step-ns", required_argument, NULL, 'N' },
		{ "realtime-factor", required_argument, NULL, 'r' },
		{ "delay-us", required_argument, NULL, 'd' },
		{ "steps", required_argument, NULL, 's' },
		{ "print-every", required_argument, NULL, 'e' },
		{ "trace", required_argument, NULL, 't' },
		{ "spin-us", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const uint64_t max_us = (UINT64_C(1) << 62) / 1000;
	uint64_t protocol = 1;
	int c, index = 0;

	*cfg = (struct peer_config){ 0 };
	cfg->session.link.host_to_guest = "/tmp/HostToGuestPipe";
	cfg->session.link.guest_to_host = "/tmp/GuestToHostPipe";
	cfg->session.quantum_ns = 1000000;
	cfg->spin_ns = SPIN_NS;
	while ((c = getopt_long(argc, argv, "h", long_options, &index)) != -1) {
		const char *name = c == '?' || c == 'h' ? "" : long_options[index].name;
		bool ok = true;

		switch (c) {
		case 'P':
			ok = parse_count(name, optarg, 2, &protocol) &&
			     (protocol >= 1 || fail_value(name, optarg, "expected 1 or 2"));
			break;
		case 'T':
			ok = ts_transport_parse(optarg, &cfg->session.link.transport) == 0 ||
			     fail_value(name, optarg, "expected fifo, socket or shm");
			break;
		case 'H':
			cfg->session.link.host_to_guest = optarg;
			break;
		case 'G':
			cfg->session.link.guest_to_host = optarg;
			break;
		case 'p':
			cfg->session.link.path = optarg;
			break;
		case 'u':
			ok = parse_count(name, optarg, max_us, &cfg->session.quantum_ns);
			cfg->session.quantum_ns *= 1000;
			break;
		case 'n':
			ok = parse_count(name, optarg, UINT64_C(1) << 62, &cfg->session.quantum_ns);
			break;
		case 'U':
			ok = parse_steps(name, optarg, 1000, cfg);
			break;
		case 'N':
			ok = parse_steps(name, optarg, 1, cfg);
			break;
		case 'r':
			ok = parse_factor(name, optarg, &cfg->realtime_factor);
			break;
		case 'd':
			ok = parse_count(name, optarg, max_us, &cfg->delay_ns);
			cfg->delay_ns *= 1000;
			break;
		case 's':
			ok = parse_count(name, optarg, UINT64_MAX, &cfg->max_syncs);
			break;
		case 'e':
			ok = parse_count(name, optarg, UINT64_MAX, &cfg->print_every);
			break;
		case 't':
			cfg->trace = optarg;
			break;
		case 'S':
			ok = parse_count(name, optarg, 10000000, &cfg->spin_ns);
			cfg->spin_ns *= 1000;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (!ok)
			return -1;
	}
	cfg->session.protocol = (int)protocol;
	if (optind < argc) {
		fprintf(stderr, "timesync-peer: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (cfg->session.quantum_ns == 0) {
		fprintf(stderr, "timesync-peer: the quantum must be at least 1 ns\n");
		return -1;
	}
	if (cfg->n_steps && protocol == 1) {
		fprintf(stderr, "timesync-peer: --step-us/--step-ns need --protocol 2 (protocol 1 "
			"steps by the plugin's fixed quantum)\n");
		return -1;
	}
	if (cfg->session.link.transport != TS_TRANSPORT_FIFO && !cfg->session.link.path) {
		fprintf(stderr, "timesync-peer: --transport socket and shm need --path\n");
		return -1;
	}
	return 0;
}

static void print_time(uint64_t ns)
{
	printf("%" PRIu64 ".%09" PRIu64 " s", ns / 1000000000u, ns % 1000000000u);
}

static void print_summary(const struct peer_stats *st, const char *why)
{
	printf("timesync-peer: %s: %" PRIu64 " syncs, guest time ", why, st->syncs);
	print_time(st->guest_ns);
	printf(", QEMU waited mean %.1f us, max %.1f us\n",
	       st->syncs ? (double)st->waited_total_ns / (double)st->syncs / 1e3 : 0.0,
	       (double)st->waited_max_ns / 1e3);
	fflush(stdout);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* QEMU went away: a normal end (exit 0) or not, as its GOODBYE or the error says. */
static int qemu_gone(struct ts_session *s, const struct peer_stats *st, int err)
{
	const struct ts_goodbye *bye = ts_session_goodbye(s);
	char why[160];

	if (err == TS_EOF && ts_session_protocol(s) == 1) {
		print_summary(st, "QEMU closed the connection");
		return 0;
	}
	if (err == TS_EOF) {
		print_summary(st, "QEMU went away without a goodbye (killed or crashed)");
		return 1;
	}
	if (err == TS_EGOODBYE && bye) {
		snprintf(why, sizeof(why), "QEMU said goodbye (%s%s%s)",
			 ts_goodbye_reason_name(bye->reason), bye->text[0] ? ": " : "", bye->text);
		print_summary(st, why);
		return bye->reason == TS_GOODBYE_POWEROFF || bye->reason == TS_GOODBYE_QUIT ? 0 : 1;
	}
	fprintf(stderr, "timesync-peer: %s%s%s\n", ts_strerror(err),
		err == TS_EPROTO ? ": " : "", err == TS_EPROTO ? ts_session_error(s) : "");
	print_summary(st, "stopped on an error");
	return 1;
}

/* Holds the guest so that guest time runs at factor x the wall clock. */
static void pace(const struct peer_config *cfg, uint64_t start_wall_ns, uint64_t guest_ns)
{
	if (cfg->realtime_factor <= 0)
		return;
	uint64_t due = start_wall_ns + (uint64_t)((double)guest_ns / cfg->realtime_factor);
	uint64_t now = ts_now_ns();
	if (due > now)
		sleep_ns(due - now);
}

/* Answers halts until QEMU goes away or the step limit; *bye: the GOODBYE to send then. */
static int run(const struct peer_config *cfg, struct ts_session *s, FILE *trace, uint32_t *bye)
{
	struct peer_stats st = { 0 };
	uint64_t start_wall_ns = ts_now_ns();
	size_t next_step = 0;

	for (;;) {
		struct ts_halt halt;
		int ret = ts_session_wait_halt(s, &halt);

		if (ret < 0)
			return qemu_gone(s, &st, ret);
		uint64_t halted_ns = ts_now_ns();
		st.syncs++;
		st.guest_ns = halt.guest_ns;
		if (cfg->print_every && st.syncs % cfg->print_every == 0) {
			printf("sync %" PRIu64 ": guest time ", st.syncs);
			print_time(halt.guest_ns);
			printf("%s%s\n", halt.flags & TS_HALT_IDLE ? " (passed while idle)" : "",
			       halt.flags & TS_HALT_CLOCK_RESET ? " (the guest's clock went back)" : "");
			fflush(stdout);
		}
		if (cfg->delay_ns)
			sleep_ns(cfg->delay_ns);
		pace(cfg, start_wall_ns, halt.guest_ns);
		if (cfg->max_syncs && st.syncs > cfg->max_syncs) {
			st.syncs--;
			*bye = TS_GOODBYE_DONE;
			print_summary(&st, "step limit reached");
			return 0;
		}
		/* From the previous grant, not from this late halt: boundaries do not drift. */
		uint64_t step = cfg->n_steps ? cfg->steps_ns[next_step++ % cfg->n_steps]
					     : ts_session_guest_quantum_ns(s);
		ret = ts_session_run_for(s, step);
		if (ret < 0)
			return qemu_gone(s, &st, ret);
		uint64_t waited = ts_now_ns() - halted_ns;
		st.waited_total_ns += waited;
		if (waited > st.waited_max_ns)
			st.waited_max_ns = waited;
		if (trace)
			fprintf(trace, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				halt.guest_ns, halt.instructions, halted_ns - start_wall_ns, waited);
		if (cfg->max_syncs && st.syncs == cfg->max_syncs && cfg->session.protocol == 1) {
			print_summary(&st, "step limit reached, closing the pipes");
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct peer_config cfg;
	struct ts_session *session;
	FILE *trace = NULL;
	uint32_t bye = 0;
	int ret;

	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	cfg.session.link.wait = (struct ts_wait){ .spin_ns = cfg.spin_ns, .slice_ms = 100 };
	if (cfg.trace) {
		trace = fopen(cfg.trace, "w");
		if (!trace) {
			fprintf(stderr, "timesync-peer: --trace %s: %s\n", cfg.trace, strerror(errno));
			return 1;
		}
		fprintf(trace, "# guest_ns instructions wall_ns wait_ns\n");
	}
	ret = ts_session_open(&session, TS_ROLE_PARTICIPANT, &cfg.session);
	if (ret == TS_EINUSE) {
		char holder[64];

		ts_link_holder(&cfg.session.link, TS_ROLE_PARTICIPANT, holder, sizeof(holder));
		if (cfg.session.link.transport == TS_TRANSPORT_FIFO)
			fprintf(stderr, "timesync-peer: %s and %s: in use by another participant, %s\n",
				cfg.session.link.host_to_guest, cfg.session.link.guest_to_host, holder);
		else
			fprintf(stderr, "timesync-peer: %s: in use by another participant, %s\n",
				cfg.session.link.path, holder);
		return 1;
	}
	if (ret < 0) {
		fprintf(stderr, "timesync-peer: %s: %s\n",
			cfg.session.link.transport == TS_TRANSPORT_FIFO ? cfg.session.link.host_to_guest
									: cfg.session.link.path,
			ts_strerror(ret));
		return 1;
	}
	fprintf(stderr, "timesync-peer: waiting for QEMU (protocol %d)\n", cfg.session.protocol);
	ret = ts_session_connect(session);
	if (ret < 0) {
		fprintf(stderr, "timesync-peer: cannot connect: %s%s%s\n", ts_strerror(ret),
			ret == TS_EVERSION || ret == TS_EPROTO ? ": " : "",
			ret == TS_EVERSION || ret == TS_EPROTO ? ts_session_error(session) : "");
		ts_session_close(session, 0, NULL);
		return 1;
	}
	fprintf(stderr, "timesync-peer: connected\n");
	ret = run(&cfg, session, trace, &bye);
	ts_session_close(session, bye, "step limit reached");
	if (trace)
		fclose(trace);
	return ret;
}
