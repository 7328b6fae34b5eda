/*
 * Memory benchmark guest: makes QEMU translate many blocks. BLOCKS distinct 2-instruction
 * blocks (each ends with a jump, so each is one translated block) sit in RAM; every pass
 * rewrites one word of each block with its own value, which makes QEMU invalidate the
 * block, then runs them all, which makes QEMU translate them again. So a run of n passes
 * translates about n * BLOCKS blocks: a plugin that keeps memory per translated block
 * grows by that much, one that does not stays flat.
 * n (the passes) at 0x80001000 as in guests/common.inc.
 */
#include "common.inc"
	.equ BLOCKS, 4096
	.equ BLOCK_BYTES, 8
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	LOAD_ITERATIONS 100
	la	s0, blocks
	li	t0, BLOCKS * BLOCK_BYTES
	add	s1, s0, t0
pass:
	mv	t2, s0
1:	lw	t3, 0(t2)
	sw	t3, 0(t2)
	addi	t2, t2, BLOCK_BYTES
	bltu	t2, s1, 1b
	jalr	ra, 0(s0)
	addi	t1, t1, -1
	bnez	t1, pass
	POWER_OFF

/* The blocks live in writable RAM, on pages of their own (the pass loop must not share one). */
	.section .data.blocks, "awx"
	.option push
	.option norvc
	.balign 4096
blocks:
	.rept BLOCKS
	addi	a0, a0, 1
	j	1f
1:
	.endr
	ret
	.balign 4096
	.option pop
