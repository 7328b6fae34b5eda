/* Tight loop: 2 instructions per iteration (the worst case for per-block costs). */
#include "common.inc"
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	LOAD_ITERATIONS 1000000
1:	addi	t1, t1, -1
	bnez	t1, 1b
	POWER_OFF
