/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "peer.h"

/* Spin this long on the participant's answer before blocking (DESIGN.md: latency). */
#define ANSWER_SPIN_NS 50000u
/* How often a wait looks up from its poll: QEMU quitting, timeouts. */
#define WAIT_SLICE_MS 50
/* Tell the user the guest waits for a participant once it has waited this long. */
#define CONNECT_NOTICE_NS 1000000000u
/* QEMU's main thread seen waiting on a futex this many slices in a row: it waits for us. */
#define MAIN_WAITS_SLICES 3

static struct {
	struct peer_config cfg;
	struct ts_session *session;
	bool connected;
	bool gone;
	bool halt_sent;
	uint64_t wait_start_ns;
	bool connecting;
	bool connect_noticed;
	int main_waits;
	volatile sig_atomic_t quit_signal;
	bool quit_seen;
	bool signals_watched;
	struct sigaction old_actions[3];
	struct wait_stats waits;
} peer;

static const int quit_signals[3] = { SIGTERM, SIGINT, SIGHUP };

void say(const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "timesync: %s\n", line);
}

/* Notes the signal, then lets QEMU's own handler do what it does (begin to quit). */
static void on_quit_signal(int signo, siginfo_t *info, void *context)
{
	peer.quit_signal = signo;
	for (size_t i = 0; i < 3; i++) {
		const struct sigaction *old = &peer.old_actions[i];

		if (quit_signals[i] != signo)
			continue;
		if (old->sa_flags & SA_SIGINFO)
			old->sa_sigaction(signo, info, context);
		else if (old->sa_handler != SIG_IGN && old->sa_handler != SIG_DFL)
			old->sa_handler(signo);
		else if (old->sa_handler == SIG_DFL)
			_exit(128 + signo);
	}
}

/* Installed once the guest runs, after QEMU installed its own handlers. */
static void watch_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_quit_signal, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++)
		sigaction(quit_signals[i], &sa, &peer.old_actions[i]);
	peer.signals_watched = true;
}

/*
 * QEMU's main thread waits on a futex (for the vCPUs to stop: quit, stop, a signal)
 * while the vCPU thread waits in the plugin? Then the wait must give way. Read from
 * /proc: the plugin API has no way to ask.
 */
static bool main_thread_waits(void)
{
	char path[64], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtol(buf, NULL, 10) == SYS_futex && buf[0] >= '0' && buf[0] <= '9';
}

static int keep_waiting(void *arg)
{
	(void)arg;
	if (peer.quit_signal) {
		peer.quit_seen = true;
		return -EINTR;
	}
	peer.main_waits = main_thread_waits() ? peer.main_waits + 1 : 0;
	if (peer.main_waits >= MAIN_WAITS_SLICES) {
		peer.quit_seen = true;
		peer.main_waits = 0;
		return -EINTR;
	}
	if (!peer.connecting)
		return 0;
	uint64_t waited = ts_now_ns() - peer.wait_start_ns;
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

	peer.cfg = *cfg;
	peer.cfg.session.link.wait = (struct ts_wait){ .spin_ns = ANSWER_SPIN_NS,
						       .slice_ms = WAIT_SLICE_MS,
						       .keep_waiting = keep_waiting };
	ret = ts_session_open(&peer.session, TS_ROLE_GUEST, &peer.cfg.session);
	if (ret < 0) {
		say("%s: %s", cfg->where, ts_strerror(ret));
		return -1;
	}
	return 0;
}

/* The participant failed or left: end QEMU, or let the guest run free. */
static int lost(int err, const char *what)
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
		return PEER_GONE;
	}
	say("stopping QEMU");
	exit(done ? EXIT_SUCCESS : EXIT_FAILURE);
}

static int connect_peer(void)
{
	int ret;

	peer.connecting = true;
	peer.wait_start_ns = ts_now_ns();
	ret = ts_session_connect(peer.session);
	peer.connecting = false;
	if (ret == -EINTR)
		return PEER_INTERRUPTED;
	if (ret == -ETIMEDOUT) {
		say("no participant came on %s within connect_timeout", peer.cfg.where);
		say("stopping QEMU");
		exit(EXIT_FAILURE);
	}
	if (ret < 0)
		return lost(ret, "cannot connect");
	if (peer.connect_noticed)
		say("participant connected");
	peer.connected = true;
	return 0;
}

int peer_sync(const struct ts_halt *halt, uint64_t *until_ns)
{
	int ret;

	if (peer.gone)
		return PEER_GONE;
	if (!peer.signals_watched)
		watch_signals();
	if (!peer.connected) {
		ret = connect_peer();
		if (ret)
			return ret;
	}
	if (!peer.halt_sent) {
		ret = ts_session_send_halt(peer.session, halt);
		if (ret < 0)
			return lost(ret, "cannot send the halt");
		peer.halt_sent = true;
		peer.wait_start_ns = ts_now_ns();
	}
	ret = ts_session_wait_grant(peer.session, until_ns);
	if (ret == -EINTR)
		return PEER_INTERRUPTED;
	if (ret < 0)
		return lost(ret, "no answer");
	peer.halt_sent = false;
	wait_stats_add(&peer.waits, ts_now_ns() - peer.wait_start_ns);
	return 0;
}

void peer_protocol_error(const char *text)
{
	say("the participant on %s broke the protocol: %s", peer.cfg.where, text);
	say("stopping QEMU");
	ts_session_close(peer.session, TS_GOODBYE_ERROR, text);
	peer.session = NULL;
	peer.gone = true;
	exit(EXIT_FAILURE);
}

bool peer_quit_seen(void)
{
	return peer.quit_seen || peer.quit_signal;
}

void peer_close(uint32_t reason, const char *text)
{
	ts_session_close(peer.session, reason, text);
	peer.session = NULL;
	peer.gone = true;
}

const struct wait_stats *peer_waits(void)
{
	return &peer.waits;
}
