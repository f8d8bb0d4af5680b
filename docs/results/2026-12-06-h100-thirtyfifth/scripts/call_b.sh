#!/usr/bin/env bash
# Call B (a fresh machine): main and reuse-coarse-tokens (render-glue included) by default (TREES), cold rows side
# by side, then fresh processes alone, alternating. Usage: COMMIT=... bash docs/results/2026-12-06-h100-thirtyfifth/scripts/call_b.sh (carry .whl, .variants).
COMMIT=$COMMIT WHAT=render TREES="${TREES:-head reuse}" CALL_LIMIT=${CALL_LIMIT:-470} ROW_LIMIT=45 \
  bash docs/results/2026-12-05-h100-thirtysecond/next/alternate_trees.sh 2>&1 | tail -n 30
