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

	.section .rodata
greeting:
	.asciz "guest: hello from riscv64, running in lockstep\n"
farewell:
	.asciz "guest: done, powering off\n"
