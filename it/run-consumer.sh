#!/usr/bin/env bash
# The consumer build: two applications outside the reactor (it/consumer), built against the
# artifacts that `mvn install` put into the local repository, run as two JVMs over TCP on
# 127.0.0.1 with files made by `keytransfer ca`. The host runs on the module path, the terminal on
# the class path; each side gets only the files the README says it needs, and the passphrase of
# its encrypted key.
# Run from the repository root after `mvn install`: it/run-consumer.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' pom.xml)
cli=examples/target/keytransfer.jar
[ -f "$cli" ] || { echo "consumer: $cli missing (run mvn install first)" >&2; exit 1; }
work=$(mktemp -d)
host_pid=
cleanup() {
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "consumer: building it/consumer against key-transfer $version from the local repository"
mvn -B -q -f it/consumer/pom.xml -Dkeytransfer.version="$version" clean package

echo "consumer: S1 with keytransfer ca"
# every private key keytransfer ca writes is encrypted under this passphrase; the CLI and both
# applications read it from the environment (the CLI also takes --passphrase-file FILE)
KEYTRANSFER_PASSPHRASE="consumer-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export KEYTRANSFER_PASSPHRASE
java -jar "$cli" ca init --dir "$work/ca" >/dev/null
java -jar "$cli" ca issue --dir "$work/ca" --role kdh --name host1 >/dev/null
java -jar "$cli" ca issue --dir "$work/ca" --role krd --name pos1 >/dev/null
java -jar "$cli" ca issue --dir "$work/ca" --role krd --name pos2 >/dev/null
mkdir -p "$work/host" "$work/pos1" "$work/pos2"
for f in host1.key.pem host1.crt.pem root.crt.pem kdh-ca.crt.pem krd-ca.crt.pem \
         root.crl.pem kdh-ca.crl.pem krd-ca.crl.pem; do
  cp "$work/ca/$f" "$work/host/"
done
for pos in pos1 pos2; do
  for f in "$pos.key.pem" "$pos.crt.pem" root.crt.pem kdh-ca.crt.pem krd-ca.crt.pem; do
    cp "$work/ca/$f" "$work/$pos/"
  done
done

host_cp=it/consumer/host-app/target/classes:it/consumer/host-app/target/lib
java -p "$host_cp" -m com.example.keyhost/com.example.keyhost.KeyHost "$work/host" host1 0 \
  >"$work/host.log" 2>&1 &
host_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^serving on port \([0-9][0-9]*\)$/\1/p' "$work/host.log")
  [ -n "$port" ] && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log" >&2; echo "consumer: host died" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/host.log" >&2; echo "consumer: host did not start" >&2; exit 1; }
echo "consumer: host JVM (module path) serving on 127.0.0.1:$port"

# The terminal side is light: exactly these jars (no Bouncy Castle, no PKCS#11 wrapper), together
# at most 1 MiB for the three key-transfer ones.
lib=it/consumer/terminal-app/target/lib
expected="key-transfer-core-$version.jar key-transfer-crypto-$version.jar key-transfer-transport-$version.jar slf4j-api-2.0.17.jar slf4j-simple-2.0.17.jar"
actual=$(cd "$lib" && echo $(ls | sort))
if [ "$actual" != "$(echo $(tr ' ' '\n' <<<"$expected" | sort))" ]; then
  echo "consumer: the terminal's class path is [$actual], expected [$expected]" >&2; exit 1
fi
kt_bytes=0
for j in core crypto transport; do
  kt_bytes=$(( kt_bytes + $(stat -c %s "$lib/key-transfer-$j-$version.jar") ))
done
echo "consumer: terminal class path: $actual; key-transfer jars $kt_bytes bytes"
[ "$kt_bytes" -le 1048576 ] || { echo "consumer: terminal jars exceed 1 MiB" >&2; exit 1; }

terminal_cp="it/consumer/terminal-app/target/classes:$lib/*"
fetch() {
  java -Xlog:class+load=info:file="$work/classes-$1.log" -cp "$terminal_cp" \
    com.example.pos.FetchKey "$work/$1" "$1" 127.0.0.1 "$port"
}
for pos in pos1 pos2; do
  out=$(fetch "$pos") || { cat "$work/host.log" >&2; echo "consumer: $pos got no key" >&2; exit 1; }
  echo "consumer: $pos (class path JVM): $out"
  [[ "$out" =~ ^header=A0000K0TB00E0000\ kcv=[0-9A-F]{6}$ ]] \
    || { cat "$work/host.log" >&2; echo "consumer: unexpected output from $pos" >&2; exit 1; }
  # the handshake really ran in this JVM, and no Bouncy Castle or PKCS#11 wrapper class was loaded
  grep -q ' dev.keytransfer.crypto.tr34.Tr34TokenCodec ' "$work/classes-$pos.log" \
    || { echo "consumer: the class-load log shows no TR-34 codec" >&2; exit 1; }
  if grep -E ' (org\.bouncycastle|org\.xipki)\.' "$work/classes-$pos.log" >"$work/bad.txt"; then
    cat "$work/bad.txt" >&2; echo "consumer: the terminal loaded third-party crypto" >&2; exit 1
  fi
  echo "consumer: $pos loaded $(grep -c ' dev.keytransfer\.' "$work/classes-$pos.log") key-transfer classes, no org.bouncycastle or org.xipki class"
done

# Revoke pos2 and hand the host its new KRD CA CRL: the host reads it at the next session.
java -jar "$cli" ca revoke --dir "$work/ca" --cert "$work/ca/pos2.crt.pem" >/dev/null
cp "$work/ca/krd-ca.crl.pem" "$work/host/"
if out=$(fetch pos2 2>&1); then
  echo "consumer: revoked pos2 still got a key: $out" >&2; exit 1
fi
reason=$(sed -n 's/^Exception in thread "main" //p' <<<"$out")
echo "consumer: revoked pos2 refused: $reason"
# the terminal learns only the public class of the refusal; the host keeps the exact reason
[[ "$reason" == *PEER_REFUSED_CERTIFICATE* ]] \
  || { echo "$out" >&2; echo "consumer: pos2 refused for another reason" >&2; exit 1; }
grep -q CERTIFICATE_REVOKED "$work/host.log" \
  || { cat "$work/host.log" >&2; echo "consumer: the host did not log CERTIFICATE_REVOKED" >&2; exit 1; }
echo "consumer: the host logged the exact reason, CERTIFICATE_REVOKED"
fetch pos1 >/dev/null || { cat "$work/host.log" >&2; echo "consumer: pos1 not served again" >&2; exit 1; }
# the host's ledger outlives it: stop the host, then read and verify its H2 ledger with the tool
kill "$host_pid"; wait "$host_pid" 2>/dev/null || true; host_pid=
java -jar "$cli" ledger list --dir "$work/host" --json >"$work/ledger.json"
confirmed=$(grep -c '"status":"CONFIRMED"' "$work/ledger.json" || true)
[ "$confirmed" -eq 3 ] || { cat "$work/ledger.json" >&2; echo "consumer: expected 3 confirmed deliveries" >&2; exit 1; }
java -jar "$cli" ledger verify --dir "$work/host" \
  || { echo "consumer: the host's audit chain does not verify" >&2; exit 1; }
echo "consumer: OK (2 keys delivered, 1 revoked terminal refused, pos1 served again; ledger of 3 confirmed deliveries verified)"
