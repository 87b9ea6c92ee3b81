// SPDX-License-Identifier: GPL-2.0
/*
 * pvhcall: child hypercalls by call code and TLFS status, with the time
 * partvisor took for each as a histogram.
 */
#include "pv_bpf.h"
#include "pvhcall.h"

const volatile __u32 targ_part = PV_ANY_PART;
const volatile __u32 targ_vp = PV_ANY_VP;
/* The TSC rate, to turn the event's cycles into ns; 0: keep cycles. */
const volatile __u64 tsc_khz;
const volatile bool targ_ns;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pvhcall_key);
	__type(value, struct pvhcall_stat);
} stats SEC(".maps");

static __always_inline int on_hypercall(u32 part, u32 vp, u16 code,
					bool fast, u16 reps, u16 status,
					u64 cycles)
{
	static const struct pvhcall_stat zero;
	struct pvhcall_key key = { .code = code, .status = status };
	struct pvhcall_stat *st;
	u64 v = cycles;

	if (!pv_match(targ_part, targ_vp, part, vp))
		return 0;
	st = bpf_map_lookup_elem(&stats, &key);
	if (!st) {
		bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stats, &key);
		if (!st)
			return 0;
	}
	if (tsc_khz)
		v = cycles * 1000000 / tsc_khz;
	__sync_fetch_and_add(&st->count, 1);
	if (fast)
		__sync_fetch_and_add(&st->fast, 1);
	__sync_fetch_and_add(&st->reps, reps);
	__sync_fetch_and_add(&st->total, v);
	if (tsc_khz && !targ_ns)
		v /= 1000;
	__sync_fetch_and_add(&st->slots[pv_hist_slot(v)], 1);
	return 0;
}

SEC("tp_btf/hypercall")
int BPF_PROG(btf_hypercall, u32 part, u32 vp, u16 code, bool fast, u16 reps,
	     u16 status, u64 cycles)
{
	return on_hypercall(part, vp, code, fast, reps, status, cycles);
}

SEC("raw_tp/hypercall")
int BPF_PROG(raw_hypercall, u32 part, u32 vp, u16 code, bool fast, u16 reps,
	     u16 status, u64 cycles)
{
	return on_hypercall(part, vp, code, fast, reps, status, cycles);
}

char LICENSE[] SEC("license") = "GPL";
