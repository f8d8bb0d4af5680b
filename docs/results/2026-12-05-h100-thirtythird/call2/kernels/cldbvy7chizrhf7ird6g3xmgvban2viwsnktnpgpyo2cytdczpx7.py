# AOT ID: ['12_backward']
from ctypes import c_void_p, c_long, c_int
import torch
import math
import random
import os
import tempfile
from math import inf, nan
from cmath import nanj
from torch._inductor.hooks import run_intermediate_hooks
from torch._inductor.utils import maybe_profile
from torch._inductor.codegen.memory_planning import _align as align
from torch import device, empty_strided
from torch._inductor.async_compile import AsyncCompile
from torch._inductor.select_algorithm import extern_kernels
import triton
import triton.language as tl
from torch._inductor.runtime.triton_heuristics import start_graph, end_graph
from torch._C import _cuda_getCurrentRawStream as get_raw_stream

aten = torch.ops.aten
inductor_ops = torch.ops.inductor
_quantized = torch.ops._quantized
assert_size_stride = torch._C._dynamo.guards.assert_size_stride
assert_alignment = torch._C._dynamo.guards.assert_alignment
empty_strided_cpu = torch._C._dynamo.guards._empty_strided_cpu
empty_strided_cpu_pinned = torch._C._dynamo.guards._empty_strided_cpu_pinned
empty_strided_cuda = torch._C._dynamo.guards._empty_strided_cuda
empty_strided_xpu = torch._C._dynamo.guards._empty_strided_xpu
empty_strided_mtia = torch._C._dynamo.guards._empty_strided_mtia
reinterpret_tensor = torch._C._dynamo.guards._reinterpret_tensor
alloc_from_pool = torch.ops.inductor._alloc_from_pool
async_compile = AsyncCompile()
empty_strided_p2p = torch._C._distributed_c10d._SymmetricMemory.empty_strided_p2p


# kernel path: /tmp/torchinductor_root/uk/cukosvcmnrhpeiyis6x3lkvtcfvdchrpjcxy7aloxmoswqeeejqz.py
# Topologically Sorted Source Nodes: [view_11, sum_5], Original ATen: [aten.view, aten.sum]
# Source node to ATen node mapping:
#   sum_5 => sum_5
#   view_11 => view_11
# Graph fragment:
#   %tangents_2 : Tensor "bf16[512, 512][512, 1]cuda:0" = PlaceHolder[target=tangents_2]
#   %view_11 : Tensor "bf16[512, 64, 8][512, 8, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%tangents_2, [512, 64, 8]), kwargs = {})
#   %sum_5 : Tensor "f32[512, 64, 1][64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_11, [2], True), kwargs = {dtype: torch.float32})
#   return %sum_5
triton_per_fused_sum_view_0 = async_compile.triton('triton_per_fused_sum_view_0', '''
import triton
import triton.language as tl

from torch._inductor.runtime import triton_helpers, triton_heuristics
from torch._inductor.runtime.triton_helpers import libdevice, math as tl_math
from torch._inductor.runtime.hints import AutotuneHint, ReductionHint, TileHint, DeviceProperties
triton_helpers.set_driver_to_gpu()

@triton_heuristics.persistent_reduction(
    size_hints={'x': 32768, 'r0_': 8},
    reduction_hint=ReductionHint.INNER,
    filename=__file__,
    triton_meta={'signature': {'in_ptr0': '*bf16', 'out_ptr0': '*fp32', 'xnumel': 'i32', 'r0_numel': 'i32', 'XBLOCK': 'constexpr'}, 'device': DeviceProperties(type='cuda', index=0, multi_processor_count=132, cc=90, major=9, regs_per_multiprocessor=65536, max_threads_per_multi_processor=2048, max_threads_per_block=1024, warp_size=32), 'constants': {}, 'native_matmul': False, 'enable_fp_fusion': True, 'launch_pdl': False, 'disable_ftz': False, 'configs': [{(0,): [['tt.divisibility', 16]], (1,): [['tt.divisibility', 16]], (2,): [['tt.divisibility', 16]]}]},
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused_sum_view_0', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 1, 'num_store': 1, 'num_reduction': 1, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 262144, 'r0_': 524288}}
)
@triton.jit
def triton_per_fused_sum_view_0(in_ptr0, out_ptr0, xnumel, r0_numel, XBLOCK : tl.constexpr):
    xnumel = 32768
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
    tmp0 = tl.load(in_ptr0 + (r0_1 + 8*x0), None).to(tl.float32)
    tmp1 = tmp0.to(tl.float32)
    tmp2 = tl.broadcast_to(tmp1, [XBLOCK, R0_BLOCK])
    tmp4 = tl.sum(tmp2, 1)[:, None].to(tl.float32)
    tl.store(out_ptr0 + (x0), tmp4, None)
''', device_str='cuda')


