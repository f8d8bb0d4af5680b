#!/usr/bin/env bash
# Builds the trees the next run's calls take (`run` carries .variants and .whl), in the repository root:
#   bash docs/results/2026-12-05-h200-twentyninth/prepared/setup.sh
# Branch prepared-twentyninth (main 5de368e + the RAT kernel's A V transposed with 4 warps back) is made from this
# folder's patch where the checkout lacks it. Trees: head = main, rat = the branch.
set -euo pipefail
HERE=docs/results/2026-12-05-h200-twentyninth/prepared
if ! git rev-parse -q --verify prepared-twentyninth > /dev/null; then
  scratch=$(mktemp -d)
  git worktree add -q "$scratch/tree" -b prepared-twentyninth main
  (cd "$scratch/tree" && git am -q "$OLDPWD"/$HERE/*.patch)
  git worktree remove "$scratch/tree"
fi
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main rat:prepared-twentyninth; do
  name=${variant%%:*}; ref=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$ref" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $ref $(git rev-parse --short "$ref")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device: pip download them into .whl
