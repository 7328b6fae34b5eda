/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "sync.h"

int sync_init(struct sync_core *core, const struct sync_config *cfg)
{
	memset(core, 0, sizeof(*core));
	core->cfg = *cfg;
	return tk_init(&core->tk, cfg->quantum_ns, cfg->shift) < 0 ? -1 : 0;
}

void sync_destroy(struct sync_core *core)
{
	tk_destroy(&core->tk);
}

uint64_t sync_add_counter(struct sync_core *core, unsigned index)
{
	return tk_add_vcpu(&core->tk, index);
}

/*
 * The guest's clock as guest time. Read at a block's start it already includes the whole
 * block (QEMU charges a block's instructions on entry): ahead_insns takes them off. Time zero is the
 * guest's clock at its first instruction: 0 under sleep=off, the host time QEMU let pass
 * before the guest ran under sleep=on. A clock that goes back (system_reset, a reboot,
 * loadvm restore or restart it) does not take guest time back: synchronized time never
 * runs backwards, so guest time goes on and the clock is re-based to it.
 */
static uint64_t clock_as_guest_time(struct sync_core *core, uint64_t clock_ns,
				    uint64_t ahead_insns, uint64_t now_ns)
{
	uint64_t block_ns = tk_insns_to_ns(&core->tk, ahead_insns);
	int64_t at_start = (int64_t)(clock_ns > block_ns ? clock_ns - block_ns : 0);
	int64_t since;

	if (!core->clock_origin_set) {
		core->clock_origin_ns = (uint64_t)at_start > now_ns ? (uint64_t)at_start - now_ns : 0;
		core->clock_base_ns = -(int64_t)core->clock_origin_ns;
		core->last_clock_ns = INT64_MIN;
		core->clock_origin_set = true;
	}
	core->clock_readings++;
	since = at_start + core->clock_base_ns;
	if (core->last_clock_ns != INT64_MIN &&
	    since + (int64_t)core->cfg.clock_resolution_ns < core->last_clock_ns) {
		say("the guest's clock went back by %" PRId64 " ns at guest time %" PRIu64 " ns "
		    "(system_reset, a reboot or loadvm): guest time goes on from there and follows "
		    "the guest's clock again from now", core->last_clock_ns - since, now_ns);
		core->clock_base_ns += (int64_t)now_ns - since;
		core->clock_resets++;
		core->clock_reset_pending = true;
		since = (int64_t)now_ns;
	}
	core->last_clock_ns = since;
	return since > 0 ? (uint64_t)since : 0;
}

static void trace_sync(const struct sync_core *core, uint64_t now_ns, uint64_t clock_ns, bool idle)
{
	FILE *trace = core->cfg.trace;

	fprintf(trace, "%" PRIu64 " %" PRIu64 " %" PRIu64, core->tk.syncs + 1,
		core->tk.next_boundary_ns, now_ns);
	if (clock_ns == SYNC_NO_CLOCK)
		fprintf(trace, " -");
	else
		fprintf(trace, " %" PRIu64, clock_ns);
	fprintf(trace, "%s\n", idle ? " idle" : "");
}

/*
 * The participant answered a halt that QEMU interrupted (monitor stop, a signal): the
 * rest of the block the halt was in ran meanwhile (a callback cannot keep a block from
 * running once it returns). Its instructions count as guest time after the boundary.
 */
static void held_released(struct sync_core *core, uint64_t executed)
{
	uint64_t overrun = executed - core->held_halt.instructions;

	core->held = false;
	core->stop_overrun_insns += overrun;
	if (overrun)
		say("QEMU stopped the vCPU while the guest was halted at guest time %" PRIu64
		    " ns: the rest of its block, %" PRIu64 " instructions, ran before the "
		    "participant's grant", core->held_now_ns, overrun);
}

enum sync_answer sync_check(struct sync_core *core, uint64_t *counters, uint64_t clock_ns,
			    uint64_t clock_ahead_insns)
{
	struct timekeeper *tk = &core->tk;
	const struct sync_peer *peer = &core->cfg.peer;
	uint64_t counted_ns = tk_now_ns(tk, counters);
	uint64_t now_ns = counted_ns;

	if (clock_ns != SYNC_NO_CLOCK) {
		clock_ns = clock_as_guest_time(core, clock_ns, clock_ahead_insns, counted_ns);
		if (core->cfg.follow_clock)
			now_ns = tk_follow_clock(tk, counters, clock_ns,
						 core->cfg.clock_resolution_ns);
	}
	while (tk_boundary_due(tk, now_ns)) {
		/* A boundary beyond the instructions' time was passed while idle. */
		bool idle = tk->next_boundary_ns > counted_ns;
		struct ts_halt halt = {
			.reason = core->cfg.protocol == 1 ? TS_HALT_QUANTUM : TS_HALT_GRANTED,
			.flags = (idle ? TS_HALT_IDLE : 0) |
				 (core->clock_reset_pending ? TS_HALT_CLOCK_RESET : 0),
			.guest_ns = idle ? tk->next_boundary_ns : now_ns,
			.instructions = tk_executed(tk, counters),
			/* Lookahead: the guest idled to now (the session sends it if wanted). */
			.idle_until_ns = idle ? now_ns : 0,
		};
		uint64_t halt_now_ns = now_ns;
		uint64_t until_ns = 0;

		if (core->held) {
			halt = core->held_halt;
			halt_now_ns = core->held_now_ns;
			idle = halt.flags & TS_HALT_IDLE;
		}
		enum sync_answer answer = peer->sync(peer->ctx, &halt, &until_ns);

		if (answer == SYNC_INTERRUPTED && !core->held) {
			core->held = true;
			core->held_halt = halt;
			core->held_now_ns = now_ns;
		}
		if (answer != SYNC_GRANTED && answer != SYNC_RUN_FREE)
			return answer;
		if (core->held)
			held_released(core, tk_executed(tk, counters));
		if (answer == SYNC_GRANTED && core->cfg.protocol == 2 && until_ns <= halt.guest_ns) {
			char text[TS_GOODBYE_TEXT_SIZE];

			snprintf(text, sizeof(text), "RUN_UNTIL %" PRIu64 " is not after %" PRIu64,
				 until_ns, halt.guest_ns);
			peer->protocol_error(peer->ctx, text);
			return SYNC_STOP_FAIL;
		}
		core->clock_reset_pending = false;
		if (core->cfg.trace)
			trace_sync(core, halt_now_ns, clock_ns, idle);
		tk_boundary_synced(tk, halt_now_ns, idle);
		if (answer == SYNC_GRANTED && until_ns)
			tk_set_next_boundary(tk, until_ns);
	}
	tk_rearm(tk, counters);
	return SYNC_GRANTED;
}

