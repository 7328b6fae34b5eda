/*
 * Long blocks: 62 instructions per iteration in one translated block, so a plugin that
 * loses the overshoot past each boundary drifts by up to 61 instructions per sync.
 */
#include "common.inc"
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	LOAD_ITERATIONS 100000
1:	.rept 60
	addi	t2, t2, 1
	.endr
	addi	t1, t1, -1
	bnez	t1, 1b
	POWER_OFF
