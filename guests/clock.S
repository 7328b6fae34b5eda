/*
 * Reports the guest's own clock: n times, reads rdtime (10 MHz on virt), prints it as
 * "t=<16 hex digits>", then 50130 instructions later the next reading.
 */
#include "common.inc"
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	li	s0, UART_BASE
	LOAD_ITERATIONS 20
	mv	s1, t1
1:	li	t0, 't'
	sb	t0, 0(s0)
	li	t0, '='
	sb	t0, 0(s0)
	.globl	clock_read	/* tests find the reading's instruction index by this symbol */
clock_read:
	rdtime	a0
	call	puthex
	li	t2, 25000
2:	addi	t2, t2, -1
	bnez	t2, 2b
	addi	s1, s1, -1
	bnez	s1, 1b
	POWER_OFF
