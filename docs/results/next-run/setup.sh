#!/usr/bin/env bash
# Builds the trees that call1.sh and call2.sh take (`run` carries .variants and .whl), in the repository root:
#   bash docs/results/next-run/setup.sh
# head: main (the RAT kernel without its 4-warp launch, not yet timed); kernels: branch prepared-projection-kernel
# (main + the point projection and the q_fcs' PE(x) terms one Triton kernel each; docs/performance.md section 27).
set -euo pipefail
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main kernels:prepared-projection-kernel; do
  name=${variant%%:*}; branch=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$branch" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $branch $(git rev-parse --short "$branch")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device (see the call scripts)
