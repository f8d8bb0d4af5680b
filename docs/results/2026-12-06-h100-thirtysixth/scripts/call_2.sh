#!/usr/bin/env bash
# The thirty-sixth run's second call (call 1's machine, warm): main's (ed34192, tree new) gpu-marked tests that had
# not run on a GPU, alone. Carry .whl and .variants. Results: $OUT/pytest_gpu.log
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
cd .variants/new && PYTHONPATH=/tmp/site:$PWD/src:$PWD/tests/model timeout -s KILL 480 python3 -m pytest -v \
  -p no:cacheprovider -rA --tb=short -m gpu --durations=0 \
  tests/model/test_fused_field_attention.py::test_merged_tokens_on_the_gpu_match_the_gathered_ones \
  tests/model/test_fused_feature_sampling.py::test_kernel_grid_on_the_gpu_is_the_sampling_grid_bit_for_bit \
  tests/model/test_shapes.py \
  tests/model/test_fused_field_attention.py::test_render_with_fused_kernels_matches_the_pytorch_render \
  tests/model/test_render_graph.py > $OUT/pytest_gpu.log 2>&1
tail -n 40 $OUT/pytest_gpu.log | cut -c1-250