# kernel path: /tmp/torchinductor_root/vc/cvcczyixm2vshruwit5tfesx7yt5xcv4deldvjoenr5xxyoykx2r.py
# Topologically Sorted Source Nodes: [view_12, sum_3, convert_element_type_24, squeeze, convert_element_type_25, convert_element_type_26, convert_element_type_27, cat, convert_element_type_39, squeeze_2, convert_element_type_40, unsqueeze_21, expand_8, transpose_7, m_7, mul_28, add_48, transpose_6, m_6, mul_34, add_51, transpose_5, m_5, mul_40, add_54, transpose_4, m_4, mul_46, add_57, transpose_3, m_3, mul_52, add_60, transpose_2, m_2, mul_58, add_63, transpose_1, m_1, mul_64, add_66, transpose, m, mul_70, add_69], Original ATen: [aten.view, aten.sum, aten._to_copy, aten.squeeze, aten.stack, aten.unsqueeze, aten.expand, aten.transpose, aten.clone, aten.mul, aten.add]
# Source node to ATen node mapping:
#   add_48 => add_48
#   add_51 => add_51
#   add_54 => add_54
#   add_57 => add_57
#   add_60 => add_60
#   add_63 => add_63
#   add_66 => add_66
#   add_69 => add_69
#   cat => cat
#   convert_element_type_24 => convert_element_type_24
#   convert_element_type_25 => convert_element_type_25
#   convert_element_type_26 => convert_element_type_26
#   convert_element_type_27 => convert_element_type_27
#   convert_element_type_39 => convert_element_type_39
#   convert_element_type_40 => convert_element_type_40
#   expand_8 => expand_8
#   m => clone, expand, unsqueeze, view
#   m_1 => clone_1, expand_1, unsqueeze_2, view_1
#   m_2 => clone_2, expand_2, unsqueeze_4, view_2
#   m_3 => clone_3, expand_3, unsqueeze_6, view_3
#   m_4 => clone_4, expand_4, unsqueeze_8, view_4
#   m_5 => clone_5, expand_5, unsqueeze_10, view_5
#   m_6 => clone_6, expand_6, unsqueeze_12, view_6
#   m_7 => clone_7, expand_7, unsqueeze_14, view_7
#   mul_28 => mul_28
#   mul_34 => mul_34
#   mul_40 => mul_40
#   mul_46 => mul_46
#   mul_52 => mul_52
#   mul_58 => mul_58
#   mul_64 => mul_64
#   mul_70 => mul_70
#   squeeze => squeeze
#   squeeze_2 => squeeze_2
#   sum_3 => sum_3
#   transpose => permute
#   transpose_1 => permute_1
#   transpose_2 => permute_2
#   transpose_3 => permute_3
#   transpose_4 => permute_4
#   transpose_5 => permute_5
#   transpose_6 => permute_6
#   transpose_7 => permute_7
#   unsqueeze_21 => unsqueeze_21
#   view_12 => view_12
# Graph fragment:
#   %tangents_1 : Tensor "bf16[512, 64, 512][32768, 512, 1]cuda:0" = PlaceHolder[target=tangents_1]
#   %convert_element_type_27 : Tensor "bf16[512, 64, 64, 8][327680, 5120, 8, 1]cuda:0" = PlaceHolder[target=convert_element_type_27]
#   %sum_3 : Tensor "f32[512, 64, 64, 1][4096, 64, 1, 2097152]cuda:0" = PlaceHolder[target=sum_3]
#   %sum_5 : Tensor "f32[512, 64, 1][64, 1, 32768]cuda:0" = PlaceHolder[target=sum_5]
#   %primals_10 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_10]
#   %primals_9 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_9]
#   %primals_8 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_8]
#   %primals_7 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_7]
#   %primals_6 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_6]
#   %primals_5 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_5]
#   %primals_4 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_4]
#   %primals_3 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_3]
#   %view_12 : Tensor "bf16[512, 64, 64, 8][32768, 512, 8, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%tangents_1, [512, 64, 64, 8]), kwargs = {})
#   %sum_3 : Tensor "f32[512, 64, 64, 1][4096, 64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_12, [3], True), kwargs = {dtype: torch.float32})
#   %convert_element_type_24 : Tensor "bf16[512, 64, 64, 1][4096, 64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%sum_3, torch.bfloat16), kwargs = {})
#   %squeeze : Tensor "bf16[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%convert_element_type_24, 3), kwargs = {})
#   %convert_element_type_25 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=8] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%squeeze, torch.float32), kwargs = {})
#   %convert_element_type_26 : Tensor "f32[512, 64, 64, 8][32768, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%view_12, torch.float32), kwargs = {})
#   %convert_element_type_27 : Tensor "bf16[512, 64, 64, 8][32768, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%convert_element_type_26, torch.bfloat16), kwargs = {})
#   %cat : Tensor "bf16[512, 64, 640, 8][327680, 5120, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.cat.default](args = ([%convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27, %convert_element_type_27], 2), kwargs = {})
#   %convert_element_type_39 : Tensor "bf16[512, 64, 1][64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%sum_5, torch.bfloat16), kwargs = {})
#   %squeeze_2 : Tensor "bf16[512, 64][64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%convert_element_type_39, 2), kwargs = {})
#   %convert_element_type_40 : Tensor "f32[512, 64][64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%squeeze_2, torch.float32), kwargs = {})
#   %unsqueeze_21 : Tensor "f32[512, 1, 64][64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%convert_element_type_40, 1), kwargs = {})
#   %expand_8 : Tensor "f32[512, 64, 64][64, 0, 1]cuda:0"[num_users=16] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_21, [512, 64, 64]), kwargs = {})
#   %permute_7 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_10, [0, 2, 1]), kwargs = {})
#   %unsqueeze_14 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_7, 3), kwargs = {})
#   %expand_7 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_14, [512, 64, 4, 16]), kwargs = {})
#   %clone_7 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_7,), kwargs = {memory_format: torch.contiguous_format})
#   %view_7 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_7, [512, 64, 64]), kwargs = {})
#   %mul_28 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_7), kwargs = {})
#   %add_48 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_28), kwargs = {})
#   %permute_6 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_9, [0, 2, 1]), kwargs = {})
#   %unsqueeze_12 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_6, 3), kwargs = {})
#   %expand_6 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_12, [512, 64, 4, 16]), kwargs = {})
#   %clone_6 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_6,), kwargs = {memory_format: torch.contiguous_format})
#   %view_6 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_6, [512, 64, 64]), kwargs = {})
#   %mul_34 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_6), kwargs = {})
#   %add_51 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_34), kwargs = {})
#   %permute_5 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_8, [0, 2, 1]), kwargs = {})
#   %unsqueeze_10 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_5, 3), kwargs = {})
#   %expand_5 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_10, [512, 64, 4, 16]), kwargs = {})
#   %clone_5 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_5,), kwargs = {memory_format: torch.contiguous_format})
#   %view_5 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_5, [512, 64, 64]), kwargs = {})
#   %mul_40 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_5), kwargs = {})
#   %add_54 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_40), kwargs = {})
#   %permute_4 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_7, [0, 2, 1]), kwargs = {})
#   %unsqueeze_8 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_4, 3), kwargs = {})
#   %expand_4 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_8, [512, 64, 4, 16]), kwargs = {})
#   %clone_4 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_4,), kwargs = {memory_format: torch.contiguous_format})
#   %view_4 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_4, [512, 64, 64]), kwargs = {})
#   %mul_46 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_4), kwargs = {})
#   %add_57 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_46), kwargs = {})
#   %permute_3 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_6, [0, 2, 1]), kwargs = {})
#   %unsqueeze_6 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_3, 3), kwargs = {})
#   %expand_3 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_6, [512, 64, 4, 16]), kwargs = {})
#   %clone_3 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_3,), kwargs = {memory_format: torch.contiguous_format})
#   %view_3 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_3, [512, 64, 64]), kwargs = {})
#   %mul_52 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_3), kwargs = {})
#   %add_60 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_52), kwargs = {})
#   %permute_2 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_5, [0, 2, 1]), kwargs = {})
#   %unsqueeze_4 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_2, 3), kwargs = {})
#   %expand_2 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_4, [512, 64, 4, 16]), kwargs = {})
#   %clone_2 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_2,), kwargs = {memory_format: torch.contiguous_format})
#   %view_2 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_2, [512, 64, 64]), kwargs = {})
#   %mul_58 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_2), kwargs = {})
#   %add_63 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_58), kwargs = {})
#   %permute_1 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_4, [0, 2, 1]), kwargs = {})
#   %unsqueeze_2 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_1, 3), kwargs = {})
#   %expand_1 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_2, [512, 64, 4, 16]), kwargs = {})
#   %clone_1 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_1,), kwargs = {memory_format: torch.contiguous_format})
#   %view_1 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_1, [512, 64, 64]), kwargs = {})
#   %mul_64 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view_1), kwargs = {})
#   %add_66 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_64), kwargs = {})
#   %permute : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_3, [0, 2, 1]), kwargs = {})
#   %unsqueeze : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute, 3), kwargs = {})
#   %expand : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze, [512, 64, 4, 16]), kwargs = {})
#   %clone : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand,), kwargs = {memory_format: torch.contiguous_format})
#   %view : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone, [512, 64, 64]), kwargs = {})
#   %mul_70 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %view), kwargs = {})
#   %add_69 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_25, %mul_70), kwargs = {})
#   return %sum_3,%convert_element_type_27,%buf2,%buf3,%buf4,%buf5,%buf6,%buf7,%buf8,%buf9,%buf10,%add_48,%add_51,%add_54,%add_57,%add_60,%add_63,%add_66,%add_69
triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_1 = async_compile.triton('triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_1', '''
import triton
import triton.language as tl

from torch._inductor.runtime import triton_helpers, triton_heuristics
from torch._inductor.runtime.triton_helpers import libdevice, math as tl_math
from torch._inductor.runtime.hints import AutotuneHint, ReductionHint, TileHint, DeviceProperties
triton_helpers.set_driver_to_gpu()

@triton_heuristics.persistent_reduction(
    size_hints={'x': 2097152, 'r0_': 8},
    reduction_hint=ReductionHint.INNER,
    filename=__file__,
    triton_meta={'signature': {'in_ptr0': '*bf16', 'in_ptr1': '*fp32', 'in_ptr2': '*fp32', 'in_ptr3': '*fp32', 'in_ptr4': '*fp32', 'in_ptr5': '*fp32', 'in_ptr6': '*fp32', 'in_ptr7': '*fp32', 'in_ptr8': '*fp32', 'in_ptr9': '*fp32', 'out_ptr1': '*bf16', 'out_ptr2': '*bf16', 'out_ptr3': '*bf16', 'out_ptr4': '*bf16', 'out_ptr5': '*bf16', 'out_ptr6': '*bf16', 'out_ptr7': '*bf16', 'out_ptr8': '*bf16', 'out_ptr9': '*bf16', 'out_ptr10': '*bf16', 'out_ptr11': '*fp32', 'out_ptr12': '*fp32', 'out_ptr13': '*fp32', 'out_ptr14': '*fp32', 'out_ptr15': '*fp32', 'out_ptr16': '*fp32', 'out_ptr17': '*fp32', 'out_ptr18': '*fp32', 'xnumel': 'i32', 'r0_numel': 'i32', 'XBLOCK': 'constexpr'}, 'device': DeviceProperties(type='cuda', index=0, multi_processor_count=132, cc=90, major=9, regs_per_multiprocessor=65536, max_threads_per_multi_processor=2048, max_threads_per_block=1024, warp_size=32), 'constants': {}, 'native_matmul': False, 'enable_fp_fusion': True, 'launch_pdl': False, 'disable_ftz': False, 'configs': [{(0,): [['tt.divisibility', 16]], (1,): [['tt.divisibility', 16]], (2,): [['tt.divisibility', 16]], (3,): [['tt.divisibility', 16]], (4,): [['tt.divisibility', 16]], (5,): [['tt.divisibility', 16]], (6,): [['tt.divisibility', 16]], (7,): [['tt.divisibility', 16]], (8,): [['tt.divisibility', 16]], (9,): [['tt.divisibility', 16]], (10,): [['tt.divisibility', 16]], (11,): [['tt.divisibility', 16]], (12,): [['tt.divisibility', 16]], (13,): [['tt.divisibility', 16]], (14,): [['tt.divisibility', 16]], (15,): [['tt.divisibility', 16]], (16,): [['tt.divisibility', 16]], (17,): [['tt.divisibility', 16]], (18,): [['tt.divisibility', 16]], (19,): [['tt.divisibility', 16]], (20,): [['tt.divisibility', 16]], (21,): [['tt.divisibility', 16]], (22,): [['tt.divisibility', 16]], (23,): [['tt.divisibility', 16]], (24,): [['tt.divisibility', 16]], (25,): [['tt.divisibility', 16]], (26,): [['tt.divisibility', 16]], (27,): [['tt.divisibility', 16]], (28,): [['tt.divisibility', 16]]}]},
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_1', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 10, 'num_store': 18, 'num_reduction': 1, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 138543104, 'r0_': 704643072}}
)
@triton.jit
def triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_1(in_ptr0, in_ptr1, in_ptr2, in_ptr3, in_ptr4, in_ptr5, in_ptr6, in_ptr7, in_ptr8, in_ptr9, out_ptr1, out_ptr2, out_ptr3, out_ptr4, out_ptr5, out_ptr6, out_ptr7, out_ptr8, out_ptr9, out_ptr10, out_ptr11, out_ptr12, out_ptr13, out_ptr14, out_ptr15, out_ptr16, out_ptr17, out_ptr18, xnumel, r0_numel, XBLOCK : tl.constexpr):
    xnumel = 2097152
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
    x3 = xindex // 64
    x5 = xindex // 4096
    x4 = ((xindex // 64) % 64)
    tmp0 = tl.load(in_ptr0 + (r0_1 + 8*x0), None).to(tl.float32)
    tmp8 = tl.load(in_ptr1 + (x2 + 64*x5), None, eviction_policy='evict_last')
    tmp11 = tl.load(in_ptr2 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp14 = tl.load(in_ptr3 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp17 = tl.load(in_ptr4 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp20 = tl.load(in_ptr5 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp23 = tl.load(in_ptr6 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp26 = tl.load(in_ptr7 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp29 = tl.load(in_ptr8 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp32 = tl.load(in_ptr9 + (x4 + 64*(x2 // 16) + 256*x5), None, eviction_policy='evict_last')
    tmp1 = tmp0.to(tl.float32)
    tmp2 = tl.broadcast_to(tmp1, [XBLOCK, R0_BLOCK])
    tmp4 = tl.sum(tmp2, 1)[:, None].to(tl.float32)
    tmp5 = tmp1.to(tl.float32)
    tmp6 = tmp4.to(tl.float32)
    tmp7 = tmp6.to(tl.float32)
    tmp9 = tmp8.to(tl.float32)
    tmp10 = tmp9.to(tl.float32)
    tmp12 = tmp10 * tmp11
    tmp13 = tmp7 + tmp12
    tmp15 = tmp10 * tmp14
    tmp16 = tmp7 + tmp15
    tmp18 = tmp10 * tmp17
    tmp19 = tmp7 + tmp18
    tmp21 = tmp10 * tmp20
    tmp22 = tmp7 + tmp21
    tmp24 = tmp10 * tmp23
    tmp25 = tmp7 + tmp24
    tmp27 = tmp10 * tmp26
    tmp28 = tmp7 + tmp27
    tmp30 = tmp10 * tmp29
    tmp31 = tmp7 + tmp30
    tmp33 = tmp10 * tmp32
    tmp34 = tmp7 + tmp33
    tl.store(out_ptr1 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr2 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr3 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr4 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr5 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr6 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr7 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr8 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr9 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr10 + (r0_1 + 8*x2 + 5120*x3), tmp5, None)
    tl.store(out_ptr11 + (x0), tmp13, None)
    tl.store(out_ptr12 + (x0), tmp16, None)
    tl.store(out_ptr13 + (x0), tmp19, None)
    tl.store(out_ptr14 + (x0), tmp22, None)
    tl.store(out_ptr15 + (x0), tmp25, None)
    tl.store(out_ptr16 + (x0), tmp28, None)
    tl.store(out_ptr17 + (x0), tmp31, None)
    tl.store(out_ptr18 + (x0), tmp34, None)
''', device_str='cuda')


