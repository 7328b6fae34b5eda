/* SPDX-License-Identifier: MIT */
/*
 * The sync core (sync.c, with its timekeeper) against a model of what QEMU does with the
 * plugin's instrumentation: at the start of every block (or instruction) the counter is
 * compared with TK_ARMED_BIAS and then incremented by the block's length; when it fires,
 * the real sync_check() runs against a fake participant.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sync.h"

#define MAX_VCPUS 4

#define MAX_HALTS 64

/* A participant for the core: records the halts, answers from a script. */
struct fake_peer {
	struct ts_halt halts[MAX_HALTS];
	uint64_t syncs_seen; /* halts handed over, granted or not */
	uint64_t step_ns;    /* protocol 2: grant the halt's boundary + step_ns ... */
	uint64_t grant_ns;   /* ... or exactly this, when set */
	enum sync_answer answer; /* what to answer */
	unsigned protocol_errors;
	char error[TS_GOODBYE_TEXT_SIZE];
};

static enum sync_answer fake_sync(void *ctx, const struct ts_halt *halt, uint64_t *until_ns)
{
	struct fake_peer *p = ctx;

	if (p->syncs_seen < MAX_HALTS)
		p->halts[p->syncs_seen] = *halt;
	p->syncs_seen++;
	if (p->grant_ns)
		*until_ns = p->grant_ns;
	else if (p->step_ns)
		*until_ns = halt->guest_ns + p->step_ns;
	return p->answer;
}

static void fake_protocol_error(void *ctx, const char *text)
{
	struct fake_peer *p = ctx;

	p->protocol_errors++;
	snprintf(p->error, sizeof(p->error), "%s", text);
}

struct model {
	struct sync_core core;
	struct fake_peer peer;
	uint64_t counters[MAX_VCPUS];
	uint64_t executed;   /* ground truth: instructions executed by all vCPUs */
	uint64_t rand_state;
};

static unsigned next_rand(struct model *m, unsigned bound)
{
	m->rand_state = m->rand_state * 6364136223846793005u + 1442695040888963407u;
	return (unsigned)((m->rand_state >> 33) % bound);
}

/* A core like the plugin's: protocol, clock; vCPUs registered in reverse order. */
static void model_setup(struct model *m, uint64_t quantum_ns, unsigned shift, unsigned vcpus,
			int protocol, uint64_t clock_resolution_ns)
{
	memset(m, 0, sizeof(*m));
	m->rand_state = 42;
	struct sync_config cfg = {
		.quantum_ns = quantum_ns,
		.shift = shift,
		.protocol = protocol,
		.follow_clock = clock_resolution_ns > 0,
		.clock_resolution_ns = clock_resolution_ns,
		.halt_mnemonic = "wfi",
		.peer = { .sync = fake_sync, .protocol_error = fake_protocol_error, .ctx = &m->peer },
	};
	CHECK(sync_init(&m->core, &cfg) == 0);
	/* vCPUs register in reverse order, as nothing promises QEMU's order. */
	for (unsigned i = vcpus; i-- > 0;)
		m->counters[i] = sync_add_counter(&m->core, i);
}

static void model_init(struct model *m, uint64_t quantum_ns, unsigned shift, unsigned vcpus)
{
	model_setup(m, quantum_ns, shift, vcpus, 1, 0);
}

/*
 * A block of len instructions on vcpu, as QEMU runs it: the check (the core, with the
 * guest's clock clock_ns read at the block's start, which includes the block), then the
 * count. Returns what the core answered, SYNC_GRANTED when it did not fire.
 */
static enum sync_answer model_block_clock(struct model *m, unsigned vcpu, unsigned len,
					  uint64_t clock_ns)
{
	enum sync_answer answer = SYNC_GRANTED;

	if (m->counters[vcpu] >= TK_ARMED_BIAS) {
		CHECK_EQ_U64(tk_executed(&m->core.tk, m->counters), m->executed);
		/* Interrupted (QEMU wants the vCPU back), the block still runs. */
		answer = sync_check(&m->core, m->counters, clock_ns, len);
	}
	m->counters[vcpu] += len;
	m->executed += len;
	return answer;
}

static void model_block(struct model *m, unsigned vcpu, unsigned len)
{
	model_block_clock(m, vcpu, len, SYNC_NO_CLOCK);
}

