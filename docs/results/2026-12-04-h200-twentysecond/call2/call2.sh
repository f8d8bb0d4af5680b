#!/usr/bin/env bash
# Twenty-second run, call 2: Nsight Compute on the FAT kernel (fine and coarse shapes) and the on-chip contraction,
# one launch each (kernels.py), --set full with source counters; the details page and the per-SASS-line source page
# as text.
# Usage, from the repository root: bash docs/results/2026-12-04-h200-twentysecond/call2/call2.sh (carry .whl).
set -uo pipefail
start=$(date +%s)
HERE=docs/results/2026-12-04-h200-twentysecond/call2
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD/src
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader > $OUT/gpu.txt
ncu --version > $OUT/ncu.txt 2>&1
timeout -s KILL 400 ncu --clock-control none --set full --import-source yes \
  -k regex:"_fused_field_attention_kernel|_contract_attention_kernel" -o /tmp/kernels -f \
  python3 $HERE/kernels.py > $OUT/ncu.log 2>&1
echo "[$(( $(date +%s) - start )) s] profiled: $(tail -n 2 $OUT/ncu.log)"
ncu -i /tmp/kernels.ncu-rep --page details > /tmp/details.txt 2>&1
ncu -i /tmp/kernels.ncu-rep --page raw --csv > /tmp/raw.csv 2>&1
for i in 0 1 2 3; do
  ncu -i /tmp/kernels.ncu-rep --page source --csv --print-source sass --launch-skip $i --launch-count 1 > /tmp/source_$i.csv 2>&1
done
ncu -i /tmp/kernels.ncu-rep --page source --csv --print-source sass > /tmp/source_all.csv 2>&1
tar czf $OUT/ncu_text.tar.gz -C /tmp details.txt raw.csv source_0.csv source_1.csv source_2.csv source_3.csv source_all.csv
cp /tmp/kernels.ncu-rep $OUT/ 2>/dev/null
ls -la $OUT
grep -E "Duration|Registers Per|Achieved Occupancy|Theoretical Occupancy|Memory Throughput|Compute \(SM\) Throughput|Block Limit Reg" /tmp/details.txt
echo "[$(( $(date +%s) - start )) s] done"