# kernel path: /tmp/torchinductor_root/bi/cbivcvzpnjlhqrf5timcnc7de45jclr52wzr2qbvdiwdxvekjibl.py
# Topologically Sorted Source Nodes: [view_11, view_13, x, mul_25, sum_4, convert_element_type_37, squeeze_1, convert_element_type_38, convert_element_type_41, unsqueeze_22, expand_9, unsqueeze_23, expand_10, clone_8, to_9, mul_26, sum_6, squeeze_3, transpose_7, m_7, convert_element_type_42, getitem_14, mul_29, mul_30, convert_element_type_43, add_49, transpose_6, m_6, getitem_13, mul_35, mul_36, convert_element_type_45, add_52, transpose_5, m_5, getitem_12, mul_41, mul_42, convert_element_type_47, add_55, transpose_4, m_4, getitem_11, mul_47, mul_48, convert_element_type_49, add_58, transpose_3, m_3, getitem_10, mul_53, mul_54, convert_element_type_51, add_61, transpose_2, m_2, getitem_9, mul_59, mul_60, convert_element_type_53, add_64, transpose_1, m_1, getitem_8, mul_65, mul_66, convert_element_type_55, add_67, transpose, m, getitem_7, mul_72, convert_element_type_57, add_70], Original ATen: [aten.view, aten.stack, aten.mul, aten.sum, aten._to_copy, aten.squeeze, aten.unsqueeze, aten.expand, aten.transpose, aten.clone, aten.add]
# Source node to ATen node mapping:
#   add_49 => add_49
#   add_52 => add_52
#   add_55 => add_55
#   add_58 => add_58
#   add_61 => add_61
#   add_64 => add_64
#   add_67 => add_67
#   add_70 => add_70
#   clone_8 => clone_8
#   convert_element_type_37 => convert_element_type_37
#   convert_element_type_38 => convert_element_type_38
#   convert_element_type_41 => convert_element_type_41
#   convert_element_type_42 => convert_element_type_42
#   convert_element_type_43 => convert_element_type_43
#   convert_element_type_45 => convert_element_type_45
#   convert_element_type_47 => convert_element_type_47
#   convert_element_type_49 => convert_element_type_49
#   convert_element_type_51 => convert_element_type_51
#   convert_element_type_53 => convert_element_type_53
#   convert_element_type_55 => convert_element_type_55
#   convert_element_type_57 => convert_element_type_57
#   expand_10 => expand_10
#   expand_9 => expand_9
#   getitem_10 => unsqueeze_7
#   getitem_11 => unsqueeze_9
#   getitem_12 => unsqueeze_11
#   getitem_13 => unsqueeze_13
#   getitem_14 => unsqueeze_15
#   getitem_7 => unsqueeze_1
#   getitem_8 => unsqueeze_3
#   getitem_9 => unsqueeze_5
#   m => clone, expand, unsqueeze, view
#   m_1 => clone_1, expand_1, unsqueeze_2, view_1
#   m_2 => clone_2, expand_2, unsqueeze_4, view_2
#   m_3 => clone_3, expand_3, unsqueeze_6, view_3
#   m_4 => clone_4, expand_4, unsqueeze_8, view_4
#   m_5 => clone_5, expand_5, unsqueeze_10, view_5
#   m_6 => clone_6, expand_6, unsqueeze_12, view_6
#   m_7 => clone_7, expand_7, unsqueeze_14, view_7
#   mul_25 => mul_25
#   mul_26 => mul_26
#   mul_29 => mul_29
#   mul_30 => mul_30
#   mul_35 => mul_35
#   mul_36 => mul_36
#   mul_41 => mul_41
#   mul_42 => mul_42
#   mul_47 => mul_47
#   mul_48 => mul_48
#   mul_53 => mul_53
#   mul_54 => mul_54
#   mul_59 => mul_59
#   mul_60 => mul_60
#   mul_65 => mul_65
#   mul_66 => mul_66
#   mul_72 => mul_72
#   squeeze_1 => squeeze_1
#   squeeze_3 => squeeze_3
#   sum_4 => sum_4
#   sum_6 => sum_6
#   to_9 => convert_element_type_8
#   transpose => permute
#   transpose_1 => permute_1
#   transpose_2 => permute_2
#   transpose_3 => permute_3
#   transpose_4 => permute_4
#   transpose_5 => permute_5
#   transpose_6 => permute_6
#   transpose_7 => permute_7
#   unsqueeze_22 => unsqueeze_22
#   unsqueeze_23 => unsqueeze_23
#   view_11 => view_11
#   view_13 => view_13
#   x => view_8
# Graph fragment:
#   %cat : Tensor "bf16[512, 64, 640, 8][327680, 5120, 8, 1]cuda:0" = PlaceHolder[target=cat]
#   %primals_1 : Tensor "bf16[512, 64, 10, 512][327680, 5120, 512, 1]cuda:0" = PlaceHolder[target=primals_1]
#   %tangents_2 : Tensor "bf16[512, 512][512, 1]cuda:0" = PlaceHolder[target=tangents_2]
#   %sum_4 : Tensor "f32[512, 64, 10, 64, 1][40960, 640, 64, 1, 20971520]cuda:0" = PlaceHolder[target=sum_4]
#   %sum_6 : Tensor "f32[512, 64, 10, 64, 1][40960, 640, 64, 1, 1]cuda:0" = PlaceHolder[target=sum_6]
#   %primals_10 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_10]
#   %primals_9 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_9]
#   %primals_8 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_8]
#   %primals_7 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_7]
#   %primals_6 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_6]
#   %primals_5 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_5]
#   %primals_4 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_4]
#   %primals_3 : Tensor "f32[512, 4, 64][256, 64, 1]cuda:0" = PlaceHolder[target=primals_3]
#   %view_11 : Tensor "bf16[512, 64, 8][512, 8, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%tangents_2, [512, 64, 8]), kwargs = {})
#   %view_13 : Tensor "bf16[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%cat, [512, 64, 10, 64, 8]), kwargs = {})
#   %view_8 : Tensor "bf16[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%primals_1, [512, 64, 10, 64, 8]), kwargs = {})
#   %mul_25 : Tensor "bf16[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%view_13, %view_8), kwargs = {})
#   %sum_4 : Tensor "f32[512, 64, 10, 64, 1][40960, 640, 64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_25, [4], True), kwargs = {dtype: torch.float32})
#   %convert_element_type_37 : Tensor "bf16[512, 64, 10, 64, 1][40960, 640, 64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%sum_4, torch.bfloat16), kwargs = {})
#   %squeeze_1 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%convert_element_type_37, 4), kwargs = {})
#   %convert_element_type_38 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%squeeze_1, torch.float32), kwargs = {})
#   %convert_element_type_41 : Tensor "f32[512, 64, 8][512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%view_11, torch.float32), kwargs = {})
#   %unsqueeze_22 : Tensor "f32[512, 1, 64, 8][512, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%convert_element_type_41, 1), kwargs = {})
#   %expand_9 : Tensor "f32[512, 64, 64, 8][512, 0, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_22, [512, 64, 64, 8]), kwargs = {})
#   %unsqueeze_23 : Tensor "f32[512, 64, 1, 64, 8][512, 0, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%expand_9, 2), kwargs = {})
#   %expand_10 : Tensor "f32[512, 64, 10, 64, 8][512, 0, 0, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_23, [512, 64, 10, 64, 8]), kwargs = {})
#   %clone_8 : Tensor "f32[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_10,), kwargs = {memory_format: torch.contiguous_format})
#   %convert_element_type_8 : Tensor "f32[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%view_8, torch.float32), kwargs = {})
#   %mul_26 : Tensor "f32[512, 64, 10, 64, 8][327680, 5120, 512, 8, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%clone_8, %convert_element_type_8), kwargs = {})
#   %sum_6 : Tensor "f32[512, 64, 10, 64, 1][40960, 640, 64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_26, [4], True), kwargs = {dtype: torch.float32})
#   %squeeze_3 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=16] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_6, 4), kwargs = {})
#   %permute_7 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_10, [0, 2, 1]), kwargs = {})
#   %unsqueeze_14 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_7, 3), kwargs = {})
#   %expand_7 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_14, [512, 64, 4, 16]), kwargs = {})
#   %clone_7 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_7,), kwargs = {memory_format: torch.contiguous_format})
#   %view_7 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_7, [512, 64, 64]), kwargs = {})
#   %convert_element_type_42 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=8] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%convert_element_type_38, torch.bfloat16), kwargs = {})
#   %unsqueeze_15 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_7, 2), kwargs = {})
#   %mul_29 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_15, 1), kwargs = {})
#   %mul_30 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_29), kwargs = {})
#   %convert_element_type_43 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_30, torch.bfloat16), kwargs = {})
#   %add_49 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_43), kwargs = {})
#   %permute_6 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_9, [0, 2, 1]), kwargs = {})
#   %unsqueeze_12 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_6, 3), kwargs = {})
#   %expand_6 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_12, [512, 64, 4, 16]), kwargs = {})
#   %clone_6 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_6,), kwargs = {memory_format: torch.contiguous_format})
#   %view_6 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_6, [512, 64, 64]), kwargs = {})
#   %unsqueeze_13 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_6, 2), kwargs = {})
#   %mul_35 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_13, 1), kwargs = {})
#   %mul_36 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_35), kwargs = {})
#   %convert_element_type_45 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_36, torch.bfloat16), kwargs = {})
#   %add_52 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_45), kwargs = {})
#   %permute_5 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_8, [0, 2, 1]), kwargs = {})
#   %unsqueeze_10 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_5, 3), kwargs = {})
#   %expand_5 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_10, [512, 64, 4, 16]), kwargs = {})
#   %clone_5 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_5,), kwargs = {memory_format: torch.contiguous_format})
#   %view_5 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_5, [512, 64, 64]), kwargs = {})
#   %unsqueeze_11 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_5, 2), kwargs = {})
#   %mul_41 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_11, 1), kwargs = {})
#   %mul_42 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_41), kwargs = {})
#   %convert_element_type_47 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_42, torch.bfloat16), kwargs = {})
#   %add_55 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_47), kwargs = {})
#   %permute_4 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_7, [0, 2, 1]), kwargs = {})
#   %unsqueeze_8 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_4, 3), kwargs = {})
#   %expand_4 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_8, [512, 64, 4, 16]), kwargs = {})
#   %clone_4 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_4,), kwargs = {memory_format: torch.contiguous_format})
#   %view_4 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_4, [512, 64, 64]), kwargs = {})
#   %unsqueeze_9 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_4, 2), kwargs = {})
#   %mul_47 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_9, 1), kwargs = {})
#   %mul_48 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_47), kwargs = {})
#   %convert_element_type_49 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_48, torch.bfloat16), kwargs = {})
#   %add_58 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_49), kwargs = {})
#   %permute_3 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_6, [0, 2, 1]), kwargs = {})
#   %unsqueeze_6 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_3, 3), kwargs = {})
#   %expand_3 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_6, [512, 64, 4, 16]), kwargs = {})
#   %clone_3 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_3,), kwargs = {memory_format: torch.contiguous_format})
#   %view_3 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_3, [512, 64, 64]), kwargs = {})
#   %unsqueeze_7 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_3, 2), kwargs = {})
#   %mul_53 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_7, 1), kwargs = {})
#   %mul_54 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_53), kwargs = {})
#   %convert_element_type_51 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_54, torch.bfloat16), kwargs = {})
#   %add_61 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_51), kwargs = {})
#   %permute_2 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_5, [0, 2, 1]), kwargs = {})
#   %unsqueeze_4 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_2, 3), kwargs = {})
#   %expand_2 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_4, [512, 64, 4, 16]), kwargs = {})
#   %clone_2 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_2,), kwargs = {memory_format: torch.contiguous_format})
#   %view_2 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_2, [512, 64, 64]), kwargs = {})
#   %unsqueeze_5 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_2, 2), kwargs = {})
#   %mul_59 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_5, 1), kwargs = {})
#   %mul_60 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_59), kwargs = {})
#   %convert_element_type_53 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_60, torch.bfloat16), kwargs = {})
#   %add_64 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_53), kwargs = {})
#   %permute_1 : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_4, [0, 2, 1]), kwargs = {})
#   %unsqueeze_2 : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute_1, 3), kwargs = {})
#   %expand_1 : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_2, [512, 64, 4, 16]), kwargs = {})
#   %clone_1 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand_1,), kwargs = {memory_format: torch.contiguous_format})
#   %view_1 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone_1, [512, 64, 64]), kwargs = {})
#   %unsqueeze_3 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view_1, 2), kwargs = {})
#   %mul_65 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%unsqueeze_3, 1), kwargs = {})
#   %mul_66 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_65), kwargs = {})
#   %convert_element_type_55 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_66, torch.bfloat16), kwargs = {})
#   %add_67 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_55), kwargs = {})
#   %permute : Tensor "f32[512, 64, 4][256, 1, 64]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.permute.default](args = (%primals_3, [0, 2, 1]), kwargs = {})
#   %unsqueeze : Tensor "f32[512, 64, 4, 1][256, 1, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%permute, 3), kwargs = {})
#   %expand : Tensor "f32[512, 64, 4, 16][256, 1, 64, 0]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze, [512, 64, 4, 16]), kwargs = {})
#   %clone : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.clone.default](args = (%expand,), kwargs = {memory_format: torch.contiguous_format})
#   %view : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=2] = call_function[target=torch.ops.aten.reshape.default](args = (%clone, [512, 64, 64]), kwargs = {})
#   %unsqueeze_1 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%view, 2), kwargs = {})
#   %mul_72 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %unsqueeze_1), kwargs = {})
#   %convert_element_type_57 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%mul_72, torch.bfloat16), kwargs = {})
#   %add_70 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%convert_element_type_42, %convert_element_type_57), kwargs = {})
#   return %sum_4,%sum_6,%add_49,%add_52,%add_55,%add_58,%add_61,%add_64,%add_67,%add_70
triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_2 = async_compile.triton('triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_2', '''
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
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_2', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 11, 'num_store': 9, 'num_reduction': 2, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 843055104, 'r0_': 1007157248}}
)
@triton.jit
def triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_2(in_ptr0, in_ptr1, in_ptr2, in_ptr3, in_ptr4, in_ptr5, in_ptr6, in_ptr7, in_ptr8, in_ptr9, in_ptr10, out_ptr1, out_ptr2, out_ptr3, out_ptr4, out_ptr5, out_ptr6, out_ptr7, out_ptr8, out_ptr9, xnumel, r0_numel, XBLOCK : tl.constexpr):
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
''', device_str='cuda')


