#!/usr/bin/env bash
# One phase of `make test`, timed: runs the command, prints one line with the verdict and the
# time, and appends it to target/phases.txt for the summary at the end. A phase that could not
# run here leaves its reason in target/not-run/<phase> (e.g. no PostgreSQL server): it is
# reported as NOT RUN, never as passed.
#   scripts/phase.sh <phase> <command...>
set -uo pipefail
phase=$1
shift
mkdir -p target/not-run
rm -f "target/not-run/$phase"
start=$(date +%s)
"$@"
status=$?
seconds=$(($(date +%s) - start))
if [[ $status -ne 0 ]]; then
    verdict="FAILED (exit $status)"
elif [[ -s "target/not-run/$phase" ]]; then
    verdict="NOT RUN: $(head -1 "target/not-run/$phase")"
else
    verdict="passed"
fi
line=$(printf '%-9s %6d s  %s' "$phase" "$seconds" "$verdict")
echo "$line" >> target/phases.txt
echo "== $phase: $verdict ($seconds s)"
exit $status
