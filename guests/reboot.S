/*
 * Reboots once: prints its clock, runs 2 x iterations instructions, resets the machine
 * through the virt test device (as a guest's reboot does); after the reset it finds its
 * mark in RAM (which a reset keeps), prints its clock, runs the loop again and powers off.
 * For the plugin's handling of a guest clock that restarts.
 */
#include "common.inc"
	.equ RESET, 0x7777
	.equ MARK_ADDR, 0x80100000 /* outside the loaded image: not rewritten at reset */
	.equ MARK, 0x7eb0071
	PARAMS
	.section .text.start, "ax"
	.globl _start
_start:
	li	s0, UART_BASE
	PRINT_CLOCK
	li	t3, MARK_ADDR
	ld	t4, 0(t3)
	li	t5, MARK
	LOAD_ITERATIONS 1000000
1:	addi	t1, t1, -1
	bnez	t1, 1b
	beq	t4, t5, 2f
	sd	t5, 0(t3)
	li	t0, TEST_DEVICE
	li	t1, RESET
	sw	t1, 0(t0)
3:	j	3b
2:	POWER_OFF
