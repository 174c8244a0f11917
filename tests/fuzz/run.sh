#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# FUZZ_SECONDS over a copy of its seed corpus. `make test` runs it for a few
# seconds as a smoke pass; `make fuzz` for longer. Crashes land in
# tests/fuzz/crashes/ and fail the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCOPPER_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

mkdir -p "$here/crashes"
status=0
for fuzzer in "$build"/tests/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  work=$(mktemp -d)
  cp -r "$here/corpus/$name/." "$work/"
  echo "fuzzing $name for ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -artifact_prefix="$here/crashes/$name-" "$work" 2>"$work.log"; then
    tail -40 "$work.log"
    status=1
  else
    grep -E '^(#[0-9]+ +DONE|Done)' "$work.log" | tail -1 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status
