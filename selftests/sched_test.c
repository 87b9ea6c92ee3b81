// SPDX-License-Identifier: GPL-2.0
/*
 * The partition scheduler from user space. In classic mode, CPU-bound
 * VPs (each a real-mode "sti; jmp $") share pinned LPs while the test
 * measures their run time from the per-VP debugfs counters over a window:
 * weights 100 and 300 on one LP, a 50 % limit alone on another, a 30 %
 * reserve on a third against two heavy VPs and a root CPU hog at nice
 * -20; pinned VPs never migrate; wait time per dispatch grows when more
 * VPs share an LP; an LP's CPU refuses to go offline. In either mode,
 * SET_SCHED/GET_SCHED's checks (in root mode only the defaults are
 * accepted, EOPNOTSUPP otherwise), and wait per dispatch growing with
 * VPs per LP (in root mode with the VMM threads pinned to one CPU).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pv_test.h"
#include "../tools/lib/module_param.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM		0x4000
#define CODE		0x1000
#define WINDOW_MS	3000

struct spinner {
	struct pv_guest g;
	pthread_t thread;
	int running;
	int cpu;			/* root mode: its thread's CPU, or -1 */
	long long run0, wait0, disp0;
	long long run, wait, disp;	/* over the window */
};

static atomic_int pv_stop;

static void on_signal(int sig)
{
	(void)sig;
}

static int set_sched(int part, __u32 vp, __u32 set, __u32 weight,
		     __u32 reserve, __u32 limit, int lp)
{
	struct partvisor_sched_params a = { .vp = vp, .set = set };

	a.weight = weight;
	a.reserve = reserve;
	a.limit = limit;
	a.slice_us = PARTVISOR_SCHED_SLICE_DEFAULT_US;
	a.node = PARTVISOR_SCHED_NODE_NONE;
	if (lp >= 0)
		a.affinity[lp / 64] = 1ULL << (lp % 64);
	return ioctl(part, PARTVISOR_SET_SCHED, &a);
}

/* Nothing made yet: what spinners_stop() may free. */
static void spinner_init(struct spinner *s)
{
	memset(s, 0, sizeof(*s));
	s->cpu = -1;
	s->g.part = -1;
	s->g.vp = -1;
	s->g.mem = MAP_FAILED;
}

/* A partition with one VP spinning in real mode, with this policy. */
static int spinner_new(int dev, struct spinner *s, __u32 weight,
		       __u32 reserve, __u32 limit, int lp)
{
	/*
	 * sti; jmp $. With IF clear, Bochs 2.7's AMD-V masks physical
	 * interrupts by the child's IF despite V_INTR_MASKING, and a
	 * spinning child keeps the CPU for good.
	 */
	static const unsigned char spin[] = { 0xfb, 0xeb, 0xfe };
	struct partvisor_vp_state st;

	spinner_init(s);
	if (pv_guest_new(dev, &s->g, MEM, CODE, spin, sizeof(spin)))
		return -1;
	if (ioctl(s->g.vp, PARTVISOR_GET_VP_STATE, &st))
		return -1;
	pv_state_real(&st, 0, CODE, 0xff0);
	if (ioctl(s->g.vp, PARTVISOR_SET_VP_STATE, &st))
		return -1;
	return set_sched(s->g.part, PARTVISOR_SCHED_PARTITION,
			 PARTVISOR_SCHED_SET_ALL, weight, reserve, limit, lp);
}

