#!/usr/bin/env bash
# Rows of benchmarks/bench_model.py compiled side by side and timed one at a time (benchmarks/timing_barrier.py).
#
#   OUT=DIR [ROW="bench_model.py arguments shared by every row"] [DEADLINE=S] [KILL_AT=S] [PYTHON=python3] \
#     bash benchmarks/side_by_side.sh 'NAME|ENV ASSIGNMENTS|EXTRA ARGUMENTS' ...
#
# Each row starts at once in its own process (NAME: letters, digits, '_', '.', '-'; ENV ASSIGNMENTS: space-separated
# NAME=VALUE pairs for that process, e.g. TORCHINDUCTOR_COORDINATE_DESCENT_TUNING=1; EXTRA ARGUMENTS: appended to ROW),
# warms up (compiles), then waits until every row has arrived or DEADLINE seconds from the start have passed. At
# DEADLINE - 3 s every row that has not arrived is killed, so its compilation or autotuning never overlaps another
# row's timed steps; the rows that arrived are then timed one after another, alone. KILL_AT (default DEADLINE + 60)
# ends any row still running. Writes DIR/NAME.json and DIR/NAME.log per row and prints each row's table line (or the
# end of its log). One measurement per row: ROW or the row's arguments must say --what train or --what render (the
# last --what counts, as in bench_model.py); rows may measure different things and still take their turns alone. The
# docs/results/2026-12-04-h200-nineteenth/call*/ scripts are this script's first form.
#
# ALONE=1 [ALONE_KILL_AT=S]: then every row with a result runs again, one at a time, in a fresh process (NAME.alone.json,
# NAME.alone.log; each killed after ALONE_KILL_AT s, default 300) with an inductor cache of its own
# (TORCHINDUCTOR_CACHE_DIR, a new folder, removed after): it compiles again, alone, so the launch configurations
# inductor times on a kernel's first launch (gpnerf's Triton kernels inside compiled code, inductor's generated kernels)
# are chosen with the GPU to itself instead of beside the other rows' warm-ups. The first pass's caches would hand
# them the first pass's choices: those are kept with the compiled code, and --inductor-config
# autotune_local_cache=False is not part of the cache key (the thirty-sixth run: a contraction launch chosen beside
# two other compiles cost its tree 12 ms a frame in every later process; docs/benchmarks.md). Compare rows of one pass
# only: the twentieth run's first pass timed the training step about 5 % under its alone pass (37.8 against 39.9 ms,
# same code; docs/benchmarks.md), for reasons not yet known.
set -uo pipefail
: "${OUT:?set OUT to the output folder}"
if [ $# -lt 1 ]; then
  echo "usage: OUT=DIR bash benchmarks/side_by_side.sh 'NAME|ENV|ARGS' ..." >&2; exit 2
fi
ROW=${ROW:-"--preset paper-scannet --implementation fast --precision bf16 --compile blocks --cuda-graph --trainer-step --what train --warmup 3 --repeats 20"}
DEADLINE=${DEADLINE:-540}
KILL_AT=${KILL_AT:-$(( DEADLINE + 60 ))}
PYTHON=${PYTHON:-python3}
ALONE=${ALONE:-0}
if [ "$ALONE" != 0 ] && [ "$ALONE" != 1 ]; then
  echo "side_by_side.sh: ALONE must be 0 or 1; got '$ALONE'" >&2; exit 2
fi
ALONE_KILL_AT=${ALONE_KILL_AT:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
names=()
declare -A measuring  # rows per measurement: each row's barrier counts the rows that measure what it measures
for spec in "$@"; do
  IFS='|' read -r name assignments extra <<< "$spec"
  what=$(grep -oE -- '--what [a-z]+' <<< " $ROW $extra " | tail -n 1 | cut -d' ' -f2)  # the last one counts
  if [ "$what" != train ] && [ "$what" != render ]; then
    echo "side_by_side.sh: row '$name' measures more than one thing; give --what train or --what render in ROW or its arguments" >&2; exit 2
  fi
  measuring[$what]=$(( ${measuring[$what]:-0} + 1 ))
  if ! [[ $name =~ ^[A-Za-z0-9_.-]+$ ]]; then
    echo "side_by_side.sh: row name '$name' in '$spec' must be letters, digits, '_', '.', '-'" >&2; exit 2
  fi
  names+=("$name")
done
BARRIER=$(mktemp -d "${TMPDIR:-/tmp}/side_by_side.XXXXXX")
ROWS_PATTERN="^[^ ]*python[0-9.]* [^ ]*bench_model.py .*--timing-barrier $BARRIER "  # the rows' interpreters, not timeout
start=$(date +%s)
mkdir -p "$OUT"
for spec in "$@"; do
  IFS='|' read -r name assignments extra <<< "$spec"
  what=$(grep -oE -- '--what [a-z]+' <<< " $ROW $extra " | tail -n 1 | cut -d' ' -f2)
  # shellcheck disable=SC2086  # ENV ASSIGNMENTS, ROW and EXTRA ARGUMENTS split into words on purpose
  env $assignments GPNERF_SIDE_BY_SIDE_ROW="$name" timeout -s KILL "$KILL_AT" \
    "$PYTHON" "$HERE/bench_model.py" $ROW $extra --label "$name" --timing-barrier "$BARRIER" \
    --timing-parties "${measuring[$what]}" --timing-barrier-timeout "$DEADLINE" --json "$OUT/$name.json" > "$OUT/$name.log" 2>&1 &
done
late_checked=0
while [ -n "$(jobs -pr)" ]; do  # the rows' process chains (env, timeout, the interpreter) still running
  if [ $late_checked = 0 ] && [ $(( $(date +%s) - start )) -ge $(( DEADLINE - 3 )) ]; then
    late_checked=1  # the rows still warming up go before the others are timed
    for pid in $(pgrep -f "$ROWS_PATTERN"); do
      if [ ! -e "$BARRIER/train.arrived.$pid" ] && [ ! -e "$BARRIER/render.arrived.$pid" ]; then
        echo "side_by_side.sh: killed before the timed turns: $(tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep '^GPNERF_SIDE_BY_SIDE_ROW=' | cut -d= -f2)"
        kill -KILL "$pid"
      fi
    done
  fi
  sleep 1
done
wait
for name in "${names[@]}"; do
  grep "^| $name |" "$OUT/$name.log" || { echo "$name: no result; end of $OUT/$name.log:"; tail -n 3 "$OUT/$name.log" | cut -c1-300; }
done
echo "side_by_side.sh: $# rows in $(( $(date +%s) - start )) s"
rm -rf "$BARRIER"
[ "$ALONE" = 1 ] || exit 0
for spec in "$@"; do
  IFS='|' read -r name assignments extra <<< "$spec"
  if [ ! -e "$OUT/$name.json" ]; then
    echo "$name.alone: not run (no first-pass result)"; continue
  fi
  cache=$(mktemp -d "${TMPDIR:-/tmp}/side_by_side_alone.XXXXXX")
  # shellcheck disable=SC2086
  env TORCHINDUCTOR_CACHE_DIR="$cache" $assignments GPNERF_SIDE_BY_SIDE_ROW="$name.alone" timeout -s KILL "$ALONE_KILL_AT" \
    "$PYTHON" "$HERE/bench_model.py" $ROW $extra --label "$name.alone" \
    --json "$OUT/$name.alone.json" > "$OUT/$name.alone.log" 2>&1
  rm -rf "$cache"
  grep "^| $name.alone |" "$OUT/$name.alone.log" || { echo "$name.alone: no result; end of $OUT/$name.alone.log:"; tail -n 3 "$OUT/$name.alone.log" | cut -c1-300; }
done
echo "side_by_side.sh: alone pass done at $(( $(date +%s) - start )) s"
