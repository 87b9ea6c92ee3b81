// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer for partvisor's ioctl ABI and for what child VPs run.
 *
 * Several worker processes, each with several threads, issue random
 * operations on /dev/partvisor, partition, VP and statistics fds:
 * every ioctl with valid, mostly valid and random structures (boundary
 * values, reserved fields, bad flags), bad argument pointers (NULL,
 * kernel, unmapped, PROT_NONE, read-only, crossing into a PROT_NONE
 * page), unknown commands and wrong sizes, wrong and closed fds; random
 * memory layouts, CPUID tables, scheduler policies, VP and XSAVE states;
 * and guests that really run: random code in mapped memory, started from
 * states built like pvctl's (then mutated), with every RUN bounded by a
 * per-thread timer signal and its exits answered at random. Workers pass
 * fds to each other over unix sockets (SCM_RIGHTS), one of them as
 * "nobody", and fork children that use inherited fds and are sometimes
 * killed in the middle.
 *
 * Errors are expected; a failure is a crash of the fuzzer, a result the
 * documentation rules out (Documentation/uapi.rst, running.rst,
 * counters.rst: success for an argument documented as EINVAL, another
 * errno where one is documented, a valid call refused where the
 * documentation says it cannot fail, an exit with impossible fields), a
 * thread stuck far beyond its timer, or a partition left behind after
 * every fd is closed. The kernel log is the VM runner's to check.
 *
 * Environment:
 *   PV_FUZZ_SEED     seed (default: from the clock); printed first. Each
 *                    thread's operations follow from it (PV_FUZZ_PROCS=1
 *                    PV_FUZZ_THREADS=1 for a single sequence)
 *   PV_FUZZ_SECONDS  time budget (default 240, within run_tests.sh's
 *                    300 s per test; PV_TEST_TIMEOUT - 60 when smaller)
 *   PV_FUZZ_ITERS    stop after this many operations (default: none)
 *   PV_FUZZ_PROCS    worker processes (default 2), plus one as nobody
 *   PV_FUZZ_THREADS  threads per worker (default 3)
 *   PV_FUZZ_RUN      0: build guests but never RUN them
 *   PV_FUZZ_AVOID    known bugs to keep out of the way (fz_avoid())
 *   PV_FUZZ_VERBOSE  1: every operation, ioctl, state set and exit, with
 *                    CLOCK_MONOTONIC times to match the kernel log; 2:
 *                    also the bytes at RIP before each RUN, and a dump of
 *                    a VP that makes no progress
 */
#include <limits.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "pv_test.h"
#include "fuzz.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define FZ_MAX_PROCS		8
#define FZ_MAX_THREADS		8
#define FZ_MAX_OBJS		96
#define FZ_MAX_PARTS		10	/* per process: leave room for others */
#define FZ_PART_REGIONS		24
#define FZ_MAX_KIDS		8
#define FZ_NR_ERRNO		134
#define FZ_NR_EXITS		16
#define FZ_NR_CODES		16
#define FZ_ARG_SIZE		(PARTVISOR_XSAVE_SIZE + 64)
#define FZ_STUCK_NS		(60ULL * 1000000000ULL)
#define FZ_GRACE_NS		(20ULL * 1000000000ULL)
#define NSEC			1000000000ULL

enum { K_DEV, K_PART, K_VP, K_STATS, K_NR };
#define KM(k)			(1U << (k))

static const char *const fz_kind_names[] = { "dev", "partition", "vp", "stats" };

enum {
	I_GET_INFO, I_GET_PROPERTIES, I_CREATE_PARTITION, I_LIST_PARTITIONS,
	I_MAP, I_UNMAP, I_SET_CPUID, I_GET_CPUID, I_CREATE_VP, I_SET_SCHED,
	I_GET_SCHED, I_STATS_FD, I_GET_VP_STATE, I_SET_VP_STATE, I_GET_XSAVE,
	I_SET_XSAVE, I_RUN_VP, I_ASSERT_IRQ, I_UNKNOWN, FZ_NR_IOC,
};

static const struct fz_ioc {
	const char *name;
	unsigned long cmd;
	unsigned int kinds;	/* the fds that answer it */
	unsigned int size;
	int makes_fd;
} fz_iocs[FZ_NR_IOC] = {
#define FZ_IOC(n, k, f)	{ .name = #n, .cmd = PARTVISOR_##n, .kinds = (k), \
			  .size = _IOC_SIZE(PARTVISOR_##n), .makes_fd = (f) }
	FZ_IOC(GET_INFO, KM(K_DEV), 0),
	FZ_IOC(GET_PROPERTIES, KM(K_DEV), 0),
	FZ_IOC(CREATE_PARTITION, KM(K_DEV), 1),
	FZ_IOC(LIST_PARTITIONS, KM(K_DEV), 0),
	FZ_IOC(MAP_MEMORY, KM(K_PART), 0),
	FZ_IOC(UNMAP_MEMORY, KM(K_PART), 0),
	FZ_IOC(SET_CPUID, KM(K_PART), 0),
	FZ_IOC(GET_CPUID, KM(K_PART), 0),
	FZ_IOC(CREATE_VP, KM(K_PART), 1),
	FZ_IOC(SET_SCHED, KM(K_PART), 0),
	FZ_IOC(GET_SCHED, KM(K_PART), 0),
	FZ_IOC(GET_STATS_FD, KM(K_DEV) | KM(K_PART) | KM(K_VP), 1),
	FZ_IOC(GET_VP_STATE, KM(K_VP), 0),
	FZ_IOC(SET_VP_STATE, KM(K_VP), 0),
	FZ_IOC(GET_XSAVE, KM(K_VP), 0),
	FZ_IOC(SET_XSAVE, KM(K_VP), 0),
	FZ_IOC(RUN_VP, KM(K_VP), 0),
	FZ_IOC(ASSERT_INTERRUPT, KM(K_VP), 0),
	{ .name = "unknown/wrong" },
#undef FZ_IOC
};

static const char *const fz_exit_names[] = {
	"none", "IO", "MMIO", "HALT", "SHUTDOWN", "MSR", "INVALID_STATE",
	"UNSUPPORTED", "MESSAGE", "DEBUG_OUTPUT",
};

/* Other things worth counting, for the summary. */
enum {
	C_OPS_KIDS, C_BUILDS, C_RUNS_EINTR, C_FORKS, C_KILLS, C_SENT,
	C_RECEIVED, C_UNPRIV_CALLS, C_SKIPPED_INSNS, C_MMIO_MAPS, C_NR,
};

static const char *const fz_cnt_names[] = {
	"ops in forked children", "guests built", "RUNs ended by the timer",
	"forked children", "children killed", "fds sent", "fds received",
	"ioctls as nobody", "instructions skipped by the VMM",
	"pages mapped at MMIO exits",
};

/* What the current operation of a thread is, for a report of a hang. */
struct fz_tlog {
	__u64 start;		/* CLOCK_MONOTONIC ns; 0 when idle */
	int tid;
	char what[120];
};

/* Shared by every process (MAP_SHARED): limits, counters, logs. */
struct fz_shared {
	__u64 seed, iters, deadline, ticket;
	int stop, verbose;
	__u64 calls[FZ_NR_IOC], ok[FZ_NR_IOC];
	__u64 errs[FZ_NR_ERRNO];
	__u64 exits[FZ_NR_EXITS];
	__u64 codes[FZ_NR_CODES], code_hits[FZ_NR_CODES];
	__u64 cnt[C_NR];
	__u64 violations;
	__u64 readback_refused, invalid_moved;
	char readback_why[160], invalid_why[80];
	struct fz_tlog log[FZ_MAX_PROCS][FZ_MAX_THREADS + 1];
};

static struct fz_shared *S;
static struct partvisor_info fz_info;
static int fz_can_run, fz_classic, fz_nprocs, fz_nthreads;
/* Known bugs kept out of the way (PV_FUZZ_AVOID). */
static int fz_no_cr8, fz_no_busy_tss, fz_no_host_state;

/* What a process knows about a partition; hints, except @creator. */
struct fz_part {
	int refs;
	pid_t creator;		/* whose mm the partition holds */
	unsigned int id;
	int crashed;		/* seen SHUTDOWN or ESHUTDOWN */
	int has_layout;
	struct fz_layout l;
	unsigned char *mem;	/* the main memory (creator only) */
	size_t mem_size;
	int nr_regions;		/* under P.lock */
	struct { __u64 gpa, size; } regions[FZ_PART_REGIONS];
};

struct fz_obj {
	int used, kind, fd;
	unsigned int vp;
	struct fz_part *part;
};

/* Memory to map from, of every kind the ABI distinguishes. */
enum {
	B_ANON, B_THP, B_GUARDED, B_SHARED, B_MEMFD, B_RO, B_FILE, B_NONE,
	FZ_NR_BUFS,
};

struct fz_buf {
	unsigned char *p;
	size_t size;
};

/* This process's objects (each worker and child has its own copy). */
static struct {
	int index, unpriv, child, nkids;
	pid_t kids[FZ_MAX_KIDS];
	int sock_out, sock_in;
	pthread_mutex_t lock;
	struct fz_obj objs[FZ_MAX_OBJS];
	struct fz_buf bufs[FZ_NR_BUFS];
	unsigned char *guard;	/* per thread: a page, then PROT_NONE */
	unsigned char *rw, *ro;	/* per thread: two views of 2 pages */
	unsigned char *unmapped;
	int pipe[2], memfd;
} P;

/* One thread's context (or a forked child's). */
struct fz_ctx {
	struct fz_rng r;
	int tidx;
	timer_t timer;
	int has_timer;
	__u64 nop;
	char label[16];
	struct fz_tlog *log;
	unsigned char *guard, *rw, *ro;
	unsigned char arg[FZ_ARG_SIZE];
	unsigned char tmp[FZ_ARG_SIZE];	/* a source for arg */
	struct partvisor_cpuid_entry cpuid[300];
	__u64 ids[520], vals[520];
	struct partvisor_partition_entry list[72];
};

static __u64 fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* One line, in one write: processes and threads print at once. */
static void fz_out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	ssize_t w;
	int n, off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	while (off < n) {
		w = write(STDOUT_FILENO, buf + off, n - off);
		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0)
			off += w;
	}
	/* On a serial console, let it out before whatever comes next. */
	if (S && S->verbose)
		tcdrain(STDOUT_FILENO);
}

static const char *fz_ename(int e)
{
	const char *s = e ? strerrorname_np(e) : "0";

	return s ? s : "E?";
}

static void fz_violation(struct fz_ctx *c, const char *fmt, ...)
{
	__u64 n = __atomic_add_fetch(&S->violations, 1, __ATOMIC_RELAXED);
	char buf[768];
	va_list ap;

	if (n > 40)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fz_out("# VIOLATION (%s, op %llu, seed %llu): %s", c->label,
	       (unsigned long long)c->nop, (unsigned long long)S->seed, buf);
}

static void fz_note(struct fz_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->log->what, sizeof(c->log->what), fmt, ap);
	va_end(ap);
	/* Stamped like the kernel log, to match its lines with ours. */
	if (S->verbose)
		fz_out("# [%llu.%06llu] %s #%llu %s", fz_now() / NSEC,
		       fz_now() % NSEC / 1000, c->label,
		       (unsigned long long)c->nop, c->log->what);
}

static void fz_count(int i)
{
	__atomic_add_fetch(&S->cnt[i], 1, __ATOMIC_RELAXED);
}

static int fz_stop(void)
{
	return __atomic_load_n(&S->stop, __ATOMIC_RELAXED) ||
	       fz_now() >= S->deadline ||
	       (S->iters && __atomic_load_n(&S->ticket, __ATOMIC_RELAXED) >=
			    S->iters);
}

/* Errnos an expectation can name, as bits. */
static const int fz_errs[] = {
	EPERM, ENOENT, EINTR, E2BIG, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT,
	EBUSY, EEXIST, ENODEV, EINVAL, EMFILE, ENFILE, ENOTTY, ENOSPC,
	EOPNOTSUPP, ESHUTDOWN,
};

static unsigned int fz_e(int e)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fz_errs); i++)
		if (fz_errs[i] == e)
			return 1U << i;
	return 1U << 31;
}

/* What the documentation says about a call with these arguments. */
struct fz_exp {
	int must_fail;		/* it cannot succeed */
	int must_ok;		/* it cannot fail (but for ENOMEM) */
	unsigned int allowed;	/* errnos it may fail with; 0: any */
	const char *why;
};

static void fz_fail_with(struct fz_exp *x, unsigned int allowed,
			 const char *why)
{
	x->must_fail = 1;
	x->must_ok = 0;
	x->allowed = allowed;
	x->why = why;
}

static void fz_may_fail(struct fz_exp *x, unsigned int allowed,
			const char *why)
{
	x->must_fail = 0;
	x->must_ok = 0;
	x->allowed = allowed;
	x->why = why;
}

static void fz_check(struct fz_ctx *c, int ioc, long ret, int err,
		     const struct fz_exp *x)
{
	char names[160] = "";
	unsigned int i;

	if (ret >= 0) {
		if (x->must_fail)
			fz_violation(c, "%s returned %ld: %s", fz_iocs[ioc].name,
				     ret, x->why);
		return;
	}
	if (x->must_ok && err != ENOMEM) {
		fz_violation(c, "%s failed with %s: %s", fz_iocs[ioc].name,
			     fz_ename(err), x->why);
		return;
	}
	if (!x->allowed || (x->allowed & fz_e(err)))
		return;
	for (i = 0; i < ARRAY_SIZE(fz_errs); i++)
		if (x->allowed & (1U << i))
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), " %s",
				 fz_ename(fz_errs[i]));
	fz_violation(c, "%s failed with %s, documented here:%s (%s)",
		     fz_iocs[ioc].name, fz_ename(err), names, x->why);
}

/* Where an ioctl's argument goes: fine, or broken in one way. */
enum {
	PK_GOOD, PK_UNALIGNED, PK_RO, PK_PARTIAL, PK_NULL, PK_LOW, PK_KERNEL,
	PK_DIRECTMAP, PK_NONCANON, PK_MINUS1, PK_UNMAPPED, PK_PROTNONE,
	PK_NR,
};

static const char *const fz_pk_names[] = {
	"good", "unaligned", "read-only", "partial", "NULL", "low", "kernel",
	"direct-map", "non-canonical", "-1", "unmapped", "PROT_NONE",
};

/* Mostly good pointers: a bad one every tenth call or so. */
static int fz_pick_pk(struct fz_ctx *c)
{
	if (fz_chance(&c->r, 88))
		return PK_GOOD;
	if (fz_chance(&c->r, 25))
		return PK_UNALIGNED;
	return PK_RO + fz_below(&c->r, PK_NR - PK_RO);
}

static void *fz_place(struct fz_ctx *c, int pk, const void *src, size_t size)
{
	size_t k, off;

	switch (pk) {
	case PK_GOOD:
		memcpy(c->arg, src, size);
		return c->arg;
	case PK_UNALIGNED:
		off = 1 + fz_below(&c->r, 7);
		memcpy(c->arg + off, src, size);
		return c->arg + off;
	case PK_RO:
		off = fz_chance(&c->r, 70) ? 0 : fz_below(&c->r, 64);
		memcpy(c->rw + off, src, size);
		return c->ro + off;
	case PK_PARTIAL:
		/* The first k bytes readable, the rest in a PROT_NONE page. */
		k = size > 1 ? 1 + fz_below(&c->r, size - 1) : 0;
		memcpy(c->guard + FZ_PAGE - k, src, k);
		return c->guard + FZ_PAGE - k;
	case PK_NULL:
		return NULL;
	case PK_LOW:
		return (void *)(unsigned long)(1 + fz_below(&c->r, 0xfff));
	case PK_KERNEL:
		return (void *)0xffffffff81000000UL;
	case PK_DIRECTMAP:
		return (void *)0xffff888000000000UL;
	case PK_NONCANON:
		return (void *)0x8000000000000000UL;
	case PK_MINUS1:
		return (void *)~0UL;
	case PK_UNMAPPED:
		return P.unmapped;
	default:
		return P.bufs[B_NONE].p ? P.bufs[B_NONE].p : NULL;
	}
}