/* Runs total instructions in blocks of 1..max_block on vCPUs in random turns. */
static void model_run(struct model *m, uint64_t total, unsigned max_block, unsigned vcpus)
{
	unsigned vcpu = 0, slice = 0;

	while (m->executed < total) {
		unsigned len = 1 + next_rand(m, max_block);

		if (len > total - m->executed)
			len = (unsigned)(total - m->executed);
		if (slice == 0) {
			vcpu = next_rand(m, vcpus);
			slice = 1 + next_rand(m, 50);
		}
		slice--;
		model_block(m, vcpu, len);
	}
	/* One more check, as the block after the last one would do. */
	model_block(m, 0, 0);
}

static void test_one_vcpu_syncs_floor_n_over_q_whatever_the_block_sizes(void)
{
	const uint64_t q = 1000;
	const uint64_t totals[] = { 999, 1000, 1001, 123457, 1000000 };

	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		struct model m;

		model_init(&m, q, 0, 1);
		model_run(&m, totals[i], 512, 1);
		CHECK_EQ_U64(m.peer.syncs_seen, totals[i] / q);
		CHECK_EQ_U64(m.core.tk.syncs, totals[i] / q);
		CHECK(m.core.tk.max_late_ns < 512);
		sync_destroy(&m.core);
	}
}

static void test_single_instruction_blocks_halt_exactly_on_the_boundary(void)
{
	struct model m;

	model_init(&m, 777, 0, 1);
	model_run(&m, 77700, 1, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, 100);
	CHECK_EQ_U64(m.core.tk.max_late_ns, 0);
	sync_destroy(&m.core);
}

static void test_quantum_shorter_than_a_block_delivers_every_boundary(void)
{
	struct model m;

	model_init(&m, 3, 0, 1);
	model_run(&m, 30000, 64, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, 10000);
	sync_destroy(&m.core);
}

static void test_overshoot_is_carried_so_time_does_not_drift(void)
{
	struct model m;

	/* Blocks of 62 against a quantum of 100: the seed's reset-to-zero loses up to 61
	 * instructions per boundary; carried overshoot keeps boundary k at k*q. */
	model_init(&m, 100, 0, 1);
	while (m.executed < 62000)
		model_block(&m, 0, 62);
	model_block(&m, 0, 0);
	CHECK_EQ_U64(m.peer.syncs_seen, 620);
	CHECK_EQ_U64(m.core.tk.next_boundary_ns, 621 * 100);
	sync_destroy(&m.core);
}

static void test_shift_makes_an_instruction_last_two_to_the_shift_ns(void)
{
	for (unsigned shift = 0; shift <= 3; shift++) {
		struct model m;

		/* 1000 ns quantum: with shift 3 that is 125 instructions. */
		model_init(&m, 1000, shift, 1);
		model_run(&m, 100000, 1, 1);
		CHECK_EQ_U64(m.peer.syncs_seen, (100000u << shift) / 1000);
		CHECK_EQ_U64(m.core.tk.max_late_ns, 0);
		sync_destroy(&m.core);
	}
}

static void test_shift_with_a_quantum_not_a_multiple_of_the_instruction_time(void)
{
	struct model m;

	/* 1 instruction = 8 ns, quantum 1001 ns: boundary k is at ceil(k*1001/8) insns. */
	model_init(&m, 1001, 3, 1);
	model_run(&m, 100000, 1, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, (uint64_t)100000 * 8 / 1001);
	CHECK(m.core.tk.max_late_ns < 8);
	sync_destroy(&m.core);
}

static void test_several_vcpus_sum_to_the_clock(void)
{
	for (unsigned vcpus = 2; vcpus <= MAX_VCPUS; vcpus++) {
		struct model m;

		model_init(&m, 1000, 0, vcpus);
		model_run(&m, 1000000 + 500, 1, vcpus);
		CHECK_EQ_U64(m.peer.syncs_seen, 1000);
		/* The budget split lets the last instructions before a boundary land on
		 * any vCPU: a halt is at most one instruction per other vCPU late. */
		CHECK(m.core.tk.max_late_ns < vcpus);
		sync_destroy(&m.core);
	}
}

