#!/usr/bin/env bash
# Builds the trees that call1.sh and call2.sh take (`run` carries .variants and .whl), from the prepared branches, in
# the repository root: bash docs/results/2026-12-05-h200-twentyseventh/setup.sh
set -euo pipefail
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main graph:prepared-frame-graph weights:prepared-frame-weights terms:prepared-ray-terms; do
  name=${variant%%:*}; branch=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$branch" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $branch $(git rev-parse --short "$branch")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device (see the call scripts)
