#!/usr/bin/env bash
# Fuzzes every parser entry point of the SDK with Jazzer (docs/FUZZING.md).
#
#   it/fuzz.sh [SECONDS] [Class#method ...]
#
# SECONDS per target (default 10); the targets are the @FuzzTest methods of key-transfer-tests'
# package dev.keytransfer.fuzz (all of them unless named). Builds the reactor once (test-compile,
# never install), then runs each target in a JVM of its own with JAZZER_FUZZ=1 (Jazzer fuzzes one
# target per JVM) and prints a table: executions, executions per second, result. Everything it
# writes is under key-transfer-tests/target/fuzz/: per target its log, its generated corpus
# (TARGET/.cifuzz-corpus/, which a later run of the same target starts from) and any crashing
# input (TARGET/crash-*, kept across runs). Exits 1 if any target found a crash or failed, 2 on
# bad arguments.
# KEYTRANSFER_VECTORS overrides where the shared vectors are (default ../shared/vectors); without
# them the targets start from the SDK's own seeds only.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

seconds=${1:-10}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: it/fuzz.sh [SECONDS] [Class#method ...]   (SECONDS: a whole number, at least 1)" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))

module=key-transfer-tests
out="$repo/$module/target/fuzz"
vectors=${KEYTRANSFER_VECTORS:-$repo/../shared/vectors}

# One build: the reactor's classes and the test class path of key-transfer-tests, with the other
# modules as their target/classes (never the snapshots in ~/.m2, which mvn install would write).
mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test
classpath="$repo/$module/target/test-classes:$(cat "$repo/$module/target/fuzz-classpath.txt")"
mkdir -p "$out"

run_java() {
  (cd "$repo/$module" && java -cp "$classpath" \
    -Dkeytransfer.vectors="$vectors" \
    -Dkeytransfer.fuzzSeeds="$out/seeds" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    "$@")
}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(run_java dev.keytransfer.fuzz.FuzzMain --list)
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 2
fi

status=0
rows=()
start=$(date +%s)
for target in "${targets[@]}"; do
  dir="$out/$target"
  mkdir -p "$dir"
  touch "$dir/.started"  # findings of earlier runs stay; only newer files count for this one
  log="$out/$target.log"
  rc=0
  # jazzer.internal.basedir: the generated corpus and the findings go under target/, never into
  # src/test/resources; -print_final_stats=1 makes libFuzzer print the executions it ran
  JAZZER_FUZZ=1 run_java \
    -Djazzer.max_duration="${seconds}s" \
    -Djazzer.internal.basedir="$dir" \
    -Djazzer.instrumentation_excludes='dev.keytransfer.fuzz.**:dev.keytransfer.crypto.testing.**' \
    -Djazzer.internal.arg.0=fuzz \
    -Djazzer.internal.arg.1=-print_final_stats=1 \
    dev.keytransfer.fuzz.FuzzMain "$target" >"$log" 2>&1 || rc=$?
  # libFuzzer's own figures: executions, the seconds it ran, executions per second
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  ran=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  execs=${execs:-?}
  rate=${rate:-?}
  ran=${ran:-?}
  crashes=$(find "$dir" -maxdepth 1 -type f -newer "$dir/.started" \
    \( -name 'crash-*' -o -name 'timeout-*' \) | sort)
  if [ "$rc" -eq 0 ] && [ -z "$crashes" ]; then
    result=ok
  else
    status=1
    result="FINDING (rc $rc)"
    if [ -n "$crashes" ]; then
      result="FINDING: $(echo "$crashes" | sed "s|^$repo/||" | paste -sd ' ' -)"
    fi
    grep -m 1 -E '^== Java Exception|^Exception|FuzzTestFindingException|AssertionError' "$log" \
      | sed 's/^/    /' >&2 || true
  fi
  rows+=("$(printf '%-40s %4ss %12s %9s/s  %s' "$target" "$ran" "$execs" "$rate" "$result")")
  echo "${rows[-1]}"
done
end=$(date +%s)

echo
printf '%-40s %5s %12s %11s  %s\n' "target" "ran" "executions" "rate" "result"
printf '%s\n' "${rows[@]}"
echo "${#targets[@]} targets, ${seconds}s each, $(( end - start ))s in all (logs: ${out#"$repo"/}/)"
exit $status
