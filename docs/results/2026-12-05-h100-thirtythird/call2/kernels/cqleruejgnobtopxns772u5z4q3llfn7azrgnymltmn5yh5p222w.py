
import triton
import triton.language as tl

from torch._inductor.runtime import triton_helpers, triton_heuristics
from torch._inductor.runtime.triton_helpers import libdevice, math as tl_math
from torch._inductor.runtime.hints import AutotuneHint, ReductionHint, TileHint, DeviceProperties
triton_helpers.set_driver_to_gpu()

@triton_heuristics.persistent_reduction(
    size_hints={'x': 33554432, 'r0_': 8},
    reduction_hint=ReductionHint.DEFAULT,
    filename=__file__,
    triton_meta={'signature': {'in_ptr0': '*bf16', 'in_ptr1': '*bf16', 'in_ptr2': '*bf16', 'in_ptr3': '*fp32', 'in_ptr4': '*fp32', 'in_ptr5': '*fp32', 'in_ptr6': '*fp32', 'in_ptr7': '*fp32', 'in_ptr8': '*fp32', 'in_ptr9': '*fp32', 'in_ptr10': '*fp32', 'out_ptr1': '*fp32', 'out_ptr2': '*bf16', 'out_ptr3': '*bf16', 'out_ptr4': '*bf16', 'out_ptr5': '*bf16', 'out_ptr6': '*bf16', 'out_ptr7': '*bf16', 'out_ptr8': '*bf16', 'out_ptr9': '*bf16', 'xnumel': 'i32', 'r0_numel': 'i32', 'XBLOCK': 'constexpr'}, 'device': DeviceProperties(type='cuda', index=0, multi_processor_count=132, cc=90, major=9, regs_per_multiprocessor=65536, max_threads_per_multi_processor=2048, max_threads_per_block=1024, warp_size=32), 'constants': {}, 'native_matmul': False, 'enable_fp_fusion': True, 'launch_pdl': False, 'disable_ftz': False, 'configs': [{(0,): [['tt.divisibility', 16]], (1,): [['tt.divisibility', 16]], (2,): [['tt.divisibility', 16]], (3,): [['tt.divisibility', 16]], (4,): [['tt.divisibility', 16]], (5,): [['tt.divisibility', 16]], (6,): [['tt.divisibility', 16]], (7,): [['tt.divisibility', 16]], (8,): [['tt.divisibility', 16]], (9,): [['tt.divisibility', 16]], (10,): [['tt.divisibility', 16]], (11,): [['tt.divisibility', 16]], (12,): [['tt.divisibility', 16]], (13,): [['tt.divisibility', 16]], (14,): [['tt.divisibility', 16]], (15,): [['tt.divisibility', 16]], (16,): [['tt.divisibility', 16]], (17,): [['tt.divisibility', 16]], (18,): [['tt.divisibility', 16]], (19,): [['tt.divisibility', 16]], (20,): [['tt.divisibility', 16]]}]},
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_unsqueeze_view_2', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 11, 'num_store': 9, 'num_reduction': 2, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 843055104, 'r0_': 1007157248}}
)
@triton.jit
def triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_unsqueeze_view_2(in_ptr0, in_ptr1, in_ptr2, in_ptr3, in_ptr4, in_ptr5, in_ptr6, in_ptr7, in_ptr8, in_ptr9, in_ptr10, out_ptr1, out_ptr2, out_ptr3, out_ptr4, out_ptr5, out_ptr6, out_ptr7, out_ptr8, out_ptr9, xnumel, r0_numel, XBLOCK : tl.constexpr):
    xnumel = 20971520
    r0_numel = 8
    R0_BLOCK: tl.constexpr = 8
    rnumel = r0_numel
    RBLOCK: tl.constexpr = R0_BLOCK
    xoffset = tl.program_id(0) * XBLOCK
    xindex = xoffset + tl.arange(0, XBLOCK)[:, None]
    xmask = tl.full([XBLOCK], True, tl.int1)[:, None]
    r0_index = tl.arange(0, R0_BLOCK)[None, :]
    r0_offset = 0
    r0_mask = tl.full([R0_BLOCK], True, tl.int1)[None, :]
    roffset = r0_offset
    rindex = r0_index
    r0_1 = r0_index
    x0 = xindex
    x2 = (xindex % 64)
    x4 = xindex // 40960
    x6 = ((xindex // 640) % 64)
    tmp0 = tl.load(in_ptr0 + (r0_1 + 8*x0), None).to(tl.float32)
    tmp1 = tl.load(in_ptr1 + (r0_1 + 8*x0), None).to(tl.float32)
    tmp7 = tl.load(in_ptr2 + (r0_1 + 8*x2 + 512*x4), None, eviction_policy='evict_last').to(tl.float32)
    tmp17 = tl.load(in_ptr3 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp23 = tl.load(in_ptr4 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp28 = tl.load(in_ptr5 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp33 = tl.load(in_ptr6 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp38 = tl.load(in_ptr7 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp43 = tl.load(in_ptr8 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp48 = tl.load(in_ptr9 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp53 = tl.load(in_ptr10 + (x6 + 64*(x2 // 16) + 256*x4), None, eviction_policy='evict_last')
    tmp2 = tmp0 * tmp1
    tmp3 = tmp2.to(tl.float32)
    tmp4 = tl.broadcast_to(tmp3, [XBLOCK, R0_BLOCK])
    tmp6 = tl.sum(tmp4, 1)[:, None].to(tl.float32)
    tmp8 = tmp7.to(tl.float32)
    tmp9 = tmp1.to(tl.float32)
    tmp10 = tmp8 * tmp9
    tmp11 = tl.broadcast_to(tmp10, [XBLOCK, R0_BLOCK])
    tmp13 = tl.sum(tmp11, 1)[:, None].to(tl.float32)
    tmp14 = tmp6.to(tl.float32)
    tmp15 = tmp14.to(tl.float32)
    tmp16 = tmp15.to(tl.float32)
    tmp18 = tl.full([1, 1], 1.0, tl.float32)
    tmp19 = tmp17 * tmp18
    tmp20 = tmp13 * tmp19
    tmp21 = tmp20.to(tl.float32)
    tmp22 = tmp16 + tmp21
    tmp24 = tmp23 * tmp18
    tmp25 = tmp13 * tmp24
    tmp26 = tmp25.to(tl.float32)
    tmp27 = tmp16 + tmp26
    tmp29 = tmp28 * tmp18
    tmp30 = tmp13 * tmp29
    tmp31 = tmp30.to(tl.float32)
    tmp32 = tmp16 + tmp31
    tmp34 = tmp33 * tmp18
    tmp35 = tmp13 * tmp34
    tmp36 = tmp35.to(tl.float32)
    tmp37 = tmp16 + tmp36
    tmp39 = tmp38 * tmp18
    tmp40 = tmp13 * tmp39
    tmp41 = tmp40.to(tl.float32)
    tmp42 = tmp16 + tmp41
    tmp44 = tmp43 * tmp18
    tmp45 = tmp13 * tmp44
    tmp46 = tmp45.to(tl.float32)
    tmp47 = tmp16 + tmp46
    tmp49 = tmp48 * tmp18
    tmp50 = tmp13 * tmp49
    tmp51 = tmp50.to(tl.float32)
    tmp52 = tmp16 + tmp51
    tmp54 = tmp13 * tmp53
    tmp55 = tmp54.to(tl.float32)
    tmp56 = tmp16 + tmp55
    tl.store(out_ptr2 + (x0), tmp22, None)
    tl.store(out_ptr3 + (x0), tmp27, None)
    tl.store(out_ptr4 + (x0), tmp32, None)
    tl.store(out_ptr5 + (x0), tmp37, None)
    tl.store(out_ptr6 + (x0), tmp42, None)
    tl.store(out_ptr7 + (x0), tmp47, None)
    tl.store(out_ptr8 + (x0), tmp52, None)
    tl.store(out_ptr9 + (x0), tmp56, None)
    tl.store(out_ptr1 + (x0), tmp13, None)
