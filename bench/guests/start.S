/* Entry of the C benchmark guests: a stack, main(), power-off (guests/common.inc). */
#include "common.inc"
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, stack_top
	call	main
	POWER_OFF

	.section .bss
	.balign 16
	.zero 16384
stack_top:
