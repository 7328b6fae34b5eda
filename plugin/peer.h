/* SPDX-License-Identifier: MIT */
/*
 * The plugin's side of the participant: connecting lazily at the first boundary, one
 * halt and grant per sync, and never a hang: waits give way when QEMU wants the vCPU back
 * (quit, stop, SIGTERM), a participant that goes away ends QEMU (or lets the guest run
 * free), and QEMU's exit says goodbye.
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "timesync.h"
#include "timesync_proto.h"
#include "waitstats.h"

struct peer_config {
	struct ts_session_config session;
	uint64_t connect_timeout_ns; /* 0: wait for the participant forever */
	bool run_free_on_loss;       /* participant gone: guest runs on instead of QEMU ending */
	const char *where;           /* the paths, for messages */
};

/* peer_sync() results besides 0. */
#define PEER_INTERRUPTED 1 /* QEMU wants the vCPU back: call peer_sync() again later */
#define PEER_GONE 2        /* the participant is gone and the guest runs free */

/* Prints "timesync: <message>" on stderr (qemu_plugin_outs shows only with -d plugin). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prepares the transport (no blocking). -1 with a message naming the problem. */
int peer_prepare(const struct peer_config *cfg);

/*
 * Tells the participant the guest halted (once, even when called again after
 * PEER_INTERRUPTED) and waits for its grant: *until_ns (0 in protocol 1: one quantum).
 * Ends QEMU when the participant fails, unless told to run free.
 */
int peer_sync(const struct ts_halt *halt, uint64_t *until_ns);

/* The participant broke the protocol in a way only the caller sees: tell it, end QEMU. */
void peer_protocol_error(const char *text) __attribute__((noreturn));

/* True once QEMU was seen quitting (signal, or waiting for the vCPUs to stop). */
bool peer_quit_seen(void);

/* Says goodbye (protocol 2) and closes; at QEMU's exit. */
void peer_close(uint32_t reason, const char *text);

/* The waits for the participant's answers so far. */
const struct wait_stats *peer_waits(void);

#endif
