// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550 UART for pvctl run's guests. The transmitter is always ready
 * (THRE and TEMT set): bytes go straight to the output. DLAB in LCR
 * switches offsets 0 and 1 to the divisor latch, which is kept but has
 * no effect. In loopback (MCR bit 4) transmitted bytes come back in RBR
 * and MSR mirrors MCR's outputs, so a driver's self-test passes.
 */
#include <string.h>
#include <unistd.h>

#include "uart.h"

#define REG_DATA	0	/* RBR/THR, DLL with DLAB */
#define REG_IER		1	/* DLM with DLAB */
#define REG_IIR		2	/* FCR when written */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IIR_NONE	0x01
#define IIR_RLSI	0x06
#define IIR_RDI		0x04
#define IIR_THRI	0x02
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

void uart_init(struct uart *u, int out_fd)
{
	memset(u, 0, sizeof(*u));
	u->out_fd = out_fd;
	u->dll = 12;		/* 9600 baud, as after a BIOS */
	u->lcr = 0x03;		/* 8N1 */
}

void uart_flush(struct uart *u)
{
	unsigned int done = 0;
	ssize_t n;

	while (done < u->len) {
		n = write(u->out_fd, u->buf + done, u->len - done);
		if (n <= 0)
			break;	/* the output is gone: drop what is left */
		done += n;
	}
	u->len = 0;
}

static void uart_transmit(struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		if (u->lsr & LSR_DR)
			u->lsr |= LSR_OE;
		u->rbr = c;
		u->lsr |= LSR_DR;
	} else {
		u->buf[u->len++] = c;
		if (c == '\n' || u->len == sizeof(u->buf))
			uart_flush(u);
	}
	u->thre_pending = true;	/* sent at once: THR is empty again */
}

static uint8_t uart_iir(struct uart *u)
{
	uint8_t fifo = u->fcr & FCR_ENABLE ? IIR_FIFO : 0;

	if ((u->ier & IER_RLSI) && (u->lsr & LSR_OE))
		return fifo | IIR_RLSI;
	if ((u->ier & IER_RDI) && (u->lsr & LSR_DR))
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending) {
		u->thre_pending = false;	/* reading IIR acknowledges it */
		return fifo | IIR_THRI;
	}
	return fifo | IIR_NONE;
}

/* Modem status: loopback mirrors DTR, RTS, OUT1, OUT2; else all present. */
static uint8_t uart_msr(struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return 0xb0;	/* DCD, DSR, CTS */
	return (u->mcr & 0x02 ? 0x10 : 0) | (u->mcr & 0x01 ? 0x20 : 0) |
	       (u->mcr & 0x04 ? 0x40 : 0) | (u->mcr & 0x08 ? 0x80 : 0);
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		u->lsr &= ~LSR_DR;
		return u->rbr;
	case REG_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case REG_IIR:
		return uart_iir(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = u->lsr | LSR_THRE | LSR_TEMT;
		u->lsr &= ~LSR_OE;	/* errors clear when read */
		return v;
	case REG_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;	/* THR is empty right now */
		u->ier = v & 0x0f;
		break;
	case REG_IIR:
		u->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX)
			u->lsr &= ~LSR_DR;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break;	/* LSR and MSR: read-only */
	}
}

void uart_io(struct uart *u, uint16_t port, bool in, unsigned int size,
	     unsigned long long *data)
{
	if (port < UART_BASE || port >= UART_BASE + UART_PORTS) {
		if (in)
			*data = ~0ULL;	/* nothing there: the bus floats */
		return;
	}
	/* The registers are bytes: wider accesses use the low byte. */
	(void)size;
	if (in)
		*data = uart_read(u, port - UART_BASE);
	else
		uart_write(u, port - UART_BASE, *data);
}
