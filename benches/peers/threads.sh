#!/usr/bin/env bash
# How much faster `ccsim run` is on two threads than on one: 16 replications of workload (a)
# (benches/peers/mmc.toml: M/M/c, 540/h, AHT 300 s, 50 agents) over 60 days each, a few seconds on
# one thread, timed as whole processes with the charts drawn, as a planner runs it. The one- and
# two-thread runs alternate, ROUNDS rounds of one run each, so that a drift of the machine's speed
# touches both alike; it prints every time, the best and the median of each, their ratios, and
# whether the two threads' results are the same bytes as the one thread's.
#
#   bash benches/peers/threads.sh
#
# Environment: CCSIM_BIN, a ccsim binary to use; without it `cargo build --release` is run first
# and target/release/ccsim used. ROUNDS [5], DAYS [60] and REPLICATIONS [16] change the workload.
# Exit status 0 whatever the ratio; 1 if the outputs differ.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ROUNDS="${ROUNDS:-5}"
DAYS="${DAYS:-60}"
REPLICATIONS="${REPLICATIONS:-16}"

if [[ -n "${CCSIM_BIN:-}" ]]; then
    ccsim="$CCSIM_BIN"
else
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    ccsim="$root/target/release/ccsim"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() { # seconds THREADS : wall time of one whole run, written to $work/out<THREADS>
    local threads="$1" t0 t1
    rm -rf "$work/out$threads"
    t0="$(date +%s.%N)"
    "$ccsim" run "$here/mmc.toml" -o "$work/out$threads" --quiet --threads "$threads" \
        --set "simulation.horizon=${DAYS}d" --set "simulation.replications=$REPLICATIONS"
    t1="$(date +%s.%N)"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

one=()
two=()
for round in $(seq "$ROUNDS"); do
    one+=("$(seconds 1)")
    two+=("$(seconds 2)")
    echo "round $round: 1 thread ${one[-1]} s, 2 threads ${two[-1]} s"
done

same="same bytes"
diff -r "$work/out1" "$work/out2" >/dev/null || same="DIFFERENT"

summary() { # summary TIMES... : best and median
    printf '%s\n' "$@" | sort -g | awk '{ t[NR] = $1 } END {
        m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "%.3f %.3f\n", t[1], m
    }'
}
read -r best1 median1 < <(summary "${one[@]}")
read -r best2 median2 < <(summary "${two[@]}")
echo
echo "$REPLICATIONS replications x $DAYS days of workload (a), charts drawn, $ROUNDS rounds"
printf '%-10s %8s %8s\n' threads best median
printf '%-10s %8s %8s\n' 1 "$best1" "$median1"
printf '%-10s %8s %8s\n' 2 "$best2" "$median2"
awk -v b1="$best1" -v b2="$best2" -v m1="$median1" -v m2="$median2" \
    'BEGIN { printf "speed-up: %.2fx (best), %.2fx (median)\n", b1 / b2, m1 / m2 }'
echo "outputs of 1 and 2 threads: $same"
[[ "$same" == "same bytes" ]]
