/*
 * Computes (loop of n iterations), sleeps 10 ms of guest time on the machine timer,
 * computes again, printing its clock (rdtime) at each step. Built twice: sleep.elf
 * idles in wfi (QEMU's clock jumps without instructions), busyidle.elf spins on mtime
 * until the deadline instead (the same guest time, all of it instructions).
 */
#include "common.inc"
	.equ MTIME, 0x0200bff8
	.equ MTIMECMP0, 0x02004000
	.equ SLEEP_TICKS, 100000 /* 10 ms at 10 MHz */
	.equ MIP_MTIP, 0x80
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	li	s0, UART_BASE
	LOAD_ITERATIONS 1000000
	mv	s1, t1
	call	compute
	call	report
	li	t0, MTIME
	ld	t1, 0(t0)
	li	t2, SLEEP_TICKS
	add	s2, t1, t2
#ifdef BUSY_IDLE
1:	ld	t1, 0(t0)
	bltu	t1, s2, 1b
#else
	li	t0, MTIMECMP0
	sd	s2, 0(t0)
	li	t0, MIP_MTIP
	csrw	mie, t0		/* wfi wakes on the pending timer; mstatus.MIE=0: no trap */
1:	wfi
	csrr	t1, mip
	andi	t1, t1, MIP_MTIP
	beqz	t1, 1b
#endif
	call	report
	call	compute
	call	report
	POWER_OFF

compute:
	mv	t1, s1
1:	addi	t1, t1, -1
	bnez	t1, 1b
	ret

report:
	mv	s3, ra
	PRINT_CLOCK
	mv	ra, s3
	ret