static void test_several_vcpus_with_blocks_stay_within_a_block_per_vcpu(void)
{
	struct model m;

	model_init(&m, 10000, 0, 4);
	model_run(&m, 5000000 + 3000, 100, 4);
	CHECK_EQ_U64(m.peer.syncs_seen, 500);
	CHECK(m.core.tk.max_late_ns < 4 * 100);
	sync_destroy(&m.core);
}

/*
 * An exact-mode segment of len instructions (counting.h), as QEMU runs it: the check
 * fires when a boundary falls anywhere in the segment and syncs it ahead, then the count.
 */
static void model_segment(struct model *m, unsigned vcpu, unsigned len)
{
	uint64_t ahead = len ? len - 1 : 0;

	if (m->counters[vcpu] >= TK_ARMED_BIAS - ahead) {
		CHECK_EQ_U64(tk_executed(&m->core.tk, m->counters), m->executed);
		sync_check_ahead(&m->core, m->counters, vcpu, SYNC_NO_CLOCK, 0, ahead);
		/* Given back at the segment's start, re-armed past what it synced. */
		CHECK_EQ_U64(tk_executed(&m->core.tk, m->counters), m->executed);
		CHECK(m->counters[vcpu] + ahead < TK_ARMED_BIAS);
	}
	m->counters[vcpu] += len;
	m->executed += len;
}

static void test_segments_halt_exactly_on_every_boundary_in_them(void)
{
	/* Quanta longer and shorter than a segment: several boundaries in one segment. */
	const uint64_t quanta[] = { 1000, 97, 3, 1 };

	for (size_t i = 0; i < sizeof(quanta) / sizeof(quanta[0]); i++) {
		struct model m;
		const uint64_t q = quanta[i], total = 64 * q + 5;

		model_init(&m, q, 0, 1);
		while (m.executed < total)
			model_segment(&m, 0, 1 + next_rand(&m, 64));
		/* One more check, as the segment after the last one would do. */
		model_segment(&m, 0, 0);
		CHECK(m.peer.syncs_seen >= 64);
		for (uint64_t k = 0; k < m.peer.syncs_seen && k < MAX_HALTS; k++)
			CHECK_EQ_U64(m.peer.halts[k].guest_ns, (k + 1) * q);
		CHECK_EQ_U64(m.peer.syncs_seen, m.executed / q);
		CHECK_EQ_U64(m.core.tk.max_late_ns, 0);
		sync_destroy(&m.core);
	}
}

static void test_segments_follow_protocol_2_steps(void)
{
	struct model m;

	/* Each grant sets the next boundary 333 ns on, inside segments of up to 100. */
	model_setup(&m, 1000, 0, 1, 2, 0);
	m.peer.step_ns = 333;
	while (m.executed < 20000)
		model_segment(&m, 0, 1 + next_rand(&m, 100));
	CHECK(m.peer.syncs_seen >= 50);
	for (uint64_t k = 0; k < m.peer.syncs_seen && k < MAX_HALTS; k++)
		CHECK_EQ_U64(m.peer.halts[k].guest_ns, 1000 + k * 333);
	CHECK_EQ_U64(m.core.tk.max_late_ns, 0);
	sync_destroy(&m.core);
}

static void test_segments_on_several_vcpus_stay_within_an_instruction_per_vcpu(void)
{
	struct model m;
	unsigned vcpu = 0;

	model_init(&m, 1000, 0, 3);
	while (m.executed < 300000) {
		if (next_rand(&m, 8) == 0)
			vcpu = next_rand(&m, 3);
		model_segment(&m, vcpu, 1 + next_rand(&m, 40));
	}
	model_segment(&m, 0, 0);
	CHECK_EQ_U64(m.peer.syncs_seen, m.executed / 1000);
	CHECK(m.core.tk.max_late_ns < 3);
	sync_destroy(&m.core);
}

static void test_init_rejects_zero_and_huge_quanta_and_shifts(void)
{
	struct timekeeper tk;

	CHECK(tk_init(&tk, 0, 0) < 0);
	CHECK(tk_init(&tk, TK_QUANTUM_NS_MAX + 1, 0) < 0);
	CHECK(tk_init(&tk, 1000, TK_SHIFT_MAX + 1) < 0);
	CHECK(tk_init(&tk, TK_QUANTUM_NS_MAX, TK_SHIFT_MAX) == 0);
	tk_destroy(&tk);
}

