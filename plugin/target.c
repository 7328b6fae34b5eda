/* SPDX-License-Identifier: MIT */
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

#define FIND_BY_TARGET(table, target_name)                                          \
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)               \
		if (strncmp(target_name, table[i].target, strlen(table[i].target)) == 0) \
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

uint64_t target_clock_ns(const struct clock_reg *clock, uint64_t ticks)
{
	/* Split to avoid overflow: whole seconds, then the remainder. */
	return ticks / clock->hz * 1000000000u + ticks % clock->hz * 1000000000u / clock->hz;
}

bool target_is_halt(const struct halt_insn *halt, const uint8_t *insn, size_t len)
{
	return halt && len == halt->len && memcmp(insn, halt->bytes, len) == 0;
}
