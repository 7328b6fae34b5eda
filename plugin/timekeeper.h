/* SPDX-License-Identifier: MIT */
/*
 * Time accounting of the plugin, in plain C so that unit tests run it without QEMU.
 *
 * Each vCPU has one 64-bit counter that the plugin's callbacks increment by the
 * instructions of every block (or segment, in exact mode), compared against TK_ARMED_BIAS
 * as before the add. A counter is armed with a budget b by setting it to TK_ARMED_BIAS - b:
 * the comparison fires once the vCPU has executed b more instructions. The timekeeper turns
 * counters back into executed instructions, guest time (instructions << shift, the sum over
 * all vCPUs, as under -icount) and the next boundary, and it never loses the overshoot past
 * a boundary, so time cannot drift.
 */
#ifndef TIMEKEEPER_H
#define TIMEKEEPER_H

#include <stdbool.h>
#include <stdint.h>

#define TK_ARMED_BIAS (UINT64_C(1) << 63)
/* Largest quantum: keeps every budget below TK_ARMED_BIAS and sums far from overflow. */
#define TK_QUANTUM_NS_MAX (UINT64_C(1) << 62)

struct tk_vcpu {
	uint64_t executed_base; /* instructions executed when the counter was last armed */
	uint64_t budget;        /* budget it was armed with */
	bool active;            /* registered with tk_add_vcpu() */
};

struct timekeeper {
	uint64_t quantum_ns;       /* distance between boundaries, guest ns */
	unsigned shift;            /* one instruction = 2^shift ns (-icount shift=N) */
	uint64_t next_boundary_ns; /* guest time of the next sync */
	uint64_t syncs;            /* boundaries delivered */
	uint64_t max_late_ns;      /* largest distance past a boundary at a sync */
	int64_t clock_offset_ns;   /* guest clock minus instruction time (tk_follow_clock) */
	uint64_t idle_ns;          /* guest time that passed without instructions */
	unsigned n_vcpus;
	unsigned vcpu_capacity;
	struct tk_vcpu *vcpu;
};

/* Sets up a timekeeper; quantum_ns in 1..TK_QUANTUM_NS_MAX, shift in 0..TK_SHIFT_MAX. */
#define TK_SHIFT_MAX 10
int tk_init(struct timekeeper *tk, uint64_t quantum_ns, unsigned shift);
void tk_destroy(struct timekeeper *tk);

/*
 * Registers vCPU index (they may come in any order). Returns the value its counter
 * must be set to (armed to fire at its first check, so the next tk_rearm() splits the
 * budget among all vCPUs), or 0 when memory ran out.
 */
uint64_t tk_add_vcpu(struct timekeeper *tk, unsigned index);

/* Instructions executed by all vCPUs, from their counters (tk->n_vcpus of them). */
uint64_t tk_executed(const struct timekeeper *tk, const uint64_t *counters);

/* Guest time in ns for a count of instructions executed. */
static inline uint64_t tk_insns_to_ns(const struct timekeeper *tk, uint64_t insns)
{
	return insns << tk->shift;
}

/* Guest time now: instruction time, corrected by what the guest's clock said. */
uint64_t tk_now_ns(const struct timekeeper *tk, const uint64_t *counters);

/*
 * Follows the guest's own clock, read as clock_ns with a resolution of resolution_ns
 * (so the true time is in [clock_ns, clock_ns + resolution_ns)). Time that passed
 * without instructions (idle) moves guest time forward; instructions counted but not
 * executed (QEMU re-runs a block cut short by I/O) move it back. Returns the guest
 * time now.
 */
uint64_t tk_follow_clock(struct timekeeper *tk, const uint64_t *counters, uint64_t clock_ns,
			 uint64_t resolution_ns);

/* Arms vCPU index to fire at its very next check (after wfi: catch the end of idle). */
void tk_fire_at_next_check(struct timekeeper *tk, unsigned index, uint64_t *counters);

/* True when guest time now_ns has reached the next boundary. */
static inline bool tk_boundary_due(const struct timekeeper *tk, uint64_t now_ns)
{
	return now_ns >= tk->next_boundary_ns;
}

/*
 * Records the sync of the next boundary at guest time now_ns and moves to the one after.
 * idle: the boundary passed while the guest idled (its lateness is not the plugin's).
 */
void tk_boundary_synced(struct timekeeper *tk, uint64_t now_ns, bool idle);

/* Makes guest time ns the next boundary (protocol 2: the participant's grant). */
void tk_set_next_boundary(struct timekeeper *tk, uint64_t ns);

/*
 * Re-arms every vCPU's counter (in place) so that the first check at or after the next
 * boundary fires: with one vCPU the budget is exactly the instructions left; with n it
 * is split in n so that no vCPU can pass the boundary unseen.
 */
void tk_rearm(struct timekeeper *tk, uint64_t *counters);

#endif
