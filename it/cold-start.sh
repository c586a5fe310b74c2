#!/usr/bin/env bash
# The cold terminal on the terminal's jars only: a host served by dev.keytransfer.bench.ColdStart
# (full class path: CA, Netty) and each child JVM given ONLY key-transfer-core, -crypto, -transport,
# -bench and slf4j-api (no Bouncy Castle). Prints the median wall time from the child's main to its
# installed key, and whether it loaded any Bouncy Castle, CA or Netty class (README "Performance").
#   it/cold-start.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
v=0.1.0-SNAPSHOT
mvn -B -q -pl key-transfer-bench -am package -DskipTests -Dspotless.check.skip \
  dependency:build-classpath -Dmdep.outputFile=target/deps.cp >/dev/null
slf4j=$(awk -v RS=':' '/\/slf4j-api-[^\/]*\.jar\n?$/ { sub(/\n$/, ""); print; exit }' key-transfer-bench/target/deps.cp)
child="key-transfer-core/target/key-transfer-core-$v.jar"
child="$child:key-transfer-crypto/target/key-transfer-crypto-$v.jar"
child="$child:key-transfer-transport/target/key-transfer-transport-$v.jar"
child="$child:key-transfer-bench/target/key-transfer-bench-$v.jar:$slf4j"
for jar in ${child//:/ }; do
  [ -f "$jar" ] || { echo "missing $jar" >&2; exit 1; }
done
# the host's class path: this tree's jars in place of any installed copies, then the rest
host=$(sed "s#[^:]*/dev/keytransfer/\(key-transfer-[a-z0-9]*\)/$v/[^:]*\.jar#\1/target/\1-$v.jar#g" \
  key-transfer-bench/target/deps.cp)
exec java -cp "key-transfer-bench/target/key-transfer-bench-$v.jar:$host" \
  dev.keytransfer.bench.ColdStart --child-classpath "$child" "$@"