/* Blocks of len on vCPU 0, the guest's clock in step with them, until executed is total. */
static void model_run_clocked(struct model *m, uint64_t total, unsigned len, uint64_t clock_ahead_ns)
{
	while (m->executed < total)
		model_block_clock(m, 0, len, m->executed + len + clock_ahead_ns);
}

static void test_boundaries_passed_while_idle_are_delivered_as_idle_halts(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 1, 1);
	model_run_clocked(&m, 500, 10, 0);
	CHECK_EQ_U64(m.peer.syncs_seen, 0);
	/* wfi: the guest idles 5000 ns; the clock at the next block's start says so. */
	sync_halt_insn(&m.core, 0, m.counters, true);
	CHECK(m.counters[0] >= TK_ARMED_BIAS);
	model_block_clock(&m, 0, 10, 500 + 10 + 5000);
	CHECK_EQ_U64(m.peer.syncs_seen, 5);
	for (unsigned k = 0; k < 5; k++) {
		CHECK_EQ_U64(m.peer.halts[k].guest_ns, (k + 1) * 1000u);
		CHECK(m.peer.halts[k].flags & TS_HALT_IDLE);
		CHECK_EQ_U64(m.peer.halts[k].instructions, 500);
	}
	CHECK_EQ_U64(m.core.tk.idle_ns, 5000);
	CHECK_EQ_U64(m.core.tk.max_late_ns, 0); /* idle lateness is not the plugin's */
	/* Running on, the next boundary comes from instructions again, not idle. */
	model_run_clocked(&m, 1010, 10, 5000);
	CHECK_EQ_U64(m.peer.syncs_seen, 6);
	CHECK(!(m.peer.halts[5].flags & TS_HALT_IDLE));
	CHECK_EQ_U64(m.peer.halts[5].guest_ns, 6000);
	sync_destroy(&m.core);
}

static void test_instructions_counted_twice_by_io_are_taken_back_by_the_clock(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 1, 100);
	model_run_clocked(&m, 900, 10, 0);
	/* QEMU cut a block short at a device access and re-ran it: 300 counted, no time. */
	m.counters[0] += 300;
	m.executed += 300;
	model_block_clock(&m, 0, 10, 900 + 10);
	/* The clock says 900 (resolution 100): guest time is at most 999, no boundary yet. */
	CHECK_EQ_U64(m.peer.syncs_seen, 0);
	CHECK(m.core.tk.clock_offset_ns < 0);
	CHECK_EQ_U64(tk_now_ns(&m.core.tk, m.counters), 999 + 10);
	sync_destroy(&m.core);
}

static void test_the_clock_origin_is_the_clock_at_the_first_instruction(void)
{
	struct model m;

	/* sleep=on: host time passed before the guest ran; it is not guest time. */
	model_setup(&m, 1000, 0, 1, 1, 1);
	model_run_clocked(&m, 2500, 10, 363700);
	CHECK_EQ_U64(m.core.clock_origin_ns, 363700);
	CHECK_EQ_U64(m.peer.syncs_seen, 2);
	CHECK_EQ_U64(m.peer.halts[0].guest_ns, 1000);
	CHECK_EQ_U64(m.core.tk.idle_ns, 0);
	sync_destroy(&m.core);
}

static void test_a_clock_that_goes_back_does_not_take_guest_time_back(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 2, 100);
	m.peer.step_ns = 1000;
	model_run_clocked(&m, 2500, 10, 0);
	CHECK_EQ_U64(m.peer.syncs_seen, 2);
	/* system_reset: the guest's clock starts again at 0, instructions go on. */
	uint64_t reset_at = m.executed;
	while (m.executed < 5010)
		model_block_clock(&m, 0, 10, m.executed + 10 - reset_at);
	CHECK_EQ_U64(m.core.clock_resets, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, 5); /* 3000, 4000, 5000: none lost, none early */
	CHECK(m.peer.halts[2].flags & TS_HALT_CLOCK_RESET);
	CHECK_EQ_U64(m.peer.halts[2].guest_ns, 3000);
	CHECK(!(m.peer.halts[3].flags & TS_HALT_CLOCK_RESET));
	CHECK_EQ_U64(m.peer.halts[4].guest_ns, 5000);
	/* The clock is followed again: idle after the reset moves guest time on. */
	sync_halt_insn(&m.core, 0, m.counters, true);
	model_block_clock(&m, 0, 10, m.executed + 10 - reset_at + 2000);
	CHECK_EQ_U64(m.peer.syncs_seen, 7);
	CHECK(m.peer.halts[6].flags & TS_HALT_IDLE);
	CHECK_EQ_U64(m.core.tk.idle_ns, 2000);
	sync_destroy(&m.core);
}

