// SPDX-License-Identifier: GPL-2.0
/*
 * The partvisor guest runtime: per-VP start-up, serial output, the IDT
 * and the wrappers for partvisor's synthetic MSRs and hypercalls.
 */
#include "rt.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

struct rt_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct rt_idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
};

char rt_stacks[RT_MAX_VPS][RT_STACK_SIZE] __aligned(RT_STACK_SIZE);
unsigned int rt_nr_vps;
uint8_t rt_use_vmmcall;
void (*rt_irq_handler)(unsigned int vector);

static struct rt_idt_gate rt_idt[256] __aligned(16);
static uint32_t rt_idt_ready;
/* Written by the VP's own interrupts, read by anyone: atomics. */
static uint64_t rt_irqs[RT_MAX_VPS][256];
static struct rt_lock rt_print_lock;
/* Hypercall input pages: one per VP, page-aligned as the TLFS wants. */
static uint8_t rt_hc_pages[RT_MAX_VPS][4096] __aligned(4096);

/* rt_try_insn: the instruction under test, then RET, and what it raised. */
struct rt_try {
	uint8_t code[32];
	unsigned int len;
	int vector;
};

static struct rt_try rt_tries[RT_MAX_VPS] __aligned(64);

void rt_interrupt(struct rt_frame *f);

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	uint8_t *d = dst;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *rt_memset(void *dst, int c, size_t n)
{
	return memset(dst, c, n);
}

void *rt_memcpy(void *dst, const void *src, size_t n)
{
	return memcpy(dst, src, n);
}

size_t rt_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool rt_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

unsigned int rt_vp_index(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return (sp - (uintptr_t)rt_stacks) / RT_STACK_SIZE;
}

void rt_lock(struct rt_lock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			rt_pause();
}

