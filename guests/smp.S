/*
 * Every hart runs the loop (n iterations), then counts itself done and halts in wfi;
 * hart 0 waits for all (their number at 0x80001008), prints its clock (rdtime) and
 * powers off. Under -icount the clock is the sum of every hart's instructions.
 */
#include "common.inc"
	PARAMS
	.section .params, "aw", @nobits
harts:
	.zero 8
done:
	.zero 8
	.section .text.start, "ax"
	.globl _start
_start:
	li	s0, UART_BASE
	LOAD_ITERATIONS 1000000
1:	addi	t1, t1, -1
	bnez	t1, 1b
	la	t0, done
	li	t1, 1
	amoadd.d zero, t1, (t0)
	csrr	a0, mhartid
	bnez	a0, 3f
	la	t2, harts
	ld	t2, 0(t2)
2:	ld	t1, 0(t0)
	bne	t1, t2, 2b
	PRINT_CLOCK
	POWER_OFF
3:	wfi			/* done: halt without running instructions */
	j	3b