# kernel path: /tmp/torchinductor_root/rh/crh3gvqgdzcyorzhnb7p5d2zbf4ijvjq3s4zxp2zelb7ur27lkrz.py
# Topologically Sorted Source Nodes: [squeeze_3, mul_31, mul_32, sum_7, mul_37, mul_38, sum_9, mul_43, mul_44, sum_11, mul_49, mul_50, sum_13, mul_55, mul_56, sum_15, mul_61, mul_62, sum_17, mul_67, mul_68, sum_19, mul_71, sum_21], Original ATen: [aten.squeeze, aten.mul, aten.sum]
# Source node to ATen node mapping:
#   mul_31 => mul_31
#   mul_32 => mul_32
#   mul_37 => mul_37
#   mul_38 => mul_38
#   mul_43 => mul_43
#   mul_44 => mul_44
#   mul_49 => mul_49
#   mul_50 => mul_50
#   mul_55 => mul_55
#   mul_56 => mul_56
#   mul_61 => mul_61
#   mul_62 => mul_62
#   mul_67 => mul_67
#   mul_68 => mul_68
#   mul_71 => mul_71
#   squeeze_3 => squeeze_3
#   sum_11 => sum_11
#   sum_13 => sum_13
#   sum_15 => sum_15
#   sum_17 => sum_17
#   sum_19 => sum_19
#   sum_21 => sum_21
#   sum_7 => sum_7
#   sum_9 => sum_9
# Graph fragment:
#   %sum_6 : Tensor "f32[512, 64, 10, 64, 1][40960, 640, 64, 1, 1]cuda:0" = PlaceHolder[target=sum_6]
#   %primals_24 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_24]
#   %primals_22 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_22]
#   %primals_20 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_20]
#   %primals_18 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_18]
#   %primals_16 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_16]
#   %primals_14 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_14]
#   %primals_12 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_12]
#   %primals_2 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0" = PlaceHolder[target=primals_2]
#   %squeeze_3 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=16] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_6, 4), kwargs = {})
#   %mul_31 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_24, 1), kwargs = {})
#   %mul_32 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_31), kwargs = {})
#   %sum_7 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_32, [2], True), kwargs = {dtype: torch.float32})
#   %mul_37 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_22, 1), kwargs = {})
#   %mul_38 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_37), kwargs = {})
#   %sum_9 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_38, [2], True), kwargs = {dtype: torch.float32})
#   %mul_43 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_20, 1), kwargs = {})
#   %mul_44 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_43), kwargs = {})
#   %sum_11 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_44, [2], True), kwargs = {dtype: torch.float32})
#   %mul_49 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_18, 1), kwargs = {})
#   %mul_50 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_49), kwargs = {})
#   %sum_13 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_50, [2], True), kwargs = {dtype: torch.float32})
#   %mul_55 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_16, 1), kwargs = {})
#   %mul_56 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_55), kwargs = {})
#   %sum_15 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_56, [2], True), kwargs = {dtype: torch.float32})
#   %mul_61 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_14, 1), kwargs = {})
#   %mul_62 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_61), kwargs = {})
#   %sum_17 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_62, [2], True), kwargs = {dtype: torch.float32})
#   %mul_67 : Tensor "bf16[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Scalar](args = (%primals_12, 1), kwargs = {})
#   %mul_68 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %mul_67), kwargs = {})
#   %sum_19 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_68, [2], True), kwargs = {dtype: torch.float32})
#   %mul_71 : Tensor "f32[512, 64, 10, 64][40960, 640, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%squeeze_3, %primals_2), kwargs = {})
#   %sum_21 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%mul_71, [2], True), kwargs = {dtype: torch.float32})
#   return %sum_7,%sum_9,%sum_11,%sum_13,%sum_15,%sum_17,%sum_19,%sum_21
triton_per_fused_mul_squeeze_sum_3 = async_compile.triton('triton_per_fused_mul_squeeze_sum_3', '''
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
''', device_str='cuda')


