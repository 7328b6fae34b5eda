/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "target.h"

static const struct halt_insn halt_insns[] = {
	{ "riscv", "wfi", { 0x73, 0x00, 0x50, 0x10 }, 4 },   /* 0x10500073 */
	{ "aarch64", "wfi", { 0x7f, 0x20, 0x03, 0xd5 }, 4 }, /* 0xd503207f */
	{ "arm", "wfi", { 0x03, 0xf0, 0x20, 0xe3 }, 4 },     /* A32 0xe320f003 */
	{ "x86_64", "hlt", { 0xf4 }, 1 },
	{ "i386", "hlt", { 0xf4 }, 1 },
};

/* riscv's time CSR counts the ACLINT's mtime, 10 MHz on QEMU's virt machine. */
static const struct clock_reg clock_regs[] = {
	{ "riscv", "time", 10000000 },
};

/*
 * aarch64 mrs Xt: CNTVCT_EL0 0xd53be040, CNTPCT_EL0 0xd53be020, and the self-synchronized
 * CNTVCTSS_EL0 0xd53be0c0, CNTPCTSS_EL0 0xd53be0a0 (Linux patches those in on CPUs with
 * ECV, e.g. -cpu max); the low 5 bits are Rt.
 */
#define MRS_MASK { 0xe0, 0xff, 0xff, 0xff }
static const struct clock_read clock_reads[] = {
	{ "x86_64", "rdtsc", { 0x0f, 0x31 }, { 0xff, 0xff }, 2, CLOCK_READ_EDX_EAX },
	{ "x86_64", "rdtscp", { 0x0f, 0x01, 0xf9 }, { 0xff, 0xff, 0xff }, 3, CLOCK_READ_EDX_EAX },
	{ "i386", "rdtsc", { 0x0f, 0x31 }, { 0xff, 0xff }, 2, CLOCK_READ_EDX_EAX },
	{ "i386", "rdtscp", { 0x0f, 0x01, 0xf9 }, { 0xff, 0xff, 0xff }, 3, CLOCK_READ_EDX_EAX },
	{ "aarch64", "mrs CNTVCT_EL0", { 0x40, 0xe0, 0x3b, 0xd5 }, MRS_MASK, 4, CLOCK_READ_XT },
	{ "aarch64", "mrs CNTPCT_EL0", { 0x20, 0xe0, 0x3b, 0xd5 }, MRS_MASK, 4, CLOCK_READ_XT },
	{ "aarch64", "mrs CNTVCTSS_EL0", { 0xc0, 0xe0, 0x3b, 0xd5 }, MRS_MASK, 4, CLOCK_READ_XT },
	{ "aarch64", "mrs CNTPCTSS_EL0", { 0xa0, 0xe0, 0x3b, 0xd5 }, MRS_MASK, 4, CLOCK_READ_XT },
};
#define N_CLOCK_READS (sizeof(clock_reads) / sizeof(clock_reads[0]))

static bool same_target(const char *target_name, const char *prefix)
{
	return strncmp(target_name, prefix, strlen(prefix)) == 0;
}

const struct clock_read *target_clock_read(const char *target_name, const uint8_t *insn,
					   size_t len)
{
	for (size_t i = 0; i < N_CLOCK_READS; i++) {
		const struct clock_read *r = &clock_reads[i];
		size_t b = 0;

		if (r->len != len || !same_target(target_name, r->target))
			continue;
		while (b < len && (insn[b] & r->mask[b]) == r->bytes[b])
			b++;
		if (b == len)
			return r;
	}
	return NULL;
}

uint32_t target_clock_read_lens(const char *target_name)
{
	uint32_t lens = 0;

	for (size_t i = 0; i < N_CLOCK_READS; i++)
		if (same_target(target_name, clock_reads[i].target))
			lens |= 1u << clock_reads[i].len;
	return lens;
}

const char *target_clock_read_names(const char *target_name)
{
	if (same_target(target_name, "aarch64"))
		return "mrs of CNTVCT_EL0, CNTPCT_EL0";
	return same_target(target_name, "x86_64") || same_target(target_name, "i386")
		       ? "rdtsc, rdtscp" : "none";
}