static void fz_arm(struct fz_ctx *c, __u64 ns)
{
	struct itimerspec its = { 0 };

	if (!c->has_timer)
		return;
	its.it_value.tv_sec = ns / NSEC;
	its.it_value.tv_nsec = ns % NSEC;
	/* Again and again, should a signal come too early to count. */
	its.it_interval.tv_nsec = 5000000;
	timer_settime(c->timer, 0, &its, NULL);
}

static void fz_disarm(struct fz_ctx *c)
{
	struct itimerspec its = { 0 };

	if (c->has_timer)
		timer_settime(c->timer, 0, &its, NULL);
}

/*
 * Issue ioctl @ioc on @fd with a copy of @arg placed as @pk says, check
 * the result against @x (which a bad pointer overrides), copy the output
 * back for a good pointer. A new fd goes to *@fdout, or is closed.
 */
static long fz_exec(struct fz_ctx *c, int ioc, int fd, void *arg, int pk,
		    struct fz_exp *x, int *fdout)
{
	const struct fz_ioc *io = &fz_iocs[ioc];
	size_t size = io->size;
	long ret;
	void *p;
	int err;

	p = fz_place(c, pk, arg, size);
	if (pk >= PK_PARTIAL)
		fz_fail_with(x, fz_e(EFAULT), pk == PK_PARTIAL ?
			     "the argument runs into a PROT_NONE page" :
			     "the argument pointer is bad");
	else if (pk == PK_RO && (_IOC_DIR(io->cmd) & _IOC_READ))
		fz_fail_with(x, 0, "the argument cannot be written");
	fz_note(c, "%s fd %d arg %s", io->name, fd, fz_pk_names[pk]);
	if (ioc == I_RUN_VP)
		fz_arm(c, fz_chance(&c->r, 10) ? 200000 :
		       (1 + fz_below(&c->r, P.child ? 10 : 40)) * 1000000ULL);
	__atomic_add_fetch(&S->calls[ioc], 1, __ATOMIC_RELAXED);
	ret = ioctl(fd, io->cmd, p);
	err = ret < 0 ? errno : 0;
	if (ioc == I_RUN_VP)
		fz_disarm(c);
	if (ret >= 0)
		__atomic_add_fetch(&S->ok[ioc], 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&S->errs[err < FZ_NR_ERRNO ? err : 0], 1,
				   __ATOMIC_RELAXED);
	fz_check(c, ioc, ret, err, x);
	if (pk == PK_GOOD || pk == PK_UNALIGNED)
		memcpy(arg, p, size);
	if (io->makes_fd && ret >= 0) {
		if (fdout && !x->must_fail)
			*fdout = ret;
		else
			close(ret);
	}
	errno = err;
	return ret;
}

/* A new partvisor fd must be close-on-exec (uapi.rst, counters.rst). */
static void fz_check_cloexec(struct fz_ctx *c, int fd, const char *what)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl >= 0 && !(fl & FD_CLOEXEC))
		fz_violation(c, "a new %s fd is not O_CLOEXEC", what);
}

static struct fz_part *fz_part_new(pid_t creator, unsigned int id)
{
	struct fz_part *pt = calloc(1, sizeof(*pt));

	if (pt) {
		pt->creator = creator;
		pt->id = id;
	}
	return pt;
}

static void fz_part_get(struct fz_part *pt)
{
	if (pt)
		__atomic_add_fetch(&pt->refs, 1, __ATOMIC_SEQ_CST);
}

static void fz_part_put(struct fz_part *pt)
{
	if (!pt || __atomic_sub_fetch(&pt->refs, 1, __ATOMIC_SEQ_CST))
		return;
	if (pt->mem)
		munmap(pt->mem, pt->mem_size);
	free(pt);
}

/* Hand @fd to the table (or close it when the table is full). */
static int fz_add(int kind, int fd, struct fz_part *pt, unsigned int vp)
{
	int i;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_OBJS; i++) {
		if (P.objs[i].used)
			continue;
		P.objs[i] = (struct fz_obj){ 1, kind, fd, vp, pt };
		fz_part_get(pt);
		pthread_mutex_unlock(&P.lock);
		return 0;
	}
	pthread_mutex_unlock(&P.lock);
	close(fd);
	return -1;
}

/*
 * A random object of one of @kinds, with its own dup of the fd: another
 * thread may close the table's fd meanwhile without the number being
 * reused under us. fz_put() releases it.
 */
static int fz_get(struct fz_ctx *c, unsigned int kinds, struct fz_obj *o)
{
	int i, n = 0, k;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_OBJS; i++)
		n += P.objs[i].used && (kinds & KM(P.objs[i].kind));
	k = fz_below(&c->r, n);
	for (i = 0; i < FZ_MAX_OBJS && n; i++) {
		if (!P.objs[i].used || !(kinds & KM(P.objs[i].kind)) || k--)
			continue;
		*o = P.objs[i];
		o->fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
		if (o->fd < 0)
			break;
		fz_part_get(o->part);
		pthread_mutex_unlock(&P.lock);
		return 0;
	}
	pthread_mutex_unlock(&P.lock);
	return -1;
}

static void fz_put(struct fz_obj *o)
{
	close(o->fd);
	fz_part_put(o->part);
}

static int fz_nr(unsigned int kinds)
{
	int i, n = 0;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_OBJS; i++)
		n += P.objs[i].used && (kinds & KM(P.objs[i].kind));
	pthread_mutex_unlock(&P.lock);
	return n;
}

static void fz_close_random(struct fz_ctx *c, unsigned int kinds)
{
	struct fz_obj o;
	int i, n = 0, k;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_OBJS; i++)
		n += P.objs[i].used && (kinds & KM(P.objs[i].kind));
	k = fz_below(&c->r, n);
	for (i = 0; i < FZ_MAX_OBJS && n; i++) {
		if (!P.objs[i].used || !(kinds & KM(P.objs[i].kind)) || k--)
			continue;
		o = P.objs[i];
		P.objs[i].used = 0;
		pthread_mutex_unlock(&P.lock);
		fz_note(c, "close %s fd %d", fz_kind_names[o.kind], o.fd);
		fz_put(&o);
		return;
	}
	pthread_mutex_unlock(&P.lock);
}

static void fz_close_all(void)
{
	int i;

	for (i = 0; i < FZ_MAX_OBJS; i++) {
		if (!P.objs[i].used)
			continue;
		P.objs[i].used = 0;
		fz_put(&P.objs[i]);
	}
}

static void fz_part_add_region(struct fz_part *pt, __u64 gpa, __u64 size)
{
	pthread_mutex_lock(&P.lock);
	if (pt->nr_regions < FZ_PART_REGIONS) {
		pt->regions[pt->nr_regions].gpa = gpa;
		pt->regions[pt->nr_regions++].size = size;
	}
	pthread_mutex_unlock(&P.lock);
}

static void fz_part_del_region(struct fz_part *pt, __u64 gpa, __u64 size)
{
	int i;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < pt->nr_regions; i++) {
		if (pt->regions[i].gpa != gpa || pt->regions[i].size != size)
			continue;
		pt->regions[i] = pt->regions[--pt->nr_regions];
		break;
	}
	pthread_mutex_unlock(&P.lock);
}

/* A region the partition probably has: 0 if none is known. */
static int fz_part_region(struct fz_ctx *c, struct fz_part *pt, __u64 *gpa,
			  __u64 *size)
{
	int i, ret = 0;

	pthread_mutex_lock(&P.lock);
	if (pt && pt->nr_regions) {
		i = fz_below(&c->r, pt->nr_regions);
		*gpa = pt->regions[i].gpa;
		*size = pt->regions[i].size;
		ret = 1;
	}
	pthread_mutex_unlock(&P.lock);
	return ret;
}

static int fz_nonzero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 1;
	return 0;
}

/* Set one random word of @p (@n words) to a non-zero value. */
static void fz_poison(struct fz_ctx *c, void *p, size_t n, size_t wsize)
{
	__u64 v = fz_interesting(&c->r) | 1ULL << fz_below(&c->r, wsize * 8);

	memcpy((unsigned char *)p + fz_below(&c->r, n) * wsize, &v, wsize);
}

/* ----- /dev/partvisor: info, properties, partitions ----- */

static void fz_check_info(struct fz_ctx *c, const struct partvisor_info *i)
{
	if (i->abi_version != fz_info.abi_version || i->vendor > 2 ||
	    (i->features & ~PARTVISOR_FEAT_ALL) ||
	    (i->ext_state & ~PARTVISOR_EXT_ALL) || i->sched_mode > 1 ||
	    i->pad || fz_nonzero(i->reserved, sizeof(i->reserved)) ||
	    !memchr(i->module_version, 0, sizeof(i->module_version)) ||
	    i->vendor != fz_info.vendor || i->features != fz_info.features ||
	    i->sched_mode != fz_info.sched_mode)
		fz_violation(c, "GET_INFO: abi %u vendor %u features %#llx ext %#x sched %u pad %u",
			     i->abi_version, i->vendor,
			     (unsigned long long)i->features, i->ext_state,
			     i->sched_mode, i->pad);
}

