#!/usr/bin/env bash
# Builds the trees that call1.sh and call2.sh take (`run` carries .variants and .whl), in the repository root:
#   bash docs/results/next-run/setup.sh
# head: main (the RAT kernel without its 4-warp launch, not yet timed); kernels: branch prepared-projection-kernel
# (main + the point projection and the q_fcs' PE(x) terms one Triton kernel each, the fine pass projecting its merged
# points again, the relative direction stored in the autocast dtype, the sampling kernels' maps laid out once a frame
# and their grid computed on chip, the head's resize on a channels-last view; docs/performance.md section 27);
# projection: that branch's first commit, ca92e3a (the projection kernel alone), so the rows tell the parts apart.
set -euo pipefail
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main kernels:prepared-projection-kernel projection:ca92e3a; do
  name=${variant%%:*}; branch=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$branch" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $branch $(git rev-parse --short "$branch")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device (see the call scripts)
