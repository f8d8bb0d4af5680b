#!/usr/bin/env bash
# Source trees timed against one another on one GPU: each compiled alone, then fresh processes alone taking turns.
#
#   OUT=DIR TREES="new old" [VARIANTS=.variants] [ROW="bench_model.py arguments"] [COLD_LIMIT=S] [ROW_LIMIT=S] \
#     [CALL_LIMIT=S] [MAX_TURNS=N] [TRACE=1] [COMMIT=sha] [PYTHON=python3] bash benchmarks/compare_trees.sh
#
# A tree is a folder VARIANTS/NAME holding src/ and benchmarks/ (`git archive <ref> src tests benchmarks pyproject.toml
# | tar -x -C VARIANTS/NAME`), an optional `label` file (appended to COMMIT in the records) and an optional `args`
# file (bench_model.py arguments appended to ROW, e.g. --chunk 9600). Each tree runs its own bench_model.py.
#
# 1. Each tree's first row (NAME.cold) runs alone, one tree after another, killed after COLD_LIMIT s (default 240):
#    it compiles, and the launch configurations inductor times on a kernel's first launch (gpnerf's Triton kernels
#    inside compiled code among them) are timed with the GPU to itself. Those choices stay with the cached code for
#    every later process of the tree (the thirty-sixth run's trees compiled side by side, and one kept a contraction
#    launch that cost it 12 ms a frame), so benchmarks/autotune_picks.py compares them (DIR/autotune_picks.txt).
# 2. TRACE=1: one traced render of each tree (profile_model.py --trace: paper-scannet, fast, bf16, compiled and
#    graphed, at the chunk of the ROW and the tree's args file, the last given, whatever else they say; summed by
#    trace_summary.py; DIR/profile/).
# 3. Fresh processes alone, the trees in turns (NAME.alone<turn>), each killed after ROW_LIMIT s (default 100), while
#    CALL_LIMIT s (default 560) from the start leave room for one more, at most MAX_TURNS rows (default no limit).
# Writes DIR/timed/<label>.json and .log per row and prints each row's table line (or the end of its log).
set -uo pipefail
: "${OUT:?set OUT to the output folder}"
: "${TREES:?set TREES to the names of the trees (folders under VARIANTS)}"
VARIANTS=$(cd "${VARIANTS:-.variants}" && pwd) || { echo "compare_trees.sh: no folder ${VARIANTS:-.variants}" >&2; exit 2; }
ROW=${ROW:-"--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --what render --chunk 4800 --render-warmup 1 --render-repeats 12"}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
read -r -a trees <<< "$TREES"
for tree in "${trees[@]}"; do
  if [ ! -f "$VARIANTS/$tree/benchmarks/bench_model.py" ]; then
    echo "compare_trees.sh: $VARIANTS/$tree has no benchmarks/bench_model.py (git archive <ref> src benchmarks ...)" >&2
    exit 2
  fi
done
start=$(date +%s)
mkdir -p "$OUT/timed"
row() {  # tree, label, time limit
  local dir=$VARIANTS/$1
  # shellcheck disable=SC2046,SC2086  # ROW and the args file split into words on purpose
  (cd "$dir" && PYTHONPATH="$dir/src${PYTHONPATH:+:$PYTHONPATH}" GPNERF_GIT_COMMIT="${COMMIT:-unknown}$(cat label 2>/dev/null)" \
    timeout -s KILL "$3" "$PYTHON" benchmarks/bench_model.py $ROW $(cat args 2>/dev/null) --label "$2" \
    --json "$OUT/timed/$2.json" > "$OUT/timed/$2.log" 2>&1)
  grep "^| $2 |" "$OUT/timed/$2.log" || { echo "$2: no result; end of its log:"; tail -n 3 "$OUT/timed/$2.log" | cut -c1-300; }
  echo "[$(( $(date +%s) - start )) s]"
}
for tree in "${trees[@]}"; do row "$tree" "$tree.cold" "${COLD_LIMIT:-240}"; done
cold=()
for tree in "${trees[@]}"; do [ -e "$OUT/timed/$tree.cold.json" ] && cold+=("$OUT/timed/$tree.cold.json"); done
if [ ${#cold[@]} -gt 0 ]; then
  "$PYTHON" "$HERE/autotune_picks.py" "${cold[@]}" > "$OUT/autotune_picks.txt" 2>&1
  grep -E "launch\(es\) kept different" "$OUT/autotune_picks.txt" || echo "every kernel kept the same launch in every tree"
fi
if [ "${TRACE:-0}" = 1 ]; then
  mkdir -p "$OUT/profile"
  for tree in "${trees[@]}"; do
    chunk=$(grep -oE -- '--chunk [0-9]+' <<< " $ROW $(cat "$VARIANTS/$tree/args" 2>/dev/null) " | tail -n 1 | cut -d' ' -f2)
    (cd "$VARIANTS/$tree" && PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" timeout -s KILL "${COLD_LIMIT:-240}" \
      "$PYTHON" benchmarks/profile_model.py --device cuda --preset paper-scannet --implementation fast --precision bf16 \
      --chunk "${chunk:-4800}" --what render --compile --cuda-graph --trace --row-limit 60 --label "$tree" \
      --out "$OUT/profile" > "$OUT/profile/$tree.log" 2>&1)
    for trace in "$OUT/profile/${tree}"_*_trace.json.gz; do
      [ -e "$trace" ] || { echo "$tree: no trace; end of $OUT/profile/$tree.log:"; tail -n 3 "$OUT/profile/$tree.log"; continue; }
      "$PYTHON" "$HERE/trace_summary.py" "$trace" --top 60 --gap-ms 0.01 > "${trace%.json.gz}_summary.txt" 2>&1
      head -n 1 "${trace%.json.gz}_summary.txt"
    done
  done
fi
turn=0
while [ $(( $(date +%s) - start + ${ROW_LIMIT:-100} )) -le "${CALL_LIMIT:-560}" ] && [ $turn -lt "${MAX_TURNS:-1000000}" ]; do
  tree=${trees[$(( turn % ${#trees[@]} ))]}; turn=$(( turn + 1 ))
  row "$tree" "$tree.alone$turn" "${ROW_LIMIT:-100}"
done
echo "compare_trees.sh: done at $(( $(date +%s) - start )) s"
