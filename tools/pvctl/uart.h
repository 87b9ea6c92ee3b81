/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvctl's 16550 UART model at 0x3f8-0x3ff: the registers a driver
 * programs, transmit to a file descriptor, nothing to receive except in
 * loopback mode. No interrupt is raised: IIR shows what would be pending.
 */
#ifndef _PVCTL_UART_H
#define _PVCTL_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_BASE	0x3f8
#define UART_PORTS	8

struct uart {
	int out_fd;
	uint8_t rbr, ier, fcr, lcr, mcr, lsr, scr, dll, dlm;
	bool thre_pending;	/* "THR empty" interrupt not yet acknowledged */
	unsigned int len;
	char buf[256];		/* output, written out a line at a time */
};

void uart_init(struct uart *u, int out_fd);
/* One port access; ports outside the UART read all ones. */
void uart_io(struct uart *u, uint16_t port, bool in, unsigned int size,
	     unsigned long long *data);
void uart_flush(struct uart *u);

#endif /* _PVCTL_UART_H */
