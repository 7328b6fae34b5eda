/* SPDX-License-Identifier: MIT */
/* timesync-peer: the reference participant. Answers every sync of the plugin. */
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
#include <unistd.h>

#include "timesync.h"

#define ANSWER_BYTE 'c'
#define SPIN_NS 20000u

struct peer_config {
	const char *host_to_guest;
	const char *guest_to_host;
	uint64_t quantum_ns;
	uint64_t delay_ns;
	uint64_t max_steps; /* 0: no limit */
	uint64_t print_every;
};

struct peer_stats {
	uint64_t syncs;
	uint64_t waited_total_ns;
	uint64_t waited_max_ns;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: timesync-peer [OPTION]...\n"
		"Reference participant for libTimeSyncPlugin.so (protocol v1: one byte each way).\n"
		"Creates the FIFOs when missing, then answers every sync of the plugin until QEMU\n"
		"closes the pipe, and prints a summary.\n"
		"\n"
		"  --host-to-guest PATH  FIFO the peer writes (default /tmp/HostToGuestPipe)\n"
		"  --guest-to-host PATH  FIFO the peer reads (default /tmp/GuestToHostPipe)\n"
		"  --quantum-us N        the plugin's TimeInMicroseconds, to report guest time\n"
		"                        (default 1000)\n"
		"  --quantum-ns N        the same in nanoseconds (TimeInNanoseconds)\n"
		"  --delay-us N          hold the guest N microseconds at every sync (the seed\n"
		"                        sleeps 1000); default 0\n"
		"  --steps N             answer N syncs, then close the pipes and exit (QEMU then\n"
		"                        stops: protocol v1 has no way to say goodbye)\n"
		"  --print-every N       print guest time and syncs every N syncs (0: never)\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 when QEMU closed the pipes (guest powered off or QEMU quit;\n"
		"protocol v1 cannot tell a crash apart) or the step limit was reached,\n"
		"1 on errors, 2 on bad usage.\n");
}

/* Parses a decimal option value: digits only, no overflow. */
static bool parse_count(const char *name, const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*text == '\0')
		goto bad;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		goto bad;
	*out = v;
	return true;
bad:
	fprintf(stderr, "timesync-peer: --%s %s: expected a whole number from 0 to %" PRIu64 "\n",
		name, text, max);
	return false;
}