static void *spinner_run(void *arg)
{
	struct spinner *s = arg;
	struct partvisor_run r;
	cpu_set_t set;

	if (s->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	/* RUN only ends by a signal: the VP never exits to its VMM. */
	while (!pv_stop) {
		memset(&r, 0, sizeof(r));
		if (!ioctl(s->g.vp, PARTVISOR_RUN_VP, &r) || errno != EINTR)
			break;
	}
	return NULL;
}

static void spinner_start(struct spinner *s)
{
	s->running = !pthread_create(&s->thread, NULL, spinner_run, s);
}

static void spinner_sample(struct spinner *s, int end)
{
	long long run = pv_vp_counter(s->g.id, 0, "sched_run_ns");
	long long wait = pv_vp_counter(s->g.id, 0, "sched_wait_ns");
	long long disp = pv_vp_counter(s->g.id, 0, "sched_dispatches");

	if (!end) {
		s->run0 = run;
		s->wait0 = wait;
		s->disp0 = disp;
		return;
	}
	s->run = run - s->run0;
	s->wait = wait - s->wait0;
	s->disp = disp - s->disp0;
}

static void spinners_stop(struct spinner *s, unsigned int n)
{
	unsigned int i;

	pv_stop = 1;
	for (i = 0; i < n; i++) {
		/* Signal until the thread is gone: RUN may be re-entered. */
		while (s[i].running && pthread_tryjoin_np(s[i].thread, NULL)) {
			pthread_kill(s[i].thread, SIGUSR1);
			usleep(1000);
		}
		pv_guest_free(&s[i].g);
	}
	pv_stop = 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run all @n spinners and measure them over WINDOW_MS: the window in ns. */
static long long measure(struct spinner *s, unsigned int n)
{
	unsigned int i;
	long long t0;

	for (i = 0; i < n; i++)
		spinner_start(&s[i]);
	/* Let placement and the first period settle before measuring. */
	usleep(300000);
	for (i = 0; i < n; i++)
		spinner_sample(&s[i], 0);
	t0 = now_ns();
	usleep(WINDOW_MS * 1000);
	for (i = 0; i < n; i++)
		spinner_sample(&s[i], 1);
	return now_ns() - t0;
}

static atomic_int hog_stop;

/* Root work on one CPU at the highest nice priority. */
static void *hog(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	setpriority(PRIO_PROCESS, 0, -20);
	while (!hog_stop)
		;
	return NULL;
}

enum { W100, W300, LIMIT50, RES30, HEAVY1, HEAVY2, NR_SHARE };

static void test_shares(int dev)
{
	struct spinner s[NR_SHARE];
	double w, lim, res, heavy;
	pthread_t h;
	long long win, mig = 0;
	unsigned int i;
	int ok;

	for (i = 0; i < NR_SHARE; i++)
		spinner_init(&s[i]);
	ok = !spinner_new(dev, &s[W100], 100, 0, 100, 1) &&
	     !spinner_new(dev, &s[W300], 300, 0, 100, 1) &&
	     !spinner_new(dev, &s[LIMIT50], 100, 0, 50, 2) &&
	     !spinner_new(dev, &s[RES30], 1, 30, 100, 3) &&
	     !spinner_new(dev, &s[HEAVY1], 10000, 0, 100, 3) &&
	     !spinner_new(dev, &s[HEAVY2], 10000, 0, 100, 3);
	if (!pv_check(ok, "set up 6 spinning VPs pinned to LPs 1-3 (%s)",
		      ok ? "ok" : strerror(errno))) {
		spinners_stop(s, NR_SHARE);
		return;
	}
	hog_stop = 0;
	pthread_create(&h, NULL, hog, (void *)3L);
	win = measure(s, NR_SHARE);
	hog_stop = 1;
	pthread_join(h, NULL);
	for (i = 0; i < NR_SHARE; i++)
		mig += pv_vp_counter(s[i].g.id, 0, "sched_migrations");

	w = (double)s[W300].run / (s[W100].run + s[W300].run);
	pv_check(w >= 0.70 && w <= 0.80,
		 "weights 100/300 on one LP: %.1f%%/%.1f%% of their time (25/75 +-5)",
		 100 * (1 - w), 100 * w);
	lim = (double)s[LIMIT50].run / win;
	pv_check(lim >= 0.47 && lim <= 0.53,
		 "a 50%% limit alone on an LP: %.1f%% (50 +-3)", 100 * lim);
	res = (double)s[RES30].run / win;
	heavy = (double)(s[HEAVY1].run + s[HEAVY2].run) / win;
	pv_check(res >= 0.27,
		 "a 30%% reserve against two weight-10000 VPs and a nice -20 root hog: %.1f%% (the heavy VPs %.1f%%)",
		 100 * res, 100 * heavy);
	pv_check(mig == 0 && s[W100].disp > 0 && s[LIMIT50].disp > 0 &&
		 s[RES30].disp > 0,
		 "affinity: VPs pinned to an LP never migrate (%lld migrations)",
		 mig);
	spinners_stop(s, NR_SHARE);
}

static int rt_runtime(const char *val, char *old, size_t len)
{
	const char *path = "/proc/sys/kernel/sched_rt_runtime_us";
	ssize_t n = 0;
	int fd;

	if (old) {
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, old, len - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return -1;
		old[n] = '\0';
	}
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n > 0 ? 0 : -1;
}

/* Root work on one CPU for WINDOW_MS: the share of the CPU it got. */
static void *root_work(void *arg)
{
	double *share = arg;
	struct timespec c0, c1;
	long long t0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(3, &set);
	sched_setaffinity(0, sizeof(set), &set);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	t0 = now_ns();
	while (now_ns() - t0 < WINDOW_MS * 1000000LL)
		;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	*share = ((c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec)) /
		 (now_ns() - t0);
	return NULL;
}

/*
 * The root's floor: a reserve above 100 % minus root_floor is refused,
 * and with the largest reserve spinning on every LP (dispatch threads
 * SCHED_FIFO while it is owed, Linux's RT throttling off) a root task
 * still gets a share of its CPU. It competes as an ordinary task with
 * the dispatch thread in the floor, so it gets about half of it; without
 * the floor it would get nothing.
 */
static void test_floor(int dev)
{
	int floor = pv_module_param_int("root_floor");
	int max = 100 - floor, ok, err;
	struct spinner s[4], t;
	char old[32] = "";
	double share = -1;
	pthread_t w;
	unsigned int i;

	spinner_init(&t);
	ok = floor > 0 && spinner_new(dev, &t, 100, max + 1, 100, 1) &&
	     errno == ENOSPC;
	err = errno;
	pv_guest_free(&t.g);
	pv_check(ok, "a %d%% reserve with root_floor=%d: ENOSPC (%s)",
		 max + 1, floor, strerror(err));
	for (i = 0; i < 4; i++)
		spinner_init(&s[i]);
	for (i = 0, ok = floor > 0; ok && i < 4; i++)
		ok = !spinner_new(dev, &s[i], 100, max, 100, i);
	if (ok && rt_runtime("-1", old, sizeof(old)))
		ok = 0;
	if (!pv_check(ok, "%d%% reserves spinning on LPs 0-3 (%s)", max,
		      ok ? "ok" : strerror(errno))) {
		spinners_stop(s, 4);
		return;
	}
	for (i = 0; i < 4; i++)
		spinner_start(&s[i]);
	usleep(300000);
	pthread_create(&w, NULL, root_work, &share);
	pthread_join(w, NULL);
	spinners_stop(s, 4);
	rt_runtime(old, NULL, 0);
	pv_check(share >= floor / 4.0 / 100,
		 "a root task on CPU 3 got %.1f%% of it (at least %.2f%%: half the %d%% floor, with a margin)",
		 100 * share, floor / 4.0, floor);
}

/*
 * Wait per dispatch on LP 1 with @n spinners there, in ns, or -1: pinned
 * there by the scheduler's affinity in classic mode, by their threads'
 * in root mode, where Linux schedules the VMM threads (on CPU 0 when it
 * is the only one).
 */
static double wait_per_dispatch(int dev, unsigned int n, int classic)
{
	struct spinner s[4];
	long long wait = 0, disp = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		spinner_init(&s[i]);
	for (i = 0; i < n; i++) {
		if (spinner_new(dev, &s[i], 100, 0, 100, classic ? 1 : -1)) {
			spinners_stop(s, n);
			return -1;
		}
		if (!classic)
			s[i].cpu = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	}
	measure(s, n);
	for (i = 0; i < n; i++) {
		wait += s[i].wait;
		disp += s[i].disp;
	}
	spinners_stop(s, n);
	return disp ? (double)wait / disp : -1;
}

/*
 * Three CPU-bound VPs on one LP wait for each other's slices: at least
 * classic mode's 10 ms default slice, or in root mode a millisecond of
 * Linux's (its slices there are a few ms).
 */
static void test_wait(int dev, int classic)
{
	double one = wait_per_dispatch(dev, 1, classic);
	double three = wait_per_dispatch(dev, 3, classic);

	pv_check(one >= 0 && three > one && three >= (classic ? 10e6 : 1e6),
		 "%s: wait per dispatch grows with VPs per LP: 1 VP %.3f ms, 3 VPs %.3f ms",
		 classic ? "classic" : "root mode", one / 1e6, three / 1e6);
}

/*
 * A partition-wide 60% reserve on LP 2 fits its VP 0 but not VP 1 as
 * well: ENOSPC, and VP 0 gives its 60% back, so that another partition
 * gets 50% of LP 2 afterwards.
 */
static void test_undo(int dev)
{
	struct partvisor_create_vp cv = { .vp_index = 1 };
	int vp1 = -1, ret, err = 0, ok;
	struct spinner t, u;

	spinner_init(&u);
	ret = spinner_new(dev, &t, 100, 0, 100, 2);
	if (!ret)
		vp1 = ioctl(t.g.part, PARTVISOR_CREATE_VP, &cv);
	if (vp1 >= 0) {
		ret = set_sched(t.g.part, PARTVISOR_SCHED_PARTITION,
				PARTVISOR_SCHED_SET_ALL, 100, 60, 100, 2);
		err = errno;
	}
	ok = vp1 >= 0 && ret && err == ENOSPC &&
	     !spinner_new(dev, &u, 100, 50, 100, 2);
	pv_check(ok, "60%% on LP 2 for two VPs: ENOSPC, and the first VP's 60%% is given back");
	if (vp1 >= 0)
		close(vp1);
	pv_guest_free(&u.g);
	pv_guest_free(&t.g);
}

/* SET_SCHED's checks, and GET_SCHED showing what was set. */
static void test_checks(int dev, int classic)
{
	struct partvisor_sched_params a = { .vp = PARTVISOR_SCHED_PARTITION };
	struct spinner s, t;
	int ret;

	if (!pv_check(!spinner_new(dev, &s, 100, 0, 100, -1),
		      "a partition with default policy")) {
		pv_guest_free(&s.g);
		return;
	}
	errno = 0;
	pv_check(set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_WEIGHT, 0, 0,
			   100, -1) && errno == EINVAL &&
		 set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_WEIGHT, 10001, 0,
			   100, -1) && errno == EINVAL &&
		 set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_LIMIT, 100, 0, 0,
			   -1) && errno == EINVAL &&
		 set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_RESERVE, 100, 101,
			   100, -1) && errno == EINVAL,
		 "weight 0 and 10001, limit 0, reserve 101: EINVAL");
	a.set = PARTVISOR_SCHED_SET_WEIGHT;
	a.weight = 100;
	a.reserved[0] = 1;
	pv_check(ioctl(s.g.part, PARTVISOR_SET_SCHED, &a) && errno == EINVAL,
		 "reserved fields: EINVAL");
	pv_check(set_sched(s.g.part, 7, PARTVISOR_SCHED_SET_WEIGHT, 200, 0,
			   100, -1) && errno == ENOENT, "a VP that does not exist: ENOENT");
	pv_check(!set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_WEIGHT, 100, 0,
			    100, -1), "the default weight is always accepted");
	ret = set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_WEIGHT, 200, 0, 100,
			-1);
	if (!classic) {
		pv_check(ret && errno == EOPNOTSUPP,
			 "root mode: weight 200 refused with EOPNOTSUPP");
		pv_guest_free(&s.g);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.vp = 0;
	if (!ret)
		ret = ioctl(s.g.part, PARTVISOR_GET_SCHED, &a);
	pv_check(!ret && a.weight == 200 && a.set == PARTVISOR_SCHED_SET_WEIGHT &&
		 a.limit == 100,
		 "GET_SCHED: the VP's own weight 200, the partition's limit (%u, set %#x)",
		 a.weight, a.set);
	pv_check(set_sched(s.g.part, 0, PARTVISOR_SCHED_SET_ALL, 100, 60, 50,
			   -1) && errno == EINVAL, "reserve above limit: EINVAL");
	memset(&a, 0, sizeof(a));
	a.vp = PARTVISOR_SCHED_PARTITION;
	a.set = PARTVISOR_SCHED_SET_AFFINITY;
	a.affinity[PARTVISOR_SCHED_MAX_LPS / 64 - 1] = 1ULL << 63;
	pv_check(ioctl(s.g.part, PARTVISOR_SET_SCHED, &a) && errno == EINVAL,
		 "an affinity with no LP that exists: EINVAL");
	pv_check(!set_sched(s.g.part, PARTVISOR_SCHED_PARTITION,
			    PARTVISOR_SCHED_SET_ALL, 100, 60, 100, 1),
		 "a 60%% reserve on LP 1 is admitted");
	ret = spinner_new(dev, &t, 100, 50, 100, 1);
	pv_check(ret && errno == ENOSPC,
		 "another 50%% on LP 1 is not: ENOSPC");
	pv_guest_free(&t.g);
	pv_guest_free(&s.g);
	ret = spinner_new(dev, &t, 100, 50, 100, 1);
	pv_check(!ret, "...until the first partition is gone");
	pv_guest_free(&t.g);
	test_undo(dev);
}

/* The LPs are fixed at load: taking one offline is refused. */
static void test_offline(void)
{
	const char *path = "/sys/devices/system/cpu/cpu3/online";
	ssize_t n = -1;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		n = write(fd, "0", 1);
		err = errno;
		close(fd);
	} else {
		err = errno;
	}
	pv_check(n < 0 && err == EBUSY &&
		 pv_file_value(PV_DEBUGFS "/lp/3", "sched_lp") == 3,
		 "an LP's CPU cannot go offline: %s", strerror(err));
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int dev = pv_open_vps_or_skip();
	struct partvisor_info info;
	int classic;

	if (ioctl(dev, PARTVISOR_GET_INFO, &info))
		pv_skip_all("no GET_INFO");
	classic = info.sched_mode == PARTVISOR_SCHED_CLASSIC;
	sigaction(SIGUSR1, &sa, NULL);
	if (classic && sysconf(_SC_NPROCESSORS_ONLN) < 4)
		pv_skip_all("classic mode needs 4 LPs here");
	pv_plan(classic ? 22 : 7);
	test_checks(dev, classic);
	if (classic) {
		test_shares(dev);
		test_floor(dev);
	}
	test_wait(dev, classic);
	if (classic)
		test_offline();
	return pv_finish();
}