enum sync_answer sync_check_ahead(struct sync_core *core, uint64_t *counters, unsigned index,
				  uint64_t clock_ns, uint64_t clock_ahead_insns,
				  uint64_t ahead_insns)
{
	enum sync_answer answer = SYNC_GRANTED;
	uint64_t moved = 0;

	for (;;) {
		/* Armed counters reach TK_ARMED_BIAS on the boundary (timekeeper.h). */
		uint64_t to_boundary =
			counters[index] < TK_ARMED_BIAS ? TK_ARMED_BIAS - counters[index] : 0;

		if (moved + to_boundary > ahead_insns)
			break;
		counters[index] += to_boundary;
		moved += to_boundary;
		/* The clock, read at the check's position, as it reads on the boundary. */
		if (clock_ns != SYNC_NO_CLOCK)
			clock_ns += tk_insns_to_ns(&core->tk, moved);
		answer = sync_check(core, counters, clock_ns, clock_ahead_insns);
		/* One reading, followed once; the next boundary is >= 1 instruction on. */
		clock_ns = SYNC_NO_CLOCK;
		if (answer != SYNC_GRANTED && answer != SYNC_RUN_FREE)
			break;
	}
	counters[index] -= moved;
	return answer;
}

void sync_fire_at_next_check(struct sync_core *core, unsigned index, uint64_t *counters)
{
	tk_fire_at_next_check(&core->tk, index, counters);
}

void sync_halt_insn(struct sync_core *core, unsigned index, uint64_t *counters,
		    bool clock_readable)
{
	const char *halt = core->cfg.halt_mnemonic;

	core->halts_seen++;
	if (core->cfg.follow_clock && clock_readable)
		tk_fire_at_next_check(&core->tk, index, counters);
	else if (core->halts_seen == 1)
		say("the guest executed %s: while every vCPU idles QEMU's clock moves on without "
		    "instructions, and that idle time is not synchronized. Keep the guest busy "
		    "where sync matters (Linux: idle=poll on x86, nohlt elsewhere; bare metal: "
		    "spin instead of %s), and use -icount sleep=off for reproducible runs",
		    halt, halt);
}

void sync_stats(const struct sync_core *core, const uint64_t *counters,
		const struct wait_stats *waits, struct sync_stats *out)
{
	*out = (struct sync_stats){
		.syncs = core->tk.syncs,
		.max_late_ns = core->tk.max_late_ns,
		.wait_mean_ns = waits->count ? waits->total_ns / waits->count : 0,
		.wait_p99_ns = wait_stats_percentile(waits, 99),
		.wait_max_ns = waits->max_ns,
		.wait_total_ns = waits->total_ns,
		.halt_instructions = core->halts_seen,
		.idle_ns = core->tk.idle_ns,
		.clock_origin_ns = core->clock_origin_ns,
		.clock_resets = core->clock_resets,
		.stop_overrun_insns = core->stop_overrun_insns,
	};
	if (counters) {
		out->guest_ns = tk_now_ns(&core->tk, counters);
		out->instructions = tk_executed(&core->tk, counters);
	}
}

void sync_stats_text(const struct sync_stats *st, char *text, size_t len)
{
	size_t used = 0;

	text[0] = '\0';
#define SYNC_STATS_TEXT(name, before, after)                                           \
	if (used < len)                                                                \
		used += (size_t)snprintf(text + used, len - used, "%s%" PRIu64 "%s", before, \
					 st->name, after);
	SYNC_STATS_FIELDS(SYNC_STATS_TEXT)
#undef SYNC_STATS_TEXT
}

void sync_stats_json(const struct sync_stats *st, FILE *out)
{
	const char *sep = "{";

#define SYNC_STATS_JSON(name, before, after)                                  \
	fprintf(out, "%s\"" #name "\": %" PRIu64, sep, st->name);               \
	sep = ", ";
	SYNC_STATS_FIELDS(SYNC_STATS_JSON)
#undef SYNC_STATS_JSON
	fprintf(out, "}\n");
}
