/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "check.h"
#include "waitstats.h"

static void test_percentiles_are_within_an_eighth(void)
{
	static struct wait_stats st;

	memset(&st, 0, sizeof(st));
	for (uint64_t i = 1; i <= 1000; i++)
		wait_stats_add(&st, i * 1000); /* 1 us .. 1 ms */
	uint64_t p50 = wait_stats_percentile(&st, 50), p99 = wait_stats_percentile(&st, 99);
	CHECK(p50 >= 500000 && p50 <= 500000 + 500000 / 8);
	CHECK(p99 >= 990000 && p99 <= 1000000);
	CHECK_EQ_U64(wait_stats_percentile(&st, 100), 1000000);
	CHECK_EQ_U64(st.count, 1000);
	CHECK_EQ_U64(st.total_ns, 500500000);
}

static void test_small_and_huge_waits_and_the_empty_case(void)
{
	static struct wait_stats st;

	memset(&st, 0, sizeof(st));
	CHECK_EQ_U64(wait_stats_percentile(&st, 99), 0);
	wait_stats_add(&st, 3);
	CHECK_EQ_U64(wait_stats_percentile(&st, 99), 3);
	wait_stats_add(&st, UINT64_MAX);
	CHECK_EQ_U64(wait_stats_percentile(&st, 100), UINT64_MAX);
	CHECK_EQ_U64(wait_stats_percentile(&st, 50), 3);
}

static void test_spin_budget_follows_fast_answers_and_stops_for_slow_ones(void)
{
	struct spin_budget b;

	spin_budget_init(&b);
	CHECK_EQ_U64(b.spin_ns, SPIN_BUDGET_FIRST_NS);
	/* A participant that answers in 10 us: spin twice that. */
	for (int i = 0; i < 100; i++)
		spin_budget_answered(&b, 10000);
	CHECK_EQ_U64(b.spin_ns, 20000);
	/* One late answer moves the budget, it does not stop the spin. */
	spin_budget_answered(&b, 200000);
	CHECK(b.spin_ns > 20000 && b.spin_ns <= SPIN_BUDGET_MAX_NS);
	/* A slow participant (1 ms): no spin at all, whatever came before. */
	for (int i = 0; i < 40; i++)
		spin_budget_answered(&b, 1000000);
	CHECK_EQ_U64(b.spin_ns, 0);
	/* Fast again: the blocking waits measure it and the spin comes back. */
	for (int i = 0; i < 100; i++)
		spin_budget_answered(&b, 30000);
	CHECK(b.spin_ns > 59000 && b.spin_ns < 61000);
	/* Answers near the bound: spin at most SPIN_BUDGET_MAX_NS. */
	for (int i = 0; i < 100; i++)
		spin_budget_answered(&b, SPIN_BUDGET_MAX_NS - 1000);
	CHECK_EQ_U64(b.spin_ns, SPIN_BUDGET_MAX_NS);
	/* A wait of "forever" does not overflow. */
	spin_budget_answered(&b, UINT64_MAX);
	CHECK_EQ_U64(b.spin_ns, 0);
}

int main(void)
{
	RUN(test_percentiles_are_within_an_eighth);
	RUN(test_small_and_huge_waits_and_the_empty_case);
	RUN(test_spin_budget_follows_fast_answers_and_stops_for_slow_ones);
	return CHECK_EXIT();
}
