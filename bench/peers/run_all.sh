#!/usr/bin/env bash
# Run the NegMAS Pareto + Nash peer cases, appending one JSON line per case to $1.
#
#   bench/peers/run_all.sh bench/peers/negmas_results.jsonl
#
# Uses $NEGMAS_PY (default /tmp/negmas-venv/bin/python): a venv *outside* the repo
# with negmas==0.16.0 (see README.md). Each line carries "loadavg" (1/5/15-min load
# when the case started) so that runs on a busy machine can be spotted.
set -euo pipefail

out=${1:?usage: $0 OUTPUT.jsonl}
py=${NEGMAS_PY:-/tmp/negmas-venv/bin/python}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

run() { # parties outcomes repeat timeout_s
  echo "negmas: parties=$1 outcomes=$2 repeat=$3 timeout=${4}s ($(uptime | sed 's/.*load average/load/'))" >&2
  "$py" "$here/negmas_pareto.py" --parties "$1" --outcomes "$2" --repeat "$3" --timeout-s "$4" >>"$out" \
    || echo "negmas: case parties=$1 outcomes=$2 reported an error (see $out)" >&2
}

run 2 1000     5 120
run 2 10000    3 120
run 2 100000   3 300
run 2 1000000  1 300
run 2 10000000 1 120   # expected to time out (~3 min needed)
run 3 100000   3 300
run 5 100000   1 300
