/* SPDX-License-Identifier: MIT */
/* The plugin's key=value options, parsed without QEMU so unit tests can call it. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timesync.h"

struct ts_options {
	const char *host_to_guest; /* HostToGuestPipe=: the participant writes, we read */
	const char *guest_to_host; /* GuestToHostPipe=: we write, the participant reads */
	uint64_t quantum_ns;       /* TimeInMicroseconds= x 1000, or TimeInNanoseconds= */
	bool exact;                /* exact=on: halt on the exact instruction, not per block */
	bool require_icount;       /* require_icount=off: only warn when -icount is missing */
	const char *trace;         /* trace=FILE: one line per sync */
	const char *stats;         /* stats=FILE: exit statistics as JSON */
	bool follow_clock;         /* follow_clock=off: instruction time only, idle unseen */
	uint64_t protocol;         /* protocol=1 (the seed's byte) or 2 (time-stamped records) */
	enum ts_transport transport; /* transport=fifo|socket|shm */
	const char *path;          /* path=: the socket or shared-memory file */
	bool run_free_on_loss;        /* participant_lost=run (true) or exit */
	uint64_t connect_timeout_s;   /* connect_timeout=SECONDS, 0: forever */
	uint64_t sync_timeout_s;      /* sync_timeout=SECONDS: for each answer, 0: forever */
};

/*
 * Parses QEMU's plugin arguments ("key=value" strings). Keys are case-insensitive.
 * Returns 0, or -1 with a message naming the offending option in err. The strings in
 * *opts point into argv.
 */
int ts_options_parse(struct ts_options *opts, int argc, char **argv, char *err, size_t err_len);

#endif
