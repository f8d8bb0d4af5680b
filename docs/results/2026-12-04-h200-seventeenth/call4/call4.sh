#!/usr/bin/env bash
# Seventeenth run, call 4: the fused FAT inference kernel with its softmax rescaled only when some logit of the
# program's block outgrows the running peak by more than 8 (lazy_rescale.diff), against 0e241be's kernel that
# rescales every view, timed alone by bench_fat_block.py (bf16, 4800 rays x 64 samples x 10 views, random block and
# tokens of standard deviation 1 or 4), rows alternating; then the kernel's GPU tests with the diff. Usage, from the
# repository root: bash docs/results/2026-12-04-h200-seventeenth/call4/call4.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-seventeenth/call4
FINAL=$OUT; OUT=/tmp/o4; mkdir -p $OUT
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site2 .whl/*.whl 2>/dev/null
rm -rf /tmp/lazy && mkdir -p /tmp/lazy && cp -r src benchmarks tests /tmp/lazy/
(cd /tmp/lazy && patch -s -p1 < "$OLDPWD/$HERE/lazy_rescale.diff") || echo "patch failed"
export PYTHONUNBUFFERED=1
el() { tar czf $FINAL/call4.tar.gz -C $OUT . ; echo "[$(( $(date +%s) - start )) s] $*"; }
left() { echo $(( $1 - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
fat() {  # fat NAME ROOT SCALE DEADLINE_S
  el "fat-$1"
  PYTHONPATH=/tmp/site2:$2/src timeout -s KILL $(left $4) python3 $2/benchmarks/bench_fat_block.py --device cuda \
    --precision bf16 --rays 4800 --samples 64 --warmup 3 --repeats 20 ${3:+--token-scale $3} \
    --json $OUT/fat_$1.json > $OUT/fat_$1.log 2>&1
  grep -E "^\| forward|launch" $OUT/fat_$1.log || tail -n 8 $OUT/fat_$1.log
}
fat base_s1_a $PWD "" 70
fat lazy_s1_a /tmp/lazy 1 140
fat lazy_s4_a /tmp/lazy 4 200
fat base_s1_b $PWD "" 260
fat lazy_s1_b /tmp/lazy 1 320
el pytest
(cd /tmp/lazy && PYTHONPATH=/tmp/site2:/tmp/lazy/src timeout -s KILL $(left 400) python3 -m pytest -q -p no:cacheprovider -rA \
  -m gpu tests/model/test_fused_field_attention.py > $OUT/pytest_lazy.log 2>&1)
grep -E "^(PASSED|FAILED|ERROR)" $OUT/pytest_lazy.log | head -12
el done
