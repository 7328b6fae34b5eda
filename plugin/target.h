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

/*
 * An instruction that reads the guest's clock into general registers (x86_64 rdtsc and
 * rdtscp: EDX:EAX; aarch64 mrs Xt of the generic timer's counters: Xt). Under -icount
 * these end their translated block, so the value is in the registers at the next block's
 * start, for the instructions executed through the read.
 */
enum clock_read_kind { CLOCK_READ_EDX_EAX, CLOCK_READ_XT };

struct clock_read {
	const char *target;   /* QEMU's target name prefix */
	const char *mnemonic; /* for messages */
	uint8_t bytes[4];     /* encoding as stored in guest memory ... */
	uint8_t mask[4];      /* ... compared under this mask (aarch64: Rt left out) */
	size_t len;
	enum clock_read_kind kind;
};

/* The clock read an instruction's bytes are, or NULL. */
const struct clock_read *target_clock_read(const char *target_name, const uint8_t *insn,
					   size_t len);

/* The target's clock-read instructions, for messages ("rdtsc, rdtscp"). */
const char *target_clock_read_names(const char *target_name);

/* The lengths of the target's clock-read instructions, bit n for n bytes; 0 if none. */
uint32_t target_clock_read_lens(const char *target_name);

/* True when the target has clock-read instructions (x86_64, aarch64). */
bool target_has_clock_reads(const char *target_name);

/*
 * The registers clock reads land in, by index: x86 EAX/RAX (0) and EDX/RDX (1); aarch64
 * x0..x30. The name (maybe written into buf), or NULL past the last.
 */
const char *target_clock_read_register(const char *target_name, unsigned index, char *buf,
				       size_t len);

/* The destination register's number of an aarch64 mrs (0..30; 31 is xzr). */
unsigned target_clock_read_xt(const uint8_t *insn);

/*
 * The frequency of the clock those reads return: x86_64's TSC is QEMU's virtual clock in
 * ns under -icount (1 GHz); aarch64's is CNTFRQ_EL0's (cntfrq_hz, read by the caller, or
 * QEMU's default for -M virt's older CPUs, 62.5 MHz, when 0).
 */
uint64_t target_clock_read_hz(const char *target_name, uint64_t cntfrq_hz);

/* The clock register of a target, or NULL when its register set has none. */
const struct clock_reg *target_clock_reg(const char *target_name);

/* Guest time in ns for ticks of a clock of hz (a clock register's, a clock read's). */
uint64_t target_ticks_ns(uint64_t hz, uint64_t ticks);

/*
 * True when nothing outside the vCPU can see an instruction of these bytes run and it
 * cannot end its block early: no memory access (a device access is seen, and QEMU then
 * re-runs it alone as a block of its own), no exception, no system register. Under
 * -icount QEMU does device I/O only at a block's last instruction and takes interrupts
 * between blocks, so a run of such instructions looks the same from outside whether the
 * vCPU halts before it or in it. A trap QEMU knows of at translation (an illegal
 * encoding, aarch64's FP while it is off) ends its block there, so only traps decided
 * at run time (memory, riscv's FP rounding mode) must be false here. Known for riscv and
 * aarch64; false for anything else.
 */
bool target_insn_unseen(const char *target_name, const uint8_t *insn, size_t len);

/* The halt instruction of a target, or NULL when we know none for it. */
const struct halt_insn *target_halt_insn(const char *target_name);

/* True when the instruction's bytes are the halt instruction. */
bool target_is_halt(const struct halt_insn *halt, const uint8_t *insn, size_t len);

#endif
