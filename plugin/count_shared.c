/* SPDX-License-Identifier: MIT */
#include "counting.h"
#include "timekeeper.h"

static struct {
	bool exact;
	uint64_t counter;
} shared;

static int shared_init(void)
{
	return 0;
}

static unsigned shared_counter_of(unsigned vcpu_index)
{
	(void)vcpu_index;
	return 0;
}

static void shared_read(uint64_t *counters, unsigned n)
{
	if (n)
		counters[0] = shared.counter;
}

static void shared_write(const uint64_t *counters, unsigned n)
{
	if (n)
		shared.counter = counters[0];
}

/* The check and count, per block, or per instruction in exact mode (counting 1). */
static void shared_count(unsigned int vcpu_index, void *udata)
{
	uint64_t block_insns = counting_block_insns(udata);

	(void)vcpu_index; /* wrong with several vCPUs: see counting.h */
	if (shared.counter >= TK_ARMED_BIAS)
		counting_fired(0, udata);
	shared.counter += shared.exact || !block_insns ? 1 : block_insns;
}

static void shared_instrument(struct qemu_plugin_tb *tb, bool exact, bool read_regs)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	shared.exact = exact;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, shared_count,
					     read_regs ? QEMU_PLUGIN_CB_R_REGS : QEMU_PLUGIN_CB_NO_REGS,
					     COUNTING_AT_BLOCK_START(n));
	for (size_t i = 1; exact && i < n; i++)
		qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i), shared_count,
						       QEMU_PLUGIN_CB_NO_REGS, NULL);
}

const struct counting counting_shared = {
	.name = "shared counter",
	.init = shared_init,
	.counter_of = shared_counter_of,
	.read = shared_read,
	.write = shared_write,
	.instrument = shared_instrument,
};
