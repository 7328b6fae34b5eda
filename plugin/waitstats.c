/* SPDX-License-Identifier: MIT */
#include "waitstats.h"

static unsigned bucket_of(uint64_t ns)
{
	if (ns < 8)
		return (unsigned)ns;
	unsigned exp = 63 - (unsigned)__builtin_clzll(ns); /* >= 3 */
	return (exp - 2) * 8 + (unsigned)((ns >> (exp - 3)) & 7);
}

/* The largest value that falls into bucket b. */
static uint64_t bucket_top(unsigned b)
{
	if (b < 8)
		return b;
	unsigned exp = b / 8 + 2, sub = b % 8;
	uint64_t next = (uint64_t)(8 + sub + 1) << (exp - 3);
	return next ? next - 1 : UINT64_MAX;
}

void wait_stats_add(struct wait_stats *st, uint64_t ns)
{
	st->count++;
	st->total_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->buckets[bucket_of(ns)]++;
}

uint64_t wait_stats_percentile(const struct wait_stats *st, double p)
{
	uint64_t rank, seen = 0;

	if (!st->count)
		return 0;
	rank = (uint64_t)((double)st->count * p / 100.0 + 0.999999);
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < WAIT_STATS_BUCKETS; b++) {
		seen += st->buckets[b];
		if (seen >= rank)
			return bucket_top(b) < st->max_ns ? bucket_top(b) : st->max_ns;
	}
	return st->max_ns;
}

void spin_budget_init(struct spin_budget *b)
{
	b->average_ns = 0;
	b->spin_ns = SPIN_BUDGET_FIRST_NS;
}

void spin_budget_answered(struct spin_budget *b, uint64_t answer_ns)
{
	if (answer_ns > UINT64_MAX / 8)
		answer_ns = UINT64_MAX / 8;
	b->average_ns = b->average_ns ? b->average_ns - b->average_ns / 8 + answer_ns / 8 : answer_ns;
	if (b->average_ns > SPIN_BUDGET_MAX_NS)
		b->spin_ns = 0;
	else
		b->spin_ns = 2 * b->average_ns < SPIN_BUDGET_MAX_NS ? 2 * b->average_ns : SPIN_BUDGET_MAX_NS;
}
