/* SPDX-License-Identifier: MIT */
#include "counting.h"
#include "timekeeper.h"

struct vcpu_counter {
	uint64_t armed;      /* see timekeeper.h: fires at TK_ARMED_BIAS */
	uint64_t want_clock; /* nonzero: the next clock read calls counting_clock_read() */
};

static struct {
	struct qemu_plugin_scoreboard *score;
	qemu_plugin_u64 counter;
	qemu_plugin_u64 want_clock;
} board;

static int board_init(void)
{
	board.score = qemu_plugin_scoreboard_new(sizeof(struct vcpu_counter));
	if (!board.score)
		return -1;
	board.counter = qemu_plugin_scoreboard_u64_in_struct(board.score, struct vcpu_counter, armed);
	board.want_clock = qemu_plugin_scoreboard_u64_in_struct(board.score, struct vcpu_counter,
								want_clock);
	return 0;
}

static unsigned board_counter_of(unsigned vcpu_index)
{
	return vcpu_index;
}

static void board_read(uint64_t *counters, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		counters[i] = qemu_plugin_u64_get(board.counter, i);
}

static void board_write(const uint64_t *counters, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		qemu_plugin_u64_set(board.counter, i, counters[i]);
}

/* One check and one count for instructions first..first+len-1 of the block. */
static void board_segment(struct qemu_plugin_tb *tb, size_t first, size_t len,
			  enum qemu_plugin_cb_flags flags, void *udata)
{
	uint64_t ahead = counting_ahead(udata);

	if (first == 0) {
		qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, counting_fired, flags,
							  QEMU_PLUGIN_COND_GE, board.counter,
							  TK_ARMED_BIAS - ahead, udata);
		qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64,
								  board.counter, len);
		return;
	}
	struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, first);
	qemu_plugin_register_vcpu_insn_exec_cond_cb(insn, counting_fired, QEMU_PLUGIN_CB_NO_REGS,
						    QEMU_PLUGIN_COND_GE, board.counter,
						    TK_ARMED_BIAS - ahead, udata);
	qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							    board.counter, len);
}

static void board_instrument(struct qemu_plugin_tb *tb, const bool *unseen, bool read_regs)
{
	counting_each_segment(tb, unseen, read_regs ? QEMU_PLUGIN_CB_R_REGS : QEMU_PLUGIN_CB_NO_REGS,
			      board_segment);
}

/* A conditional check: a clock read costs a compare until one is wanted. */
static void board_instrument_clock_read(struct qemu_plugin_insn *insn, void *udata)
{
	qemu_plugin_register_vcpu_insn_exec_cond_cb(insn, counting_clock_read,
						    QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_COND_NE,
						    board.want_clock, 0, udata);
	qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_STORE_U64,
							    board.want_clock, 0);
}

static void board_want_clock_read(unsigned vcpu_index)
{
	qemu_plugin_u64_set(board.want_clock, vcpu_index, 1);
}

const struct counting counting_scoreboard = {
	.name = "scoreboard",
	.init = board_init,
	.counter_of = board_counter_of,
	.read = board_read,
	.write = board_write,
	.instrument = board_instrument,
	.instrument_clock_read = board_instrument_clock_read,
	.want_clock_read = board_want_clock_read,
};
