#!/usr/bin/env bash
# The consumer build: two applications outside the reactor (it/consumer), built against the
# artifacts that `mvn install` put into the local repository, run as two JVMs over TCP on
# 127.0.0.1 with files made by `keytransfer ca`. The host runs on the module path, the terminal on
# the class path; each side gets only the files the README says it needs.
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
mvn -B -q -f it/consumer/pom.xml -Dkeytransfer.version="$version" package

echo "consumer: S1 with keytransfer ca"
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

terminal_cp="it/consumer/terminal-app/target/classes:it/consumer/terminal-app/target/lib/*"
fetch() {
  java -cp "$terminal_cp" com.example.pos.FetchKey "$work/$1" "$1" 127.0.0.1 "$port"
}
for pos in pos1 pos2; do
  out=$(fetch "$pos")
  echo "consumer: $pos (class path JVM): $out"
  [[ "$out" =~ ^header=A0000K0TB00E0000\ kcv=[0-9A-F]{6}$ ]] \
    || { cat "$work/host.log" >&2; echo "consumer: unexpected output from $pos" >&2; exit 1; }
done

# Revoke pos2 and hand the host its new KRD CA CRL: the host reads it at the next session.
java -jar "$cli" ca revoke --dir "$work/ca" --cert "$work/ca/pos2.crt.pem" >/dev/null
cp "$work/ca/krd-ca.crl.pem" "$work/host/"
if out=$(fetch pos2 2>&1); then
  echo "consumer: revoked pos2 still got a key: $out" >&2; exit 1
fi
reason=$(sed -n 's/^Exception in thread "main" //p' <<<"$out")
echo "consumer: revoked pos2 refused: $reason"
[[ "$reason" == *REVOKED* ]] || { echo "$out" >&2; echo "consumer: pos2 refused for another reason" >&2; exit 1; }
fetch pos1 >/dev/null
echo "consumer: OK (2 keys delivered, 1 revoked terminal refused, pos1 served again)"
