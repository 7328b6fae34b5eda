/* SPDX-License-Identifier: MIT */
/*
 * The plugin's sync core, in plain C so unit tests drive it without QEMU: given the
 * instructions counted so far (the timekeeper's counters) and, at a block's start, a
 * reading of the guest's own clock, it decides which boundaries are due, builds each halt
 * (idle or not), hands it to the participant, checks the grant, traces and re-arms the
 * counters. plugin.c only reads counters and registers and calls in here.
 */
#ifndef SYNC_H
#define SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "timekeeper.h"
#include "timesync_proto.h"
#include "waitstats.h"

/* What the participant's side (peer.c, or a fake in unit tests) answered. */
enum sync_answer {
	SYNC_GRANTED,     /* go on: *until_ns is the grant (0: one quantum) */
	SYNC_INTERRUPTED, /* QEMU wants the vCPU back (quit, stop): ask again later */
	SYNC_RUN_FREE,    /* the participant is gone and the guest runs on unsynchronized */
	SYNC_STOP_OK,     /* stop QEMU with exit status 0 (the participant said it is done) */
	SYNC_STOP_FAIL,   /* stop QEMU with exit status 1 (the message is out already) */
};

/* The participant as the core sees it. */
struct sync_peer {
	/* Hands a halt over and waits for the grant (sync_answer, *until_ns). */
	enum sync_answer (*sync)(void *ctx, const struct ts_halt *halt, uint64_t *until_ns);
	/* The grant broke the protocol (text says how): tell the participant, say so. */
	void (*protocol_error)(void *ctx, const char *text);
	void *ctx;
};

struct sync_config {
	uint64_t quantum_ns;
	unsigned shift;               /* -icount shift=N: one instruction = 2^N ns */
	int protocol;                 /* 1: quanta only; 2: the participant grants a time */
	bool follow_clock;            /* guest time = the guest's clock where it can be read */
	uint64_t clock_resolution_ns; /* of the guest's clock (0: it has none) */
	const char *halt_mnemonic;    /* the target's halt instruction, for messages */
	FILE *trace;                  /* one line per sync, or NULL */
	struct sync_peer peer;
};

struct sync_core {
	struct sync_config cfg;
	struct timekeeper tk;
	bool clock_origin_set;
	uint64_t clock_origin_ns; /* the guest's clock at its first instruction */
	int64_t clock_base_ns;    /* added to the guest's clock to give guest time */
	int64_t last_clock_ns;    /* the last reading, as guest time */
	uint64_t clock_readings;  /* readings of the guest's clock followed */
	uint64_t clock_resets;    /* times the guest's clock went back (reset, loadvm) */
	bool clock_reset_pending; /* the next halt carries TS_HALT_CLOCK_RESET */
	bool held;                /* a halt is with the participant, QEMU took the vCPU back */
	struct ts_halt held_halt; /* that halt, as it was handed over */
	uint64_t held_now_ns;     /* guest time then */
	uint64_t stop_overrun_insns; /* run past halts while QEMU stopped the vCPU (stop/cont) */
	uint64_t halts_seen;      /* halt instructions executed */
};

/* No clock reading at this check (mid-block, or the target has no clock register). */
#define SYNC_NO_CLOCK UINT64_MAX

/* Sets the core up; -1 for a quantum or shift the timekeeper refuses. */
int sync_init(struct sync_core *core, const struct sync_config *cfg);
void sync_destroy(struct sync_core *core);

/* A counter to register (tk_add_vcpu): its armed value, 0 when memory ran out. */
uint64_t sync_add_counter(struct sync_core *core, unsigned index);

/*
 * A counter fired. counters: every counter's value now (tk.n_vcpus of them), re-armed in
 * place unless the answer is SYNC_INTERRUPTED or a stop. clock_ns: the guest's own clock
 * in ns as read now, or SYNC_NO_CLOCK; it includes clock_ahead_insns instructions more
 * than the counters (a clock register read at a block's start includes the block, which
 * QEMU charges on entry; a clock read by the guest itself, none).
 * Returns SYNC_GRANTED when the guest may go on (SYNC_RUN_FREE too), SYNC_INTERRUPTED
 * when QEMU wants the vCPU back first (the counters stay armed: the check fires again,
 * and the halt in hand stays the one the participant has), or a stop.
 */
enum sync_answer sync_check(struct sync_core *core, uint64_t *counters, uint64_t clock_ns,
			    uint64_t clock_ahead_insns);

/*
 * sync_check() for exact mode's segments (counting.h): counter index stands before
 * ahead_insns instructions that nothing outside the vCPU can see, and every boundary
 * among them is synced here as if the vCPU stood on it (each halt at the boundary's
 * exact time and instruction count). The counters are given back at the check's
 * position, re-armed. clock_ns, clock_ahead_insns: as for sync_check().
 */
enum sync_answer sync_check_ahead(struct sync_core *core, uint64_t *counters, unsigned index,
				  uint64_t clock_ns, uint64_t clock_ahead_insns,
				  uint64_t ahead_insns);

/* Makes counter index fire at its very next check (a clock reading is on its way). */
void sync_fire_at_next_check(struct sync_core *core, unsigned index, uint64_t *counters);

/*
 * Counter index ran a halt instruction (wfi, hlt). With the guest's clock readable
 * (clock_readable), the counter fires at its next check so the end of the idle is seen at
 * once; otherwise the first one warns that idle time is not synchronized.
 */
void sync_halt_insn(struct sync_core *core, unsigned index, uint64_t *counters,
		    bool clock_readable);

/* The exit statistics, printed as one text line and as JSON from one table. */
#define SYNC_STATS_FIELDS(X)                                                      \
	X(syncs, "", " syncs")                                                    \
	X(guest_ns, ", guest time ", " ns")                                      \
	X(instructions, ", ", " instructions")                                   \
	X(max_late_ns, ", max late ", " ns")                                     \
	X(wait_mean_ns, ", waited for participant mean ", " ns")                 \
	X(wait_p99_ns, " p99 ", " ns")                                           \
	X(wait_max_ns, " max ", " ns")                                           \
	X(wait_total_ns, " total ", " ns")                                       \
	X(halt_instructions, ", ", " halt instructions")                        \
	X(idle_ns, ", ", " ns idle")                                             \
	X(clock_origin_ns, ", clock origin ", " ns")                            \
	X(clock_resets, ", ", " clock resets")                                   \
	X(stop_overrun_insns, ", ", " instructions run past a halt while QEMU stopped the vCPU") \
	X(extra_answer_halts, ", ", " halts answered with extra bytes")

struct sync_stats {
#define SYNC_STATS_MEMBER(name, before, after) uint64_t name;
	SYNC_STATS_FIELDS(SYNC_STATS_MEMBER)
#undef SYNC_STATS_MEMBER
};

/* The statistics now; counters NULL before any vCPU ran. */
void sync_stats(const struct sync_core *core, const uint64_t *counters,
		const struct wait_stats *waits, struct sync_stats *out);

/* "100 syncs, guest time ... ns, ..., clock origin 0 ns" into text. */
void sync_stats_text(const struct sync_stats *st, char *text, size_t len);

/* One JSON object and a newline: {"syncs": 100, "guest_ns": ..., ...}. */
void sync_stats_json(const struct sync_stats *st, FILE *out);

#endif
