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

/* The check and count of a block, or of a segment in exact mode (counting.h). */
static void shared_count(unsigned int vcpu_index, void *udata)
{
	uint64_t ahead = counting_ahead(udata);

	(void)vcpu_index; /* wrong with several vCPUs: see counting.h */
	if (shared.counter >= TK_ARMED_BIAS - ahead)
		counting_fired(0, udata);
	shared.counter += shared.exact ? ahead + 1 : counting_block_insns(udata);
}

/* One callback for instructions first..first+len-1 of the block. */
static void shared_segment(struct qemu_plugin_tb *tb, size_t first, size_t len,
			   enum qemu_plugin_cb_flags flags, void *udata)
{
	(void)len; /* in the userdata */
	if (first == 0)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, shared_count, flags, udata);
	else
		qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, first),
						       shared_count, QEMU_PLUGIN_CB_NO_REGS, udata);
}

static void shared_instrument(struct qemu_plugin_tb *tb, const bool *unseen, bool read_regs)
{
	shared.exact = unseen != NULL;
	counting_each_segment(tb, unseen, read_regs ? QEMU_PLUGIN_CB_R_REGS : QEMU_PLUGIN_CB_NO_REGS,
			      shared_segment);
}

const struct counting counting_shared = {
	.name = "shared counter",
	.init = shared_init,
	.counter_of = shared_counter_of,
	.read = shared_read,
	.write = shared_write,
	.instrument = shared_instrument,
};
