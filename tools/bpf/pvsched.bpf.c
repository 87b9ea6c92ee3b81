// SPDX-License-Identifier: GPL-2.0
/*
 * pvsched: the classic scheduler's dispatches: each VP's wait from ready
 * to running, its migrations between LPs and the LPs' run-queue lengths.
 */
#include "pv_bpf.h"
#include "pvsched.h"

const volatile __u32 targ_part = PV_ANY_PART;
const volatile __u32 targ_vp = PV_ANY_VP;
const volatile bool targ_ns;
/*
 * Whether dispatch has its fifth argument, queued. The verifier drops
 * the read when this is false, so older modules load the program too.
 */
const volatile bool has_queued;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct pvsched_vp);
} vps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PV_QLEN_SLOTS);
	__type(key, u32);
	__type(value, u64);
} qlen SEC(".maps");

static __always_inline int on_dispatch(u32 lp, u32 part, u32 vp, u64 wait_ns,
				       u32 queued)
{
	static const struct pvsched_vp zero;
	struct pvsched_vp *st;
	u64 key, *n;
	u32 slot;

	if (!pv_match(targ_part, targ_vp, part, vp))
		return 0;
	key = PV_VP_KEY(part, vp);
	st = bpf_map_lookup_elem(&vps, &key);
	if (!st) {
		bpf_map_update_elem(&vps, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&vps, &key);
		if (!st)
			return 0;
	}
	/* Only the dispatching LP writes its VP's entry: no atomics needed. */
	st->dispatches++;
	st->wait_ns += wait_ns;
	if (st->last_lp && st->last_lp != lp + 1)
		st->migrations++;
	st->last_lp = lp + 1;
	slot = pv_hist_slot(targ_ns ? wait_ns : wait_ns / 1000);
	st->slots[slot]++;

	if (has_queued) {
		slot = queued < PV_QLEN_SLOTS ? queued : PV_QLEN_SLOTS - 1;
		n = bpf_map_lookup_elem(&qlen, &slot);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

SEC("tp_btf/dispatch")
int BPF_PROG(btf_dispatch, u32 lp, u32 part, u32 vp, u64 wait_ns)
{
	u32 queued = 0;

	if (has_queued)
		queued = (u32)ctx[4];
	return on_dispatch(lp, part, vp, wait_ns, queued);
}

SEC("raw_tp/dispatch")
int BPF_PROG(raw_dispatch, u32 lp, u32 part, u32 vp, u64 wait_ns)
{
	u32 queued = 0;

	if (has_queued)
		queued = (u32)ctx[4];
	return on_dispatch(lp, part, vp, wait_ns, queued);
}

char LICENSE[] SEC("license") = "GPL";
