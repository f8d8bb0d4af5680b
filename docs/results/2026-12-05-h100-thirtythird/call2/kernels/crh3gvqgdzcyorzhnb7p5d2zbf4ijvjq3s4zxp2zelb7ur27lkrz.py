
import triton
import triton.language as tl

from torch._inductor.runtime import triton_helpers, triton_heuristics
from torch._inductor.runtime.triton_helpers import libdevice, math as tl_math
from torch._inductor.runtime.hints import AutotuneHint, ReductionHint, TileHint, DeviceProperties
triton_helpers.set_driver_to_gpu()

@triton_heuristics.persistent_reduction(
    size_hints={'x': 2097152, 'r0_': 16},
    reduction_hint=ReductionHint.DEFAULT,
    filename=__file__,
    triton_meta={'signature': {'in_ptr0': '*fp32', 'in_ptr1': '*bf16', 'in_ptr2': '*bf16', 'in_ptr3': '*bf16', 'in_ptr4': '*bf16', 'in_ptr5': '*bf16', 'in_ptr6': '*bf16', 'in_ptr7': '*bf16', 'in_ptr8': '*bf16', 'out_ptr0': '*fp32', 'out_ptr1': '*fp32', 'out_ptr2': '*fp32', 'out_ptr3': '*fp32', 'out_ptr4': '*fp32', 'out_ptr5': '*fp32', 'out_ptr6': '*fp32', 'out_ptr7': '*fp32', 'xnumel': 'i32', 'r0_numel': 'i32', 'XBLOCK': 'constexpr'}, 'device': DeviceProperties(type='cuda', index=0, multi_processor_count=132, cc=90, major=9, regs_per_multiprocessor=65536, max_threads_per_multi_processor=2048, max_threads_per_block=1024, warp_size=32), 'constants': {}, 'native_matmul': False, 'enable_fp_fusion': True, 'launch_pdl': False, 'disable_ftz': False, 'configs': [{(0,): [['tt.divisibility', 16]], (1,): [['tt.divisibility', 16]], (2,): [['tt.divisibility', 16]], (3,): [['tt.divisibility', 16]], (4,): [['tt.divisibility', 16]], (5,): [['tt.divisibility', 16]], (6,): [['tt.divisibility', 16]], (7,): [['tt.divisibility', 16]], (8,): [['tt.divisibility', 16]], (9,): [['tt.divisibility', 16]], (10,): [['tt.divisibility', 16]], (11,): [['tt.divisibility', 16]], (12,): [['tt.divisibility', 16]], (13,): [['tt.divisibility', 16]], (14,): [['tt.divisibility', 16]], (15,): [['tt.divisibility', 16]], (16,): [['tt.divisibility', 16]], (17,): [['tt.divisibility', 16]]}]},
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused_mul_squeeze_sum_3', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 9, 'num_store': 8, 'num_reduction': 8, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 553648128, 'r0_': 0}}
)
@triton.jit
def triton_per_fused_mul_squeeze_sum_3(in_ptr0, in_ptr1, in_ptr2, in_ptr3, in_ptr4, in_ptr5, in_ptr6, in_ptr7, in_ptr8, out_ptr0, out_ptr1, out_ptr2, out_ptr3, out_ptr4, out_ptr5, out_ptr6, out_ptr7, xnumel, r0_numel, XBLOCK : tl.constexpr):
    xnumel = 2097152
    r0_numel = 10
    R0_BLOCK: tl.constexpr = 16
    rnumel = r0_numel
    RBLOCK: tl.constexpr = R0_BLOCK
    xoffset = tl.program_id(0) * XBLOCK
    xindex = xoffset + tl.arange(0, XBLOCK)[:, None]
    xmask = tl.full([XBLOCK], True, tl.int1)[:, None]
    r0_index = tl.arange(0, R0_BLOCK)[None, :]
    r0_offset = 0
    r0_mask = r0_index < r0_numel
    roffset = r0_offset
    rindex = r0_index
    r0_2 = r0_index
    x0 = (xindex % 64)
    x1 = xindex // 64
    x3 = xindex
    tmp0 = tl.load(in_ptr0 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0)
    tmp1 = tl.load(in_ptr1 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp10 = tl.load(in_ptr2 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp18 = tl.load(in_ptr3 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp26 = tl.load(in_ptr4 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp34 = tl.load(in_ptr5 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp42 = tl.load(in_ptr6 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp50 = tl.load(in_ptr7 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp58 = tl.load(in_ptr8 + (x0 + 64*r0_2 + 640*x1), r0_mask, other=0.0).to(tl.float32)
    tmp2 = tl.full([1, 1], 1.0, tl.float32)
    tmp3 = tmp1 * tmp2
    tmp4 = tmp3.to(tl.float32)
    tmp5 = tmp0 * tmp4
    tmp6 = tl.broadcast_to(tmp5, [XBLOCK, R0_BLOCK])
    tmp8 = tl.where(r0_mask, tmp6, 0)
    tmp9 = tl.sum(tmp8, 1)[:, None].to(tl.float32)
    tmp11 = tmp10 * tmp2
    tmp12 = tmp11.to(tl.float32)
    tmp13 = tmp0 * tmp12
    tmp14 = tl.broadcast_to(tmp13, [XBLOCK, R0_BLOCK])
    tmp16 = tl.where(r0_mask, tmp14, 0)
    tmp17 = tl.sum(tmp16, 1)[:, None].to(tl.float32)
    tmp19 = tmp18 * tmp2
    tmp20 = tmp19.to(tl.float32)
    tmp21 = tmp0 * tmp20
    tmp22 = tl.broadcast_to(tmp21, [XBLOCK, R0_BLOCK])
    tmp24 = tl.where(r0_mask, tmp22, 0)
    tmp25 = tl.sum(tmp24, 1)[:, None].to(tl.float32)
    tmp27 = tmp26 * tmp2
    tmp28 = tmp27.to(tl.float32)
    tmp29 = tmp0 * tmp28
    tmp30 = tl.broadcast_to(tmp29, [XBLOCK, R0_BLOCK])
    tmp32 = tl.where(r0_mask, tmp30, 0)
    tmp33 = tl.sum(tmp32, 1)[:, None].to(tl.float32)
    tmp35 = tmp34 * tmp2
    tmp36 = tmp35.to(tl.float32)
    tmp37 = tmp0 * tmp36
    tmp38 = tl.broadcast_to(tmp37, [XBLOCK, R0_BLOCK])
    tmp40 = tl.where(r0_mask, tmp38, 0)
    tmp41 = tl.sum(tmp40, 1)[:, None].to(tl.float32)
    tmp43 = tmp42 * tmp2
    tmp44 = tmp43.to(tl.float32)
    tmp45 = tmp0 * tmp44
    tmp46 = tl.broadcast_to(tmp45, [XBLOCK, R0_BLOCK])
    tmp48 = tl.where(r0_mask, tmp46, 0)
    tmp49 = tl.sum(tmp48, 1)[:, None].to(tl.float32)
    tmp51 = tmp50 * tmp2
    tmp52 = tmp51.to(tl.float32)
    tmp53 = tmp0 * tmp52
    tmp54 = tl.broadcast_to(tmp53, [XBLOCK, R0_BLOCK])
    tmp56 = tl.where(r0_mask, tmp54, 0)
    tmp57 = tl.sum(tmp56, 1)[:, None].to(tl.float32)
    tmp59 = tmp58.to(tl.float32)
    tmp60 = tmp0 * tmp59
    tmp61 = tl.broadcast_to(tmp60, [XBLOCK, R0_BLOCK])
    tmp63 = tl.where(r0_mask, tmp61, 0)
    tmp64 = tl.sum(tmp63, 1)[:, None].to(tl.float32)
    tl.store(out_ptr0 + (x3), tmp9, None)
    tl.store(out_ptr1 + (x3), tmp17, None)
    tl.store(out_ptr2 + (x3), tmp25, None)
    tl.store(out_ptr3 + (x3), tmp33, None)
    tl.store(out_ptr4 + (x3), tmp41, None)
    tl.store(out_ptr5 + (x3), tmp49, None)
    tl.store(out_ptr6 + (x3), tmp57, None)
    tl.store(out_ptr7 + (x3), tmp64, None)
