#!/usr/bin/env bash
# The thirty-sixth run's third call (call 1's machine, warm: every tree's compile cached): fresh processes alone,
# taking turns prev, new, new9600 while 420 s allow. Carry .whl and .variants. Results: $OUT/timed/
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl 2>/dev/null
export PYTHONUNBUFFERED=1; start=$(date +%s); mkdir -p $OUT/timed
ROW="--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render"
ROW="$ROW --chunk 4800 --render-warmup 1 --render-repeats 12 --inductor-config autotune_local_cache=False"
turn=0; trees=(prev new new9600)
while [ $(( $(date +%s) - start + 60 )) -le 420 ]; do
  t=${trees[$(( turn % 3 ))]}; turn=$(( turn + 1 )); n=alone${turn}_$t
  (cd .variants/$t && PYTHONPATH=/tmp/site:$PWD/src GPNERF_GIT_COMMIT=ed34192$(cat label) timeout -s KILL 60 \
    python3 benchmarks/bench_model.py $ROW $(cat args 2>/dev/null) --label render_$n --json $OUT/timed/render_$n.json \
    > $OUT/timed/render_$n.log 2>&1)
  grep "^| render_" $OUT/timed/render_$n.log || tail -n 2 $OUT/timed/render_$n.log
  echo "[$(( $(date +%s) - start )) s]"
done
