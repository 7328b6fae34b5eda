/* SPDX-License-Identifier: MIT */
#include "counting.h"
#include "timekeeper.h"

static struct {
	uint64_t counter;
	bool want_clock; /* the next clock read calls counting_clock_read() */
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

/*
 * The slow path of a block's count and check: the counter, this block added, is past the
 * budget. If it was before the block too, the check fires (as if made before the add);
 * otherwise this block crosses the boundary and the next block's start is the check.
 */
__attribute__((noinline, cold)) static void shared_block_fired(unsigned int vcpu_index,
								uintptr_t block_insns)
{
	uint64_t before = shared.counter - block_insns;

	if ((int64_t)before >= 0)
		return;
	shared.counter = before;
	counting_fired(vcpu_index, COUNTING_CHECK(block_insns, 0));
	shared.counter += block_insns;
}

/*
 * A block's count and check in default mode: the work of every executed block, so a leaf
 * with the slow path a tail call (bench/README.md: a stack frame here cost the Linux boot
 * 3% of QEMU's time), its userdata the block's length itself, not COUNTING_CHECK(). It
 * adds first and tests the sum's sign, which x86 gets from the add to memory itself (an
 * add, a branch, a return: the seed's callback takes five instructions, a test of the
 * counter before the add six); the slow path tells the block that crosses the boundary
 * (TK_ARMED_BIAS, the counter's top bit) from the one after it, where the check fires.
 */
static void shared_block(unsigned int vcpu_index, void *udata)
{
	shared.counter += (uintptr_t)udata;
	if ((int64_t)shared.counter < 0)
		shared_block_fired(vcpu_index, (uintptr_t)udata);
}

/* A segment's check and count in exact mode (counting.h). */
static void shared_segment_count(unsigned int vcpu_index, void *udata)
{
	uint64_t ahead = counting_ahead(udata);

	if (shared.counter >= TK_ARMED_BIAS - ahead)
		counting_fired(vcpu_index, udata);
	shared.counter += ahead + 1;
}

/* One callback for instructions first..first+len-1 of the block. */
static void shared_segment(struct qemu_plugin_tb *tb, size_t first, size_t len,
			   enum qemu_plugin_cb_flags flags, void *udata)
{
	(void)len; /* in the userdata */
	if (first == 0)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, shared_segment_count, flags, udata);
	else
		qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, first),
						       shared_segment_count, QEMU_PLUGIN_CB_NO_REGS,
						       udata);
}

static void shared_instrument(struct qemu_plugin_tb *tb, const bool *unseen, bool read_regs)
{
	enum qemu_plugin_cb_flags flags = read_regs ? QEMU_PLUGIN_CB_R_REGS : QEMU_PLUGIN_CB_NO_REGS;

	if (!unseen) {
		size_t n = qemu_plugin_tb_n_insns(tb);

		qemu_plugin_register_vcpu_tb_exec_cb(tb, shared_block, flags, (void *)(uintptr_t)n);
		return;
	}
	counting_each_segment(tb, unseen, flags, shared_segment);
}

/* A clock read costs a call and a test until one is wanted. */
static void shared_clock_read(unsigned int vcpu_index, void *udata)
{
	if (!shared.want_clock)
		return;
	shared.want_clock = false;
	counting_clock_read(vcpu_index, udata);
}

static void shared_instrument_clock_read(struct qemu_plugin_insn *insn, void *udata)
{
	qemu_plugin_register_vcpu_insn_exec_cb(insn, shared_clock_read, QEMU_PLUGIN_CB_NO_REGS,
					       udata);
}

static void shared_want_clock_read(unsigned vcpu_index)
{
	(void)vcpu_index; /* one vCPU: plugin.c follows no clock reads with several */
	shared.want_clock = true;
}

const struct counting counting_shared = {
	.name = "shared counter",
	.init = shared_init,
	.counter_of = shared_counter_of,
	.read = shared_read,
	.write = shared_write,
	.instrument = shared_instrument,
	.instrument_clock_read = shared_instrument_clock_read,
	.want_clock_read = shared_want_clock_read,
};