bool target_has_clock_reads(const char *target_name)
{
	for (size_t i = 0; i < N_CLOCK_READS; i++)
		if (same_target(target_name, clock_reads[i].target))
			return true;
	return false;
}

const char *target_clock_read_register(const char *target_name, unsigned index, char *buf,
				       size_t len)
{
	static const char *const x86_64[] = { "rax", "rdx" }, *const i386[] = { "eax", "edx" };

	if (same_target(target_name, "x86_64"))
		return index < 2 ? x86_64[index] : NULL;
	if (same_target(target_name, "i386"))
		return index < 2 ? i386[index] : NULL;
	if (index > 30)
		return NULL;
	snprintf(buf, len, "x%u", index);
	return buf;
}

unsigned target_clock_read_xt(const uint8_t *insn)
{
	return insn[0] & 0x1f;
}

uint64_t target_clock_read_hz(const char *target_name, uint64_t cntfrq_hz)
{
	if (same_target(target_name, "aarch64"))
		return cntfrq_hz ? cntfrq_hz : 62500000;
	return 1000000000;
}

#define FIND_BY_TARGET(table, target_name)                                          \
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)               \
		if (same_target(target_name, table[i].target))                    \
			return &table[i];                                           \
	return NULL

const struct halt_insn *target_halt_insn(const char *target_name)
{
	FIND_BY_TARGET(halt_insns, target_name);
}

const struct clock_reg *target_clock_reg(const char *target_name)
{
	FIND_BY_TARGET(clock_regs, target_name);
}

uint64_t target_ticks_ns(uint64_t hz, uint64_t ticks)
{
	/* Split to avoid overflow: whole seconds, then the remainder. */
	return ticks / hz * 1000000000u + ticks % hz * 1000000000u / hz;
}

/* riscv: integer arithmetic, lui/auipc, branches and jumps, compressed ones too. */
static bool riscv_unseen(const uint8_t *insn, size_t len)
{
	unsigned quadrant = insn[0] & 3, funct3 = len >= 2 ? insn[1] >> 5 : 8;

	if (len == 4 && quadrant == 3) {
		switch (insn[0] & 0x7f) {
		case 0x13: /* OP-IMM */
		case 0x1b: /* OP-IMM-32 */
		case 0x17: /* AUIPC */
		case 0x33: /* OP */
		case 0x3b: /* OP-32 */
		case 0x37: /* LUI */
		case 0x63: /* BRANCH */
		case 0x67: /* JALR */
		case 0x6f: /* JAL */
			return true;
		default: /* loads, stores, AMOs, fences, SYSTEM, floating point (dynamic rm traps) */
			return false;
		}
	}
	if (len != 2 || quadrant == 3)
		return false;
	switch (quadrant) {
	case 0: /* c.addi4spn (all-zero immediate: illegal); the rest loads and stores */
		return funct3 == 0 && ((insn[0] >> 5 | insn[1] << 3) & 0xff) != 0;
	case 1: /* c.addi, c.li, c.lui, c.j, c.beqz, ...: no memory */
		return true;
	default: /* c.slli; c.mv, c.add, c.jr, c.jalr (c.ebreak ends its block anyway) */
		return funct3 == 0 || funct3 == 4;
	}
}

/* aarch64: data processing (immediate, register, SIMD and FP); not loads, stores, SVE, SME, system. */
static bool aarch64_unseen(const uint8_t *insn, size_t len)
{
	unsigned op0;

	if (len != 4)
		return false;
	op0 = (unsigned)(insn[3] >> 1) & 0xf; /* bits 28:25 */
	return (op0 & 0xe) == 0x8 || (op0 & 0x7) == 0x5 || (op0 & 0x7) == 0x7;
}

bool target_insn_unseen(const char *target_name, const uint8_t *insn, size_t len)
{
	if (same_target(target_name, "riscv"))
		return riscv_unseen(insn, len);
	if (same_target(target_name, "aarch64"))
		return aarch64_unseen(insn, len);
	return false;
}

bool target_is_halt(const struct halt_insn *halt, const uint8_t *insn, size_t len)
{
	return halt && len == halt->len && memcmp(insn, halt->bytes, len) == 0;
}
