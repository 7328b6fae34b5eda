/* SPDX-License-Identifier: MIT */
/*
 * Counting: how QEMU counts a vCPU's instructions into the timekeeper's counters
 * (timekeeper.h) and calls counting_fired() once a counter passed its budget. Every check
 * comes before its count, so the callback sees the instructions executed so far
 * (count_shared.c's block callback adds first, for speed, and its slow path undoes the add
 * before it checks). Default mode: a block is checked and counted whole at its start. Exact
 * mode: a block is cut into segments, each ending at an instruction that may be seen from
 * outside the vCPU (target_insn_unseen() false: a device access, an exception) or at the
 * block's end, and each segment is checked and counted whole at its start, the first one by
 * the block's check (only a block's check may read the guest's clock). A segment's check
 * fires when a boundary falls anywhere in it (its "ahead": every instruction but its last
 * is unseen, so the guest cannot tell a halt there from one on the boundary). A segment
 * counted whole stays exact where QEMU cuts a block short at a device access and re-runs
 * the rest as new blocks: the access is a segment's last instruction, so the segments after
 * it, counted by the new blocks, were not counted by the first.
 */
#ifndef COUNTING_H
#define COUNTING_H

#include <stdbool.h>
#include <stdint.h>

#include <qemu-plugin.h>

struct counting {
	const char *name;
	/* Sets up the counters (at install). -1 when it cannot. */
	int (*init)(void);
	/* The counter vCPU vcpu_index counts in. */
	unsigned (*counter_of)(unsigned vcpu_index);
	/* Copies counters 0..n-1 out of QEMU, and back in. */
	void (*read)(uint64_t *counters, unsigned n);
	void (*write)(const uint64_t *counters, unsigned n);
	/*
	 * Instruments a translated block; read_regs: its start check may read registers.
	 * Default mode: unseen NULL. Exact mode: unseen[i] for its instruction i (see
	 * counting_segment_last()).
	 */
	void (*instrument)(struct qemu_plugin_tb *tb, const bool *unseen, bool read_regs);
	/*
	 * Clock reads (NULL where the strategy cannot follow them): instrument_clock_read
	 * makes a clock-read instruction call counting_clock_read(vcpu, udata) while its
	 * vCPU wants one (want_clock_read), which then wants none until told again.
	 */
	void (*instrument_clock_read)(struct qemu_plugin_insn *insn, void *udata);
	void (*want_clock_read)(unsigned vcpu_index);
};

/*
 * The strategy, at every API level: one counter for all vCPUs from a C callback per block
 * (or segment). It is the cheapest (bench/README.md: on the riscv64 Linux boot, which
 * translates 70,000 blocks, a per-vCPU scoreboard with an inline add and an inline
 * conditional check per block cost QEMU 5% more time, and no workload measured ran
 * faster with it), and the only correct one with several vCPUs: QEMU 10.0 compiles the
 * vCPU index into each translated block (single-threaded round-robin under -icount)
 * although blocks are shared between vCPUs, so per-vCPU scoreboards and callback indices
 * are wrong; under -icount the vCPUs run in turn and guest time is their sum anyway.
 */
extern const struct counting counting_shared;

/* Instructions of a block whose unseen[] is kept; past them each is a segment of its own. */
#define COUNTING_MAX_KNOWN 512

/* The last instruction of the exact-mode segment that starts at instruction first. */
static inline size_t counting_segment_last(const bool *unseen, size_t first, size_t n)
{
	size_t last = first;

	while (last + 1 < n && last < COUNTING_MAX_KNOWN && unseen[last])
		last++;
	return last;
}

/*
 * A check's userdata: at a block's start the block's length (0 elsewhere), and ahead: a
 * boundary up to that many instructions after the check is synced at the check (the
 * instructions up to it are unseen; 0 in default mode).
 */
#define COUNTING_CHECK(block_insns, ahead) \
	((void *)(uintptr_t)((uintptr_t)(ahead) << 17 | (uintptr_t)(block_insns) << 1 | 1))
static inline uint64_t counting_block_insns(const void *udata)
{
	return (uintptr_t)udata >> 1 & 0xffff;
}

static inline uint64_t counting_ahead(const void *udata)
{
	return (uintptr_t)udata >> 17;
}

/* What a strategy registers for one segment: instructions first..first+len-1. */
typedef void counting_segment_fn(struct qemu_plugin_tb *tb, size_t first, size_t len,
				 enum qemu_plugin_cb_flags flags, void *udata);

/*
 * Calls segment for each segment of a block, with its check's userdata: in default mode
 * (unseen NULL) the whole block, in exact mode the runs counting_segment_last() finds.
 * flags: what the block's first check may read.
 */
static inline void counting_each_segment(struct qemu_plugin_tb *tb, const bool *unseen,
					 enum qemu_plugin_cb_flags flags,
					 counting_segment_fn *segment)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	if (!unseen) {
		segment(tb, 0, n, flags, COUNTING_CHECK(n, 0));
		return;
	}
	for (size_t first = 0, last; first < n; first = last + 1) {
		last = counting_segment_last(unseen, first, n);
		segment(tb, first, last - first + 1, flags, COUNTING_CHECK(first ? 0 : n, last - first));
	}
}

/* The plugin's handler (plugin.c): a counter passed its budget. udata as above. */
void counting_fired(unsigned vcpu_index, void *udata);

/* The plugin's handler (plugin.c): the guest is about to read its clock, as wanted. */
void counting_clock_read(unsigned vcpu_index, void *udata);

#endif
