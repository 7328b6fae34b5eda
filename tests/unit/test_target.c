/* SPDX-License-Identifier: MIT */
/*
 * target_insn_unseen(): which instructions exact mode may leave inside a segment
 * (counting.h). A wrong true here would let a device access or a trap happen inside a
 * segment counted whole, so every kind that must end a segment is checked false. And
 * target_clock_read_lens(), which decides whose bytes are read at all.
 */
#include <stdint.h>

#include "check.h"
#include "target.h"

/* A 32-bit instruction word as its little-endian bytes. */
static int unseen32(const char *target, uint32_t word)
{
	const uint8_t b[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			       (uint8_t)(word >> 24) };

	return target_insn_unseen(target, b, 4);
}

static int unseen16(const char *target, uint16_t half)
{
	const uint8_t b[2] = { (uint8_t)half, (uint8_t)(half >> 8) };

	return target_insn_unseen(target, b, 2);
}

static void test_riscv_arithmetic_and_jumps_are_unseen(void)
{
	CHECK(unseen32("riscv64", 0x00150513));  /* addi a0, a0, 1 */
	CHECK(unseen32("riscv64", 0x00b50533));  /* add a0, a0, a1 */
	CHECK(unseen32("riscv64", 0x02b50533));  /* mul a0, a0, a1 */
	CHECK(unseen32("riscv64", 0x02b5453b));  /* divw a0, a0, a1: no trap on zero */
	CHECK(unseen32("riscv64", 0x000015b7));  /* lui a1, 1 */
	CHECK(unseen32("riscv64", 0x00000517));  /* auipc a0, 0 */
	CHECK(unseen32("riscv64", 0x00b50463));  /* beq a0, a1, 8 */
	CHECK(unseen32("riscv64", 0x008000ef));  /* jal ra, 8 */
	CHECK(unseen16("riscv64", 0x0505));      /* c.addi a0, 1 */
	CHECK(unseen16("riscv64", 0x0028));      /* c.addi4spn a0, sp, 8 */
	CHECK(unseen16("riscv64", 0x852e));      /* c.mv a0, a1 */
	CHECK(unseen16("riscv64", 0x0506));      /* c.slli a0, 1 */
	CHECK(unseen16("riscv32", 0xa001));      /* c.j 0 */
}

static void test_riscv_memory_traps_and_system_end_a_segment(void)
{
	CHECK(!unseen32("riscv64", 0x0005a503)); /* lw a0, 0(a1) */
	CHECK(!unseen32("riscv64", 0x00a5a023)); /* sw a0, 0(a1) */
	CHECK(!unseen32("riscv64", 0x00b5252f)); /* amoadd.w a0, a1, (a0) */
	CHECK(!unseen32("riscv64", 0x0ff0000f)); /* fence */
	CHECK(!unseen32("riscv64", 0xc01027f3)); /* rdtime a5: the guest's clock */
	CHECK(!unseen32("riscv64", 0x10500073)); /* wfi */
	CHECK(!unseen32("riscv64", 0x00000073)); /* ecall */
	CHECK(!unseen32("riscv64", 0x00b57553)); /* fadd.s: traps with the FPU off */
	CHECK(!unseen16("riscv64", 0x4188));     /* c.lw a0, 0(a1) */
	CHECK(!unseen16("riscv64", 0x4502));     /* c.lwsp a0, 0(sp) */
	CHECK(!unseen16("riscv64", 0xc02a));     /* c.swsp a0, 0(sp) */
	CHECK(!unseen16("riscv64", 0x0000));     /* the illegal instruction */
	/* A length that does not match the encoding: not trusted. */
	CHECK(!target_insn_unseen("riscv64", (const uint8_t[]){ 0x13, 0x05 }, 2 - 1));
}

static void test_aarch64_data_processing_is_unseen_the_rest_is_not(void)
{
	CHECK(unseen32("aarch64", 0x91000400));  /* add x0, x0, #1 */
	CHECK(unseen32("aarch64", 0x8b020020));  /* add x0, x1, x2 */
	CHECK(unseen32("aarch64", 0x9b020c20));  /* madd x0, x1, x2, x3 */
	CHECK(unseen32("aarch64", 0x1e622820));  /* fadd d0, d1, d2 */
	CHECK(!unseen32("aarch64", 0xf9400020)); /* ldr x0, [x1] */
	CHECK(!unseen32("aarch64", 0xf9000020)); /* str x0, [x1] */
	CHECK(!unseen32("aarch64", 0xd53be040)); /* mrs x0, cntvct_el0 */
	CHECK(!unseen32("aarch64", 0xd503207f)); /* wfi */
	CHECK(!unseen32("aarch64", 0xd4000001)); /* svc #0 */
	CHECK(!unseen32("aarch64", 0x14000000)); /* b . */
	CHECK(!unseen32("aarch64", 0x04a00000)); /* an SVE encoding */
}

static void test_other_targets_count_every_instruction(void)
{
	CHECK(!target_insn_unseen("x86_64", (const uint8_t[]){ 0x90 }, 1)); /* nop */
	CHECK(!unseen32("arm", 0xe2800001));     /* A32 add r0, r0, #1 */
}

/*
 * vcpu_tb_trans reads an instruction's bytes only when its length is in this mask: every
 * clock read must be in it, and the lengths it leaves out (most instructions) in none.
 */
static void test_clock_read_lengths_cover_every_clock_read(void)
{
	static const struct { const char *target; uint8_t bytes[4]; size_t len; } reads[] = {
		{ "x86_64", { 0x0f, 0x31 }, 2 },		/* rdtsc */
		{ "x86_64", { 0x0f, 0x01, 0xf9 }, 3 },		/* rdtscp */
		{ "i386", { 0x0f, 0x31 }, 2 },
		{ "aarch64", { 0x40, 0xe0, 0x3b, 0xd5 }, 4 },	/* mrs x0, cntvct_el0 */
		{ "aarch64", { 0xa3, 0xe0, 0x3b, 0xd5 }, 4 },	/* mrs x3, cntpctss_el0 */
	};

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		CHECK(target_clock_read(reads[i].target, reads[i].bytes, reads[i].len) != NULL);
		CHECK(target_clock_read_lens(reads[i].target) >> reads[i].len & 1);
	}
	CHECK(target_clock_read_lens("x86_64") == (1u << 2 | 1u << 3));
	CHECK(target_clock_read_lens("aarch64") == 1u << 4);
	CHECK(target_clock_read_lens("riscv64") == 0);
}

int main(void)
{
	RUN(test_riscv_arithmetic_and_jumps_are_unseen);
	RUN(test_riscv_memory_traps_and_system_end_a_segment);
	RUN(test_aarch64_data_processing_is_unseen_the_rest_is_not);
	RUN(test_other_targets_count_every_instruction);
	RUN(test_clock_read_lengths_cover_every_clock_read);
	return CHECK_EXIT();
}