# kernel path: /tmp/torchinductor_root/id/cidwm22qmq4yifywgel7zsnaz5efrb2viezixci5q3vzlklred55.py
# Topologically Sorted Source Nodes: [convert_element_type_39, squeeze_2, convert_element_type_40, unsqueeze_21, expand_8, mul_27, squeeze_4, add_50, view_16, sum_8, mul_33, squeeze_6, add_53, view_17, sum_10, mul_39, squeeze_8, add_56, view_18, sum_12, mul_45, squeeze_10, add_59, view_19, sum_14, mul_51, squeeze_12, add_62, view_20, sum_16, mul_57, squeeze_14, add_65, view_21, sum_18, mul_63, squeeze_16, add_68, view_22, sum_20, mul_69, squeeze_18, add_71, view_23, sum_22], Original ATen: [aten._to_copy, aten.squeeze, aten.unsqueeze, aten.expand, aten.mul, aten.add, aten.view, aten.sum]
# Source node to ATen node mapping:
#   add_50 => add_50
#   add_53 => add_53
#   add_56 => add_56
#   add_59 => add_59
#   add_62 => add_62
#   add_65 => add_65
#   add_68 => add_68
#   add_71 => add_71
#   convert_element_type_39 => convert_element_type_39
#   convert_element_type_40 => convert_element_type_40
#   expand_8 => expand_8
#   mul_27 => mul_27
#   mul_33 => mul_33
#   mul_39 => mul_39
#   mul_45 => mul_45
#   mul_51 => mul_51
#   mul_57 => mul_57
#   mul_63 => mul_63
#   mul_69 => mul_69
#   squeeze_10 => squeeze_10
#   squeeze_12 => squeeze_12
#   squeeze_14 => squeeze_14
#   squeeze_16 => squeeze_16
#   squeeze_18 => squeeze_18
#   squeeze_2 => squeeze_2
#   squeeze_4 => squeeze_4
#   squeeze_6 => squeeze_6
#   squeeze_8 => squeeze_8
#   sum_10 => sum_10
#   sum_12 => sum_12
#   sum_14 => sum_14
#   sum_16 => sum_16
#   sum_18 => sum_18
#   sum_20 => sum_20
#   sum_22 => sum_22
#   sum_8 => sum_8
#   unsqueeze_21 => unsqueeze_21
#   view_16 => view_16
#   view_17 => view_17
#   view_18 => view_18
#   view_19 => view_19
#   view_20 => view_20
#   view_21 => view_21
#   view_22 => view_22
#   view_23 => view_23
# Graph fragment:
#   %sum_5 : Tensor "f32[512, 64, 1][64, 1, 32768]cuda:0" = PlaceHolder[target=sum_5]
#   %primals_25 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_25]
#   %sum_7 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_7]
#   %primals_23 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_23]
#   %sum_9 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_9]
#   %primals_21 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_21]
#   %sum_11 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_11]
#   %primals_19 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_19]
#   %sum_13 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_13]
#   %primals_17 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_17]
#   %sum_15 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_15]
#   %primals_15 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_15]
#   %sum_17 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_17]
#   %primals_13 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_13]
#   %sum_19 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_19]
#   %primals_11 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0" = PlaceHolder[target=primals_11]
#   %sum_21 : Tensor "f32[512, 64, 1, 64][4096, 64, 64, 1]cuda:0" = PlaceHolder[target=sum_21]
#   %convert_element_type_39 : Tensor "bf16[512, 64, 1][64, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%sum_5, torch.bfloat16), kwargs = {})
#   %squeeze_2 : Tensor "bf16[512, 64][64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%convert_element_type_39, 2), kwargs = {})
#   %convert_element_type_40 : Tensor "f32[512, 64][64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.prims.convert_element_type.default](args = (%squeeze_2, torch.float32), kwargs = {})
#   %unsqueeze_21 : Tensor "f32[512, 1, 64][64, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.unsqueeze.default](args = (%convert_element_type_40, 1), kwargs = {})
#   %expand_8 : Tensor "f32[512, 64, 64][64, 0, 1]cuda:0"[num_users=16] = call_function[target=torch.ops.aten.expand.default](args = (%unsqueeze_21, [512, 64, 64]), kwargs = {})
#   %mul_27 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_25), kwargs = {})
#   %squeeze_4 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_7, 2), kwargs = {})
#   %add_50 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_27, %squeeze_4), kwargs = {})
#   %view_16 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_50, [512, 64, 4, 16]), kwargs = {})
#   %sum_8 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_16, [3], True), kwargs = {dtype: torch.float32})
#   %mul_33 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_23), kwargs = {})
#   %squeeze_6 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_9, 2), kwargs = {})
#   %add_53 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_33, %squeeze_6), kwargs = {})
#   %view_17 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_53, [512, 64, 4, 16]), kwargs = {})
#   %sum_10 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_17, [3], True), kwargs = {dtype: torch.float32})
#   %mul_39 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_21), kwargs = {})
#   %squeeze_8 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_11, 2), kwargs = {})
#   %add_56 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_39, %squeeze_8), kwargs = {})
#   %view_18 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_56, [512, 64, 4, 16]), kwargs = {})
#   %sum_12 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_18, [3], True), kwargs = {dtype: torch.float32})
#   %mul_45 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_19), kwargs = {})
#   %squeeze_10 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_13, 2), kwargs = {})
#   %add_59 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_45, %squeeze_10), kwargs = {})
#   %view_19 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_59, [512, 64, 4, 16]), kwargs = {})
#   %sum_14 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_19, [3], True), kwargs = {dtype: torch.float32})
#   %mul_51 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_17), kwargs = {})
#   %squeeze_12 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_15, 2), kwargs = {})
#   %add_62 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_51, %squeeze_12), kwargs = {})
#   %view_20 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_62, [512, 64, 4, 16]), kwargs = {})
#   %sum_16 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_20, [3], True), kwargs = {dtype: torch.float32})
#   %mul_57 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_15), kwargs = {})
#   %squeeze_14 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_17, 2), kwargs = {})
#   %add_65 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_57, %squeeze_14), kwargs = {})
#   %view_21 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_65, [512, 64, 4, 16]), kwargs = {})
#   %sum_18 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_21, [3], True), kwargs = {dtype: torch.float32})
#   %mul_63 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_13), kwargs = {})
#   %squeeze_16 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_19, 2), kwargs = {})
#   %add_68 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_63, %squeeze_16), kwargs = {})
#   %view_22 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_68, [512, 64, 4, 16]), kwargs = {})
#   %sum_20 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_22, [3], True), kwargs = {dtype: torch.float32})
#   %mul_69 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.mul.Tensor](args = (%expand_8, %primals_11), kwargs = {})
#   %squeeze_18 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.squeeze.dim](args = (%sum_21, 2), kwargs = {})
#   %add_71 : Tensor "f32[512, 64, 64][4096, 64, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.add.Tensor](args = (%mul_69, %squeeze_18), kwargs = {})
#   %view_23 : Tensor "f32[512, 64, 4, 16][4096, 64, 16, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.reshape.default](args = (%add_71, [512, 64, 4, 16]), kwargs = {})
#   %sum_22 : Tensor "f32[512, 64, 4, 1][256, 4, 1, 1]cuda:0"[num_users=1] = call_function[target=torch.ops.aten.sum.dim_IntList](args = (%view_23, [3], True), kwargs = {dtype: torch.float32})
#   return %sum_8,%sum_10,%sum_12,%sum_14,%sum_16,%sum_18,%sum_20,%sum_22
triton_per_fused__to_copy_add_expand_mul_squeeze_sum_unsqueeze_view_4 = async_compile.triton('triton_per_fused__to_copy_add_expand_mul_squeeze_sum_unsqueeze_view_4', '''
import triton
import triton.language as tl

from torch._inductor.runtime import triton_helpers, triton_heuristics
from torch._inductor.runtime.triton_helpers import libdevice, math as tl_math
from torch._inductor.runtime.hints import AutotuneHint, ReductionHint, TileHint, DeviceProperties
triton_helpers.set_driver_to_gpu()

@triton_heuristics.persistent_reduction(
    size_hints={'x': 131072, 'r0_': 16},
    reduction_hint=ReductionHint.INNER,
    filename=__file__,
    triton_meta={'signature': {'in_ptr0': '*fp32', 'in_ptr1': '*fp32', 'in_ptr2': '*fp32', 'in_ptr3': '*fp32', 'in_ptr4': '*fp32', 'in_ptr5': '*fp32', 'in_ptr6': '*fp32', 'in_ptr7': '*fp32', 'in_ptr8': '*fp32', 'in_ptr9': '*fp32', 'in_ptr10': '*fp32', 'in_ptr11': '*fp32', 'in_ptr12': '*fp32', 'in_ptr13': '*fp32', 'in_ptr14': '*fp32', 'in_ptr15': '*fp32', 'in_ptr16': '*fp32', 'out_ptr0': '*fp32', 'out_ptr1': '*fp32', 'out_ptr2': '*fp32', 'out_ptr3': '*fp32', 'out_ptr4': '*fp32', 'out_ptr5': '*fp32', 'out_ptr6': '*fp32', 'out_ptr7': '*fp32', 'xnumel': 'i32', 'r0_numel': 'i32', 'XBLOCK': 'constexpr'}, 'device': DeviceProperties(type='cuda', index=0, multi_processor_count=132, cc=90, major=9, regs_per_multiprocessor=65536, max_threads_per_multi_processor=2048, max_threads_per_block=1024, warp_size=32), 'constants': {}, 'native_matmul': False, 'enable_fp_fusion': True, 'launch_pdl': False, 'disable_ftz': False, 'configs': [{(0,): [['tt.divisibility', 16]], (1,): [['tt.divisibility', 16]], (2,): [['tt.divisibility', 16]], (3,): [['tt.divisibility', 16]], (4,): [['tt.divisibility', 16]], (5,): [['tt.divisibility', 16]], (6,): [['tt.divisibility', 16]], (7,): [['tt.divisibility', 16]], (8,): [['tt.divisibility', 16]], (9,): [['tt.divisibility', 16]], (10,): [['tt.divisibility', 16]], (11,): [['tt.divisibility', 16]], (12,): [['tt.divisibility', 16]], (13,): [['tt.divisibility', 16]], (14,): [['tt.divisibility', 16]], (15,): [['tt.divisibility', 16]], (16,): [['tt.divisibility', 16]], (17,): [['tt.divisibility', 16]], (18,): [['tt.divisibility', 16]], (19,): [['tt.divisibility', 16]], (20,): [['tt.divisibility', 16]], (21,): [['tt.divisibility', 16]], (22,): [['tt.divisibility', 16]], (23,): [['tt.divisibility', 16]], (24,): [['tt.divisibility', 16]], (25,): [['tt.divisibility', 16]], (26,): [['tt.divisibility', 16]]}]},
    inductor_meta={'grid_type': 'Grid1D', 'autotune_hints': set(), 'kernel_name': 'triton_per_fused__to_copy_add_expand_mul_squeeze_sum_unsqueeze_view_4', 'mutated_arg_names': [], 'optimize_mem': True, 'no_x_dim': None, 'atomic_add_found': False, 'num_load': 17, 'num_store': 8, 'num_reduction': 8, 'backend_hash': '91D1D1166449D9E2EB66EB9770C9E2C3B0FEB787341F27FEB4D3F0338DA50336', 'assert_indirect_indexing': True, 'autotune_local_cache': True, 'autotune_pointwise': True, 'autotune_remote_cache': None, 'force_disable_caches': False, 'dynamic_scale_rblock': True, 'max_autotune': False, 'max_autotune_pointwise': False, 'min_split_scan_rblock': 256, 'spill_threshold': 16, 'store_cubin': False, 'deterministic': False, 'force_filter_reduction_configs': False, 'mix_order_reduction_allow_multi_stages': False, 'are_deterministic_algorithms_enabled': False, 'tiling_scores': {'x': 8388608, 'r0_': 134348800}}
)
@triton.jit
def triton_per_fused__to_copy_add_expand_mul_squeeze_sum_unsqueeze_view_4(in_ptr0, in_ptr1, in_ptr2, in_ptr3, in_ptr4, in_ptr5, in_ptr6, in_ptr7, in_ptr8, in_ptr9, in_ptr10, in_ptr11, in_ptr12, in_ptr13, in_ptr14, in_ptr15, in_ptr16, out_ptr0, out_ptr1, out_ptr2, out_ptr3, out_ptr4, out_ptr5, out_ptr6, out_ptr7, xnumel, r0_numel, XBLOCK : tl.constexpr):
    xnumel = 131072
    r0_numel = 16
    R0_BLOCK: tl.constexpr = 16
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
    r0_3 = r0_index
    x0 = (xindex % 4)
    x2 = xindex // 256
    x4 = xindex
    tmp0 = tl.load(in_ptr0 + (r0_3 + 16*x0 + 64*x2), None, eviction_policy='evict_last')
    tmp3 = tl.load(in_ptr1 + (r0_3 + 16*x4), None)
    tmp5 = tl.load(in_ptr2 + (r0_3 + 16*x4), None)
    tmp10 = tl.load(in_ptr3 + (r0_3 + 16*x4), None)
    tmp12 = tl.load(in_ptr4 + (r0_3 + 16*x4), None)
    tmp17 = tl.load(in_ptr5 + (r0_3 + 16*x4), None)
    tmp19 = tl.load(in_ptr6 + (r0_3 + 16*x4), None)
    tmp24 = tl.load(in_ptr7 + (r0_3 + 16*x4), None)
    tmp26 = tl.load(in_ptr8 + (r0_3 + 16*x4), None)
    tmp31 = tl.load(in_ptr9 + (r0_3 + 16*x4), None)
    tmp33 = tl.load(in_ptr10 + (r0_3 + 16*x4), None)
    tmp38 = tl.load(in_ptr11 + (r0_3 + 16*x4), None)
    tmp40 = tl.load(in_ptr12 + (r0_3 + 16*x4), None)
    tmp45 = tl.load(in_ptr13 + (r0_3 + 16*x4), None)
    tmp47 = tl.load(in_ptr14 + (r0_3 + 16*x4), None)
    tmp52 = tl.load(in_ptr15 + (r0_3 + 16*x4), None)
    tmp54 = tl.load(in_ptr16 + (r0_3 + 16*x4), None)
    tmp1 = tmp0.to(tl.float32)
    tmp2 = tmp1.to(tl.float32)
    tmp4 = tmp2 * tmp3
    tmp6 = tmp4 + tmp5
    tmp7 = tl.broadcast_to(tmp6, [XBLOCK, R0_BLOCK])
    tmp9 = tl.sum(tmp7, 1)[:, None].to(tl.float32)
    tmp11 = tmp2 * tmp10
    tmp13 = tmp11 + tmp12
    tmp14 = tl.broadcast_to(tmp13, [XBLOCK, R0_BLOCK])
    tmp16 = tl.sum(tmp14, 1)[:, None].to(tl.float32)
    tmp18 = tmp2 * tmp17
    tmp20 = tmp18 + tmp19
    tmp21 = tl.broadcast_to(tmp20, [XBLOCK, R0_BLOCK])
    tmp23 = tl.sum(tmp21, 1)[:, None].to(tl.float32)
    tmp25 = tmp2 * tmp24
    tmp27 = tmp25 + tmp26
    tmp28 = tl.broadcast_to(tmp27, [XBLOCK, R0_BLOCK])
    tmp30 = tl.sum(tmp28, 1)[:, None].to(tl.float32)
    tmp32 = tmp2 * tmp31
    tmp34 = tmp32 + tmp33
    tmp35 = tl.broadcast_to(tmp34, [XBLOCK, R0_BLOCK])
    tmp37 = tl.sum(tmp35, 1)[:, None].to(tl.float32)
    tmp39 = tmp2 * tmp38
    tmp41 = tmp39 + tmp40
    tmp42 = tl.broadcast_to(tmp41, [XBLOCK, R0_BLOCK])
    tmp44 = tl.sum(tmp42, 1)[:, None].to(tl.float32)
    tmp46 = tmp2 * tmp45
    tmp48 = tmp46 + tmp47
    tmp49 = tl.broadcast_to(tmp48, [XBLOCK, R0_BLOCK])
    tmp51 = tl.sum(tmp49, 1)[:, None].to(tl.float32)
    tmp53 = tmp2 * tmp52
    tmp55 = tmp53 + tmp54
    tmp56 = tl.broadcast_to(tmp55, [XBLOCK, R0_BLOCK])
    tmp58 = tl.sum(tmp56, 1)[:, None].to(tl.float32)
    tl.store(out_ptr0 + (x4), tmp9, None)
    tl.store(out_ptr1 + (x4), tmp16, None)
    tl.store(out_ptr2 + (x4), tmp23, None)
    tl.store(out_ptr3 + (x4), tmp30, None)
    tl.store(out_ptr4 + (x4), tmp37, None)
    tl.store(out_ptr5 + (x4), tmp44, None)
    tl.store(out_ptr6 + (x4), tmp51, None)
    tl.store(out_ptr7 + (x4), tmp58, None)
''', device_str='cuda')


