/* SPDX-License-Identifier: MIT */
/* Statistics of waits: count, total, maximum and percentiles (log-linear histogram). */
#ifndef WAITSTATS_H
#define WAITSTATS_H

#include <stdint.h>

#define WAIT_STATS_BUCKETS 512

struct wait_stats {
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t buckets[WAIT_STATS_BUCKETS]; /* 8 per power of two: within 12.5% */
};

void wait_stats_add(struct wait_stats *st, uint64_t ns);

/* An upper bound of the p-th percentile (0 < p <= 100), exact to 12.5%; 0 if empty. */
uint64_t wait_stats_percentile(const struct wait_stats *st, double p);

/*
 * How long to spin on the participant's answer before blocking: about twice the recent
 * answer time (a moving average of the waits, 1/8 per answer), at most SPIN_BUDGET_MAX_NS,
 * and nothing once answers take longer than that: a slow participant's wait blocks at
 * once and burns no CPU; when it gets fast again the blocking waits measure it and the
 * spin comes back.
 */
#define SPIN_BUDGET_MAX_NS 100000u
#define SPIN_BUDGET_FIRST_NS 50000u

struct spin_budget {
	uint64_t average_ns; /* 0 before the first answer */
	uint64_t spin_ns;    /* the budget for the next wait */
};

void spin_budget_init(struct spin_budget *b);
void spin_budget_answered(struct spin_budget *b, uint64_t answer_ns);

#endif
