/* SPDX-License-Identifier: MIT */
/*
 * The timekeeper against a model of what QEMU does with the plugin's instrumentation:
 * at the start of every block (or instruction) the counter is compared with
 * TK_ARMED_BIAS and then incremented by the block's length.
 */
#include <stdlib.h>

#include "check.h"
#include "timekeeper.h"

#define MAX_VCPUS 4

struct model {
	struct timekeeper tk;
	uint64_t counters[MAX_VCPUS];
	uint64_t executed;   /* ground truth: instructions executed by all vCPUs */
	uint64_t syncs_seen; /* boundaries the callback delivered */
	uint64_t max_late_insns;
	uint64_t rand_state;
};

static unsigned next_rand(struct model *m, unsigned bound)
{
	m->rand_state = m->rand_state * 6364136223846793005u + 1442695040888963407u;
	return (unsigned)((m->rand_state >> 33) % bound);
}

static void model_init(struct model *m, uint64_t quantum_ns, unsigned shift, unsigned vcpus)
{
	*m = (struct model){ .rand_state = 42 };
	CHECK(tk_init(&m->tk, quantum_ns, shift) == 0);
	/* vCPUs register in reverse order, as nothing promises QEMU's order. */
	for (unsigned i = vcpus; i-- > 0;)
		m->counters[i] = tk_add_vcpu(&m->tk, i);
}

/* What the plugin's conditional callback does. */
static void model_callback(struct model *m)
{
	uint64_t now_ns = tk_now_ns(&m->tk, m->counters);

	CHECK_EQ_U64(tk_executed(&m->tk, m->counters), m->executed);
	while (tk_boundary_due(&m->tk, now_ns)) {
		m->syncs_seen++;
		tk_boundary_synced(&m->tk, now_ns, false);
	}
	tk_rearm(&m->tk, m->counters);
}

static void model_block(struct model *m, unsigned vcpu, unsigned len)
{
	if (m->counters[vcpu] >= TK_ARMED_BIAS)
		model_callback(m);
	m->counters[vcpu] += len;
	m->executed += len;
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
		CHECK_EQ_U64(m.syncs_seen, totals[i] / q);
		CHECK_EQ_U64(m.tk.syncs, totals[i] / q);
		CHECK(m.tk.max_late_ns < 512);
		tk_destroy(&m.tk);
	}
}

static void test_single_instruction_blocks_halt_exactly_on_the_boundary(void)
{
	struct model m;

	model_init(&m, 777, 0, 1);
	model_run(&m, 77700, 1, 1);
	CHECK_EQ_U64(m.syncs_seen, 100);
	CHECK_EQ_U64(m.tk.max_late_ns, 0);
	tk_destroy(&m.tk);
}

static void test_quantum_shorter_than_a_block_delivers_every_boundary(void)
{
	struct model m;

	model_init(&m, 3, 0, 1);
	model_run(&m, 30000, 64, 1);
	CHECK_EQ_U64(m.syncs_seen, 10000);
	tk_destroy(&m.tk);
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
	CHECK_EQ_U64(m.syncs_seen, 620);
	CHECK_EQ_U64(m.tk.next_boundary_ns, 621 * 100);
	tk_destroy(&m.tk);
}

static void test_shift_makes_an_instruction_last_two_to_the_shift_ns(void)
{
	for (unsigned shift = 0; shift <= 3; shift++) {
		struct model m;

		/* 1000 ns quantum: with shift 3 that is 125 instructions. */
		model_init(&m, 1000, shift, 1);
		model_run(&m, 100000, 1, 1);
		CHECK_EQ_U64(m.syncs_seen, (100000u << shift) / 1000);
		CHECK_EQ_U64(m.tk.max_late_ns, 0);
		tk_destroy(&m.tk);
	}
}

static void test_shift_with_a_quantum_not_a_multiple_of_the_instruction_time(void)
{
	struct model m;

	/* 1 instruction = 8 ns, quantum 1001 ns: boundary k is at ceil(k*1001/8) insns. */
	model_init(&m, 1001, 3, 1);
	model_run(&m, 100000, 1, 1);
	CHECK_EQ_U64(m.syncs_seen, (uint64_t)100000 * 8 / 1001);
	CHECK(m.tk.max_late_ns < 8);
	tk_destroy(&m.tk);
}

static void test_several_vcpus_sum_to_the_clock(void)
{
	for (unsigned vcpus = 2; vcpus <= MAX_VCPUS; vcpus++) {
		struct model m;

		model_init(&m, 1000, 0, vcpus);
		model_run(&m, 1000000 + 500, 1, vcpus);
		CHECK_EQ_U64(m.syncs_seen, 1000);
		/* The budget split lets the last instructions before a boundary land on
		 * any vCPU: a halt is at most one instruction per other vCPU late. */
		CHECK(m.tk.max_late_ns < vcpus);
		tk_destroy(&m.tk);
	}
}

static void test_several_vcpus_with_blocks_stay_within_a_block_per_vcpu(void)
{
	struct model m;

	model_init(&m, 10000, 0, 4);
	model_run(&m, 5000000 + 3000, 100, 4);
	CHECK_EQ_U64(m.syncs_seen, 500);
	CHECK(m.tk.max_late_ns < 4 * 100);
	tk_destroy(&m.tk);
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
	RUN(test_init_rejects_zero_and_huge_quanta_and_shifts);
	return CHECK_EXIT();
}
