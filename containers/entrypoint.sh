#!/bin/sh
# Runs the aws-bench runner in the image. `run …` always means this host (`--target local`), with the image's
# programs, writing under the mounted /results. `selfcheck` checks the contract's capabilities. Anything else
# (parse, validate, --help) passes through to the runner.
set -eu
runner=/opt/aws-bench/runner/dist/aws-bench.mjs
if [ "${1:-}" = "selfcheck" ]; then
  # What the run contract must allow: memory binding (SYS_NICE under the default seccomp profile) and MPI.
  numactl --membind=0 true && echo "selfcheck: numactl --membind=0 ok"
  exec node "$runner" --version
fi
if [ "${1:-}" = "run" ]; then
  shift
  exec node "$runner" run --target local --image-root /opt/aws-bench "$@"
fi
exec node "$runner" "$@"
