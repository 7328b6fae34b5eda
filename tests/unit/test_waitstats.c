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

int main(void)
{
	RUN(test_percentiles_are_within_an_eighth);
	RUN(test_small_and_huge_waits_and_the_empty_case);
	return CHECK_EXIT();
}