static void op_properties(struct fz_ctx *c, int fd)
{
	struct partvisor_properties pr = { 0 };
	struct fz_exp x = { 0 };
	__u64 ids[520];
	int pk = fz_pick_pk(c), bad_ids = 0, bad_vals = 0, same = 0;
	unsigned int i, first_bad;
	long ret;

	pr.version = fz_chance(&c->r, 92) ? PARTVISOR_PROPERTIES_VERSION :
					    fz_interesting(&c->r);
	pr.count = fz_chance(&c->r, 80) ? 1 + fz_below(&c->r, 16) :
		   FZ_PICK(&c->r, 0, 511, 512, 100, fz_interesting(&c->r));
	for (i = 0; i < 520; i++)
		c->ids[i] = fz_chance(&c->r, 95) ? 1 + fz_below(&c->r, 7) :
			    FZ_PICK(&c->r, 0, 8, 0x100, fz_interesting(&c->r));
	memset(c->vals, 0xa5, sizeof(c->vals));
	memcpy(ids, c->ids, sizeof(ids));
	pr.ids = (unsigned long)c->ids;
	pr.values = (unsigned long)c->vals;
	if (fz_chance(&c->r, 10)) {
		pr.values = pr.ids;
		same = 1;
	}
	if (fz_chance(&c->r, 5)) {
		pr.ids = (unsigned long)fz_place(c, PK_NULL + fz_below(&c->r, 8),
						 NULL, 0);
		bad_ids = 1;
	} else if (fz_chance(&c->r, 5)) {
		pr.values = (unsigned long)fz_place(c, PK_NULL +
						    fz_below(&c->r, 8), NULL, 0);
		bad_vals = 1;
		same = 0;
	}
	if (fz_chance(&c->r, 5))
		fz_poison(c, pr.reserved, 4, 8);

	if (pr.version != PARTVISOR_PROPERTIES_VERSION || !pr.count ||
	    pr.count > PARTVISOR_MAX_PROPERTIES ||
	    fz_nonzero(pr.reserved, sizeof(pr.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "bad version, count or reserved word");
	else if (bad_ids || bad_vals)
		fz_fail_with(&x, fz_e(EFAULT) | fz_e(ENOMEM), "ids or values unusable");
	else
		x = (struct fz_exp){ .must_ok = 1,
			.why = "the ioctl succeeds whenever the hypercall was issued" };
	ret = fz_exec(c, I_GET_PROPERTIES, fd, &pr, pk, &x, NULL);
	if (ret || (pk != PK_GOOD && pk != PK_UNALIGNED) || bad_ids || bad_vals)
		return;

	for (first_bad = 0; first_bad < pr.count; first_bad++)
		if (!ids[first_bad] || ids[first_bad] > PARTVISOR_PROP_LAST)
			break;
	if (pr.reps_done > pr.count)
		fz_violation(c, "GET_PROPERTIES: reps_done %u above count %u",
			     pr.reps_done, pr.count);
	else if (first_bad < pr.count &&
		 (!pr.status || (pr.status == 5 && pr.reps_done != first_bad)))
		fz_violation(c, "GET_PROPERTIES: id %#llx at %u unknown, status %u reps_done %u",
			     (unsigned long long)ids[first_bad], first_bad,
			     pr.status, pr.reps_done);
	else if (first_bad == pr.count && pr.status != 7 &&
		 (pr.status || pr.reps_done != pr.count))
		fz_violation(c, "GET_PROPERTIES: known ids, status %u reps_done %u of %u",
			     pr.status, pr.reps_done, pr.count);
	if (pr.reps_done > pr.count)
		return;
	for (i = 0; i < pr.count; i++) {
		if (i >= pr.reps_done && c->vals[i] && !same) {
			fz_violation(c, "GET_PROPERTIES: value %u past reps_done %u: %#llx",
				     i, pr.reps_done,
				     (unsigned long long)c->vals[i]);
			break;
		}
		if (i < pr.reps_done && !same &&
		    ((ids[i] == PARTVISOR_PROP_VENDOR &&
		      c->vals[i] != fz_info.vendor) ||
		     (ids[i] == PARTVISOR_PROP_FEATURES &&
		      c->vals[i] != fz_info.features))) {
			fz_violation(c, "GET_PROPERTIES: property %llu %#llx, not GET_INFO's",
				     (unsigned long long)ids[i],
				     (unsigned long long)c->vals[i]);
			break;
		}
	}
}

static void op_list(struct fz_ctx *c, int fd)
{
	struct partvisor_partition_list l = { 0 };
	struct fz_exp x = { 0 };
	int pk = fz_pick_pk(c), bad = 0;
	unsigned int i, n, room;

	room = fz_chance(&c->r, 80) ? fz_below(&c->r, 72) :
	       FZ_PICK(&c->r, 0, 64, 65, 0xffffffff);
	l.count = room;
	l.entries = (unsigned long)c->list;
	memset(c->list, 0xa5, sizeof(c->list));
	if (room > 72)
		l.count = 72;	/* our array; a larger count is for bad ones */
	if (fz_chance(&c->r, 8)) {
		l.entries = (unsigned long)fz_place(c, PK_NULL +
						    fz_below(&c->r, 8), NULL, 0);
		l.count = room;
		bad = 1;
	}
	if (fz_chance(&c->r, 3))
		l.reserved0 = fz_interesting(&c->r) | 1;
	if (fz_chance(&c->r, 3))
		fz_poison(c, l.reserved, 2, 8);
	room = l.count;

	if (l.reserved0 || fz_nonzero(l.reserved, sizeof(l.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "a reserved word is not zero");
	else if (!bad)
		x = (struct fz_exp){ .must_ok = 1,
			.why = "a valid list with room for the entries" };
	if (fz_exec(c, I_LIST_PARTITIONS, fd, &l, pk, &x, NULL) || bad ||
	    (pk != PK_GOOD && pk != PK_UNALIGNED))
		return;
	if (l.count > PARTVISOR_MAX_PARTITIONS)
		fz_violation(c, "LIST_PARTITIONS: %u partitions, above the limit",
			     l.count);
	n = l.count < room ? l.count : room;
	for (i = 0; i < n && i < 72; i++) {
		const struct partvisor_partition_entry *e = &c->list[i];

		if (!e->id || fz_nonzero(e->reserved, sizeof(e->reserved)) ||
		    (i && e->id <= c->list[i - 1].id) ||
		    e->nr_vps > PARTVISOR_MAX_VPS ||
		    e->nr_regions > PARTVISOR_MAX_REGIONS) {
			fz_violation(c, "LIST_PARTITIONS: entry %u: id %u vps %u regions %u",
				     i, e->id, e->nr_vps, e->nr_regions);
			break;
		}
	}
}

static void op_dev_query(struct fz_ctx *c)
{
	struct partvisor_info info;
	struct fz_exp x = { .must_ok = 1,
		.why = "GET_INFO never fails for a valid pointer" };
	struct fz_obj o;
	int pk;

	if (fz_get(c, KM(K_DEV), &o))
		return;
	switch (fz_below(&c->r, 3)) {
	case 0:
		pk = fz_pick_pk(c);
		memset(&info, 0xa5, sizeof(info));
		if (!fz_exec(c, I_GET_INFO, o.fd, &info, pk, &x, NULL) &&
		    (pk == PK_GOOD || pk == PK_UNALIGNED))
			fz_check_info(c, &info);
		break;
	case 1:
		op_properties(c, o.fd);
		break;
	default:
		op_list(c, o.fd);
		break;
	}
	fz_put(&o);
}

/* read() and write() on /dev/partvisor fail with EINVAL (uapi.rst). */
static void op_open_dev(struct fz_ctx *c)
{
	unsigned char buf[64];
	struct fz_obj o;
	ssize_t n;
	int fd;

	if (fz_nr(KM(K_DEV)) < 4) {
		fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			fz_add(K_DEV, fd, NULL, 0);
	}
	if (fz_get(c, KM(K_DEV), &o))
		return;
	fz_note(c, "read/write dev fd %d", o.fd);
	n = read(o.fd, buf, 1 + fz_below(&c->r, sizeof(buf)));
	if (n >= 0 || errno != EINVAL)
		fz_violation(c, "read() of /dev/partvisor: %zd, %s", n,
			     fz_ename(errno));
	n = write(o.fd, buf, 1 + fz_below(&c->r, sizeof(buf)));
	if (n >= 0 || errno != EINVAL)
		fz_violation(c, "write() to /dev/partvisor: %zd, %s", n,
			     fz_ename(errno));
	fz_put(&o);
}

static void op_create_partition(struct fz_ctx *c)
{
	struct partvisor_create_partition cp = { 0 };
	struct fz_exp x = { 0 };
	struct fz_part *pt;
	int pk = fz_pick_pk(c), fd = -1;
	struct fz_obj o;

	if (fz_nr(KM(K_PART)) >= FZ_MAX_PARTS) {
		fz_close_random(c, KM(K_PART));
		return;
	}
	if (fz_get(c, KM(K_DEV), &o))
		return;
	if (fz_chance(&c->r, 15)) {
		switch (fz_below(&c->r, 3)) {
		case 0:
			cp.flags = fz_interesting(&c->r) | 1U << fz_below(&c->r, 32);
			break;
		case 1:
			cp.id = fz_interesting(&c->r) | 1U << fz_below(&c->r, 32);
			break;
		default:
			fz_poison(c, cp.reserved, 3, 8);
			break;
		}
	}
	if (cp.flags || cp.id || fz_nonzero(cp.reserved, sizeof(cp.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "flags, id or a reserved word not zero");
	else
		fz_may_fail(&x, fz_e(ENOSPC) | fz_e(ENOMEM) | fz_e(EMFILE) | fz_e(ENFILE),
			    "a valid create");
	fz_exec(c, I_CREATE_PARTITION, o.fd, &cp, pk, &x, &fd);
	fz_put(&o);
	if (fd < 0)
		return;
	fz_check_cloexec(c, fd, "partition");
	if ((pk == PK_GOOD || pk == PK_UNALIGNED) && !cp.id)
		fz_violation(c, "CREATE_PARTITION: id 0");
	pt = fz_part_new(getpid(), cp.id);
	if (!pt) {
		close(fd);
		return;
	}
	fz_add(K_PART, fd, pt, 0);
}

/* ----- partition fd ----- */

/*
 * Where user space ends (access_ok's limit, TASK_SIZE_MAX): a page below
 * 2^56 with 5-level paging, else below 2^47. Only a 5-level kernel maps
 * a hint above 2^47.
 */
static __u64 fz_user_top = (1ULL << 47) - FZ_PAGE;

static void fz_probe_user_top(void)
{
	void *p = mmap((void *)(1ULL << 50), FZ_PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return;
	if ((__u64)(unsigned long)p >= 1ULL << 47)
		fz_user_top = (1ULL << 56) - FZ_PAGE;
	munmap(p, FZ_PAGE);
}

/*
 * Map arguments from the pool, our guest memory or nowhere, and what
 * uapi.rst says about them for a caller that is (@owner) or is not the
 * partition's creator.
 */
static void fz_gen_region(struct fz_ctx *c, struct fz_part *pt,
			  struct partvisor_memory_region *m, int map,
			  int owner, struct fz_exp *x)
{
	struct fz_rng *r = &c->r;
	const struct fz_buf *b;
	__u64 pages, off, end, gpa, size;
	int have_gpa = 0;

	memset(m, 0, sizeof(*m));
	if (!map && fz_chance(r, 70) && fz_part_region(c, pt, &gpa, &size)) {
		m->gpa = gpa;
		m->size = size;
		have_gpa = 1;
		if (fz_chance(r, 10))
			m->size += FZ_PAGE;
	} else if (map && pt && pt->mem && fz_chance(r, 10)) {
		off = fz_below(r, pt->mem_size / FZ_PAGE) * FZ_PAGE;
		m->uaddr = (unsigned long)pt->mem + off;
		m->size = (1 + fz_below(r, (pt->mem_size - off) / FZ_PAGE)) *
			  FZ_PAGE;
	} else if (fz_chance(r, 80)) {
		b = &P.bufs[fz_below(r, FZ_NR_BUFS)];
		if (!b->p)
			b = &P.bufs[B_ANON];
		pages = b->size / FZ_PAGE;
		off = fz_below(r, pages);
		m->uaddr = (unsigned long)b->p + off * FZ_PAGE;
		pages = 1 + fz_below(r, (pages - off) < 64 ? pages - off : 64);
		if (fz_chance(r, 5))
			pages += fz_below(r, 16);
		if (b == &P.bufs[B_NONE] && fz_chance(r, 50))
			pages = FZ_PICK(r, 1024 * 1024, 16384, pages);
		m->size = pages * FZ_PAGE;
	} else {
		m->uaddr = FZ_PICK(r, (unsigned long)P.unmapped,
				   0xffff888000000000ULL, 0xffffffff81000000ULL,
				   0x8000000000000000ULL, 0x1000, 0,
				   0xfffffffffffff000ULL, 0x7ffffffff000ULL,
				   fz_interesting(r) & ~(FZ_PAGE - 1));
		m->size = FZ_PICK(r, FZ_PAGE, 16 * FZ_PAGE,
				  PARTVISOR_MAX_REGION_SIZE,
				  fz_interesting(r) & ~(FZ_PAGE - 1));
	}
	if (!map)
		m->uaddr = 0;
	if (!have_gpa) {
		m->gpa = fz_chance(r, 40) ? fz_below(r, 4096) * FZ_PAGE :
			 fz_chance(r, 40) ? fz_below(r, 1 << 20) * FZ_PAGE :
			 fz_chance(r, 50) ? PARTVISOR_MAX_GPA - m->size +
					    FZ_PICK(r, 0, 0, FZ_PAGE, -FZ_PAGE) :
			 fz_chance(r, 50) && fz_part_region(c, pt, &gpa, &size) ?
					    gpa : fz_interesting(r) & ~(FZ_PAGE - 1);
	}
	m->flags = !map ? 0 : fz_chance(r, 90) ?
		   PARTVISOR_MEM_READ | (fz_next(r) & 6) :
		   FZ_PICK(r, 0, 2, 4, 6, 8, 0xf, fz_interesting(r));
	if (fz_chance(r, 12)) {
		switch (fz_below(r, 7)) {
		case 0:
			m->gpa |= 1 + fz_below(r, FZ_PAGE - 1);
			break;
		case 1:
			m->size = FZ_PICK(r, 0, 1, FZ_PAGE - 1, FZ_PAGE + 1,
					  PARTVISOR_MAX_REGION_SIZE + FZ_PAGE,
					  ~0ULL & ~(FZ_PAGE - 1),
					  fz_interesting(r));
			break;
		case 2:
			m->uaddr += 1 + fz_below(r, FZ_PAGE - 1);
			break;
		case 3:
			m->uaddr = fz_interesting(r);
			break;
		case 4:
			m->reserved0 = fz_interesting(r) | 1;
			break;
		case 5:
			fz_poison(c, m->reserved, 2, 8);
			break;
		default:
			m->flags = fz_interesting(r);
			break;
		}
	}

	/* Documentation/uapi.rst, "Errors, in this order". */
	end = m->gpa + m->size;
	if (m->reserved0 || fz_nonzero(m->reserved, sizeof(m->reserved)) ||
	    !m->size || (m->gpa | m->size) & (FZ_PAGE - 1) ||
	    m->size > PARTVISOR_MAX_REGION_SIZE || end < m->gpa ||
	    end > PARTVISOR_MAX_GPA)
		fz_fail_with(x, fz_e(EINVAL), "reserved, size, alignment or range");
	else if (!map && (m->uaddr || m->flags))
		fz_fail_with(x, fz_e(EINVAL), "unmap with uaddr or flags");
	else if (!map)
		fz_may_fail(x, fz_e(ENOENT), "an unmap of a well-formed range");
	else if ((m->flags & ~PARTVISOR_MEM_ALL) ||
		 !(m->flags & PARTVISOR_MEM_READ) ||
		 (m->uaddr & (FZ_PAGE - 1)) || m->uaddr + m->size < m->uaddr)
		fz_fail_with(x, fz_e(EINVAL), "flags, uaddr alignment or wrap");
	else if (m->uaddr + m->size > fz_user_top)
		fz_fail_with(x, fz_e(EFAULT), "the range is not user memory");
	else if (!owner)
		fz_fail_with(x, fz_e(EPERM), "the caller did not create the partition");
	else
		fz_may_fail(x, fz_e(ENOSPC) | fz_e(EEXIST) | fz_e(ENOMEM) | fz_e(EFAULT) |
			    fz_e(EOPNOTSUPP), "a well-formed map");
}

static void op_map(struct fz_ctx *c, int map)
{
	struct partvisor_memory_region m;
	struct fz_exp x;
	struct fz_obj o;
	int pk = fz_pick_pk(c);

	if (fz_get(c, KM(K_PART), &o))
		return;
	if (!o.part) {
		fz_put(&o);
		return;
	}
	fz_gen_region(c, o.part, &m, map, o.part->creator == getpid(), &x);
	if (!fz_exec(c, map ? I_MAP : I_UNMAP, o.fd, &m, pk, &x, NULL)) {
		if (map)
			fz_part_add_region(o.part, m.gpa, m.size);
		else
			fz_part_del_region(o.part, m.gpa, m.size);
	}
	fz_put(&o);
}

static void fz_gen_cpuid(struct fz_ctx *c, unsigned int n)
{
	struct partvisor_cpuid_entry *e;
	unsigned int i;

	for (i = 0; i < n && i < ARRAY_SIZE(c->cpuid); i++) {
		e = &c->cpuid[i];
		memset(e, 0, sizeof(*e));
		e->function = FZ_PICK(&c->r, 0, 1, 4, 6, 7, 0xb, 0xd,
				      0x80000000, 0x80000001, 0x80000007,
				      0x80000008, 0x8000000a, 0x8000001f,
				      i, fz_next(&c->r));
		if (fz_chance(&c->r, 20)) {
			e->flags = PARTVISOR_CPUID_SUBLEAF;
			e->index = fz_below(&c->r, 4);
		}
		e->eax = fz_next(&c->r);
		e->ebx = fz_next(&c->r);
		e->ecx = fz_next(&c->r);
		e->edx = fz_next(&c->r);
	}
}

/* Why SET_CPUID must refuse entries [0, @n) (uapi.rst), or NULL. */
static const char *fz_cpuid_invalid(struct fz_ctx *c, unsigned int n)
{
	const struct partvisor_cpuid_entry *e = c->cpuid;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (e[i].reserved || (e[i].flags & ~PARTVISOR_CPUID_SUBLEAF))
			return "an entry's reserved word or flags";
		if (e[i].index && !(e[i].flags & PARTVISOR_CPUID_SUBLEAF))
			return "an index without PARTVISOR_CPUID_SUBLEAF";
		if ((e[i].function & 0xf0000000) == 0x40000000)
			return "a hypervisor leaf";
		for (j = 0; j < i; j++)
			if (e[j].function == e[i].function &&
			    e[j].index == e[i].index)
				return "two entries for one leaf and subleaf";
	}
	return NULL;
}

static void fz_set_cpuid(struct fz_ctx *c, int fd, int pk, int valid)
{
	struct partvisor_cpuid t = { 0 };
	struct partvisor_cpuid_entry *e;
	struct fz_exp x = { 0 };
	const char *why;
	int bad = 0;

	t.nr_entries = valid || fz_chance(&c->r, 85) ? fz_below(&c->r, 17) :
		       FZ_PICK(&c->r, 0, 256, 257, 1000, fz_interesting(&c->r));
	fz_gen_cpuid(c, t.nr_entries);
	t.entries = (unsigned long)c->cpuid;
	if (!valid && t.nr_entries && t.nr_entries <= 256 &&
	    fz_chance(&c->r, 15)) {
		e = &c->cpuid[fz_below(&c->r, t.nr_entries)];
		switch (fz_below(&c->r, 5)) {
		case 0:
			e->reserved = fz_interesting(&c->r) | 1;
			break;
		case 1:
			e->flags |= 2U << fz_below(&c->r, 31);
			break;
		case 2:
			e->index = 1 + fz_below(&c->r, 8);
			e->flags = 0;
			break;
		case 3:
			e->function = 0x40000000 | fz_below(&c->r, 0x10000000);
			break;
		default:
			*e = c->cpuid[0];
			break;
		}
	}
	if (!valid && fz_chance(&c->r, 5)) {
		t.entries = (unsigned long)fz_place(c, PK_NULL +
						    fz_below(&c->r, 8), NULL, 0);
		bad = 1;
	}
	if (!valid && fz_chance(&c->r, 3))
		t.reserved0 = 1 + fz_below(&c->r, 0xffff);
	if (!valid && fz_chance(&c->r, 3))
		fz_poison(c, t.reserved, 2, 8);

	why = t.nr_entries <= 256 ? fz_cpuid_invalid(c, t.nr_entries) : NULL;
	if (t.reserved0 || fz_nonzero(t.reserved, sizeof(t.reserved)) ||
	    t.nr_entries > PARTVISOR_MAX_CPUID_ENTRIES)
		fz_fail_with(&x, fz_e(EINVAL), "a reserved word or too many entries");
	else if (!t.nr_entries)
		x = (struct fz_exp){ .must_ok = 1,
			.why = "nr_entries 0 empties the table" };
	else if (bad)
		fz_fail_with(&x, fz_e(EFAULT) | fz_e(ENOMEM), "entries cannot be read");
	else if (why)
		fz_fail_with(&x, fz_e(EINVAL) | fz_e(ENOMEM), why);
	else
		x = (struct fz_exp){ .must_ok = 1, .why = "a valid table" };
	fz_exec(c, I_SET_CPUID, fd, &t, pk, &x, NULL);
}

static void fz_get_cpuid(struct fz_ctx *c, int fd, int pk)
{
	struct partvisor_cpuid t = { 0 };
	struct fz_exp x = { 0 };
	unsigned int room, i;
	int bad = 0;
	long ret;

	room = fz_chance(&c->r, 80) ? fz_below(&c->r, 20) :
	       FZ_PICK(&c->r, 0, 256, 300, 0xffffffff);
	t.nr_entries = room;
	t.entries = (unsigned long)c->cpuid;
	memset(c->cpuid, 0xa5, sizeof(c->cpuid));
	if (fz_chance(&c->r, 5)) {
		t.entries = (unsigned long)fz_place(c, PK_NULL +
						    fz_below(&c->r, 8), NULL, 0);
		bad = 1;
	}
	if (fz_chance(&c->r, 3))
		t.reserved0 = 1;
	if (fz_chance(&c->r, 3))
		fz_poison(c, t.reserved, 2, 8);
	if (t.reserved0 || fz_nonzero(t.reserved, sizeof(t.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "a reserved word is not zero");
	else if (!bad)
		fz_may_fail(&x, fz_e(E2BIG), "a valid GET_CPUID");
	ret = fz_exec(c, I_GET_CPUID, fd, &t, pk, &x, NULL);
	if (bad || (pk != PK_GOOD && pk != PK_UNALIGNED))
		return;
	if (!ret && (t.nr_entries > room ||
		     t.nr_entries > PARTVISOR_MAX_CPUID_ENTRIES))
		fz_violation(c, "GET_CPUID: %u entries into room for %u",
			     t.nr_entries, room);
	if (ret && errno == E2BIG && t.nr_entries <= room)
		fz_violation(c, "GET_CPUID: E2BIG but %u entries fit in %u",
			     t.nr_entries, room);
	for (i = 0; !ret && i < t.nr_entries && i < ARRAY_SIZE(c->cpuid); i++) {
		const struct partvisor_cpuid_entry *e = &c->cpuid[i];

		if (e->reserved || (e->flags & ~PARTVISOR_CPUID_SUBLEAF) ||
		    (e->index && !(e->flags & PARTVISOR_CPUID_SUBLEAF))) {
			fz_violation(c, "GET_CPUID: entry %u has flags %#x index %#x reserved %#x",
				     i, e->flags, e->index, e->reserved);
			break;
		}
	}
}

static void op_cpuid(struct fz_ctx *c)
{
	struct fz_obj o;

	if (fz_get(c, KM(K_PART), &o))
		return;
	if (fz_chance(&c->r, 60))
		fz_set_cpuid(c, o.fd, fz_pick_pk(c), 0);
	else
		fz_get_cpuid(c, o.fd, fz_pick_pk(c));
	fz_put(&o);
}

static int fz_set_state(struct fz_ctx *c, int fd,
			struct partvisor_vp_state *s, int pk);
static int fz_get_state(struct fz_ctx *c, int fd,
			struct partvisor_vp_state *s, int pk);

/* CREATE_VP; a VP of a partition with a guest gets a state that runs. */
static int fz_create_vp(struct fz_ctx *c, int fd, struct fz_part *pt,
			unsigned int index, int valid, int *vfd)
{
	struct partvisor_create_vp cv = { .vp_index = index };
	struct partvisor_vp_state s;
	struct fz_exp x;
	int pk = valid ? PK_GOOD : fz_pick_pk(c);

	*vfd = -1;
	if (!valid && fz_chance(&c->r, 8)) {
		if (fz_chance(&c->r, 50))
			cv.flags = fz_interesting(&c->r) | 1U << fz_below(&c->r, 32);
		else
			fz_poison(c, cv.reserved, 3, 8);
	}
	if (cv.flags || fz_nonzero(cv.reserved, sizeof(cv.reserved)) ||
	    cv.vp_index >= PARTVISOR_MAX_VPS)
		fz_fail_with(&x, fz_e(EINVAL), "index 64 or more, flags or reserved");
	else
		fz_may_fail(&x, fz_e(EEXIST) | fz_e(ENOSPC) | fz_e(ENOMEM) | fz_e(EMFILE) |
			    fz_e(ENFILE), "a valid CREATE_VP");
	fz_exec(c, I_CREATE_VP, fd, &cv, pk, &x, vfd);
	if (*vfd < 0)
		return -1;
	fz_check_cloexec(c, *vfd, "VP");
	if (pt && pt->has_layout && (valid || fz_chance(&c->r, 60))) {
		fz_guest_state(&c->r, &pt->l, &s);
		fz_set_state(c, *vfd, &s, PK_GOOD);
	} else if (fz_no_busy_tss && !fz_get_state(c, *vfd, &s, PK_GOOD)) {
		fz_set_state(c, *vfd, &s, PK_GOOD);	/* its INIT TR */
	}
	return 0;
}

static void op_create_vp(struct fz_ctx *c)
{
	struct fz_obj o;
	unsigned int index;
	int vfd;

	if (fz_get(c, KM(K_PART), &o))
		return;
	index = fz_chance(&c->r, 50) ? fz_below(&c->r, 4) :
		fz_chance(&c->r, 60) ? fz_below(&c->r, 64) :
				       fz_interesting(&c->r);
	if (!fz_create_vp(c, o.fd, o.part, index, 0, &vfd))
		fz_add(K_VP, vfd, o.part, index);
	fz_put(&o);
}

static int fz_sched_default(const struct partvisor_sched_params *p,
			    unsigned int set)
{
	return (!(set & PARTVISOR_SCHED_SET_WEIGHT) ||
		p->weight == PARTVISOR_SCHED_WEIGHT_DEFAULT) &&
	       (!(set & PARTVISOR_SCHED_SET_RESERVE) || !p->reserve) &&
	       (!(set & PARTVISOR_SCHED_SET_LIMIT) ||
		p->limit == PARTVISOR_SCHED_LIMIT_MAX) &&
	       (!(set & PARTVISOR_SCHED_SET_SLICE) ||
		p->slice_us == PARTVISOR_SCHED_SLICE_DEFAULT_US) &&
	       (!(set & PARTVISOR_SCHED_SET_NODE) ||
		p->node == PARTVISOR_SCHED_NODE_NONE) &&
	       (!(set & PARTVISOR_SCHED_SET_AFFINITY) ||
		!fz_nonzero(p->affinity, sizeof(p->affinity)));
}

static void fz_sched(struct fz_ctx *c, int fd, int set_it, int valid)
{
	struct partvisor_sched_params sp = { 0 };
	struct fz_rng *r = &c->r;
	struct fz_exp x;
	int pk = valid ? PK_GOOD : fz_pick_pk(c);
	long ret;

	sp.vp = fz_chance(r, 60) ? PARTVISOR_SCHED_PARTITION :
		fz_chance(r, 80) ? fz_below(r, 4) : fz_interesting(r);
	sp.set = fz_chance(r, 90) ? fz_next(r) & PARTVISOR_SCHED_SET_ALL :
				    fz_interesting(r);
	sp.weight = PARTVISOR_SCHED_WEIGHT_DEFAULT;
	sp.limit = PARTVISOR_SCHED_LIMIT_MAX;
	sp.slice_us = PARTVISOR_SCHED_SLICE_DEFAULT_US;
	sp.node = PARTVISOR_SCHED_NODE_NONE;
	/* In root mode only the defaults pass: keep them half the time. */
	if (fz_chance(r, fz_classic ? 85 : 50)) {
		if (fz_chance(r, 50))
			sp.weight = fz_chance(r, 80) ? 1 + fz_below(r, 10000) :
						       fz_interesting(r);
		if (fz_chance(r, 30))
			sp.reserve = fz_chance(r, 80) ? fz_below(r, 40) :
							fz_interesting(r);
		if (fz_chance(r, 30))
			sp.limit = fz_chance(r, 80) ? 10 + fz_below(r, 91) :
						      fz_interesting(r);
		if (fz_chance(r, 30))
			sp.slice_us = fz_chance(r, 80) ?
				      1000 + fz_below(r, 99001) :
				      fz_interesting(r);
		if (fz_chance(r, 20))
			sp.node = fz_chance(r, 70) ? 0 : fz_interesting(r);
		if (fz_chance(r, 25))
			sp.affinity[fz_chance(r, 90) ? 0 : fz_below(r, 16)] =
				fz_chance(r, 70) ? 1ULL << fz_below(r, 4) :
						   fz_next(r);
	}
	if (!valid && fz_chance(r, 3))
		sp.reserved0 = fz_interesting(r) | 1;
	if (!valid && fz_chance(r, 3))
		fz_poison(c, sp.reserved, 4, 8);

	if ((sp.set & ~PARTVISOR_SCHED_SET_ALL) || sp.reserved0 ||
	    fz_nonzero(sp.reserved, sizeof(sp.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "set bits outside _ALL or reserved");
	else if (sp.vp != PARTVISOR_SCHED_PARTITION &&
		 sp.vp >= PARTVISOR_MAX_VPS)
		fz_fail_with(&x, fz_e(ENOENT), "no VP has that index");
	else if (!set_it)
		fz_may_fail(&x, fz_e(ENOENT), "a valid GET_SCHED");
	else if (!fz_classic && fz_sched_default(&sp, sp.set))
		fz_may_fail(&x, fz_e(ENOENT), "root mode accepts the defaults");
	else
		fz_may_fail(&x, fz_e(ENOENT) | fz_e(EINVAL) | fz_e(EOPNOTSUPP) |
			    fz_e(ENOSPC), "a well-formed SET_SCHED");
	ret = fz_exec(c, set_it ? I_SET_SCHED : I_GET_SCHED, fd, &sp, pk, &x,
		      NULL);
	if (set_it || ret || (pk != PK_GOOD && pk != PK_UNALIGNED))
		return;
	if (sp.reserved0 || fz_nonzero(sp.reserved, sizeof(sp.reserved)) ||
	    (sp.set & ~PARTVISOR_SCHED_SET_ALL) ||
	    (sp.vp == PARTVISOR_SCHED_PARTITION && sp.set))
		fz_violation(c, "GET_SCHED: set %#x or reserved words", sp.set);
	if (!fz_classic && !fz_sched_default(&sp, PARTVISOR_SCHED_SET_ALL))
		fz_violation(c, "GET_SCHED, root mode: weight %u reserve %u limit %u slice %u",
			     sp.weight, sp.reserve, sp.limit, sp.slice_us);
}

static void op_sched(struct fz_ctx *c)
{
	struct fz_obj o;

	if (fz_get(c, KM(K_PART), &o))
		return;
	fz_sched(c, o.fd, fz_chance(&c->r, 60), 0);
	fz_put(&o);
}

/* ----- statistics fds ----- */

static void op_stats_fd(struct fz_ctx *c)
{
	struct partvisor_stats_fd sf = { .vp = PARTVISOR_STATS_OWN };
	struct fz_rng *r = &c->r;
	struct fz_exp x;
	struct fz_obj o;
	int pk = fz_pick_pk(c), fd = -1;

	if (fz_nr(KM(K_STATS)) > 16) {
		fz_close_random(c, KM(K_STATS));
		return;
	}
	if (fz_get(c, KM(K_DEV) | KM(K_PART) | KM(K_VP), &o))
		return;
	if (fz_chance(r, 40))
		sf.vp = fz_chance(r, 70) ?
			fz_below(r, fz_info.nr_cpus + 2) : fz_interesting(r);
	if (fz_chance(r, 20))
		sf.flags = fz_chance(r, 60) ? PARTVISOR_STATS_LP :
					      fz_interesting(r);
	if (fz_chance(r, 4))
		fz_poison(c, sf.reserved, 3, 8);

	if ((sf.flags & ~PARTVISOR_STATS_LP) ||
	    fz_nonzero(sf.reserved, sizeof(sf.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "unknown flags or reserved");
	else if (o.kind != K_DEV && (sf.vp != PARTVISOR_STATS_OWN || sf.flags))
		fz_fail_with(&x, fz_e(EINVAL),
			     "a VP index or STATS_LP on a partition or VP fd");
	else if (o.kind == K_DEV && sf.vp != PARTVISOR_STATS_OWN &&
		 sf.vp >= 0x10000)
		fz_fail_with(&x, fz_e(ENOENT), "no such CPU");
	else
		fz_may_fail(&x, fz_e(ENOENT) | fz_e(EINVAL) | fz_e(ENOMEM) | fz_e(EMFILE) |
			    fz_e(ENFILE), "a well-formed GET_STATS_FD");
	fz_exec(c, I_STATS_FD, o.fd, &sf, pk, &x, &fd);
	fz_put(&o);
	if (fd < 0)
		return;
	fz_check_cloexec(c, fd, "statistics");
	fz_add(K_STATS, fd, NULL, 0);
}

static void op_stats_read(struct fz_ctx *c)
{
	static __thread unsigned char buf[65536];
	struct partvisor_stats_header h;
	struct fz_obj o;
	__u64 off;
	ssize_t n;
	int i;

	if (fz_get(c, KM(K_STATS), &o))
		return;
	fz_note(c, "read stats fd %d", o.fd);
	n = pread(o.fd, &h, sizeof(h), 0);
	for (i = fz_below(&c->r, 4); i >= 0; i--) {
		off = n == sizeof(h) && fz_chance(&c->r, 60) ?
		      FZ_PICK(&c->r, 0, h.id_offset, h.desc_offset,
			      h.data_offset) + fz_below(&c->r, 64) :
		      fz_interesting(&c->r) >> fz_below(&c->r, 64);
		if (pread(o.fd, buf, fz_below(&c->r, sizeof(buf)),
			  off & LLONG_MAX) < 0 && errno != EINVAL)
			break;
	}
	if (fz_chance(&c->r, 30)) {
		lseek(o.fd, fz_interesting(&c->r) & 0xffff, SEEK_SET);
		while (read(o.fd, buf, 1 + fz_below(&c->r, 4096)) > 0)
			;
	}
	/* A read-only fd (uapi.rst). */
	if (write(o.fd, buf, 1 + fz_below(&c->r, 64)) >= 0)
		fz_violation(c, "a statistics fd accepted write()");
	fz_put(&o);
}

/* ----- VP fd ----- */

/* Keep @s clear of the known bugs PV_FUZZ_AVOID names. */
static void fz_sidestep(struct partvisor_vp_state *s)
{
	if (fz_no_busy_tss)
		s->tr.attrib = (s->tr.attrib & ~(PARTVISOR_SEG_TYPE_MASK |
						 PARTVISOR_SEG_P)) |
			       PARTVISOR_SEG_P | 9;
}

/* SET_VP_STATE of @s, checked against the documented rules. */
static int fz_set_state(struct fz_ctx *c, int fd,
			struct partvisor_vp_state *s, int pk)
{
	struct fz_exp x;
	const char *why;

	fz_sidestep(s);
	why = fz_state_invalid(s, 1);

	if (S->verbose)
		fz_out("# %s   state: rip %llx rflags %llx cr0 %llx cr3 %llx cr4 %llx efer %llx",
		       c->label, (unsigned long long)s->rip,
		       (unsigned long long)s->rflags, (unsigned long long)s->cr0,
		       (unsigned long long)s->cr3, (unsigned long long)s->cr4,
		       (unsigned long long)s->efer);
	if (why)
		fz_fail_with(&x, fz_e(EINVAL), why);
	else if (fz_state_invalid(s, 0))
		fz_may_fail(&x, fz_e(EINVAL) | fz_e(ENOMEM),
			    "a base canonical in 57 bits only");
	else
		x = (struct fz_exp){ .must_ok = 1,
			.why = "the state passes every documented check" };
	return fz_exec(c, I_SET_VP_STATE, fd, s, pk, &x, NULL);
}

static int fz_get_state(struct fz_ctx *c, int fd,
			struct partvisor_vp_state *s, int pk)
{
	struct fz_exp x = { .must_ok = 1, .why = "GET_VP_STATE of a VP" };
	const char *why;
	long ret;

	ret = fz_exec(c, I_GET_VP_STATE, fd, s, pk, &x, NULL);
	if (ret || (pk != PK_GOOD && pk != PK_UNALIGNED))
		return -1;
	if (fz_nonzero(s->reserved, sizeof(s->reserved)))
		fz_violation(c, "GET_VP_STATE: reserved words not zero");
	/* Not a documented promise, but a VMM cannot put it back: note it. */
	why = fz_state_invalid(s, 0);
	if (why && !__atomic_fetch_add(&S->readback_refused, 1,
				       __ATOMIC_RELAXED))
		snprintf(S->readback_why, sizeof(S->readback_why),
			 "%s (rip %#llx cr0 %#llx efer %#llx rflags %#llx)",
			 why, (unsigned long long)s->rip,
			 (unsigned long long)s->cr0,
			 (unsigned long long)s->efer,
			 (unsigned long long)s->rflags);
	return 0;
}

static void fz_random_state(struct fz_ctx *c, int fd, struct fz_part *pt,
			    struct partvisor_vp_state *s)
{
	unsigned int i, k = fz_below(&c->r, 20);

	/* Mostly valid where the partition has a guest, else a mutation. */
	if (k < 7 && !(pt && pt->has_layout))
		k = 7;
	switch (k) {
	case 0 ... 6:
		fz_guest_state(&c->r, &pt->l, s);
		if (fz_chance(&c->r, 40))
			fz_state_mutate(&c->r, s, 1);
		break;
	case 7 ... 12:
		if (fz_get_state(c, fd, s, PK_GOOD))
			fz_state_init(s);
		fz_state_mutate(&c->r, s, 1 + fz_below(&c->r, 3));
		break;
	case 13 ... 16:
		fz_state_random(&c->r, s);
		if (fz_chance(&c->r, 50))
			fz_state_mutate(&c->r, s, 1);
		break;
	case 17 ... 18:
		for (i = 0; i < sizeof(*s); i++)
			((unsigned char *)s)[i] = fz_next(&c->r);
		break;
	default:
		fz_state_init(s);
		break;
	}
}

static void op_vp_state(struct fz_ctx *c)
{
	struct partvisor_vp_state s;
	struct fz_obj o;

	if (fz_get(c, KM(K_VP), &o))
		return;
	if (fz_chance(&c->r, 25)) {
		fz_get_state(c, o.fd, &s, fz_pick_pk(c));
	} else {
		fz_random_state(c, o.fd, o.part, &s);
		fz_set_state(c, o.fd, &s, fz_pick_pk(c));
	}
	fz_put(&o);
}

static int fz_get_xsave(struct fz_ctx *c, int fd, struct partvisor_xsave *xs,
			int pk)
{
	struct fz_exp x = { .must_ok = 1, .why = "GET_XSAVE of a VP" };
	const char *why;

	if (fz_exec(c, I_GET_XSAVE, fd, xs, pk, &x, NULL) ||
	    (pk != PK_GOOD && pk != PK_UNALIGNED))
		return -1;
	/* The standard format: SET_XSAVE would take it back. */
	why = fz_xsave_invalid(xs);
	if (why)
		fz_violation(c, "GET_XSAVE: %s", why);
	return 0;
}

static void fz_set_xsave(struct fz_ctx *c, int fd, int pk)
{
	struct partvisor_xsave xs;
	const char *why;
	struct fz_exp x;
	unsigned int i;

	if (fz_chance(&c->r, 5)) {
		for (i = 0; i < sizeof(xs); i++)
			xs.region[i] = fz_next(&c->r);
	} else {
		if (fz_chance(&c->r, 30) || fz_get_xsave(c, fd, &xs, PK_GOOD))
			fz_xsave_init(&xs);
		fz_xsave_mutate(&c->r, &xs, 1 + fz_below(&c->r, 3));
	}
	why = fz_xsave_invalid(&xs);
	if (why)
		fz_fail_with(&x, fz_e(EINVAL), why);
	else
		x = (struct fz_exp){ .must_ok = 1,
			.why = "MXCSR, XSTATE_BV and header pass the checks" };
	fz_exec(c, I_SET_XSAVE, fd, &xs, pk, &x, NULL);
}

static void op_xsave(struct fz_ctx *c)
{
	struct partvisor_xsave xs;
	struct fz_obj o;

	if (fz_get(c, KM(K_VP), &o))
		return;
	if (fz_chance(&c->r, 40))
		fz_get_xsave(c, o.fd, &xs, fz_pick_pk(c));
	else
		fz_set_xsave(c, o.fd, fz_pick_pk(c));
	fz_put(&o);
}

static void fz_assert_irq(struct fz_ctx *c, int fd, int pk)
{
	struct partvisor_interrupt in = { 0 };
	struct fz_exp x;

	in.vector = fz_chance(&c->r, 80) ? 32 + fz_below(&c->r, 224) :
		    fz_chance(&c->r, 50) ? fz_below(&c->r, 32) :
					   fz_interesting(&c->r);
	if (fz_chance(&c->r, 4))
		in.flags = fz_interesting(&c->r) | 1U << fz_below(&c->r, 32);
	if (fz_chance(&c->r, 4))
		fz_poison(c, in.reserved, 3, 8);
	if (in.vector < 32 || in.vector > 255 || in.flags ||
	    fz_nonzero(in.reserved, sizeof(in.reserved)))
		fz_fail_with(&x, fz_e(EINVAL), "vector, flags or reserved");
	else
		x = (struct fz_exp){ .must_ok = 1, .why = "a valid vector" };
	fz_exec(c, I_ASSERT_IRQ, fd, &in, pk, &x, NULL);
}

static void op_irq(struct fz_ctx *c)
{
	struct fz_obj o;

	if (fz_get(c, KM(K_VP), &o))
		return;
	fz_assert_irq(c, o.fd, fz_pick_pk(c));
	fz_put(&o);
}

/* What running.rst allows in a completed struct partvisor_run. */
static void fz_check_exit(struct fz_ctx *c, const struct partvisor_run *run)
{
	const struct partvisor_exit_message *m = &run->msg;
	__u64 i;

	__atomic_add_fetch(&S->exits[run->reason < FZ_NR_EXITS ?
				     run->reason : 0], 1, __ATOMIC_RELAXED);
	if (fz_nonzero(run->reserved, sizeof(run->reserved)))
		fz_violation(c, "RUN: reserved words not zero after exit %u",
			     run->reason);
	switch (run->reason) {
	case PARTVISOR_EXIT_IO:
		if ((run->io.size != 1 && run->io.size != 2 &&
		     run->io.size != 4) ||
		    (run->io.flags & ~(PARTVISOR_IO_IN | PARTVISOR_IO_STRING |
				       PARTVISOR_IO_REP)))
			fz_violation(c, "IO exit: port %#x size %u flags %#x",
				     run->io.port, run->io.size, run->io.flags);
		break;
	case PARTVISOR_EXIT_MMIO:
		if ((run->mmio.size > 8 || (run->mmio.size & (run->mmio.size - 1))) ||
		    (run->mmio.flags & ~(PARTVISOR_MMIO_WRITE |
					 PARTVISOR_MMIO_FETCH)))
			fz_violation(c, "MMIO exit: gpa %#llx size %u flags %#x",
				     (unsigned long long)run->mmio.gpa,
				     run->mmio.size, run->mmio.flags);
		break;
	case PARTVISOR_EXIT_MSR:
		if (run->msr.flags & ~PARTVISOR_MSR_WRITE)
			fz_violation(c, "MSR exit: flags %#x", run->msr.flags);
		break;
	case PARTVISOR_EXIT_MESSAGE:
	case PARTVISOR_EXIT_DEBUG_OUTPUT:
		if (m->size > PARTVISOR_MESSAGE_PAYLOAD ||
		    fz_nonzero(m->payload + (m->size < PARTVISOR_MESSAGE_PAYLOAD ?
					     m->size : PARTVISOR_MESSAGE_PAYLOAD),
			       PARTVISOR_MESSAGE_PAYLOAD -
			       (m->size < PARTVISOR_MESSAGE_PAYLOAD ?
				m->size : PARTVISOR_MESSAGE_PAYLOAD)) ||
		    (run->reason == PARTVISOR_EXIT_MESSAGE &&
		     (!m->type || (m->type & 0x80000000))) ||
		    (run->reason == PARTVISOR_EXIT_DEBUG_OUTPUT &&
		     (m->type || m->connection_id)))
			fz_violation(c, "%s exit: connection %#x type %#x size %u or bytes past it",
				     fz_exit_names[run->reason],
				     m->connection_id, m->type, m->size);
		break;
	case PARTVISOR_EXIT_UNSUPPORTED:
		for (i = 0; i < FZ_NR_CODES; i++) {
			__u64 old = 0;

			if (__atomic_compare_exchange_n(&S->codes[i], &old,
							run->vendor_code + 1, 0,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED) ||
			    old == run->vendor_code + 1) {
				__atomic_add_fetch(&S->code_hits[i], 1,
						   __ATOMIC_RELAXED);
				break;
			}
		}
		break;
	case PARTVISOR_EXIT_HALT:
	case PARTVISOR_EXIT_SHUTDOWN:
	case PARTVISOR_EXIT_INVALID_STATE:
		break;
	default:
		fz_violation(c, "RUN: exit reason %u", run->reason);
		break;
	}
}

/* Map a pool page where the guest found a hole. */
static void fz_map_at(struct fz_ctx *c, int fd, struct fz_part *pt, __u64 gpa)
{
	struct partvisor_memory_region m = { 0 };
	struct fz_exp x;
	const struct fz_buf *b = &P.bufs[fz_chance(&c->r, 70) ? B_ANON :
					     B_SHARED];

	if (!b->p || !pt || pt->creator != getpid())
		return;
	m.gpa = gpa & ~(FZ_PAGE - 1);
	m.size = FZ_PAGE;
	m.uaddr = (unsigned long)b->p + fz_below(&c->r, b->size / FZ_PAGE) *
				       FZ_PAGE;
	m.flags = PARTVISOR_MEM_ALL;
	if (m.gpa >= PARTVISOR_MAX_GPA)
		return;
	fz_may_fail(&x, fz_e(ENOSPC) | fz_e(EEXIST) | fz_e(ENOMEM) | fz_e(EFAULT) |
		    fz_e(EOPNOTSUPP), "a map at an MMIO exit");
	if (!fz_exec(c, I_MAP, fd, &m, PK_GOOD, &x, NULL)) {
		fz_part_add_region(pt, m.gpa, m.size);
		fz_count(C_MMIO_MAPS);
	}
}

/* PV_FUZZ_VERBOSE: where the VP is about to run, and the bytes there. */
static void fz_trace_vp(struct fz_ctx *c, int fd, struct fz_part *pt)
{
	struct partvisor_vp_state s;
	char hex[3 * 48 + 1] = "";
	__u64 lin;
	int i;

	if (ioctl(fd, PARTVISOR_GET_VP_STATE, &s))
		return;
	lin = s.cs.base + s.rip;
	if (pt && pt->mem && pt->creator == getpid() && lin < pt->mem_size)
		for (i = 0; i < 48 && lin + i < pt->mem_size; i++)
			snprintf(hex + 3 * i, 4, "%02x ", pt->mem[lin + i]);
	fz_out("# %s   at cs %#x:%#llx rip %#llx rflags %#llx cr0 %#llx cr4 %#llx efer %#llx: %s",
	       c->label, s.cs.selector, (unsigned long long)s.cs.base,
	       (unsigned long long)s.rip, (unsigned long long)s.rflags,
	       (unsigned long long)s.cr0, (unsigned long long)s.cr4,
	       (unsigned long long)s.efer, hex);
}

/*
 * PV_FUZZ_VERBOSE: a VP that makes no progress between signals: its state
 * and its guest memory (non-zero 64-byte lines), to rebuild it elsewhere.
 */
static void fz_dump_vp(struct fz_ctx *c, int fd, struct fz_part *pt)
{
	struct partvisor_vp_state s;
	char hex[2 * sizeof(s) + 1];
	size_t off, i;

	if (ioctl(fd, PARTVISOR_GET_VP_STATE, &s))
		return;
	for (i = 0; i < sizeof(s); i++)
		snprintf(hex + 2 * i, 3, "%02x", ((unsigned char *)&s)[i]);
	fz_out("# %s DUMP state %s", c->label, hex);
	if (!pt || !pt->mem || pt->creator != getpid())
		return;
	for (off = 0; off < pt->mem_size && off < 0x40000; off += 64) {
		if (!fz_nonzero(pt->mem + off, 64))
			continue;
		for (i = 0; i < 64; i++)
			snprintf(hex + 2 * i, 3, "%02x", pt->mem[off + i]);
		fz_out("# %s DUMP mem %#zx %s", c->label, off, hex);
	}
	fz_out("# %s DUMP end (mode %d)", c->label, pt->l.mode);
}

/* The RUN argument for the next call: the answer to @prev, or junk. */
static void fz_run_arg(struct fz_ctx *c, struct partvisor_run *in, int prev,
		       struct fz_exp *x, struct fz_part *pt)
{
	struct fz_rng *r = &c->r;

	in->flags = 0;
	switch (prev) {
	case PARTVISOR_EXIT_IO:
		in->io.data = fz_interesting(r);
		break;
	case PARTVISOR_EXIT_MMIO:
		in->mmio.data = fz_interesting(r);
		break;
	case PARTVISOR_EXIT_MSR:
		in->msr.data = fz_interesting(r);
		if (fz_chance(r, 30))
			in->flags = PARTVISOR_RUN_INJECT_GP;
		break;
	}
	if (fz_chance(r, 3))
		in->flags = PARTVISOR_RUN_INJECT_GP;
	if (fz_chance(r, 2))
		in->flags |= 2U << fz_below(r, 31);
	if (fz_chance(r, 2))
		fz_poison(c, in->reserved, 4, 8);
	if ((in->flags & ~PARTVISOR_RUN_INJECT_GP) ||
	    fz_nonzero(in->reserved, sizeof(in->reserved)))
		fz_fail_with(x, fz_e(EINVAL), "unknown flags or reserved");
	else if (pt && __atomic_load_n(&pt->crashed, __ATOMIC_RELAXED))
		fz_fail_with(x, fz_e(ESHUTDOWN), "the partition crashed before");
	else
		fz_may_fail(x, fz_e(EINVAL) | fz_e(EINTR) | fz_e(ESHUTDOWN) |
			    fz_e(ENOMEM), "a well-formed RUN");
}

/*
 * A state like the host's: RIP, GDT base (the CPU entry area) in the
 * kernel half, EFER.SVME. Nothing here generates such a state itself.
 */
static int fz_host_like(const struct partvisor_vp_state *s)
{
	return (s->rip >> 47) == 0x1ffff && (s->gdtr.base >> 47) == 0x1ffff &&
	       (s->efer & (1ULL << 12));
}

/* What a run loop knows of its VP: the RIP it was last given, if any. */
struct fz_vp_run {
	int fd, pfd;
	struct fz_part *pt;
	int rip_known;
	__u64 rip;
	struct partvisor_vp_state s;
};

static void fz_run_set(struct fz_ctx *c, struct fz_vp_run *v)
{
	if (!fz_set_state(c, v->fd, &v->s, PK_GOOD)) {
		v->rip_known = 1;
		v->rip = v->s.rip;
	}
}

/* A fresh state: the guest's, or INIT. */
static void fz_run_reset(struct fz_ctx *c, struct fz_vp_run *v)
{
	if (v->pt && v->pt->has_layout)
		fz_guest_state(&c->r, &v->pt->l, &v->s);
	else
		fz_state_init(&v->s);
	fz_run_set(c, v);
}

/* PV_FUZZ_AVOID=invalid: no RUN of a state that is the host's. */
static void fz_run_sanitize(struct fz_ctx *c, struct fz_vp_run *v)
{
	if (fz_no_host_state && !fz_get_state(c, v->fd, &v->s, PK_GOOD) &&
	    fz_host_like(&v->s))
		fz_run_reset(c, v);
}

/*
 * INVALID_STATE: the VP did not run, so its RIP is still the one it was
 * given. Not so when a failed VMRUN left the host's state in the save
 * area (QEMU's TCG does that) and it became the VP's: noted, then the
 * state corrected as running.rst asks, before anything runs it again.
 */
static void fz_run_invalid(struct fz_ctx *c, struct fz_vp_run *v,
			   const struct partvisor_run *run)
{
	if (v->rip_known && run->rip != v->rip &&
	    !__atomic_fetch_add(&S->invalid_moved, 1, __ATOMIC_RELAXED))
		snprintf(S->invalid_why, sizeof(S->invalid_why),
			 "given rip %#llx, exit rip %#llx",
			 (unsigned long long)v->rip,
			 (unsigned long long)run->rip);
	fz_run_reset(c, v);
}

/* Answer an exit as a VMM might, or do something else to the VP. */
static void fz_run_answer(struct fz_ctx *c, struct fz_vp_run *v,
			  const struct partvisor_run *run, unsigned int same)
{
	struct fz_rng *r = &c->r;

	switch (run->reason) {
	case PARTVISOR_EXIT_HALT:
		if (fz_chance(r, 50))
			fz_assert_irq(c, v->fd, PK_GOOD);
		break;
	case PARTVISOR_EXIT_MMIO:
		if (v->pfd >= 0 && fz_chance(r, 10))
			fz_map_at(c, v->pfd, v->pt, run->mmio.gpa);
		break;
	}
	/* Stuck on one instruction: do what a VMM would, skip it. */
	if (same > 2 && fz_chance(r, 50) &&
	    !fz_get_state(c, v->fd, &v->s, PK_GOOD)) {
		v->s.rip += 1 + fz_below(r, 6);
		fz_run_set(c, v);
		fz_count(C_SKIPPED_INSNS);
	}
	if (!fz_chance(r, 8))
		return;
	switch (fz_below(r, 4)) {
	case 0:
		fz_assert_irq(c, v->fd, PK_GOOD);
		break;
	case 1:
		fz_set_xsave(c, v->fd, PK_GOOD);
		break;
	case 2:
		fz_random_state(c, v->fd, v->pt, &v->s);
		fz_run_set(c, v);
		break;
	default:
		fz_get_state(c, v->fd, &v->s, PK_GOOD);
		break;
	}
}

/*
 * Run VP @fd (of partition @pfd, or -1) up to @n times, answering each
 * exit at random (IN and MMIO data, RDMSR data or #GP), sometimes
 * stepping over an instruction the VMM would have to emulate, asserting
 * interrupts, changing the state. Each RUN is bounded by the thread's
 * timer (fz_exec()).
 */
static void fz_run_vp(struct fz_ctx *c, int fd, int pfd, struct fz_part *pt,
		      unsigned int n)
{
	struct fz_vp_run v = { .fd = fd, .pfd = pfd, .pt = pt };
	struct partvisor_run run = { 0 }, in;
	__u64 last_rip = ~0ULL;
	unsigned int i, same = 0, stalls = 0;
	int pk, prev = 0, err;
	struct fz_exp x;
	long ret;

	v.rip_known = !fz_get_state(c, fd, &v.s, PK_GOOD);
	v.rip = v.s.rip;
	if (v.rip_known && fz_no_host_state && fz_host_like(&v.s))
		fz_run_reset(c, &v);
	for (i = 0; i < n && !fz_stop(); i++) {
		in = run;
		fz_run_arg(c, &in, prev, &x, pt);
		pk = fz_chance(&c->r, 96) ? PK_GOOD : fz_pick_pk(c);
		if (S->verbose > 1)
			fz_trace_vp(c, fd, pt);
		ret = fz_exec(c, I_RUN_VP, fd, &in, pk, &x, NULL);
		err = errno;
		prev = 0;
		if (ret && err == EINTR) {
			v.rip_known = 0;
			fz_count(C_RUNS_EINTR);
			if (S->verbose > 1 && ++stalls == 3)
				fz_dump_vp(c, fd, pt);
			continue;
		}
		if (ret) {
			if (err == ESHUTDOWN && pt)
				__atomic_store_n(&pt->crashed, 1,
						 __ATOMIC_RELAXED);
			if (fz_chance(&c->r, 50))
				break;
			continue;
		}
		stalls = 0;
		if (pk != PK_GOOD && pk != PK_UNALIGNED) {
			fz_run_sanitize(c, &v);	/* the exit is unknown */
			continue;
		}
		if (S->verbose)
			fz_out("# %s   exit %u rip %#llx code %#llx data %#llx %#llx",
			       c->label, in.reason, (unsigned long long)in.rip,
			       (unsigned long long)in.vendor_code,
			       (unsigned long long)in.pad[0],
			       (unsigned long long)in.pad[1]);
		fz_check_exit(c, &in);
		run = in;
		prev = in.reason;
		same = in.rip == last_rip ? same + 1 : 0;
		last_rip = in.rip;
		if (in.reason == PARTVISOR_EXIT_INVALID_STATE) {
			fz_run_invalid(c, &v, &in);
			if (fz_chance(&c->r, 30))
				return;
			continue;
		}
		v.rip_known = 0;
		if (in.reason == PARTVISOR_EXIT_SHUTDOWN) {
			if (pt)
				__atomic_store_n(&pt->crashed, 1,
						 __ATOMIC_RELAXED);
			n = i + 2;	/* one more RUN: ESHUTDOWN */
			continue;
		}
		fz_run_answer(c, &v, &in, same);
		if (v.rip_known)
			prev = 0;	/* a new state: no exit to complete */
	}
}

/* A dup of the fd of partition @pt, if the table has one, or -1. */
static int fz_part_fd(struct fz_part *pt)
{
	int i, fd = -1;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_OBJS && pt; i++) {
		if (P.objs[i].used && P.objs[i].kind == K_PART &&
		    P.objs[i].part == pt) {
			fd = fcntl(P.objs[i].fd, F_DUPFD_CLOEXEC, 3);
			break;
		}
	}
	pthread_mutex_unlock(&P.lock);
	return fd;
}

static void op_run(struct fz_ctx *c)
{
	struct fz_obj o;
	int pfd;

	if (!fz_can_run || fz_get(c, KM(K_VP), &o))
		return;
	pfd = fz_part_fd(o.part);
	fz_run_vp(c, o.fd, pfd, o.part,
		  1 + fz_below(&c->r, P.child ? 6 : 24));
	if (pfd >= 0)
		close(pfd);
	fz_put(&o);
}

/*
 * A whole guest: a partition, main memory at GPA 0 in chunks with random
 * access (sometimes a hole), more regions elsewhere, a CPUID table, VPs
 * in a state that runs, sometimes a policy; often run right away.
 */
static void op_build(struct fz_ctx *c)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region m;
	struct fz_rng *r = &c->r;
	unsigned int i, nr_vps, idx[3];
	__u64 cut[4], size;
	int pfd = -1, vfd[3];
	struct fz_part *pt;
	struct fz_exp x;
	struct fz_obj o;

	if (fz_nr(KM(K_PART)) >= FZ_MAX_PARTS) {
		fz_close_random(c, KM(K_PART));
		return;
	}
	if (fz_get(c, KM(K_DEV), &o))
		return;
	fz_may_fail(&x, fz_e(ENOSPC) | fz_e(ENOMEM) | fz_e(EMFILE) | fz_e(ENFILE),
		    "a valid create");
	fz_exec(c, I_CREATE_PARTITION, o.fd, &cp, PK_GOOD, &x, &pfd);
	fz_put(&o);
	if (pfd < 0)
		return;
	size = FZ_PICK(r, FZ_G_MIN, FZ_G_MIN, 0x20000, 0x40000, 0x100000,
		       0x200000);
	pt = fz_part_new(getpid(), cp.id);
	if (!pt) {
		close(pfd);
		return;
	}
	fz_part_get(pt);
	pt->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pt->mem == MAP_FAILED) {
		pt->mem = NULL;
		goto out;
	}
	pt->mem_size = size;
	pt->l.mode = fz_below(r, FZ_NR_MODES);
	pt->l.vmx = fz_info.vendor == PARTVISOR_VENDOR_VMX;
	pt->l.no_cr8 = fz_no_cr8;
	pt->l.mem_size = size;
	fz_guest_image(r, pt->mem, &pt->l);
	pt->has_layout = 1;
	fz_count(C_BUILDS);

	/* Main memory in up to three pieces with their own access. */
	cut[0] = 0;
	cut[1] = fz_below(r, size / FZ_PAGE) * FZ_PAGE;
	cut[2] = fz_below(r, size / FZ_PAGE) * FZ_PAGE;
	if (cut[1] > cut[2]) {
		cut[3] = cut[1];
		cut[1] = cut[2];
		cut[2] = cut[3];
	}
	cut[3] = size;
	for (i = 0; i < 3; i++) {
		if (cut[i] == cut[i + 1] || (i && fz_chance(r, 8)))
			continue;
		memset(&m, 0, sizeof(m));
		m.gpa = cut[i];
		m.size = cut[i + 1] - cut[i];
		m.uaddr = (unsigned long)pt->mem + cut[i];
		m.flags = fz_chance(r, 85) ? PARTVISOR_MEM_ALL :
			  FZ_PICK(r, 1, 3, 5, 7);
		fz_may_fail(&x, fz_e(ENOSPC) | fz_e(EEXIST) | fz_e(ENOMEM) | fz_e(EFAULT) |
			    fz_e(EOPNOTSUPP), "a well-formed map");
		if (!fz_exec(c, I_MAP, pfd, &m, PK_GOOD, &x, NULL))
			fz_part_add_region(pt, m.gpa, m.size);
	}
	for (i = fz_below(r, 5); i > 0; i--) {
		fz_gen_region(c, pt, &m, 1, 1, &x);
		if (!fz_exec(c, I_MAP, pfd, &m, PK_GOOD, &x, NULL))
			fz_part_add_region(pt, m.gpa, m.size);
	}
	if (fz_chance(r, 50))
		fz_set_cpuid(c, pfd, PK_GOOD, 1);
	if (fz_chance(r, 15))
		fz_sched(c, pfd, 1, 1);

	nr_vps = 1 + fz_below(r, 3);
	for (i = 0; i < nr_vps; i++) {
		idx[i] = fz_chance(r, 70) ? i : fz_below(r, 64);
		fz_create_vp(c, pfd, pt, idx[i], 1, &vfd[i]);
		if (vfd[i] >= 0 && fz_chance(r, 20))
			fz_set_xsave(c, vfd[i], PK_GOOD);
	}
	if (fz_can_run && vfd[0] >= 0 && fz_chance(r, 50))
		fz_run_vp(c, vfd[0], pfd, pt, 1 + fz_below(r, 16));
	for (i = 0; i < nr_vps; i++)
		if (vfd[i] >= 0)
			fz_add(K_VP, vfd[i], pt, idx[i]);
out:
	fz_add(K_PART, pfd, pt, 0);
	fz_part_put(pt);
}

/* New code or random bytes in the memory of one of our guests. */
static void op_poke(struct fz_ctx *c)
{
	struct fz_part *pt;
	struct fz_obj o;
	__u64 off, len;
	int i;

	if (fz_get(c, KM(K_PART) | KM(K_VP), &o))
		return;
	pt = o.part;
	if (pt && pt->mem && pt->creator == getpid()) {
		fz_note(c, "poke guest memory of partition %u", pt->id);
		if (fz_chance(&c->r, 60)) {
			off = fz_below(&c->r, FZ_G_CODE_SIZE - 64);
			len = 16 + fz_below(&c->r, FZ_G_CODE_SIZE - off - 16);
			fz_guest_code(&c->r, pt->mem, &pt->l, FZ_G_CODE + off,
				      len);
		} else {
			for (i = 1 + fz_below(&c->r, 16); i > 0; i--)
				pt->mem[fz_below(&c->r, pt->mem_size)] =
					fz_next(&c->r);
		}
	}
	fz_put(&o);
}

/* ----- wrong commands, wrong fds ----- */

static void op_wrong(struct fz_ctx *c)
{
	struct fz_rng *r = &c->r;
	unsigned long cmd = 0;
	unsigned int i, size, dir, nr;
	struct fz_exp x;
	struct fz_obj o;
	unsigned char buf[64];
	int j, known = 0;
	long ret;
	void *p;

	if (fz_get(c, KM(K_DEV) | KM(K_PART) | KM(K_VP), &o))
		return;
	for (i = 0; i < sizeof(c->tmp); i++)
		c->tmp[i] = fz_chance(r, 70) ? 0 : fz_next(r);
	switch (fz_below(r, 10)) {
	case 0 ... 3:			/* another fd type's command */
		for (j = 0; j < 8; j++) {
			i = fz_below(r, I_UNKNOWN);
			if (!(fz_iocs[i].kinds & KM(o.kind)))
				break;
		}
		if (fz_iocs[i].kinds & KM(o.kind))
			break;
		fz_fail_with(&x, fz_e(ENOTTY), "a command of another fd type");
		fz_note(c, "%s on a %s fd", fz_iocs[i].name,
			fz_kind_names[o.kind]);
		fz_exec(c, i, o.fd, c->tmp, PK_GOOD, &x, NULL);
		break;
	case 4 ... 7:			/* unknown number, size or direction */
		for (j = 0; j < 8; j++) {
			i = fz_below(r, I_UNKNOWN);
			dir = fz_below(r, 4);
			nr = _IOC_NR(fz_iocs[i].cmd);
			size = fz_iocs[i].size;
			switch (fz_below(r, 4)) {
			case 0:
				size = FZ_PICK(r, 0, 1, size - 1, size + 1,
					       size + 8, size - 8, 0x3fff);
				dir = _IOC_DIR(fz_iocs[i].cmd);
				break;
			case 1:
				break;
			case 2:
				nr = fz_below(r, 0x30);
				break;
			default:
				nr = fz_below(r, 256);
				size = fz_below(r, 0x4000);
				break;
			}
			cmd = _IOC(dir, PARTVISOR_IOCTL_TYPE, nr, size & 0x3fff);
			for (known = 0, i = 0; i < I_UNKNOWN; i++)
				known |= fz_iocs[i].cmd == cmd &&
					 (fz_iocs[i].kinds & KM(o.kind));
			if (!known)
				break;
		}
		if (known)
			break;
		p = fz_place(c, fz_chance(r, 80) ? PK_GOOD :
				PK_RO + fz_below(r, PK_NR - PK_RO), c->tmp,
			     64);
		fz_note(c, "unknown command %#lx on a %s fd", cmd,
			fz_kind_names[o.kind]);
		__atomic_add_fetch(&S->calls[I_UNKNOWN], 1, __ATOMIC_RELAXED);
		ret = ioctl(o.fd, cmd, p);
		if (ret >= 0 || errno != ENOTTY)
			fz_violation(c, "unknown command %#lx, %s fd: %ld, %s, not ENOTTY",
				     cmd, fz_kind_names[o.kind], ret,
				     fz_ename(ret < 0 ? errno : 0));
		__atomic_add_fetch(ret < 0 ? &S->errs[errno < FZ_NR_ERRNO ?
						     errno : 0] :
				   &S->ok[I_UNKNOWN], 1, __ATOMIC_RELAXED);
		break;
	case 8:				/* another subsystem's command */
		do {
			nr = fz_below(r, 256);
		} while (nr == PARTVISOR_IOCTL_TYPE || nr == 'T' ||
			 nr == 'X' || nr == 'f' || nr == 0x94 || nr == 0x12);
		cmd = _IOC(fz_below(r, 4), nr, fz_below(r, 256),
			   fz_below(r, 0x100));
		fz_note(c, "foreign command %#lx", cmd);
		__atomic_add_fetch(&S->calls[I_UNKNOWN], 1, __ATOMIC_RELAXED);
		if (ioctl(o.fd, cmd, c->tmp) >= 0)
			__atomic_add_fetch(&S->ok[I_UNKNOWN], 1,
					   __ATOMIC_RELAXED);
		break;
	default:			/* mmap, read, write: not offered */
		fz_note(c, "mmap/read/write on a %s fd", fz_kind_names[o.kind]);
		p = mmap(NULL, FZ_PAGE, PROT_READ, MAP_SHARED, o.fd, 0);
		if (p != MAP_FAILED)
			munmap(p, FZ_PAGE);
		if (o.kind != K_DEV) {
			if (read(o.fd, buf, sizeof(buf)) < 0)
				errno = 0;
			if (write(o.fd, buf, 1 + fz_below(r, sizeof(buf))) < 0)
				errno = 0;
		}
		break;
	}
	fz_put(&o);
}

/* Known commands with a bad argument pointer, on the right fd type. */
static void op_badptr(struct fz_ctx *c)
{
	struct fz_exp x = { 0 };
	struct fz_obj o;
	unsigned int i;
	int pk, fd = -1;

	if (fz_get(c, KM(K_DEV) | KM(K_PART) | KM(K_VP), &o))
		return;
	do {
		i = fz_below(&c->r, I_UNKNOWN);
	} while (!(fz_iocs[i].kinds & KM(o.kind)));
	/* RUN with a bad pointer would run the VP: only where allowed. */
	if (i == I_RUN_VP && !fz_can_run)
		i = I_GET_VP_STATE;
	memset(c->tmp, 0, sizeof(c->tmp));
	if (i == I_STATS_FD)
		((struct partvisor_stats_fd *)c->tmp)->vp = PARTVISOR_STATS_OWN;
	if (i == I_GET_PROPERTIES)
		((struct partvisor_properties *)c->tmp)->version = 1;
	pk = PK_UNALIGNED + fz_below(&c->r, PK_NR - PK_UNALIGNED);
	fz_exec(c, i, o.fd, c->tmp, pk, &x, &fd);
	if (fd >= 0)
		close(fd);
	if (i == I_RUN_VP) {
		struct fz_vp_run v = { .fd = o.fd, .pfd = -1, .pt = o.part };

		fz_run_sanitize(c, &v);
	}
	fz_put(&o);
}

static void op_badfd(struct fz_ctx *c)
{
	struct partvisor_info info;
	int fd, fds[3] = { -1, INT_MAX, 1 << 20 };
	unsigned int i;
	long ret;

	fz_note(c, "bad fds");
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		ret = ioctl(fds[i], PARTVISOR_GET_INFO, &info);
		if (ret >= 0 || errno != EBADF)
			fz_violation(c, "ioctl on fd %d: %ld, %s", fds[i], ret,
				     fz_ename(errno));
	}
	/* Our command on fds of other kinds: their business, not checked. */
	fd = FZ_PICK(&c->r, P.pipe[0], P.pipe[1], P.memfd, P.sock_in,
		     P.sock_out);
	i = fz_below(&c->r, I_UNKNOWN);
	memset(c->tmp, 0, sizeof(c->tmp));
	if (ioctl(fd, fz_iocs[i].cmd, c->tmp) < 0)
		errno = 0;
	/* A closed fd: EBADF unless another thread got the number. */
	fd = dup(P.pipe[0]);
	if (fd >= 0) {
		close(fd);
		if (ioctl(fd, PARTVISOR_GET_INFO, &info) >= 0)
			errno = 0;
	}
}

/* ----- fds between processes ----- */

struct fz_msg {
	int kind;
	unsigned int vp, id;
	pid_t creator;
};

static void op_send(struct fz_ctx *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct fz_msg msg;
	struct iovec iov = { &msg, sizeof(msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct fz_obj o;

	if (fz_get(c, ~0U, &o))
		return;
	memset(&msg, 0, sizeof(msg));
	msg.kind = o.kind;
	msg.vp = o.vp;
	msg.id = o.part ? o.part->id : 0;
	msg.creator = o.part ? o.part->creator : 0;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &o.fd, sizeof(int));
	fz_note(c, "send %s fd %d", fz_kind_names[o.kind], o.fd);
	if (sendmsg(P.sock_out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		fz_count(C_SENT);
	fz_put(&o);
	/* Sometimes give our last reference away with it. */
	if (fz_chance(&c->r, 20))
		fz_close_random(c, KM(o.kind));
}

static void fz_recv(struct fz_ctx *c)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct fz_msg msg;
	struct iovec iov = { &msg, sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	struct fz_part *pt;
	int i, fd;

	(void)c;
	for (i = 0; i < 4; i++) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(P.sock_in, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <
		    (ssize_t)sizeof(msg))
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			fz_count(C_RECEIVED);
			if (msg.kind < 0 || msg.kind >= K_NR) {
				close(fd);
				continue;
			}
			pt = NULL;
			if (msg.kind == K_PART || msg.kind == K_VP) {
				pt = fz_part_new(msg.creator, msg.id);
				if (!pt) {
					close(fd);
					continue;
				}
			}
			fz_add(msg.kind, fd, pt, msg.vp);
		}
	}
}

/* ----- forked children ----- */

static void fz_thread_setup(struct fz_ctx *c, int tidx);
static void fz_do_op(struct fz_ctx *c);

/* Reap a child: 0 if gone, and report how it went. */
static int fz_reap(struct fz_ctx *c, pid_t pid, __u64 wait_ns, int killed)
{
	__u64 end = fz_now() + wait_ns;
	int st;
	pid_t w;

	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return 0;
		if (fz_now() > end)
			return -1;
		usleep(5000);
	}
	if (WIFSIGNALED(st) && !(killed && WTERMSIG(st) == SIGKILL))
		fz_violation(c, "forked child %d died of signal %d", pid,
			     WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		fz_violation(c, "forked child %d exited with %d", pid,
			     WEXITSTATUS(st));
	return 0;
}

static void fz_child(struct fz_ctx *c, __u64 seed)
{
	unsigned int n;

	P.child = 1;
	P.nkids = 0;
	snprintf(c->label, sizeof(c->label), "w%d.kid", P.index);
	c->log = &S->log[P.index][FZ_MAX_THREADS];
	c->log->tid = gettid();
	c->has_timer = 0;
	fz_rng_seed(&c->r, seed, 0);
	fz_thread_setup(c, c->tidx);
	for (n = 1 + fz_below(&c->r, 12); n > 0 && !fz_stop(); n--) {
		c->log->start = fz_now();
		fz_do_op(c);
		c->nop++;
		fz_count(C_OPS_KIDS);
	}
	c->log->start = 0;
	/* Half the time leave the fds for exit() to close. */
	if (fz_chance(&c->r, 50))
		fz_close_all();
	_exit(0);
}

static void op_fork(struct fz_ctx *c)
{
	__u64 seed = fz_next(&c->r);
	int kill_it = fz_chance(&c->r, 50), i;
	pid_t pid;

	if (P.child || P.nkids >= FZ_MAX_KIDS)
		return;
	fz_note(c, "fork");
	/* The table stays consistent for the child: hold its lock. */
	pthread_mutex_lock(&P.lock);
	pid = fork();
	if (!pid) {
		pthread_mutex_unlock(&P.lock);
		fz_child(c, seed);
	}
	pthread_mutex_unlock(&P.lock);
	if (pid < 0)
		return;
	fz_count(C_FORKS);
	if (kill_it) {
		usleep(fz_below(&c->r, 30000));
		kill(pid, SIGKILL);
		fz_count(C_KILLS);
	}
	if (!fz_reap(c, pid, 15 * NSEC, kill_it))
		return;
	kill(pid, SIGKILL);
	if (!fz_reap(c, pid, 10 * NSEC, 1))
		return;
	fz_violation(c, "forked child %d still there 10 s after SIGKILL", pid);
	pthread_mutex_lock(&P.lock);
	for (i = 0; i < FZ_MAX_KIDS && P.kids[i]; i++)
		;
	if (i < FZ_MAX_KIDS) {
		P.kids[i] = pid;
		P.nkids++;
	}
	pthread_mutex_unlock(&P.lock);
}

/* ----- pool memory ----- */

static void *fz_mmap(size_t size, int prot, int flags, int fd)
{
	void *p = mmap(NULL, size, prot, flags, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void fz_fill(unsigned char *p, size_t size, __u64 seed)
{
	size_t i;

	for (i = 0; i < size; i += 8)
		memcpy(p + i, &(__u64){ fz_splitmix(&seed) }, 8);
}

static void fz_pool_init(void)
{
	struct fz_buf *b = P.bufs;
	char path[64];
	int fd, i;

	b[B_ANON].size = 4 << 20;
	b[B_ANON].p = fz_mmap(b[B_ANON].size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1);
	/* 2 MiB aligned, for transparent huge pages. */
	b[B_THP].size = 4 << 20;
	b[B_THP].p = fz_mmap(b[B_THP].size + (2 << 20), PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (b[B_THP].p) {
		b[B_THP].p = (unsigned char *)(((unsigned long)b[B_THP].p +
						(2 << 20) - 1) & ~((2UL << 20) - 1));
		madvise(b[B_THP].p, b[B_THP].size, MADV_HUGEPAGE);
	}
	/* Its last page PROT_NONE: maps that run into it fail midway. */
	b[B_GUARDED].size = 256 << 10;
	b[B_GUARDED].p = fz_mmap(b[B_GUARDED].size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1);
	b[B_SHARED].size = 256 << 10;
	b[B_SHARED].p = fz_mmap(b[B_SHARED].size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1);
	fd = memfd_create("pv-fuzz", MFD_CLOEXEC);
	if (fd >= 0 && !ftruncate(fd, 256 << 10)) {
		b[B_MEMFD].size = 256 << 10;
		b[B_MEMFD].p = fz_mmap(b[B_MEMFD].size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd);
	}
	if (fd >= 0)
		close(fd);
	b[B_RO].size = 256 << 10;
	b[B_RO].p = fz_mmap(b[B_RO].size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	/* A shared file mapping: writable maps may be refused for it. */
	snprintf(path, sizeof(path), "/tmp/pv-fuzz.%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && !ftruncate(fd, 64 << 10)) {
		b[B_FILE].size = 64 << 10;
		b[B_FILE].p = fz_mmap(b[B_FILE].size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fd);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	b[B_NONE].size = 64 << 20;
	b[B_NONE].p = fz_mmap(b[B_NONE].size, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
	for (i = 0; i < B_NONE; i++) {
		if (!b[i].p) {
			b[i].size = 0;
			continue;
		}
		fz_fill(b[i].p, b[i].size, i);
	}
	if (b[B_GUARDED].p)
		mprotect(b[B_GUARDED].p + b[B_GUARDED].size - FZ_PAGE, FZ_PAGE,
			 PROT_NONE);
	if (b[B_RO].p)
		mprotect(b[B_RO].p, b[B_RO].size, PROT_READ);
	if (!b[B_ANON].p) {
		fz_out("Bail out! no memory for the pool");
		_exit(PV_EXIT_FAIL);
	}

	/* Per thread (and a forked child): guard pages and two views. */
	P.guard = fz_mmap(2 * FZ_PAGE * (FZ_MAX_THREADS + 1), PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1);
	P.memfd = memfd_create("pv-fuzz-args", MFD_CLOEXEC);
	if (P.memfd < 0 || ftruncate(P.memfd, 2 * FZ_PAGE * (FZ_MAX_THREADS + 1)))
		P.memfd = -1;
	P.rw = fz_mmap(2 * FZ_PAGE * (FZ_MAX_THREADS + 1),
		       PROT_READ | PROT_WRITE, MAP_SHARED, P.memfd);
	P.ro = fz_mmap(2 * FZ_PAGE * (FZ_MAX_THREADS + 1), PROT_READ,
		       MAP_SHARED, P.memfd);
	if (!P.guard || !P.rw || !P.ro) {
		fz_out("Bail out! no memory for the argument pages");
		_exit(PV_EXIT_FAIL);
	}
	/* A page nothing is mapped at, found by asking the kernel. */
	P.unmapped = (unsigned char *)0x200000;
	if (!msync(P.unmapped, FZ_PAGE, MS_ASYNC) || errno != ENOMEM)
		P.unmapped = (unsigned char *)0x10000;
	if (pipe2(P.pipe, O_CLOEXEC))
		memset(P.pipe, 0xff, sizeof(P.pipe));
}

/* A pool buffer replaced (the partitions keep the old pages pinned). */
static void op_remap(struct fz_ctx *c)
{
	unsigned int i = fz_below(&c->r, B_NONE);
	struct fz_buf *b = &P.bufs[i];
	int prot = fz_chance(&c->r, 10) ? PROT_NONE : PROT_READ | PROT_WRITE;

	if (!b->p || i == B_ANON || i == B_THP)
		return;
	fz_note(c, "remap pool buffer %u", i);
	/* One thread at a time: another's mprotect() would fault our fill. */
	pthread_mutex_lock(&P.lock);
	if (mmap(b->p, b->size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != MAP_FAILED) {
		if (prot != PROT_NONE)
			fz_fill(b->p, b->size, fz_next(&c->r));
		if (i == B_RO && prot != PROT_NONE)
			mprotect(b->p, b->size, PROT_READ);
		if (i == B_GUARDED)
			mprotect(b->p + b->size - FZ_PAGE, FZ_PAGE, PROT_NONE);
	}
	pthread_mutex_unlock(&P.lock);
}

/* ----- threads and processes ----- */

static void fz_sig(int sig)
{
	(void)sig;
}

static void fz_thread_setup(struct fz_ctx *c, int tidx)
{
	struct sigevent sev = { 0 };
	unsigned char *g = P.guard + 2 * FZ_PAGE * tidx;

	c->tidx = tidx;
	c->guard = g;
	c->rw = P.rw + 2 * FZ_PAGE * tidx;
	c->ro = P.ro + 2 * FZ_PAGE * tidx;
	mprotect(g, FZ_PAGE, PROT_READ | PROT_WRITE);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = gettid();
	c->has_timer = !timer_create(CLOCK_MONOTONIC, &sev, &c->timer);
	if (!c->has_timer && fz_can_run) {
		fz_out("Bail out! timer_create: %s", strerror(errno));
		_exit(PV_EXIT_FAIL);
	}
}

struct fz_op {
	void (*fn)(struct fz_ctx *c);
	unsigned int weight, kid_weight;
};

static void op_map_(struct fz_ctx *c)
{
	op_map(c, 1);
}

static void op_unmap_(struct fz_ctx *c)
{
	op_map(c, 0);
}

static void op_close(struct fz_ctx *c)
{
	fz_close_random(c, fz_nr(~0U) > FZ_MAX_OBJS - 16 ? ~0U :
			   KM(K_PART) | KM(K_VP) | KM(K_STATS));
}

static const struct fz_op fz_ops[] = {
	{ op_build, 6, 1 }, { op_run, 18, 6 }, { op_vp_state, 8, 3 },
	{ op_xsave, 4, 1 }, { op_irq, 3, 1 }, { op_map_, 6, 4 },
	{ op_unmap_, 4, 1 }, { op_cpuid, 3, 1 }, { op_create_vp, 3, 2 },
	{ op_create_partition, 3, 1 }, { op_sched, 3, 1 },
	{ op_stats_fd, 3, 1 }, { op_stats_read, 2, 1 },
	{ op_dev_query, 3, 1 }, { op_close, 6, 3 }, { op_wrong, 3, 1 },
	{ op_badptr, 3, 1 }, { op_badfd, 1, 0 }, { op_send, 3, 2 },
	{ op_fork, 1, 0 }, { op_open_dev, 1, 0 }, { op_poke, 2, 1 },
	{ op_remap, 1, 0 },
};

static void fz_do_op(struct fz_ctx *c)
{
	unsigned int i, total = 0, k;

	if (fz_chance(&c->r, 30))
		fz_recv(c);
	for (i = 0; i < ARRAY_SIZE(fz_ops); i++)
		total += P.child ? fz_ops[i].kid_weight : fz_ops[i].weight;
	k = fz_below(&c->r, total);
	for (i = 0; i < ARRAY_SIZE(fz_ops); i++) {
		unsigned int w = P.child ? fz_ops[i].kid_weight :
					   fz_ops[i].weight;

		if (k < w)
			break;
		k -= w;
	}
	fz_ops[i].fn(c);
}

static void *fz_thread(void *arg)
{
	struct fz_ctx *c = arg;
	__u64 t;

	fz_thread_setup(c, c->tidx);
	c->log->tid = gettid();
	while (!fz_stop()) {
		t = __atomic_fetch_add(&S->ticket, 1, __ATOMIC_RELAXED);
		if (S->iters && t >= S->iters)
			break;
		c->log->start = fz_now();
		fz_do_op(c);
		c->log->start = 0;
		c->nop++;
	}
	if (c->has_timer)
		timer_delete(c->timer);
	return NULL;
}

/*
 * The worker as nobody: it gets fds from the others and every call on
 * them must fail (EPERM; ENOTTY also for commands the fd does not know).
 */
static void fz_unpriv(struct fz_ctx *c)
{
	unsigned int i;
	struct fz_obj o;
	long ret;
	int fd;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		fz_out("# cannot become nobody: %s; the unprivileged worker idles",
		       strerror(errno));
		return;
	}
	fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		fz_violation(c, "nobody opened %s", PARTVISOR_DEVICE);
		close(fd);
	}
	while (!fz_stop()) {
		c->log->start = fz_now();
		fz_recv(c);
		switch (fz_below(&c->r, 6)) {
		case 0:
			op_send(c);
			break;
		case 1:
			fz_close_random(c, ~0U);
			break;
		case 2:
			op_stats_read(c);
			break;
		default:
			if (fz_get(c, KM(K_DEV) | KM(K_PART) | KM(K_VP), &o))
				break;
			i = fz_below(&c->r, I_UNKNOWN);
			memset(c->arg, 0, sizeof(c->arg));
			fz_note(c, "%s as nobody", fz_iocs[i].name);
			fz_count(C_UNPRIV_CALLS);
			ret = ioctl(o.fd, fz_iocs[i].cmd, c->arg);
			if (ret >= 0 || (errno != EPERM &&
					 ((fz_iocs[i].kinds & KM(o.kind)) ||
					  errno != ENOTTY)))
				fz_violation(c, "%s, %s fd, as nobody: %ld, %s, not EPERM",
					     fz_iocs[i].name,
					     fz_kind_names[o.kind], ret,
					     fz_ename(ret < 0 ? errno : 0));
			if (ret > 2 && fz_iocs[i].makes_fd)
				close(ret);
			fz_put(&o);
			break;
		}
		c->log->start = 0;
		c->nop++;
		usleep(2000);
	}
}

static void fz_worker(int index, int unpriv, int nthreads)
{
	struct sigaction sa = { .sa_handler = fz_sig };
	pthread_t th[FZ_MAX_THREADS];
	struct fz_ctx *ctx;
	int i, fd;

	P.index = index;
	P.unpriv = unpriv;
	pthread_mutex_init(&P.lock, NULL);
	/* No SA_RESTART: the timer's signal must end a RUN with EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	fz_pool_init();
	ctx = calloc(nthreads, sizeof(*ctx));
	if (!ctx) {
		fz_out("Bail out! no memory for the threads");
		_exit(PV_EXIT_FAIL);
	}
	for (i = 0; i < nthreads; i++) {
		ctx[i].tidx = i;
		ctx[i].log = &S->log[index][i];
		fz_rng_seed(&ctx[i].r, S->seed, 1 + index * 64 + i);
		snprintf(ctx[i].label, sizeof(ctx[i].label), "w%d.t%d",
			 index, i);
	}
	if (unpriv) {
		snprintf(ctx[0].label, sizeof(ctx[0].label), "nobody");
		fz_thread_setup(&ctx[0], 0);
		ctx[0].log->tid = gettid();
		fz_unpriv(&ctx[0]);
		fz_close_all();
		_exit(0);
	}
	fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fz_add(K_DEV, fd, NULL, 0)) {
		fz_out("Bail out! worker %d: open %s: %s", index,
		       PARTVISOR_DEVICE, strerror(errno));
		_exit(PV_EXIT_FAIL);
	}
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, fz_thread, &ctx[i]))
			th[i] = 0;
	fz_thread(&ctx[0]);
	for (i = 1; i < nthreads; i++)
		if (th[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < FZ_MAX_KIDS; i++) {
		if (!P.kids[i])
			continue;
		kill(P.kids[i], SIGKILL);
		if (fz_reap(&ctx[0], P.kids[i], 10 * NSEC, 1))
			fz_violation(&ctx[0], "forked child %d never ended",
				     P.kids[i]);
	}
	fz_close_all();
	_exit(0);
}

/* ----- the runner ----- */

static __u64 fz_env(const char *name, __u64 def)
{
	const char *v = getenv(name);
	char *end;
	__u64 n;

	if (!v || !*v)
		return def;
	n = strtoull(v, &end, 0);
	return *end ? def : n;
}

/* QEMU's emulated AMD-V: DMI says QEMU, the CPU AuthenticAMD with SVM. */
static int fz_qemu_svm(void)
{
	char vendor[64] = "";
	FILE *f;

	if (fz_info.vendor != PARTVISOR_VENDOR_SVM)
		return 0;
	f = fopen("/sys/class/dmi/id/sys_vendor", "r");
	if (f) {
		if (!fgets(vendor, sizeof(vendor), f))
			vendor[0] = '\0';
		fclose(f);
	}
	return !strncmp(vendor, "QEMU", 4);
}

/*
 * PV_FUZZ_AVOID, a list of known bugs to keep out of the way, so that a
 * run can look for others meanwhile (default under QEMU's AMD-V: the
 * emulator's, "cr8,tss"; elsewhere none):
 *   cr8   guests do not write CR8. QEMU 7.2's AMD-V aborts when a child
 *         writes CR8 while a virtual interrupt is pending
 *         (helper_write_crN() calls cpu_interrupt() without the iothread
 *         lock).
 *   tss   VP states have TR present and of type 9 (available), not 0xb:
 *         QEMU 7.2 aborts ("invalid tss type") when a child in legacy
 *         mode takes an interrupt or exception at CPL 3 with a busy TR,
 *         the type partvisor's INIT state and vp_modes.h give it.
 *   invalid  a VP whose state looks like the host's (what a failed VMRUN
 *         under QEMU leaves in the save area, which becomes the VP's) gets
 *         a fresh state before it runs again: such a VP ran off with a
 *         vCPU that took no interrupt any more.
 */
static void fz_avoid(void)
{
	const char *v = getenv("PV_FUZZ_AVOID");

	if (!v)
		v = fz_qemu_svm() ? "cr8,tss" : "";
	fz_no_cr8 = !!strstr(v, "cr8");
	fz_no_busy_tss = !!strstr(v, "tss");
	fz_no_host_state = !!strstr(v, "invalid");
	if (*v)
		printf("# PV_FUZZ_AVOID=%s: known bugs kept out of the way\n", v);
}

static void fz_alarm(int sig)
{
	(void)sig;
}

/* Skip unless partitions can be made; find out whether VPs can run. */
static int fz_setup(void)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_create_vp cv = { 0 };
	struct sigaction sa = { .sa_handler = fz_alarm };
	struct partvisor_run r = { 0 };
	int dev = pv_open_or_skip(), part, vp;

	if (ioctl(dev, PARTVISOR_GET_INFO, &fz_info)) {
		printf("Bail out! GET_INFO: %s\n", strerror(errno));
		exit(PV_EXIT_FAIL);
	}
	part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	if (part < 0)
		pv_skip_all("no partitions here (hypervisor not launched)");
	vp = ioctl(part, PARTVISOR_CREATE_VP, &cv);
	fz_can_run = 1;
	if (vp >= 0) {
		/* A VP at its reset vector, no memory: an MMIO exit. */
		sigaction(SIGALRM, &sa, NULL);
		alarm(5);
		if (ioctl(vp, PARTVISOR_RUN_VP, &r) && errno == EOPNOTSUPP)
			fz_can_run = 0;
		alarm(0);
		close(vp);
	}
	close(part);
	return dev;
}

static void fz_print_stacks(pid_t tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stack", tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		fz_out("#     %s", line);
	}
	fclose(f);
}

static void fz_report_busy(int nprocs, __u64 now, __u64 older_than)
{
	int w, t;

	for (w = 0; w < nprocs; w++) {
		for (t = 0; t <= FZ_MAX_THREADS; t++) {
			struct fz_tlog *l = &S->log[w][t];
			__u64 start = l->start;

			if (!start || now < start || now - start < older_than)
				continue;
			fz_out("#   w%d.%s%d (tid %d) busy for %llu s in: %s", w,
			       t == FZ_MAX_THREADS ? "kid" : "t",
			       t == FZ_MAX_THREADS ? 0 : t, l->tid,
			       (unsigned long long)((now - start) / NSEC),
			       l->what);
			fz_print_stacks(l->tid);
		}
	}
}

/* Wait for the workers; a hang is reported and ends the wait. */
static int fz_wait(pid_t *pids, int nprocs)
{
	int left = nprocs, failed = 0, st, i;
	__u64 now, killed = 0, stuck = 0;
	pid_t w;

	while (left) {
		usleep(100000);
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			for (i = 0; i < nprocs; i++)
				if (pids[i] == w)
					break;
			if (i == nprocs)
				continue;
			pids[i] = 0;
			left--;
			if (WIFSIGNALED(st) && !killed) {
				fz_out("# worker %d died of signal %d", i,
				       WTERMSIG(st));
				failed = 1;
			} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
				fz_out("# worker %d exited with %d", i,
				       WEXITSTATUS(st));
				failed = 1;
			}
		}
		now = fz_now();
		if (!stuck && !killed) {
			for (i = 0; i < nprocs && !stuck; i++) {
				int t;

				for (t = 0; t <= FZ_MAX_THREADS; t++) {
					__u64 s = S->log[i][t].start;

					if (s && now > s && now - s > FZ_STUCK_NS)
						stuck = now;
				}
			}
			if (stuck) {
				fz_out("# a thread is stuck for %llu s in one operation:",
				       FZ_STUCK_NS / NSEC);
				fz_report_busy(nprocs, now, FZ_STUCK_NS);
				__atomic_store_n(&S->stop, 1, __ATOMIC_RELAXED);
				failed = 1;
			}
		}
		/* A stuck thread gets a little longer, then it all ends. */
		if (!killed && (now > S->deadline + FZ_GRACE_NS ||
				(stuck && now > stuck + 10 * NSEC))) {
			if (!stuck) {
				fz_out("# workers still running %llu s after the deadline:",
				       FZ_GRACE_NS / NSEC);
				fz_report_busy(nprocs, now, 0);
				failed = 1;
			}
			for (i = 0; i < nprocs; i++)
				if (pids[i])
					kill(pids[i], SIGKILL);
			killed = now;
		}
		if (killed && now > killed + 15 * NSEC) {
			fz_out("# %d workers did not end after SIGKILL", left);
			return 1;
		}
	}
	return failed;
}

/* Everything closed: no partition, VP or pinned page may remain. */
static int fz_leftovers(int dev, char *why, size_t len)
{
	__u64 end = fz_now() + 10 * NSEC;
	long long parts, vps, pinned;
	unsigned int n;

	for (;;) {
		n = pv_nr_partitions(dev);
		parts = pv_file_value(PV_DEBUGFS "/hypervisor", "partitions");
		vps = pv_file_value(PV_DEBUGFS "/hypervisor", "vps");
		pinned = pv_file_value(PV_DEBUGFS "/hypervisor", "pinned_pages");
		if (!n && parts <= 0 && vps <= 0 && pinned <= 0)
			return 0;
		if (fz_now() > end)
			break;
		usleep(100000);
	}
	snprintf(why, len, "%u partitions listed; debugfs: %lld partitions, %lld vps, %lld pinned",
		 n, parts, vps, pinned);
	return 1;
}

static int fz_cmp_desc(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

static void fz_summary(__u64 elapsed)
{
	__u64 sorted[FZ_NR_ERRNO][2];
	char line[900];
	unsigned int i, n;
	size_t len;

	fz_out("# %llu operations in %llu s (%d processes x %d threads, and nobody), seed %llu",
	       (unsigned long long)(S->iters && S->ticket > S->iters ?
				    S->iters : S->ticket),
	       (unsigned long long)(elapsed / NSEC), fz_nprocs, fz_nthreads,
	       (unsigned long long)S->seed);
	fz_out("# ioctls (calls / succeeded):");
	for (i = 0; i < FZ_NR_IOC; i++)
		fz_out("#   %-18s %8llu / %llu", fz_iocs[i].name,
		       (unsigned long long)S->calls[i],
		       (unsigned long long)S->ok[i]);
	for (n = 0, i = 1; i < FZ_NR_ERRNO; i++) {
		if (!S->errs[i])
			continue;
		sorted[n][0] = S->errs[i];
		sorted[n++][1] = i;
	}
	qsort(sorted, n, sizeof(sorted[0]), fz_cmp_desc);
	len = snprintf(line, sizeof(line), "# errnos:");
	for (i = 0; i < n && i < 16 && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %s %llu",
				fz_ename(sorted[i][1]),
				(unsigned long long)sorted[i][0]);
	fz_out("%s", line);
	len = snprintf(line, sizeof(line), "# exits:");
	for (i = 1; i < FZ_NR_EXITS && len < sizeof(line); i++) {
		if (!S->exits[i])
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %s %llu",
				i < ARRAY_SIZE(fz_exit_names) ?
				fz_exit_names[i] : "?",
				(unsigned long long)S->exits[i]);
	}
	if (S->exits[0])
		snprintf(line + len, sizeof(line) - len, " unknown %llu",
			 (unsigned long long)S->exits[0]);
	fz_out("%s", line);
	len = snprintf(line, sizeof(line), "# UNSUPPORTED vendor codes:");
	for (i = 0; i < FZ_NR_CODES && S->codes[i] && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %#llx (%llu)",
				(unsigned long long)S->codes[i] - 1,
				(unsigned long long)S->code_hits[i]);
	if (S->codes[0])
		fz_out("%s", line);
	for (i = 0; i < C_NR; i++)
		fz_out("# %s: %llu", fz_cnt_names[i],
		       (unsigned long long)S->cnt[i]);
	if (S->invalid_moved)
		fz_out("# note: %llu INVALID_STATE exits moved the VP's RIP, first: %s",
		       (unsigned long long)S->invalid_moved, S->invalid_why);
	if (S->readback_refused)
		fz_out("# note: %llu states read back that SET_VP_STATE would refuse, first: %s",
		       (unsigned long long)S->readback_refused,
		       S->readback_why);
}

int main(void)
{
	int nprocs, nthreads, socks[FZ_MAX_PROCS + 1][2], failed, i, j, dev;
	pid_t pids[FZ_MAX_PROCS + 1];
	__u64 seed, secs, start, timeout;

	failed = 0;
	char why[200], mode[32] = "?";
	FILE *f;

	seed = fz_env("PV_FUZZ_SEED", 0);
	if (!getenv("PV_FUZZ_SEED")) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (ts.tv_sec * NSEC + ts.tv_nsec) ^ ((__u64)getpid() << 32);
	}
	/* Fit in run_tests.sh's limit for one test (PV_TEST_TIMEOUT). */
	timeout = fz_env("PV_TEST_TIMEOUT", 300);
	secs = fz_env("PV_FUZZ_SECONDS", 0);
	if (!secs)
		secs = timeout > 300 ? 240 : timeout > 70 ? timeout - 60 : 10;
	nprocs = fz_env("PV_FUZZ_PROCS", 2);
	nthreads = fz_env("PV_FUZZ_THREADS", 3);
	if (nprocs < 1 || nprocs > FZ_MAX_PROCS - 1)
		nprocs = nprocs < 1 ? 1 : FZ_MAX_PROCS - 1;
	if (nthreads < 1 || nthreads > FZ_MAX_THREADS)
		nthreads = nthreads < 1 ? 1 : FZ_MAX_THREADS;
	fz_nprocs = nprocs;
	fz_nthreads = nthreads;

	fz_probe_user_top();
	/* Skips print their own TAP header. */
	dev = fz_setup();
	printf("TAP version 13\n");
	printf("# seed %llu: rerun with PV_FUZZ_SEED=%llu\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	fz_classic = fz_info.sched_mode == PARTVISOR_SCHED_CLASSIC;
	f = fopen("/sys/module/partvisor/parameters/sched", "r");
	if (f) {
		if (fgets(mode, sizeof(mode), f))
			mode[strcspn(mode, "\n")] = 0;
		fclose(f);
	}
	fz_avoid();
	if (fz_can_run && !fz_env("PV_FUZZ_RUN", 1)) {
		fz_can_run = 0;
		printf("# PV_FUZZ_RUN=0: guests are built but not run\n");
	}
	if (fz_can_run && pv_bochs_amd()) {
		/* A triple fault stops the whole emulator there. */
		fz_can_run = 0;
		printf("# Bochs AMD-V: guests are built but not run\n");
	}
	printf("1..2\n");
	printf("# %s, %u CPUs, %s scheduler (sched=%s), RUN %s; %llu s, %llu ops max, %d x %d\n",
	       fz_info.vendor == PARTVISOR_VENDOR_SVM ? "AMD-V" :
	       fz_info.vendor == PARTVISOR_VENDOR_VMX ? "VT-x" : "no extension",
	       fz_info.nr_cpus, fz_classic ? "classic" : "root", mode,
	       fz_can_run ? "used" : "not used",
	       (unsigned long long)secs,
	       (unsigned long long)fz_env("PV_FUZZ_ITERS", 0), nprocs,
	       nthreads);
	fflush(stdout);

	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED) {
		printf("Bail out! no shared memory\n");
		return PV_EXIT_FAIL;
	}
	memset(S, 0, sizeof(*S));
	S->seed = seed;
	S->iters = fz_env("PV_FUZZ_ITERS", 0);
	S->verbose = fz_env("PV_FUZZ_VERBOSE", 0);
	start = fz_now();
	S->deadline = start + secs * NSEC;

	/* A ring of sockets: worker i sends to worker i + 1. */
	for (i = 0; i <= nprocs; i++)
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, socks[i])) {
			printf("Bail out! socketpair: %s\n", strerror(errno));
			return PV_EXIT_FAIL;
		}
	for (i = 0; i <= nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fz_out("# fork: %s", strerror(errno));
			__atomic_store_n(&S->stop, 1, __ATOMIC_RELAXED);
			failed = 1;
			break;
		}
		if (pids[i])
			continue;
		close(dev);
		P.sock_out = socks[i][0];
		P.sock_in = socks[(i + nprocs) % (nprocs + 1)][1];
		for (j = 0; j <= nprocs; j++) {
			if (socks[j][0] != P.sock_out)
				close(socks[j][0]);
			if (socks[j][1] != P.sock_in)
				close(socks[j][1]);
		}
		fz_worker(i, i == nprocs, i == nprocs ? 1 : nthreads);
	}
	for (i = 0; i <= nprocs; i++) {
		close(socks[i][0]);
		close(socks[i][1]);
	}
	failed |= fz_wait(pids, i);
	fz_summary(fz_now() - start);
	if (S->violations)
		fz_out("# %llu violations of the documented ABI (first 40 above)",
		       (unsigned long long)S->violations);
	failed |= !!S->violations;
	printf("%sok 1 - fuzz: %llu operations, %s\n", failed ? "not " : "",
	       (unsigned long long)(S->iters && S->ticket > S->iters ?
				    S->iters : S->ticket),
	       failed ? "see the report above" :
	       "no violation, no crash, no hang");
	fflush(stdout);
	if (fz_leftovers(dev, why, sizeof(why))) {
		printf("not ok 2 - left behind after every fd was closed: %s\n",
		       why);
		failed = 1;
	} else {
		printf("ok 2 - no partition, VP or pinned page left behind\n");
	}
	close(dev);
	return failed ? PV_EXIT_FAIL : PV_EXIT_PASS;
}
