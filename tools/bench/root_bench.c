// SPDX-License-Identifier: GPL-2.0
/*
 * root_bench: what the root partition pays for being one. Times three
 * workloads that cause no intercept by design — a syscall loop, a pipe
 * ping-pong between two CPUs (context switches and wake-up IPIs) and an
 * integer loop — plus CPUID, which is intercepted. Prints one
 * "name: ns_per_op" line each; compare runs from the same boot.
 *
 * usage: root_bench [-s SCALE]   (SCALE multiplies the iteration counts)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double bench_syscall(long n)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / n;
}

/* One round trip = two pipe writes, two reads, two cross-CPU wake-ups. */
static double bench_pingpong(long n)
{
	int ab[2], ba[2];
	double t0;
	char c = 0;
	pid_t pid;
	long i;

	if (pipe(ab) || pipe(ba))
		return -1;
	pid = fork();
	if (pid == 0) {
		pin(1);
		for (i = 0; i < n; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	pin(0);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return -1;
	t0 = (now_ns() - t0) / n;
	waitpid(pid, NULL, 0);
	return t0;
}

static double bench_integer(long n)
{
	double t0 = now_ns();
	uint64_t x = 1;
	long i;

	/* The empty asm keeps the compiler from folding the loop away. */
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		asm volatile("" : "+r"(x));
	}
	return (now_ns() - t0) / n;
}

static double bench_cpuid(long n)
{
	unsigned int a, b, c, d;
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		__cpuid(0, a, b, c, d);
	return (now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	long scale = 1;

	if (argc == 3 && !strcmp(argv[1], "-s"))
		scale = strtol(argv[2], NULL, 0);
	if (scale < 1) {
		fprintf(stderr, "usage: root_bench [-s SCALE]\n");
		return 2;
	}
	pin(0);
	printf("syscall_ns: %.1f\n", bench_syscall(200000 * scale));
	printf("pingpong_ns: %.1f\n", bench_pingpong(5000 * scale));
	printf("integer_ns: %.3f\n", bench_integer(20000000 * scale));
	printf("cpuid_ns: %.1f\n", bench_cpuid(2000 * scale));
	return 0;
}
