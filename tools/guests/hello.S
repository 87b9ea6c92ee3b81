/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child partition's first program: real mode, loaded at 0x1000. It
 * greets over the 16550 serial port at 0x3f8, prints the hypervisor's
 * CPUID vendor string (leaf 0x40000000) and halts.
 */
	.code16
	.text
	.globl	_start
_start:
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x8000, %sp

	movw	$greeting, %si
	call	puts

	movl	$0x40000000, %eax
	cpuid
	movl	%ebx, vendor
	movl	%ecx, vendor + 4
	movl	%edx, vendor + 8
	movw	$vendor, %si
	call	puts
	movw	$newline, %si
	call	puts
	hlt

/* Print the NUL-terminated string at DS:SI. */
puts:
	lodsb
	testb	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* Send AL once the transmitter holding register is empty (LSR bit 5). */
putc:
	movb	%al, %bl
	movw	$0x3fd, %dx
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movw	$0x3f8, %dx
	movb	%bl, %al
	outb	%al, %dx
	ret

greeting:
	.asciz	"Hello from a partvisor child partition. The hypervisor says: "
newline:
	.asciz	"\n"
vendor:
	.fill	13, 1, 0
