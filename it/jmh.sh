#!/usr/bin/env bash
# JMH: the floor and each side's handshakes of key-transfer-bench under JMH (throughput, 1 and 2
# threads, GC profiler), printed as a markdown table of ratios (README "Performance"). Never part of
# mvn verify or CI. Flags go to dev.keytransfer.jmh.RatioTable (it/jmh.sh --help):
#   it/jmh.sh --iterations 5 --seconds 10 --forks 2 --provider jca,bc --threads 1,2
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl key-transfer-jmh -am package -DskipTests
exec java -cp key-transfer-jmh/target/benchmarks.jar dev.keytransfer.jmh.RatioTable "$@"
