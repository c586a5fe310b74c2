#!/usr/bin/env bash
# Lines of Java beyond the package and import lines: every line that is not blank and not only a
# comment (javadoc included). Usage: it/count-lines.sh FILE...
set -euo pipefail
for f in "$@"; do
  n=$(awk '
    /^[[:space:]]*$/ {next}
    /^[[:space:]]*(package|import)[[:space:]]/ {next}
    /^[[:space:]]*\/\*/ {inc=1}
    inc {if ($0 ~ /\*\//) inc=0; next}
    /^[[:space:]]*\/\// {next}
    {n++}
    END {print n+0}' "$f")
  echo "$n $f"
done
