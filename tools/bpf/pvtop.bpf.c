// SPDX-License-Identifier: GPL-2.0
/*
 * pvtop: per-VP activity for a top-style view: time in the child, exits
 * by reason, hypercalls, injected interrupts and dispatch waits.
 */
#include "pv_bpf.h"
#include "pvtop.h"

const volatile __u32 targ_part = PV_ANY_PART;
const volatile __u32 targ_vp = PV_ANY_VP;

/* LRU: VPs of partitions long gone make room for new ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, u64);
	__type(value, struct pvtop_vp);
} vps SEC(".maps");

static __always_inline struct pvtop_vp *get_vp(u32 part, u32 vp)
{
	static const struct pvtop_vp zero;
	struct pvtop_vp *st;
	u64 key;

	if (!pv_match(targ_part, targ_vp, part, vp))
		return NULL;
	key = PV_VP_KEY(part, vp);
	st = bpf_map_lookup_elem(&vps, &key);
	if (st)
		return st;
	bpf_map_update_elem(&vps, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&vps, &key);
}

static __always_inline int on_entry(u32 part, u32 vp)
{
	struct pvtop_vp *st = get_vp(part, vp);

	if (st)
		st->entry_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_exit(u32 part, u32 vp, u32 reason)
{
	struct pvtop_vp *st = get_vp(part, vp);
	u64 since;

	if (!st)
		return 0;
	since = st->entry_ns;
	if (since) {
		st->entry_ns = 0;
		__sync_fetch_and_add(&st->run_ns, bpf_ktime_get_ns() - since);
	}
	__sync_fetch_and_add(&st->exits, 1);
	if (reason >= PV_MAX_REASONS)
		reason = PV_MAX_REASONS - 1;
	__sync_fetch_and_add(&st->reasons[reason], 1);
	return 0;
}

static __always_inline int on_hypercall(u32 part, u32 vp)
{
	struct pvtop_vp *st = get_vp(part, vp);

	if (st)
		__sync_fetch_and_add(&st->hypercalls, 1);
	return 0;
}

static __always_inline int on_inject(u32 part, u32 vp)
{
	struct pvtop_vp *st = get_vp(part, vp);

	if (st)
		__sync_fetch_and_add(&st->injects, 1);
	return 0;
}

static __always_inline int on_dispatch(u32 part, u32 vp, u64 wait_ns)
{
	struct pvtop_vp *st = get_vp(part, vp);

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->dispatches, 1);
	__sync_fetch_and_add(&st->wait_ns, wait_ns);
	return 0;
}

SEC("tp_btf/vp_entry")
int BPF_PROG(btf_vp_entry, u32 part, u32 vp)
{
	return on_entry(part, vp);
}

SEC("tp_btf/vp_exit")
int BPF_PROG(btf_vp_exit, u32 part, u32 vp, u32 reason)
{
	return on_exit(part, vp, reason);
}

SEC("tp_btf/hypercall")
int BPF_PROG(btf_hypercall, u32 part, u32 vp)
{
	return on_hypercall(part, vp);
}

SEC("tp_btf/inject")
int BPF_PROG(btf_inject, u32 part, u32 vp)
{
	return on_inject(part, vp);
}

SEC("tp_btf/dispatch")
int BPF_PROG(btf_dispatch, u32 lp, u32 part, u32 vp, u64 wait_ns)
{
	return on_dispatch(part, vp, wait_ns);
}

SEC("raw_tp/vp_entry")
int BPF_PROG(raw_vp_entry, u32 part, u32 vp)
{
	return on_entry(part, vp);
}

SEC("raw_tp/vp_exit")
int BPF_PROG(raw_vp_exit, u32 part, u32 vp, u32 reason)
{
	return on_exit(part, vp, reason);
}

SEC("raw_tp/hypercall")
int BPF_PROG(raw_hypercall, u32 part, u32 vp)
{
	return on_hypercall(part, vp);
}

SEC("raw_tp/inject")
int BPF_PROG(raw_inject, u32 part, u32 vp)
{
	return on_inject(part, vp);
}

SEC("raw_tp/dispatch")
int BPF_PROG(raw_dispatch, u32 lp, u32 part, u32 vp, u64 wait_ns)
{
	return on_dispatch(part, vp, wait_ns);
}

char LICENSE[] SEC("license") = "GPL";