async_compile.wait(globals())
del async_compile

class Runner:
    def __init__(self, partitions):
        self.partitions = partitions

    def recursively_apply_fns(self, fns):
        new_callables = []
        for fn, c in zip(fns, self.partitions):
            new_callables.append(fn(c))
        self.partitions = new_callables

    def call(self, args):
        primals_1, primals_2, primals_3, primals_4, primals_5, primals_6, primals_7, primals_8, primals_9, primals_10, primals_11, primals_12, primals_13, primals_14, primals_15, primals_16, primals_17, primals_18, primals_19, primals_20, primals_21, primals_22, primals_23, primals_24, primals_25, tangents_1, tangents_2 = args
        args.clear()
        assert_size_stride(primals_1, (512, 64, 10, 512), (327680, 5120, 512, 1))
        assert_size_stride(primals_2, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_3, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_4, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_5, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_6, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_7, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_8, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_9, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_10, (512, 4, 64), (256, 64, 1))
        assert_size_stride(primals_11, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_12, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_13, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_14, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_15, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_16, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_17, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_18, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_19, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_20, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_21, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_22, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_23, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(primals_24, (512, 64, 10, 64), (40960, 640, 64, 1))
        assert_size_stride(primals_25, (512, 64, 64), (4096, 64, 1))
        assert_size_stride(tangents_1, (512, 64, 512), (32768, 512, 1))
        assert_size_stride(tangents_2, (512, 512), (512, 1))
        with torch.cuda._DeviceGuard(0):
            torch.cuda.set_device(0)
            buf13 = empty_strided_cuda((512, 64, 1), (64, 1, 32768), torch.float32)
            # Topologically Sorted Source Nodes: [view_11, sum_5], Original ATen: [aten.view, aten.sum]
            stream0 = get_raw_stream(0)
            triton_per_fused_sum_view_0.run(tangents_2, buf13, 32768, 8, stream=stream0)
            buf11 = empty_strided_cuda((512, 64, 640, 8), (327680, 5120, 8, 1), torch.bfloat16)
            buf1 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 0)  # alias
            buf2 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 512)  # alias
            buf3 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 1024)  # alias
            buf4 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 1536)  # alias
            buf5 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 2048)  # alias
            buf6 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 2560)  # alias
            buf7 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 3072)  # alias
            buf8 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 3584)  # alias
            buf9 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 4096)  # alias
            buf10 = reinterpret_tensor(buf11, (512, 64, 64, 8), (327680, 5120, 8, 1), 4608)  # alias
            buf15 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf19 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf23 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf27 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf31 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf35 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf39 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            buf43 = empty_strided_cuda((512, 64, 64), (4096, 64, 1), torch.float32)
            # Topologically Sorted Source Nodes: [view_12, sum_3, convert_element_type_24, squeeze, convert_element_type_25, convert_element_type_26, convert_element_type_27, cat, convert_element_type_39, squeeze_2, convert_element_type_40, unsqueeze_21, expand_8, transpose_7, m_7, mul_28, add_48, transpose_6, m_6, mul_34, add_51, transpose_5, m_5, mul_40, add_54, transpose_4, m_4, mul_46, add_57, transpose_3, m_3, mul_52, add_60, transpose_2, m_2, mul_58, add_63, transpose_1, m_1, mul_64, add_66, transpose, m, mul_70, add_69], Original ATen: [aten.view, aten.sum, aten._to_copy, aten.squeeze, aten.stack, aten.unsqueeze, aten.expand, aten.transpose, aten.clone, aten.mul, aten.add]
            stream0 = get_raw_stream(0)
            triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_1.run(tangents_1, buf13, primals_10, primals_9, primals_8, primals_7, primals_6, primals_5, primals_4, primals_3, buf1, buf2, buf3, buf4, buf5, buf6, buf7, buf8, buf9, buf10, buf15, buf19, buf23, buf27, buf31, buf35, buf39, buf43, 2097152, 8, stream=stream0)
            del tangents_1
            buf14 = empty_strided_cuda((512, 64, 10, 64, 1), (40960, 640, 64, 1, 1), torch.float32)
            buf17 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf21 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf25 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf29 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf33 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf37 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf41 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            buf45 = empty_strided_cuda((512, 64, 10, 64), (40960, 640, 64, 1), torch.bfloat16)
            # Topologically Sorted Source Nodes: [view_11, view_13, x, mul_25, sum_4, convert_element_type_37, squeeze_1, convert_element_type_38, convert_element_type_41, unsqueeze_22, expand_9, unsqueeze_23, expand_10, clone_8, to_9, mul_26, sum_6, squeeze_3, transpose_7, m_7, convert_element_type_42, getitem_14, mul_29, mul_30, convert_element_type_43, add_49, transpose_6, m_6, getitem_13, mul_35, mul_36, convert_element_type_45, add_52, transpose_5, m_5, getitem_12, mul_41, mul_42, convert_element_type_47, add_55, transpose_4, m_4, getitem_11, mul_47, mul_48, convert_element_type_49, add_58, transpose_3, m_3, getitem_10, mul_53, mul_54, convert_element_type_51, add_61, transpose_2, m_2, getitem_9, mul_59, mul_60, convert_element_type_53, add_64, transpose_1, m_1, getitem_8, mul_65, mul_66, convert_element_type_55, add_67, transpose, m, getitem_7, mul_72, convert_element_type_57, add_70], Original ATen: [aten.view, aten.stack, aten.mul, aten.sum, aten._to_copy, aten.squeeze, aten.unsqueeze, aten.expand, aten.transpose, aten.clone, aten.add]
            stream0 = get_raw_stream(0)
            triton_per_fused__to_copy_add_clone_expand_mul_squeeze_stack_sum_transpose_unsqueeze_view_2.run(buf11, primals_1, tangents_2, primals_10, primals_9, primals_8, primals_7, primals_6, primals_5, primals_4, primals_3, buf14, buf17, buf21, buf25, buf29, buf33, buf37, buf41, buf45, 20971520, 8, stream=stream0)
            del buf1
            del buf10
            del buf11
            del buf2
            del buf3
            del buf4
            del buf5
            del buf6
            del buf7
            del buf8
            del buf9
            del primals_1
            del primals_10
            del primals_3
            del primals_4
            del primals_5
            del primals_6
            del primals_7
            del primals_8
            del primals_9
            del tangents_2
            buf16 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf20 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf24 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf28 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf32 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf36 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf40 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            buf44 = empty_strided_cuda((512, 64, 1, 64), (4096, 64, 64, 1), torch.float32)
            # Topologically Sorted Source Nodes: [squeeze_3, mul_31, mul_32, sum_7, mul_37, mul_38, sum_9, mul_43, mul_44, sum_11, mul_49, mul_50, sum_13, mul_55, mul_56, sum_15, mul_61, mul_62, sum_17, mul_67, mul_68, sum_19, mul_71, sum_21], Original ATen: [aten.squeeze, aten.mul, aten.sum]
            stream0 = get_raw_stream(0)
            triton_per_fused_mul_squeeze_sum_3.run(buf14, primals_24, primals_22, primals_20, primals_18, primals_16, primals_14, primals_12, primals_2, buf16, buf20, buf24, buf28, buf32, buf36, buf40, buf44, 2097152, 10, stream=stream0)
            del buf14
            del primals_12
            del primals_14
            del primals_16
            del primals_18
            del primals_2
            del primals_20
            del primals_22
            del primals_24
            buf18 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf22 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf26 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf30 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf34 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf38 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf42 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            buf46 = empty_strided_cuda((512, 64, 4, 1), (256, 4, 1, 1), torch.float32)
            # Topologically Sorted Source Nodes: [convert_element_type_39, squeeze_2, convert_element_type_40, unsqueeze_21, expand_8, mul_27, squeeze_4, add_50, view_16, sum_8, mul_33, squeeze_6, add_53, view_17, sum_10, mul_39, squeeze_8, add_56, view_18, sum_12, mul_45, squeeze_10, add_59, view_19, sum_14, mul_51, squeeze_12, add_62, view_20, sum_16, mul_57, squeeze_14, add_65, view_21, sum_18, mul_63, squeeze_16, add_68, view_22, sum_20, mul_69, squeeze_18, add_71, view_23, sum_22], Original ATen: [aten._to_copy, aten.squeeze, aten.unsqueeze, aten.expand, aten.mul, aten.add, aten.view, aten.sum]
            stream0 = get_raw_stream(0)
            triton_per_fused__to_copy_add_expand_mul_squeeze_sum_unsqueeze_view_4.run(buf13, primals_25, buf16, primals_23, buf20, primals_21, buf24, primals_19, buf28, primals_17, buf32, primals_15, buf36, primals_13, buf40, primals_11, buf44, buf18, buf22, buf26, buf30, buf34, buf38, buf42, buf46, 131072, 16, stream=stream0)
            del buf13
            del buf16
            del buf20
            del buf24
            del buf28
            del buf32
            del buf36
            del buf40
            del buf44
            del primals_11
            del primals_13
            del primals_15
            del primals_17
            del primals_19
            del primals_21
            del primals_23
            del primals_25
        return (None, buf45, reinterpret_tensor(buf46, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf42, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf38, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf34, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf30, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf26, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf22, (512, 4, 64), (256, 1, 4), 0), reinterpret_tensor(buf18, (512, 4, 64), (256, 1, 4), 0), buf43, buf41, buf39, buf37, buf35, buf33, buf31, buf29, buf27, buf25, buf23, buf21, buf19, buf17, buf15, )

