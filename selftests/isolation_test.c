// SPDX-License-Identifier: GPL-2.0
/*
 * Two partitions with two VPs each run at the same time, one VMM thread
 * per VP. Each partition's memory starts filled with its own pattern; its
 * VPs check, over and over, that a whole page still holds exactly that
 * pattern, count their rounds in their own slot and report each round with
 * an OUT. Afterwards every slot must hold its VP's count and pattern and
 * nothing else may have changed: a partition sees only its own memory, and
 * its VPs' work is not lost or mixed up with the other partition's.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define NR_PARTS	2
#define NR_VPS		2
#define MEM_SIZE	0x10000
#define CODE		0x1000
#define CHECKED		0x3000	/* the page the VPs check */
#define SLOTS		0x4000	/* one 16-byte slot per VP */
#define ROUNDS		300
#define PORT_ROUND	0x21
#define PORT_BAD	0x20

/*
 * Real mode, all segments 0. BL = the partition's pattern, SI = the VP's
 * slot, CX = rounds. A mismatch reports the offending address.
 */
asm(".pushsection .rodata\n"
	"iso_guest:\n"
	".code16\n"
	"1:	mov $0x3000, %di\n"
	"2:	cmpb %bl, (%di)\n"
	"	jne 3f\n"
	"	inc %di\n"
	"	cmp $0x4000, %di\n"
	"	jne 2b\n"
	"	incw (%si)\n"
	"	movb %bl, 2(%si)\n"
	"	mov $0x21, %dx\n"
	"	mov %cx, %ax\n"
	"	out %ax, %dx\n"
	"	loop 1b\n"
	"	hlt\n"
	"3:	mov $0x20, %dx\n"
	"	mov %di, %ax\n"
	"	out %ax, %dx\n"
	"	hlt\n"
	".code64\n"
	"iso_guest_end:\n"
	".popsection\n");
PV_GUEST_DECLARE(iso_guest);

struct vp_run {
	int fd;
	unsigned int part, index;
	unsigned int rounds;	/* OUTs to PORT_ROUND seen */
	unsigned int bad;	/* a round that saw the wrong byte, + 1 */
	int error;		/* errno of a failed RUN, or -1: wrong exit */
};

static const unsigned char pattern[NR_PARTS] = { 0xa5, 0x5a };

static void *vp_thread(void *arg)
{
	struct vp_run *v = arg;
	struct partvisor_run run;

	for (;;) {
		memset(&run, 0, sizeof(run));
		if (ioctl(v->fd, PARTVISOR_RUN_VP, &run)) {
			v->error = errno;
			break;
		}
		if (run.reason == PARTVISOR_EXIT_HALT)
			break;
		if (run.reason != PARTVISOR_EXIT_IO ||
		    (run.io.flags & PARTVISOR_IO_IN)) {
			v->error = -1;
			break;
		}
		if (run.io.port == PORT_ROUND)
			v->rounds++;
		else
			v->bad = run.io.data + 1;
	}
	return NULL;
}

static int part_new(int dev, unsigned char *mem, unsigned int p,
		    struct vp_run *vps)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = {
		.size = MEM_SIZE, .uaddr = (unsigned long)mem,
		.flags = PARTVISOR_MEM_ALL,
	};
	struct partvisor_vp_state st;
	unsigned int i;
	int part;

	memset(mem, pattern[p], MEM_SIZE);
	memcpy(mem + CODE, iso_guest, iso_guest_end - iso_guest);
	memset(mem + SLOTS, 0, NR_VPS * 16);
	part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	if (part < 0 || ioctl(part, PARTVISOR_MAP_MEMORY, &mr))
		return -1;
	for (i = 0; i < NR_VPS; i++) {
		struct partvisor_create_vp cv = { .vp_index = i };
		struct vp_run *v = &vps[i];

		v->part = p;
		v->index = i;
		v->fd = ioctl(part, PARTVISOR_CREATE_VP, &cv);
		if (v->fd < 0 || ioctl(v->fd, PARTVISOR_GET_VP_STATE, &st))
			return -1;
		pv_state_real(&st, 0, CODE, 0x8000 - 0x100 * i);
		st.rbx = pattern[p];
		st.rsi = SLOTS + 16 * i;
		st.rcx = ROUNDS;
		if (ioctl(v->fd, PARTVISOR_SET_VP_STATE, &st))
			return -1;
	}
	return part;
}

/* Everything but the code and the slots still holds the pattern. */
static int pattern_intact(const unsigned char *mem, unsigned char pat)
{
	size_t i;

	for (i = 0; i < MEM_SIZE; i++) {
		if (i >= CODE && i < CODE + 0x100)
			continue;
		if (i >= SLOTS && i < SLOTS + NR_VPS * 16)
			continue;
		if (mem[i] != pat)
			return 0;
	}
	return 1;
}

int main(void)
{
	struct vp_run vps[NR_PARTS][NR_VPS] = { 0 };
	pthread_t threads[NR_PARTS][NR_VPS];
	unsigned char *mem[NR_PARTS];
	int dev, part[NR_PARTS];
	unsigned int p, i, before;

	dev = pv_open_or_skip();
	before = pv_nr_partitions(dev);
	pv_plan(2 + NR_PARTS * NR_VPS + NR_PARTS);
	for (p = 0; p < NR_PARTS; p++) {
		mem[p] = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem[p] == MAP_FAILED) {
			printf("Bail out! mmap: %s\n", strerror(errno));
			return PV_EXIT_FAIL;
		}
		part[p] = part_new(dev, mem[p], p, vps[p]);
	}
	if (!pv_check(part[0] >= 0 && part[1] >= 0,
		      "two partitions with two VPs each set up")) {
		pv_diag("setup: %s", strerror(errno));
		return pv_finish();
	}

	for (p = 0; p < NR_PARTS; p++)
		for (i = 0; i < NR_VPS; i++)
			pthread_create(&threads[p][i], NULL, vp_thread,
				       &vps[p][i]);
	for (p = 0; p < NR_PARTS; p++)
		for (i = 0; i < NR_VPS; i++)
			pthread_join(threads[p][i], NULL);

	for (p = 0; p < NR_PARTS; p++) {
		for (i = 0; i < NR_VPS; i++) {
			struct vp_run *v = &vps[p][i];
			const unsigned char *slot = mem[p] + SLOTS + 16 * i;
			unsigned int count = slot[0] | slot[1] << 8;

			pv_check(!v->error && !v->bad && v->rounds == ROUNDS &&
				 count == ROUNDS && slot[2] == pattern[p],
				 "partition %u VP %u: %u rounds reported, %u counted, pattern %#x, mismatch %s, error %d",
				 p, i, v->rounds, count, slot[2],
				 v->bad ? "seen" : "none", v->error);
		}
		pv_check(pattern_intact(mem[p], pattern[p]),
			 "partition %u's memory holds only its pattern %#x",
			 p, pattern[p]);
	}

	for (p = 0; p < NR_PARTS; p++) {
		for (i = 0; i < NR_VPS; i++)
			close(vps[p][i].fd);
		close(part[p]);
	}
	pv_check(pv_nr_partitions(dev) == before,
		 "closing every fd frees both partitions (%u alive, %u before)",
		 pv_nr_partitions(dev), before);
	return pv_finish();
}
