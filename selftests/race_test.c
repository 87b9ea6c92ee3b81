// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent use of /dev/partvisor: many threads opening, querying and
 * closing at once, and an fd closed while other threads are inside an
 * ioctl on it. Every call must end in success or a clean EBADF.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "pv_test.h"

#define NR_THREADS	4

static unsigned int iterations = 1000;
static atomic_uint churn_failures;
static int shared_fd;
static atomic_uint shared_calls[NR_THREADS];
static atomic_uint shared_bad;

static void *churn(void *unused)
{
	struct partvisor_info info;
	unsigned int i;
	int fd;

	(void)unused;
	for (i = 0; i < iterations; i++) {
		fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			churn_failures++;
			continue;
		}
		if (ioctl(fd, PARTVISOR_GET_INFO, &info) ||
		    info.abi_version != PARTVISOR_ABI_VERSION)
			churn_failures++;
		if (close(fd))
			churn_failures++;
	}
	return NULL;
}

/* Query the shared fd until it is closed under us. */
static void *hammer(void *arg)
{
	unsigned int id = (unsigned int)(long)arg;
	struct partvisor_info info;

	for (;;) {
		if (ioctl(shared_fd, PARTVISOR_GET_INFO, &info) == 0) {
			shared_calls[id]++;
			continue;
		}
		if (errno != EBADF)
			shared_bad++;
		return NULL;
	}
}

static int run_threads(void *(*fn)(void *), pthread_t *tids)
{
	long i;

	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&tids[i], NULL, fn, (void *)i))
			return -1;
	return 0;
}

static void join_threads(pthread_t *tids)
{
	int i;

	for (i = 0; i < NR_THREADS; i++)
		pthread_join(tids[i], NULL);
}

static int children_query(int fd)
{
	struct partvisor_info info;
	int i, status, failed = 0;
	pid_t pid;

	for (i = 0; i < NR_THREADS; i++) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			unsigned int n;

			for (n = 0; n < iterations; n++)
				if (ioctl(fd, PARTVISOR_GET_INFO, &info))
					_exit(1);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	return failed;
}

int main(int argc, char **argv)
{
	pthread_t tids[NR_THREADS];
	unsigned int i, min_calls;
	int fd, ret;

	if (argc > 1)
		iterations = strtoul(argv[1], NULL, 0);
	fd = pv_open_or_skip();
	close(fd);
	pv_plan(5);

	ret = run_threads(churn, tids);
	if (!ret)
		join_threads(tids);
	pv_check(!ret && churn_failures == 0,
		 "%d threads x %u open/GET_INFO/close: %u failures",
		 NR_THREADS, iterations, churn_failures);

	shared_fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	ret = shared_fd < 0 ? -1 : run_threads(hammer, tids);
	if (ret) {
		printf("Bail out! cannot start the shared-fd threads\n");
		return PV_EXIT_FAIL;
	}
	/* Close only once every thread is demonstrably inside its loop. */
	do {
		min_calls = iterations;
		for (i = 0; i < NR_THREADS; i++)
			if (shared_calls[i] < min_calls)
				min_calls = shared_calls[i];
	} while (min_calls < 100 && min_calls < iterations);
	ret = close(shared_fd);
	join_threads(tids);
	pv_check(ret == 0, "closing an fd in use by %d threads", NR_THREADS);
	pv_check(shared_bad == 0,
		 "calls on the closing fd end in success or EBADF (%u other)",
		 shared_bad);

	fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	ret = fd < 0 ? -1 : children_query(fd);
	pv_check(ret == 0, "%d processes sharing one fd: %d failed",
		 NR_THREADS, ret);
	pv_check(fd >= 0 && close(fd) == 0 &&
		 (fd = open(PARTVISOR_DEVICE, O_RDWR)) >= 0 && close(fd) == 0,
		 "the device opens and closes normally afterwards");
	return pv_finish();
}
