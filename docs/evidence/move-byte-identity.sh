#!/usr/bin/env bash
# Byte comparison of the move of f1e6cb6 with the engine held fixed.
#
# One binary, built from branch bytes-oracle (commit 64e5094: f1e6cb6 + the pre-move
# orchestration of 7a49bc8 as hidden subcommands old-experiment, old-merge, old-run,
# old-report); see move-byte-identity.md beside this script. "new" = f1e6cb6's own subcommands with --no-assimilation;
# "old" = 7a49bc8's code path. Both paths run in directories of their own with the same
# relative paths, so that printed paths are equal too.
#
# Usage: move-byte-identity.sh PARLEY_BINARY [WORK_DIR]
set -u
P=${1:?usage: move-byte-identity.sh PARLEY_BINARY [WORK_DIR]}
W=${2:-$(mktemp -d)}
rm -rf "$W"; mkdir -p "$W/old" "$W/new"
export NO_COLOR=1

# run SIDE NAME CMD...: run CMD in $W/SIDE, keep stdout, stderr and exit code as NAME.*
run() {
    local side=$1 name=$2; shift 2
    (cd "$W/$side" && "$P" "$@" >"$name.stdout" 2>"$name.stderr"; echo $? >"$name.rc")
}

for side in old new; do
    if [ $side = old ]; then pre=old-; na=(); else pre=; na=(--no-assimilation); fi
    # 1. experiment --runs 300 --seed 3 (table and JSON output)
    run $side exp ${pre}experiment --runs 300 --seed 3 --out exp "${na[@]}"
    run $side expjson --format json ${pre}experiment --runs 300 --seed 3 --out expjson "${na[@]}"
    # 1b. the same with every lever compared (more arms, differences)
    run $side expcmp ${pre}experiment --runs 300 --seed 3 --compare --out expcmp "${na[@]}"
    # 2. the same experiment as two shards, then merge
    run $side shard1 ${pre}experiment --runs 300 --seed 3 --shard 1/2 --out shard1 "${na[@]}"
    run $side shard2 ${pre}experiment --runs 300 --seed 3 --shard 2/2 --out shard2 "${na[@]}"
    run $side merge ${pre}merge shard1 shard2 --out merged
    # 2b. resume: a run cut short (chunk 100, the chunk of replicates 100..199 deleted) and resumed
    run $side cut ${pre}experiment --runs 300 --seed 3 --chunk 100 --out resumed "${na[@]}"
    rm -f "$W/$side/resumed/chunks/0000000100."* "$W/$side/resumed/replicates.csv" "$W/$side/resumed/months.csv" \
          "$W/$side/resumed/summary.json" "$W/$side/resumed/"*.parquet
    run $side resume ${pre}experiment --runs 300 --seed 3 --chunk 100 --out resumed --resume "${na[@]}"
    # 3. the main job, small
    run $side run ${pre}run --runs 200 --seed 11 --out run "${na[@]}"
    # 4. the report rebuilt from the run directory (report.json rendered as it is)
    run $side report_run ${pre}report run --output report-from-run.html
    # 4b. the report of an experiment directory (replicates read back, the rest computed)
    run $side report_exp ${pre}report exp --output report-from-exp.html
    # 4c. the report of the merged directory
    run $side report_merged ${pre}report merged --output report-from-merged.html
    # 5. the main job again on the same directory (7a49bc8: refused without --resume)
    run $side rerun ${pre}run --runs 200 --seed 11 --out run "${na[@]}"
done

