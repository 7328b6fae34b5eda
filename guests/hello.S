/* Prints a greeting over the UART, runs the tight loop, prints "done", powers off. */
#include "common.inc"
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	li	s0, UART_BASE
	la	a0, greeting
	call	puts
	LOAD_ITERATIONS 3000000
1:	addi	t1, t1, -1
	bnez	t1, 1b
	la	a0, farewell
	call	puts
	POWER_OFF

/* 5 instructions per character, 3 more at the end (no UART polling: QEMU's is always ready). */
puts:
	lbu	t0, 0(a0)
	beqz	t0, 2f
	sb	t0, 0(s0)
	addi	a0, a0, 1
	j	puts
2:	ret

	.section .rodata
greeting:
	.asciz "guest: hello from riscv64, running in lockstep\n"
farewell:
	.asciz "guest: done, powering off\n"
