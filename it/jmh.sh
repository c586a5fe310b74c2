#!/usr/bin/env bash
# JMH: the floor and each side's handshakes of key-transfer-bench under JMH (throughput, 1 and 2
# threads, GC profiler), printed as a markdown table of ratios (README "Performance"). Never part of
# mvn verify or CI. Flags go to dev.keytransfer.jmh.RatioTable (it/jmh.sh --help):
#   it/jmh.sh --iterations 5 --seconds 10 --forks 2 --provider jca,bc --threads 1,2
# With --host-parts first, dev.keytransfer.jmh.HostParts instead: the parts of a host handshake that
# are not in its floor, and the best ratio to the floor they leave (README "Performance"):
#   it/jmh.sh --host-parts --iterations 5 --provider jca,bc,accp
set -euo pipefail
cd "$(dirname "$0")/.."
main=dev.keytransfer.jmh.RatioTable
if [[ "${1:-}" == --host-parts ]]; then
  main=dev.keytransfer.jmh.HostParts
  shift
fi
mvn -B -q -pl key-transfer-jmh -am package -DskipTests
exec java -cp key-transfer-jmh/target/benchmarks.jar "$main" "$@"
