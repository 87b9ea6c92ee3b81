/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partvisor guest runtime: a freestanding 64-bit environment for
 * small guest programs run by `pvctl run --mode long`. The program
 * provides main(); the runtime gives every VP a stack, an IDT and
 * helpers for the serial port, CPUID, MSRs and partvisor's hypercalls
 * and synthetic MSRs. See Documentation/guests.rst.
 */
#ifndef _PV_RT_H
#define _PV_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define __aligned(x)	__attribute__((aligned(x)))
#define __packed	__attribute__((packed))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define BIT_ULL(n)	(1ULL << (n))

#define RT_MAX_VPS	64
#define RT_STACK_SIZE	0x4000

/* The program: runs on every VP; the VP halts when it returns. */
int main(unsigned int vp_index, unsigned int nr_vps);

/* This VP's index (from its stack) and the partition's VP count. */
unsigned int rt_vp_index(void);
extern unsigned int rt_nr_vps;

/* Serial output (16550 at 0x3f8). Lines from several VPs do not mix. */
void rt_putc(char c);
void rt_puts(const char *s);
__printf(1, 2) int rt_printf(const char *fmt, ...);
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int rt_snprintf(char *buf, size_t size, const char *fmt, ...);

/* A spinlock in memory every VP sees. */
struct rt_lock {
	uint32_t locked;
};

void rt_lock(struct rt_lock *l);
void rt_unlock(struct rt_lock *l);

static inline void rt_pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/* Port I/O. */
static inline void rt_outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t rt_inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* CPUID. */
struct rt_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct rt_cpuid rt_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct rt_cpuid r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

/* The 12-character vendor string of a leaf (0, 0x40000000), in @buf[13]. */
void rt_cpuid_vendor(uint32_t leaf, char *buf);

/* MSRs. The _safe forms return -1 instead of taking a #GP. */
static inline uint64_t rt_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void rt_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr"
			     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			     : "memory");
}

int rt_rdmsr_safe(uint32_t msr, uint64_t *v);
int rt_wrmsr_safe(uint32_t msr, uint64_t v);

/* Interrupts: every vector 32-255 is counted per VP; no EOI is needed. */
static inline void rt_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void rt_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

/* Enable interrupts and halt until one arrives (no window in between). */
static inline void rt_wait_for_interrupt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

uint64_t rt_irq_count(unsigned int vp, unsigned int vector);
/* Called for each interrupt, after counting, if set (per program). */
extern void (*rt_irq_handler)(unsigned int vector);

/* Halt this VP for good: nothing wakes it, pvctl sees it stop. */
__noreturn void rt_halt(void);

/*
 * Run one instruction, given by its bytes (1-15), with RAX = @rax and
 * RCX = RDX = 0: the vector of the exception it raised (it is skipped
 * then), or -1 when it completed. For probing what the hypervisor allows.
 */
int rt_try_insn(const uint8_t *insn, unsigned int len, uint64_t rax);

/* Hypercalls: VMCALL or VMMCALL, whichever this CPU has. */
uint64_t rt_hypercall(uint64_t control, uint64_t input, uint64_t output);
#define RT_HC_FAST		BIT_ULL(16)
#define RT_HV_STATUS(ret)	((uint16_t)(ret))
#define RT_HV_STATUS_SUCCESS	0

/* partvisor's facilities (include/uapi/linux/partvisor.h). */
#define RT_MSR_GUEST_OS_ID	0x40000000
#define RT_MSR_HYPERCALL	0x40000001
#define RT_MSR_VP_INDEX		0x40000002
#define RT_MSR_TIME_REF_COUNT	0x40000020
#define RT_MSR_STIMER0_CONFIG	0x400000b0
#define RT_MSR_STIMER0_COUNT	0x400000b1
#define RT_STIMER_ENABLE	BIT_ULL(0)
#define RT_STIMER_PERIODIC	BIT_ULL(1)
#define RT_STIMER_DIRECT	BIT_ULL(12)
#define RT_STIMER_VECTOR_SHIFT	4
#define RT_HC_SEND_IPI		0x000b
#define RT_HC_POST_MESSAGE	0x005c
#define RT_HC_DEBUG_OUTPUT	0x8004
#define RT_MESSAGE_PAYLOAD	240

/* 0 or -1 (the MSR is not offered: #GP). */
int rt_vp_index_msr(uint64_t *index);
int rt_time_ref_count(uint64_t *count_100ns);
/*
 * STIMER0 in direct mode: @vector once at reference time @count_100ns,
 * or every @count_100ns when @periodic.
 */
int rt_stimer0_start(unsigned int vector, uint64_t count_100ns, bool periodic);
int rt_stimer0_stop(void);

/* Hypercall status codes (0: success). */
uint16_t rt_send_ipi(unsigned int vector, uint64_t vp_mask);
uint16_t rt_debug_output(const void *buf, uint32_t size);
uint16_t rt_post_message(uint32_t connection_id, uint32_t type,
			 const void *payload, uint32_t size);

/* Shared-memory helpers. */
static inline uint32_t rt_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void rt_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void *rt_memset(void *dst, int c, size_t n);
void *rt_memcpy(void *dst, const void *src, size_t n);
size_t rt_strlen(const char *s);

/* The runtime's own, shared with rt/start.S. */
extern const char rt_isr_stubs[];
extern const char rt_rdmsr_insn[], rt_wrmsr_insn[], rt_msr_fixup[];
extern const char rt_vmcall_insn[], rt_vmmcall_insn[];
void rt_start(unsigned int vp_index, unsigned int nr_vps);

#endif /* _PV_RT_H */
