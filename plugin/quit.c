/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "quit.h"

/* QEMU's main thread seen waiting on a futex this many slices in a row: it waits for us. */
#define MAIN_WAITS_SLICES 3

static const int quit_signals[3] = { SIGTERM, SIGINT, SIGHUP };

static struct {
	bool watching;
	volatile sig_atomic_t signal;
	bool seen;
	int main_waits;
	struct sigaction old_actions[3];
} quit;

/* Notes the signal, then lets QEMU's own handler do what it does (begin to quit). */
static void on_quit_signal(int signo, siginfo_t *info, void *context)
{
	quit.signal = signo;
	for (size_t i = 0; i < 3; i++) {
		const struct sigaction *old = &quit.old_actions[i];

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

void quit_watch_start(void)
{
	struct sigaction sa = { .sa_sigaction = on_quit_signal, .sa_flags = SA_SIGINFO };

	if (quit.watching)
		return;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++)
		sigaction(quit_signals[i], &sa, &quit.old_actions[i]);
	quit.watching = true;
}

/* QEMU's main thread waits on a futex (for the vCPUs to stop: quit, stop, a signal)? */
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

bool quit_requested(void)
{
	if (quit.signal) {
		quit.seen = true;
		return true;
	}
	quit.main_waits = main_thread_waits() ? quit.main_waits + 1 : 0;
	if (quit.main_waits >= MAIN_WAITS_SLICES) {
		quit.seen = true;
		quit.main_waits = 0;
		return true;
	}
	return false;
}

bool quit_seen(void)
{
	return quit.seen || quit.signal;
}
