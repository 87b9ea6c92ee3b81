// SPDX-License-Identifier: GPL-2.0
/*
 * pvexit: every child VP exit counted by reason, and the time from the
 * exit to the VP's next entry (the cost of handling it) as a histogram.
 */
#include "pv_bpf.h"
#include "pvexit.h"

const volatile __u32 targ_part = PV_ANY_PART;
const volatile __u32 targ_vp = PV_ANY_VP;
const volatile bool targ_ns;

struct exit_start {
	u64 ts;
	u32 slot;
	u32 pad;
};

/* A VP's last exit until its next entry; LRU for VPs that never return. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct exit_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PV_MAX_REASONS);
	__type(key, u32);
	__type(value, struct pvexit_stat);
} stats SEC(".maps");

static __always_inline int on_exit(u32 part, u32 vp, u32 reason)
{
	struct exit_start s = {};
	struct pvexit_stat *st;
	u64 key;

	if (!pv_match(targ_part, targ_vp, part, vp))
		return 0;
	s.slot = reason < PV_MAX_REASONS ? reason : PV_MAX_REASONS - 1;
	st = bpf_map_lookup_elem(&stats, &s.slot);
	if (!st)
		return 0;
	__sync_fetch_and_add(&st->count, 1);
	s.ts = bpf_ktime_get_ns();
	key = PV_VP_KEY(part, vp);
	bpf_map_update_elem(&starts, &key, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_entry(u32 part, u32 vp)
{
	struct pvexit_stat *st;
	struct exit_start *s;
	u64 key, delta;
	u32 slot;

	if (!pv_match(targ_part, targ_vp, part, vp))
		return 0;
	key = PV_VP_KEY(part, vp);
	s = bpf_map_lookup_elem(&starts, &key);
	/* None for an entry that goes back to inject an interrupt. */
	if (!s)
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	slot = s->slot;
	bpf_map_delete_elem(&starts, &key);
	st = bpf_map_lookup_elem(&stats, &slot);
	if (!st)
		return 0;
	__sync_fetch_and_add(&st->timed, 1);
	__sync_fetch_and_add(&st->total_ns, delta);
	slot = pv_hist_slot(targ_ns ? delta : delta / 1000);
	__sync_fetch_and_add(&st->slots[slot], 1);
	return 0;
}

SEC("tp_btf/vp_exit")
int BPF_PROG(btf_vp_exit, u32 part, u32 vp, u32 reason)
{
	return on_exit(part, vp, reason);
}

SEC("tp_btf/vp_entry")
int BPF_PROG(btf_vp_entry, u32 part, u32 vp)
{
	return on_entry(part, vp);
}

SEC("raw_tp/vp_exit")
int BPF_PROG(raw_vp_exit, u32 part, u32 vp, u32 reason)
{
	return on_exit(part, vp, reason);
}

SEC("raw_tp/vp_entry")
int BPF_PROG(raw_vp_entry, u32 part, u32 vp)
{
	return on_entry(part, vp);
}

char LICENSE[] SEC("license") = "GPL";