static int parse_args(int argc, char **argv, struct peer_config *cfg)
{
	static const struct option long_options[] = {
		{ "host-to-guest", required_argument, NULL, 'H' },
		{ "guest-to-host", required_argument, NULL, 'G' },
		{ "quantum-us", required_argument, NULL, 'u' },
		{ "quantum-ns", required_argument, NULL, 'n' },
		{ "delay-us", required_argument, NULL, 'd' },
		{ "steps", required_argument, NULL, 's' },
		{ "print-every", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const uint64_t max_us = UINT64_MAX / 1000;
	int c, index;

	*cfg = (struct peer_config){ "/tmp/HostToGuestPipe", "/tmp/GuestToHostPipe",
				     1000000, 0, 0, 0 };
	while ((c = getopt_long(argc, argv, "h", long_options, &index)) != -1) {
		const char *name = c == '?' || c == 'h' ? "" : long_options[index].name;
		bool ok = true;

		switch (c) {
		case 'H':
			cfg->host_to_guest = optarg;
			break;
		case 'G':
			cfg->guest_to_host = optarg;
			break;
		case 'u':
			ok = parse_count(name, optarg, max_us, &cfg->quantum_ns);
			cfg->quantum_ns *= 1000;
			break;
		case 'n':
			ok = parse_count(name, optarg, UINT64_MAX, &cfg->quantum_ns);
			break;
		case 'd':
			ok = parse_count(name, optarg, max_us, &cfg->delay_ns);
			cfg->delay_ns *= 1000;
			break;
		case 's':
			ok = parse_count(name, optarg, UINT64_MAX, &cfg->max_steps);
			break;
		case 'p':
			ok = parse_count(name, optarg, UINT64_MAX, &cfg->print_every);
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
	if (optind < argc) {
		fprintf(stderr, "timesync-peer: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (cfg->quantum_ns == 0) {
		fprintf(stderr, "timesync-peer: the quantum must be at least 1 ns\n");
		return -1;
	}
	return 0;
}

static void print_time(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%09" PRIu64 " s", ns / 1000000000u, ns % 1000000000u);
}

static void print_summary(const struct peer_config *cfg, const struct peer_stats *st,
			  const char *why)
{
	printf("timesync-peer: %s: %" PRIu64 " syncs, guest time ", why, st->syncs);
	print_time(stdout, st->syncs * cfg->quantum_ns);
	printf(", QEMU waited mean %.1f us, max %.1f us\n",
	       st->syncs ? (double)st->waited_total_ns / (double)st->syncs / 1e3 : 0.0,
	       (double)st->waited_max_ns / 1e3);
	fflush(stdout);
}

static int ensure(const char *path)
{
	int ret = ts_fifo_ensure(path);

	if (ret < 0)
		fprintf(stderr, "timesync-peer: %s: %s\n", path, ts_strerror(ret));
	return ret;
}

static void hold(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const struct ts_wait wait = { .spin_ns = SPIN_NS, .slice_ms = 100 };
	struct peer_config cfg;
	struct peer_stats st = { 0 };
	int read_fd, write_fd, ret;

	if (parse_args(argc, argv, &cfg) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (ensure(cfg.host_to_guest) < 0 || ensure(cfg.guest_to_host) < 0)
		return 1;
	fprintf(stderr, "timesync-peer: waiting for QEMU on %s and %s\n", cfg.host_to_guest,
		cfg.guest_to_host);
	ret = ts_fifo_open_participant_end(cfg.host_to_guest, cfg.guest_to_host, &wait, &read_fd,
					   &write_fd);
	if (ret < 0) {
		fprintf(stderr, "timesync-peer: cannot open the pipes: %s\n", ts_strerror(ret));
		return 1;
	}
	fprintf(stderr, "timesync-peer: connected, quantum %" PRIu64 " ns\n", cfg.quantum_ns);

	for (;;) {
		uint8_t byte;

		ret = ts_read_full(read_fd, &byte, 1, &wait);
		if (ret == TS_EOF) {
			print_summary(&cfg, &st, "QEMU closed the pipe");
			return 0;
		}
		if (ret < 0) {
			fprintf(stderr, "timesync-peer: reading %s: %s\n", cfg.guest_to_host,
				ts_strerror(ret));
			return 1;
		}
		uint64_t halted_ns = ts_now_ns();
		st.syncs++;
		if (cfg.print_every && st.syncs % cfg.print_every == 0) {
			printf("sync %" PRIu64 ": guest time ", st.syncs);
			print_time(stdout, st.syncs * cfg.quantum_ns);
			printf("\n");
			fflush(stdout);
		}
		if (cfg.delay_ns)
			hold(cfg.delay_ns);
		byte = ANSWER_BYTE;
		ret = ts_write_full(write_fd, &byte, 1, &wait);
		if (ret < 0) {
			fprintf(stderr, "timesync-peer: writing %s: %s\n", cfg.host_to_guest,
				ts_strerror(ret));
			print_summary(&cfg, &st, "QEMU went away");
			return ret == -EPIPE ? 0 : 1;
		}
		uint64_t waited = ts_now_ns() - halted_ns;
		st.waited_total_ns += waited;
		if (waited > st.waited_max_ns)
			st.waited_max_ns = waited;
		if (cfg.max_steps && st.syncs == cfg.max_steps) {
			print_summary(&cfg, &st, "step limit reached, closing the pipes");
			return 0;
		}
	}
}
