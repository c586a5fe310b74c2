#!/usr/bin/env bash
# A CPU profile of one JMH benchmark of key-transfer-jmh with async-profiler
# (tools.profiler:async-profiler from Maven Central, its Linux library), one thread, and the time per
# operation split into the parts of a handshake (README "Performance"). Never part of mvn verify or
# CI. Writes a flame graph and the collapsed stacks under key-transfer-jmh/target/profile/.
#   it/profile.sh HandshakeBench.host bc
#   it/profile.sh FloorBench.host jca
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:?usage: it/profile.sh BENCHMARK [PROVIDER]   e.g. HandshakeBench.host bc}
provider=${2:-jca}
version=3.0
case "$(uname -m)" in
  x86_64) arch=linux-x64 ;;
  aarch64) arch=linux-arm64 ;;
  *) echo "no async-profiler library for $(uname -m)" >&2; exit 2 ;;
esac
out=key-transfer-jmh/target/profile
mkdir -p "$out/lib"
mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$version -DoutputDirectory="$out/lib"
jar=$out/lib/async-profiler-$version.jar
unzip -o -q "$jar" "$arch/*" -d "$out/lib"
mvn -B -q -pl key-transfer-jmh -am package -DskipTests
rm -rf "$out/$bench-$provider"
# itimer: CPU time by setitimer, which needs no perf_events (often refused in containers)
java -jar key-transfer-jmh/target/benchmarks.jar "dev\.keytransfer\.jmh\.$bench\$" \
  -p provider="$provider" -p mode=rsa -wi 6 -w 2 -i 8 -r 2 -f 1 -t 1 \
  -rf csv -rff "$out/$bench-$provider.csv" \
  -prof "async:libPath=$PWD/$out/lib/$arch/libasyncProfiler.so;output=collapsed,flamegraph;event=itimer;interval=200000;dir=$out/$bench-$provider"
score=$(awk -F, 'NR == 2 { print $5 }' "$out/$bench-$provider.csv")
collapsed=$(find "$out/$bench-$provider" -name 'collapsed-*.csv')
echo
echo "$bench on $provider: $score ops/s; the benchmark thread's samples by part (the first that matches):"
# a stack is counted in the first part whose marker it contains, in this order
awk -v score="$score" '
  BEGIN {
    n = split("sign=JcaCryptoProvider.sign oaep=JcaCryptoProvider.encryptKey" \
      " verify=JcaCryptoProvider.verify content-encryption=JcaCryptoProvider.encrypt" \
      " kcv=JcaCryptoProvider.keyCheckValue certificate-validation=PkixCertificateValidator.validate" \
      " certificate-parse=X509Objects.certificate crl-parse=X509Objects.crl" \
      " key-token=Tr34TokenCodec.buildKeyToken message-decode=MessageCodec.decode" \
      " message-encode=MessageCodec.encode ledger=Ledger key-source=KeySource" \
      " rest=dev/keytransfer/jmh/", m, " ")
    for (i = 1; i <= n; i++) { split(m[i], kv, "="); part[i] = kv[1]; marker[i] = kv[2] }
  }
  {
    count = $NF; stack = $0
    for (i = 1; i <= n; i++) if (index(stack, marker[i])) { hits[i] += count; total += count; break }
  }
  END {
    us = 1e6 / score
    for (i = 1; i <= n; i++) if (hits[i])
      printf "  %-24s %5.1f %%  %8.1f us\n", part[i], 100 * hits[i] / total, us * hits[i] / total
    printf "  %-24s %5.1f %%  %8.1f us\n", "(all)", 100, us
  }' "$collapsed"
echo "flame graph: $(find "$out/$bench-$provider" -name 'flame-*forward*.html' -print -quit)"
