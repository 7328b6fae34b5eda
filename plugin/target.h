/* SPDX-License-Identifier: MIT */
/* Per-target facts: which instruction halts a vCPU until an interrupt (idle). */
#ifndef TARGET_H
#define TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct halt_insn {
	const char *target;   /* QEMU's target name prefix, e.g. "riscv" */
	const char *mnemonic; /* "wfi", "hlt" */
	uint8_t bytes[4];     /* encoding as stored in guest memory */
	size_t len;
};

/* A register through which the guest reads its own clock. */
struct clock_reg {
	const char *target; /* QEMU's target name prefix */
	const char *name;   /* in QEMU's gdb register set */
	uint64_t hz;        /* its frequency (QEMU's virt machine) */
};

/* The clock register of a target, or NULL when its register set has none. */
const struct clock_reg *target_clock_reg(const char *target_name);

/* Guest time in ns for a reading of the clock register. */
uint64_t target_clock_ns(const struct clock_reg *clock, uint64_t ticks);

/* The halt instruction of a target, or NULL when we know none for it. */
const struct halt_insn *target_halt_insn(const char *target_name);

/* True when the instruction's bytes are the halt instruction. */
bool target_is_halt(const struct halt_insn *halt, const uint8_t *insn, size_t len);

#endif
