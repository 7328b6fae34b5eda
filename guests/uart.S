/*
 * UART output for the guests (QEMU virt's 16550 at 0x10000000, s0 = its address). No
 * polling: QEMU's UART is always ready, so the instruction counts are fixed.
 */
	.text
/* puts(a0 = string): 5 instructions per character, 3 at the end. */
	.globl puts
puts:
	lbu	t0, 0(a0)
	beqz	t0, 2f
	sb	t0, 0(s0)
	addi	a0, a0, 1
	j	puts
2:	ret

/* puthex(a0 = value): 16 hex digits and a newline, always the same instructions. */
	.globl puthex
puthex:
	li	t3, 16
	la	t6, hexdigits
1:	srli	t4, a0, 60
	slli	a0, a0, 4
	add	t4, t4, t6
	lbu	t4, 0(t4)
	sb	t4, 0(s0)
	addi	t3, t3, -1
	bnez	t3, 1b
	li	t4, '\n'
	sb	t4, 0(s0)
	ret

	.section .rodata
hexdigits:
	.ascii "0123456789abcdef"
