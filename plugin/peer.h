/* SPDX-License-Identifier: MIT */
/*
 * The plugin's side of the participant: connecting lazily at the first boundary, one
 * halt and grant per sync, and never a hang: waits give way when QEMU wants the vCPU back
 * (the quit detector says so), a participant that goes away stops QEMU (or lets the guest
 * run free), and QEMU's exit says goodbye. Nothing here ends the process: results say
 * what the caller must do. It is the sync core's struct sync_peer (peer_sync_peer()).
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "sync.h"
#include "timesync.h"
#include "timesync_proto.h"
#include "waitstats.h"

struct peer_config {
	struct ts_session_config session;
	uint64_t connect_timeout_ns; /* 0: wait for the participant forever */
	uint64_t sync_timeout_ns;    /* 0: wait for each answer forever */
	bool run_free_on_loss;       /* participant gone: guest runs on instead of QEMU ending */
	const char *where;           /* the paths, for messages */
	bool (*quit_requested)(void); /* asked while waiting: true ends the wait (SYNC_INTERRUPTED) */
};

/* Prepares the transport (no blocking). -1 with a message naming the problem. */
int peer_prepare(const struct peer_config *cfg);

/*
 * Tells the participant the guest halted (once, even when called again after
 * SYNC_INTERRUPTED) and waits for its grant: *until_ns (0 in protocol 1: one quantum).
 * A participant that fails gives SYNC_STOP_* (or SYNC_RUN_FREE when told to run free),
 * with a message.
 */
enum sync_answer peer_sync(void *unused, const struct ts_halt *halt, uint64_t *until_ns);

/* The participant broke the protocol in a way only the caller sees: say so, tell it. */
void peer_protocol_error(void *unused, const char *text);

/* Says goodbye (protocol 2) and closes; at QEMU's exit. */
void peer_close(uint32_t reason, const char *text);

/* Protocol 1: extra answer bytes dropped so far; *halts: before how many halts. */
uint64_t peer_stale_bytes(uint64_t *halts);

/* The waits for the participant's answers so far. */
const struct wait_stats *peer_waits(void);

#endif
