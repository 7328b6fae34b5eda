/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timekeeper.h"

int tk_init(struct timekeeper *tk, uint64_t quantum_ns, unsigned shift)
{
	if (quantum_ns == 0 || quantum_ns > TK_QUANTUM_NS_MAX || shift > TK_SHIFT_MAX)
		return -EINVAL;
	memset(tk, 0, sizeof(*tk));
	tk->quantum_ns = quantum_ns;
	tk->shift = shift;
	tk->next_boundary_ns = quantum_ns;
	return 0;
}

void tk_destroy(struct timekeeper *tk)
{
	free(tk->vcpu);
	tk->vcpu = NULL;
	tk->n_vcpus = tk->vcpu_capacity = 0;
}

uint64_t tk_add_vcpu(struct timekeeper *tk, unsigned index)
{
	if (index >= tk->vcpu_capacity) {
		unsigned capacity = index + 8;
		struct tk_vcpu *grown = realloc(tk->vcpu, capacity * sizeof(*grown));

		if (!grown)
			return 0;
		memset(grown + tk->vcpu_capacity, 0,
		       (capacity - tk->vcpu_capacity) * sizeof(*grown));
		tk->vcpu = grown;
		tk->vcpu_capacity = capacity;
	}
	if (index >= tk->n_vcpus)
		tk->n_vcpus = index + 1;
	tk->vcpu[index] = (struct tk_vcpu){ .executed_base = 0, .budget = 1, .active = true };
	return TK_ARMED_BIAS - 1;
}

static uint64_t vcpu_executed(const struct tk_vcpu *v, uint64_t counter)
{
	/* A vCPU not registered yet has counter 0: it executed nothing. */
	if (!v->active)
		return 0;
	return v->executed_base + (counter - (TK_ARMED_BIAS - v->budget));
}

static void vcpu_arm(struct tk_vcpu *v, uint64_t *counter, uint64_t budget)
{
	v->executed_base = vcpu_executed(v, *counter);
	v->budget = budget;
	*counter = TK_ARMED_BIAS - budget;
}

uint64_t tk_executed(const struct timekeeper *tk, const uint64_t *counters)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < tk->n_vcpus; i++)
		total += vcpu_executed(&tk->vcpu[i], counters[i]);
	return total;
}

uint64_t tk_now_ns(const struct timekeeper *tk, const uint64_t *counters)
{
	return tk_insns_to_ns(tk, tk_executed(tk, counters)) + (uint64_t)tk->clock_offset_ns;
}

uint64_t tk_follow_clock(struct timekeeper *tk, const uint64_t *counters, uint64_t clock_ns,
			 uint64_t resolution_ns)
{
	uint64_t now_ns = tk_now_ns(tk, counters);
	uint64_t latest_ns = clock_ns + resolution_ns - 1;

	if (now_ns < clock_ns) {
		tk->idle_ns += clock_ns - now_ns;
		tk->clock_offset_ns += (int64_t)(clock_ns - now_ns);
		return clock_ns;
	}
	if (now_ns > latest_ns) {
		tk->clock_offset_ns -= (int64_t)(now_ns - latest_ns);
		return latest_ns;
	}
	return now_ns;
}

void tk_fire_at_next_check(struct timekeeper *tk, unsigned index, uint64_t *counters)
{
	if (index < tk->n_vcpus && tk->vcpu[index].active)
		vcpu_arm(&tk->vcpu[index], &counters[index], 0);
}

void tk_boundary_synced(struct timekeeper *tk, uint64_t now_ns, bool idle)
{
	uint64_t late = now_ns - tk->next_boundary_ns;

	if (!idle && late > tk->max_late_ns)
		tk->max_late_ns = late;
	tk->syncs++;
	tk->next_boundary_ns += tk->quantum_ns;
}

void tk_set_next_boundary(struct timekeeper *tk, uint64_t ns)
{
	tk->next_boundary_ns = ns;
}

void tk_rearm(struct timekeeper *tk, uint64_t *counters)
{
	uint64_t now_ns = tk_now_ns(tk, counters);
	uint64_t left_ns = now_ns < tk->next_boundary_ns ? tk->next_boundary_ns - now_ns : 0;
	uint64_t unit = UINT64_C(1) << tk->shift;
	uint64_t left_insns = (left_ns + unit - 1) >> tk->shift;
	unsigned active = 0;

	for (unsigned i = 0; i < tk->n_vcpus; i++)
		active += tk->vcpu[i].active;
	uint64_t budget = active > 1 ? left_insns / active : left_insns;
	if (budget == 0)
		budget = 1;

	for (unsigned i = 0; i < tk->n_vcpus; i++)
		if (tk->vcpu[i].active)
			vcpu_arm(&tk->vcpu[i], &counters[i], budget);
}