static void test_protocol_2_grants_set_the_next_boundary(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 2, 0);
	m.peer.step_ns = 2500;
	model_run(&m, 10000, 1, 1);
	/* Boundaries 1000, 3500, 6000, 8500. */
	CHECK_EQ_U64(m.peer.syncs_seen, 4);
	CHECK_EQ_U64(m.peer.halts[0].reason, TS_HALT_GRANTED);
	CHECK_EQ_U64(m.peer.halts[1].guest_ns, 3500);
	CHECK_EQ_U64(m.peer.halts[3].guest_ns, 8500);
	CHECK_EQ_U64(m.core.tk.next_boundary_ns, 11000);
	sync_destroy(&m.core);
}

static void test_a_grant_not_after_the_halt_is_a_protocol_error(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 2, 0);
	m.peer.grant_ns = 1000; /* the halt's own time: not after it */
	while (m.executed < 1000)
		CHECK(model_block_clock(&m, 0, 1, SYNC_NO_CLOCK) == SYNC_GRANTED);
	CHECK(model_block_clock(&m, 0, 1, SYNC_NO_CLOCK) == SYNC_STOP_FAIL);
	CHECK_EQ_U64(m.peer.protocol_errors, 1);
	CHECK(strcmp(m.peer.error, "RUN_UNTIL 1000 is not after 1000") == 0);
	CHECK_EQ_U64(m.core.tk.syncs, 0);
	sync_destroy(&m.core);
}

static void test_an_interrupted_wait_fires_again_and_syncs_once(void)
{
	struct model m;

	model_init(&m, 1000, 0, 1);
	while (m.executed < 1000)
		model_block(&m, 0, 1);
	m.peer.answer = SYNC_INTERRUPTED;
	CHECK(model_block_clock(&m, 0, 1, SYNC_NO_CLOCK) == SYNC_INTERRUPTED);
	CHECK_EQ_U64(m.core.tk.syncs, 0);
	CHECK(m.counters[0] >= TK_ARMED_BIAS); /* still armed: the block's check comes again */
	m.peer.answer = SYNC_GRANTED;
	CHECK(model_block_clock(&m, 0, 1, SYNC_NO_CLOCK) == SYNC_GRANTED);
	CHECK_EQ_U64(m.core.tk.syncs, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, 2); /* asked twice, for one boundary */
	CHECK_EQ_U64(m.peer.halts[1].guest_ns, 1000);
	CHECK_EQ_U64(m.peer.halts[1].instructions, 1000); /* the same halt both times */
	CHECK_EQ_U64(m.core.stop_overrun_insns, 1);       /* the block that ran meanwhile */
	CHECK_EQ_U64(m.core.tk.max_late_ns, 0);
	sync_destroy(&m.core);
}

static void test_stop_answers_reach_the_caller(void)
{
	const enum sync_answer stops[] = { SYNC_STOP_OK, SYNC_STOP_FAIL };

	for (size_t i = 0; i < 2; i++) {
		struct model m;

		model_init(&m, 100, 0, 1);
		m.peer.answer = stops[i];
		while (m.executed < 100)
			model_block(&m, 0, 1);
		CHECK(model_block_clock(&m, 0, 1, SYNC_NO_CLOCK) == stops[i]);
		sync_destroy(&m.core);
	}
}

static void test_a_participant_gone_lets_the_guest_run_one_quantum_at_a_time(void)
{
	struct model m;

	model_setup(&m, 1000, 0, 1, 2, 0);
	m.peer.answer = SYNC_RUN_FREE; /* participant_lost=run: no grant, no protocol error */
	model_run(&m, 5000, 7, 1);
	CHECK_EQ_U64(m.peer.syncs_seen, 5);
	CHECK_EQ_U64(m.peer.protocol_errors, 0);
	sync_destroy(&m.core);
}

