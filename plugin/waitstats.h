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

#endif