runner = Runner(partitions=[])
call = runner.call
recursively_apply_fns = runner.recursively_apply_fns


def get_args():
    from torch._dynamo.testing import rand_strided
    primals_1 = rand_strided((512, 64, 10, 512), (327680, 5120, 512, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_2 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_3 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_4 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_5 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_6 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_7 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_8 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_9 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_10 = rand_strided((512, 4, 64), (256, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_11 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_12 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_13 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_14 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_15 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_16 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_17 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_18 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_19 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_20 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_21 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_22 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_23 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    primals_24 = rand_strided((512, 64, 10, 64), (40960, 640, 64, 1), device='cuda:0', dtype=torch.bfloat16)
    primals_25 = rand_strided((512, 64, 64), (4096, 64, 1), device='cuda:0', dtype=torch.float32)
    tangents_1 = rand_strided((512, 64, 512), (32768, 512, 1), device='cuda:0', dtype=torch.bfloat16)
    tangents_2 = rand_strided((512, 512), (512, 1), device='cuda:0', dtype=torch.bfloat16)
    return [primals_1, primals_2, primals_3, primals_4, primals_5, primals_6, primals_7, primals_8, primals_9, primals_10, primals_11, primals_12, primals_13, primals_14, primals_15, primals_16, primals_17, primals_18, primals_19, primals_20, primals_21, primals_22, primals_23, primals_24, primals_25, tangents_1, tangents_2]


def benchmark_compiled_module(args, times=10, repeat=10):
    from torch._inductor.utils import print_performance
    fn = lambda: call(list(args))
    return print_performance(fn, times=times, repeat=repeat)


if __name__ == "__main__":
    from torch._inductor.wrapper_benchmark import compiled_module_main
    args = get_args()
    compiled_module_main('None', lambda times, repeat: benchmark_compiled_module(args, times=times, repeat=repeat))