static void test_a_halt_without_a_readable_clock_only_counts(void)
{
	struct model m;

	model_init(&m, 1000, 0, 1);
	model_run(&m, 100, 1, 1);
	uint64_t armed = m.counters[0];
	sync_halt_insn(&m.core, 0, m.counters, false);
	sync_halt_insn(&m.core, 0, m.counters, false);
	CHECK_EQ_U64(m.counters[0], armed);
	CHECK_EQ_U64(m.core.halts_seen, 2);
	sync_destroy(&m.core);
}

static void test_exit_statistics_print_one_table_as_text_and_json(void)
{
	struct model m;
	struct wait_stats waits = { 0 };
	struct sync_stats st;
	char text[512], json[512] = "";
	FILE *out = fmemopen(json, sizeof(json), "w");

	model_init(&m, 1000, 0, 1);
	model_run(&m, 3000, 1, 1);
	wait_stats_add(&waits, 100);
	wait_stats_add(&waits, 300);
	sync_stats(&m.core, m.counters, &waits, &st);
	sync_stats_text(&st, text, sizeof(text));
	CHECK(strcmp(text, "3 syncs, guest time 3000 ns, 3000 instructions, max late 0 ns, "
		      "waited for participant mean 200 ns p99 300 ns max 300 ns total 400 ns, "
		      "0 halt instructions, 0 ns idle, clock origin 0 ns, 0 clock resets, 0 instructions run past a halt while QEMU stopped the vCPU, 0 halts answered with extra bytes") == 0);
	CHECK(out != NULL);
	sync_stats_json(&st, out);
	fclose(out);
	CHECK(strcmp(json, "{\"syncs\": 3, \"guest_ns\": 3000, \"instructions\": 3000, "
		      "\"max_late_ns\": 0, \"wait_mean_ns\": 200, \"wait_p99_ns\": 300, "
		      "\"wait_max_ns\": 300, \"wait_total_ns\": 400, \"halt_instructions\": 0, "
		      "\"idle_ns\": 0, \"clock_origin_ns\": 0, \"clock_resets\": 0, \"stop_overrun_insns\": 0, \"extra_answer_halts\": 0}\n") == 0);
	sync_destroy(&m.core);
}

int main(void)
{
	RUN(test_one_vcpu_syncs_floor_n_over_q_whatever_the_block_sizes);
	RUN(test_single_instruction_blocks_halt_exactly_on_the_boundary);
	RUN(test_quantum_shorter_than_a_block_delivers_every_boundary);
	RUN(test_overshoot_is_carried_so_time_does_not_drift);
	RUN(test_shift_makes_an_instruction_last_two_to_the_shift_ns);
	RUN(test_shift_with_a_quantum_not_a_multiple_of_the_instruction_time);
	RUN(test_several_vcpus_sum_to_the_clock);
	RUN(test_several_vcpus_with_blocks_stay_within_a_block_per_vcpu);
	RUN(test_segments_halt_exactly_on_every_boundary_in_them);
	RUN(test_segments_follow_protocol_2_steps);
	RUN(test_segments_on_several_vcpus_stay_within_an_instruction_per_vcpu);
	RUN(test_init_rejects_zero_and_huge_quanta_and_shifts);
	RUN(test_boundaries_passed_while_idle_are_delivered_as_idle_halts);
	RUN(test_instructions_counted_twice_by_io_are_taken_back_by_the_clock);
	RUN(test_the_clock_origin_is_the_clock_at_the_first_instruction);
	RUN(test_a_clock_that_goes_back_does_not_take_guest_time_back);
	RUN(test_protocol_2_grants_set_the_next_boundary);
	RUN(test_a_grant_not_after_the_halt_is_a_protocol_error);
	RUN(test_an_interrupted_wait_fires_again_and_syncs_once);
	RUN(test_stop_answers_reach_the_caller);
	RUN(test_a_participant_gone_lets_the_guest_run_one_quantum_at_a_time);
	RUN(test_a_halt_without_a_readable_clock_only_counts);
	RUN(test_exit_statistics_print_one_table_as_text_and_json);
	return CHECK_EXIT();
}