echo "== the oracle's binary, bytes-oracle at 64e5094"
echo
echo "== exit codes (old new)"
for f in "$W"/old/*.rc; do
    n=$(basename "$f" .rc); printf '%-14s %s %s\n' "$n" "$(cat "$f")" "$(cat "$W/new/$n.rc")"
done
echo
echo "== per-file comparison, old vs new (cmp)"
(cd "$W/old" && find . -type f | sort) >"$W/files.old"
(cd "$W/new" && find . -type f | sort) >"$W/files.new"
sort -u "$W/files.old" "$W/files.new" | while read -r f; do
    if [ ! -e "$W/old/$f" ]; then echo "ONLY NEW   $f"
    elif [ ! -e "$W/new/$f" ]; then echo "ONLY OLD   $f"
    elif cmp -s "$W/old/$f" "$W/new/$f"; then echo "identical  $f"
    else echo "DIFFERENT  $f"
    fi
done
echo
echo "== diff -r old new (text files; Parquet compared above with cmp)"
(cd "$W" && diff -r -x '*.parquet' old new)
echo
echo "== within each path: merged shards and resumed run vs the uninterrupted experiment"
for side in old new; do
    for d in merged resumed; do
        echo "-- $side: exp vs $d"
        for j in replicates.csv months.csv replicates.parquet months.parquet summary.json; do
            cmp "$W/$side/exp/$j" "$W/$side/$d/$j" && echo "   $j identical"
        done
    done
done
echo
echo "== report pages: the report rebuilt from the run directory vs the run's own page"
for side in old new; do
    cmp "$W/$side/run/report.html" "$W/$side/report-from-run.html" && echo "$side: identical"
done

echo
echo "== the differing run files with the one flag that f1e6cb6's command line adds removed"
for f in run/report.json run/report.html report-from-run.html; do
    if sed 's/ --no-assimilation//g' "$W/new/$f" | cmp -s - "$W/old/$f"; then
        echo "identical once ' --no-assimilation' is removed: $f"
    else
        echo "STILL DIFFERENT without ' --no-assimilation': $f"
    fi
done
echo "the differing experiment.json files with the new \"start\" field removed:"
for f in $(cd "$W/old" && find . -name experiment.json | sort); do
    if python3 - "$W/old/$f" "$W/new/$f" <<'PY'
import json, sys
old, new = (json.load(open(p)) for p in sys.argv[1:3])
ok = new.pop("start", None) == {"kind": "prior"} and old == new
sys.exit(0 if ok else 1)
PY
    then echo "  identical but for \"start\": {\"kind\": \"prior\"}: $f"; else echo "  OTHER DIFFERENCE: $f"; fi
done

echo
echo "== cross-reading: f1e6cb6's commands on directories written by the old code path"
X="$W/cross"; mkdir -p "$X"
cp -r "$W/old/exp" "$W/old/shard1" "$W/old/shard2" "$W/old/run" "$X/"
cp -r "$W/old/exp" "$X/exp-resumed"
(
    cd "$X"
    "$P" report exp --output report-from-exp.html >report_exp.stdout 2>&1; echo "new report on old exp: exit $?"
    cmp report-from-exp.html "$W/new/report-from-exp.html" && echo "  page identical to new report of new exp"
    "$P" merge shard1 shard2 --out merged >merge.stdout 2>&1; echo "new merge of old shards: exit $?"
    diff -r merged "$W/new/merged" && echo "  merged directory identical to new merge of new shards"
    "$P" experiment --runs 300 --seed 3 --out exp-resumed --resume --no-assimilation >resume.stdout 2>&1
    echo "new experiment --resume on old exp: exit $?"
    diff -r exp-resumed "$W/new/exp" && echo "  directory identical to new exp (manifest rewritten with \"start\")"
    "$P" run --runs 200 --seed 11 --out run --no-assimilation >run.stdout 2>run.stderr
    echo "new run on old run directory: exit $?; stderr: $(cat run.stderr)"
    diff -r run "$W/new/run" && echo "  run directory identical to new run"
)

echo
echo "== negative control: f1e6cb6's experiment WITH assimilation (the default) must differ"
N="$W/control"; mkdir -p "$N"
(cd "$N" && "$P" experiment --runs 300 --seed 3 --out exp >exp.stdout 2>&1; echo "exit $?")
for f in replicates.csv months.csv summary.json; do
    cmp -s "$N/exp/$f" "$W/new/exp/$f" && echo "  UNEXPECTED: $f identical" || echo "  $f differs from the --no-assimilation run (as it should)"
done
ls "$N/exp" | tr '\n' ' '; echo
