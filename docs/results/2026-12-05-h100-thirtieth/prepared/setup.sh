#!/usr/bin/env bash
# Builds the trees the next run's call takes (`run` carries .variants and .whl), in the repository root:
#   bash docs/results/2026-12-05-h100-thirtieth/prepared/setup.sh
# Branch prepared-thirtieth (main + the projection kernel's vector stores + the PE(x) kernel's padded weight) is made
# from this folder's patches where the checkout lacks it. Trees: head = main, new = the branch.
set -euo pipefail
HERE=docs/results/2026-12-05-h100-thirtieth/prepared
if ! git rev-parse -q --verify prepared-thirtieth > /dev/null; then
  scratch=$(mktemp -d)
  git worktree add -q "$scratch/tree" -b prepared-thirtieth main
  (cd "$scratch/tree" && git am -q "$OLDPWD"/$HERE/*.patch)
  git worktree remove "$scratch/tree"
fi
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main new:prepared-thirtieth; do
  name=${variant%%:*}; ref=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$ref" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $ref $(git rev-parse --short "$ref")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device: pip download them into .whl