void rt_unlock(struct rt_lock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Send once the transmitter holding register is empty. */
static void rt_serial_putc(char c)
{
	while (!(rt_inb(COM1_LSR) & LSR_THRE))
		rt_pause();
	rt_outb(COM1, c);
}

void rt_putc(char c)
{
	rt_lock(&rt_print_lock);
	rt_serial_putc(c);
	rt_unlock(&rt_print_lock);
}

void rt_puts(const char *s)
{
	rt_lock(&rt_print_lock);
	while (*s)
		rt_serial_putc(*s++);
	rt_unlock(&rt_print_lock);
}

struct rt_out {
	char *buf;
	size_t size, len;
};

static void rt_emit(struct rt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void rt_emit_number(struct rt_out *o, uint64_t v, unsigned int base,
			   bool negative, unsigned int width, char pad)
{
	char digits[24];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	while (width > n) {
		rt_emit(o, pad);
		width--;
	}
	while (n)
		rt_emit(o, digits[--n]);
}

/* %d %i %u %x %p %s %c %%, with a width, 0 padding and l, ll, z. */
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct rt_out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		char pad = ' ';
		uint64_t v;

		if (*fmt != '%') {
			rt_emit(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			rt_emit_number(&o, s < 0 ? -(uint64_t)s : (uint64_t)s,
				       10, s < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
			v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			rt_emit_number(&o, v, *fmt == 'u' ? 10 : 16, false,
				       width, pad);
			break;
		case 'p':
			rt_emit(&o, '0');
			rt_emit(&o, 'x');
			rt_emit_number(&o, (uintptr_t)va_arg(ap, void *), 16,
				       false, width, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				rt_emit(&o, *s++);
			break;
		}
		case 'c':
			rt_emit(&o, (char)va_arg(ap, int));
			break;
		case '\0':
			fmt--;
			break;
		default:
			rt_emit(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int rt_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_puts(buf);
	return n;
}

void rt_cpuid_vendor(uint32_t leaf, char *buf)
{
	struct rt_cpuid r = rt_cpuid(leaf, 0);
	/* Leaf 0 spells it in EBX, EDX, ECX; hypervisor leaves EBX, ECX, EDX. */
	uint32_t w[3] = { r.ebx, leaf ? r.ecx : r.edx, leaf ? r.edx : r.ecx };

	memcpy(buf, w, 12);
	buf[12] = '\0';
}

void rt_halt(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

/* An exception nobody expected: say where, then crash the partition. */
static __noreturn void rt_crash(struct rt_frame *f)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __packed none = { 0, 0 };

	rt_printf("rt: VP %u: exception %u (error %#lx) at rip %#lx\n",
		  rt_vp_index(), (unsigned int)f->vector,
		  (unsigned long)f->error, (unsigned long)f->rip);
	/* No IDT: the next exception is a triple fault, which pvctl reports. */
	__asm__ __volatile__("lidt %0; ud2" : : "m"(none));
	__builtin_unreachable();
}

/* An exception of the instruction rt_try_insn runs: note it, skip it. */
static bool rt_try_fault(struct rt_frame *f)
{
	struct rt_try *t = &rt_tries[rt_vp_index()];
	uintptr_t code = (uintptr_t)t->code;

	if (!t->len || f->rip != code)
		return false;
	t->vector = f->vector;
	f->rip = code + t->len;
	return true;
}

int rt_try_insn(const uint8_t *insn, unsigned int len, uint64_t rax)
{
	struct rt_try *t = &rt_tries[rt_vp_index()];
	uint64_t rcx = 0, rdx = 0;

	if (!len || len > 15)
		return -2;
	rt_memcpy(t->code, insn, len);
	t->code[len] = 0xc3;	/* ret */
	t->vector = -1;
	__atomic_store_n(&t->len, len, __ATOMIC_RELEASE);
	__asm__ __volatile__("call *%[code]"
			     : "+a"(rax), "+c"(rcx), "+d"(rdx)
			     : [code] "r"(t->code)
			     : "rbx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			       "memory", "cc");
	__atomic_store_n(&t->len, 0, __ATOMIC_RELEASE);
	return t->vector;
}

void rt_interrupt(struct rt_frame *f)
{
	unsigned int vec = f->vector;

	if (vec >= 32) {
		__atomic_fetch_add(&rt_irqs[rt_vp_index()][vec], 1,
				   __ATOMIC_RELAXED);
		if (rt_irq_handler)
			rt_irq_handler(vec);
		return;
	}
	if (vec == 13 && (f->rip == (uintptr_t)rt_rdmsr_insn ||
			  f->rip == (uintptr_t)rt_wrmsr_insn)) {
		f->rip = (uintptr_t)rt_msr_fixup;
		return;
	}
	if (rt_try_fault(f))
		return;
	if (vec == 6 && f->rip == (uintptr_t)rt_vmcall_insn) {
		rt_use_vmmcall = 1;
		f->rip = (uintptr_t)rt_vmmcall_insn;
		return;
	}
	if (vec == 6 && f->rip == (uintptr_t)rt_vmmcall_insn) {
		rt_use_vmmcall = 0;
		f->rip = (uintptr_t)rt_vmcall_insn;
		return;
	}
	rt_crash(f);
}

uint64_t rt_irq_count(unsigned int vp, unsigned int vector)
{
	if (vp >= RT_MAX_VPS || vector >= 256)
		return 0;
	return __atomic_load_n(&rt_irqs[vp][vector], __ATOMIC_RELAXED);
}

static void rt_idt_build(void)
{
	uint16_t cs;
	unsigned int i;

	__asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
	for (i = 0; i < 256; i++) {
		uintptr_t h = (uintptr_t)rt_isr_stubs + 16 * i;

		rt_idt[i].offset_lo = h;
		rt_idt[i].selector = cs;
		rt_idt[i].ist = 0;
		rt_idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		rt_idt[i].offset_mid = h >> 16;
		rt_idt[i].offset_hi = h >> 32;
		rt_idt[i].reserved = 0;
	}
}

static void rt_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = { sizeof(rt_idt) - 1, (uintptr_t)rt_idt };

	__asm__ __volatile__("lidt %0" : : "m"(idtr));
}

/* The CPU's vendor decides VMCALL or VMMCALL; #UD corrects a wrong guess. */
static void rt_pick_hypercall_insn(void)
{
	char v[13];

	rt_cpuid_vendor(0, v);
	rt_use_vmmcall = rt_streq(v, "AuthenticAMD") ||
			 rt_streq(v, "HygonGenuine");
}

/* Every VP comes here from _start, on its own stack. */
void rt_start(unsigned int vp_index, unsigned int nr_vps)
{
	if (vp_index == 0) {
		rt_nr_vps = nr_vps;
		rt_pick_hypercall_insn();
		rt_idt_build();
		rt_idt_load();
		/* TLFS: a guest names itself before it makes hypercalls. */
		rt_wrmsr_safe(RT_MSR_GUEST_OS_ID, 0x8100000000000001ULL);
		rt_store_release(&rt_idt_ready, 1);
	} else {
		while (!rt_load_acquire(&rt_idt_ready))
			rt_pause();
		rt_idt_load();
	}
	main(vp_index, nr_vps);
	rt_halt();
}

int rt_vp_index_msr(uint64_t *index)
{
	return rt_rdmsr_safe(RT_MSR_VP_INDEX, index);
}

int rt_time_ref_count(uint64_t *count_100ns)
{
	return rt_rdmsr_safe(RT_MSR_TIME_REF_COUNT, count_100ns);
}

int rt_stimer0_start(unsigned int vector, uint64_t count_100ns, bool periodic)
{
	uint64_t config = RT_STIMER_ENABLE | RT_STIMER_DIRECT |
			  (uint64_t)(vector & 0xff) << RT_STIMER_VECTOR_SHIFT |
			  (periodic ? RT_STIMER_PERIODIC : 0);

	if (rt_wrmsr_safe(RT_MSR_STIMER0_COUNT, count_100ns))
		return -1;
	return rt_wrmsr_safe(RT_MSR_STIMER0_CONFIG, config);
}

int rt_stimer0_stop(void)
{
	return rt_wrmsr_safe(RT_MSR_STIMER0_CONFIG, 0);
}

uint16_t rt_send_ipi(unsigned int vector, uint64_t vp_mask)
{
	return RT_HV_STATUS(rt_hypercall(RT_HC_SEND_IPI | RT_HC_FAST, vector,
					 vp_mask));
}

/* The input page: guest memory is identity-mapped, so its GPA is its address. */
static uint8_t *rt_hc_input(void)
{
	uint8_t *page = rt_hc_pages[rt_vp_index()];

	memset(page, 0, 256);
	return page;
}

uint16_t rt_debug_output(const void *buf, uint32_t size)
{
	uint8_t *in = rt_hc_input();
	uint32_t *hdr = (uint32_t *)in;

	if (size > RT_MESSAGE_PAYLOAD)
		size = RT_MESSAGE_PAYLOAD;
	hdr[0] = size;
	memcpy(in + 8, buf, size);
	return RT_HV_STATUS(rt_hypercall(RT_HC_DEBUG_OUTPUT, (uintptr_t)in, 0));
}

uint16_t rt_post_message(uint32_t connection_id, uint32_t type,
			 const void *payload, uint32_t size)
{
	uint8_t *in = rt_hc_input();
	uint32_t *hdr = (uint32_t *)in;

	if (size > RT_MESSAGE_PAYLOAD)
		size = RT_MESSAGE_PAYLOAD;
	hdr[0] = connection_id;
	hdr[2] = type;
	hdr[3] = size;
	memcpy(in + 16, payload, size);
	return RT_HV_STATUS(rt_hypercall(RT_HC_POST_MESSAGE, (uintptr_t)in, 0));
}
