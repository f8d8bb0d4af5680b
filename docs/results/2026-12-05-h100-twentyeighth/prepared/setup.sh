#!/usr/bin/env bash
# Builds the trees the next run's calls take (`run` carries .variants and .whl), in the repository root:
#   bash docs/results/2026-12-05-h100-twentyeighth/prepared/setup.sh
# Branch prepared-twentyeighth is made from this folder's patches where the checkout lacks it (made on main 3c33eee;
# they apply to main until main changes what they touch, and `git am` says so then). Trees: head = main; rat = the
# branch's first commit (main + the RAT kernel's A V transposed, 4 warps back); new = the whole branch.
set -euo pipefail
HERE=docs/results/2026-12-05-h100-twentyeighth/prepared
if ! git rev-parse -q --verify prepared-twentyeighth > /dev/null; then
  scratch=$(mktemp -d)
  git worktree add -q "$scratch/tree" -b prepared-twentyeighth main
  (cd "$scratch/tree" && git am -q "$OLDPWD"/$HERE/*.patch)
  git worktree remove "$scratch/tree"
fi
first=$(git rev-list --reverse main..prepared-twentyeighth | head -1)
rm -rf .variants  # a scratch area: only these trees travel
for variant in head:main rat:$first new:prepared-twentyeighth; do
  name=${variant%%:*}; ref=${variant#*:}
  mkdir -p ".variants/$name"
  git archive "$ref" src tests benchmarks pyproject.toml | tar -x -C ".variants/$name"
  echo "$name <- $ref $(git rev-parse --short "$ref")"
done
ls .whl/*.whl > /dev/null  # tyro, typeguard, docstring_parser wheels for the device: pip download them into .whl
