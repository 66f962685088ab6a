#!/usr/bin/env bash
# The cost of a conversation as a center grows: benches/huge_center.toml (20,000 agents) scaled
# to 500, 2,000, 5,000 and 20,000 agents — every group's count and every rate times the same
# factor, the horizon lengthened so that each runs about as many conversations — each run as a
# whole process on one thread (charts off), ROUNDS times, the fastest kept. Prints conversations,
# seconds, nanoseconds per conversation, and the peak resident memory of one more run of a single
# day at each size, with the bytes per agent it implies between the smallest and largest. Last,
# the largest size and benches/large_center.toml as in its file alternate, ROUNDS times each, and
# the ratio of their best nanoseconds per conversation is printed.
#
#   bash benches/peers/scale.sh
#
# Needs GNU time at /usr/bin/time and python3. Environment: CCSIM_BIN (a ccsim binary; without it
# `cargo build --release` is run first), ROUNDS [3], SIZES ["500 2000 5000 20000"].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"
ROUNDS="${ROUNDS:-3}"
SIZES="${SIZES:-500 2000 5000 20000}"

if [[ ! -x /usr/bin/time ]]; then
    echo "error: needs GNU time at /usr/bin/time" >&2
    exit 3
fi

# days_at AGENTS: the days that give the huge center scaled to AGENTS about the conversations of
# its day at 20,000.
days_at() {
    awk -v a="$1" 'BEGIN { printf "%.0f", 20000 / a }'
}

printf '%7s %14s %9s %8s %13s\n' agents conversations seconds ns/conv day_peak_MiB
for agents in $SIZES; do
    scaled "$root/benches/huge_center.toml" 20000 "$agents" > "$work/center-$agents.toml"
    days="$(days_at "$agents")"
    best=""
    for _ in $(seq 1 "$ROUNDS"); do
        read -r n s < <(timed_run "$work/center-$agents.toml" --set "simulation.horizon=${days}d")
        if [[ -z "$best" ]] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then
            best="$s"
        fi
    done
    # Memory at one day, whatever the size: what grows with the agents, not with the horizon.
    rm -rf "$work/day"
    /usr/bin/time -f "%M" -o "$work/rss" "$ccsim" run "$work/center-$agents.toml" -o "$work/day" \
        --quiet --no-charts --threads 1 --set simulation.horizon=1d
    rss_kib="$(cat "$work/rss")"
    awk -v a="$agents" -v n="$n" -v s="$best" -v k="$rss_kib" \
        'BEGIN { printf "%7d %14d %9.3f %8.0f %13.1f\n", a, n, s, s * 1e9 / n, k / 1024 }'
    echo "$agents $rss_kib" >> "$work/rss-by-size"
done
awk 'NR == 1 { a0 = $1; k0 = $2 } END { printf "bytes per agent (peak memory, %d to %d agents): %.0f\n", a0, $1, ($2 - k0) * 1024 / ($1 - a0) }' \
    "$work/rss-by-size"

largest="${SIZES##* }"
best_large=""
best_largest=""
for _ in $(seq 1 "$ROUNDS"); do
    ns="$(ns_per_conversation "$root/benches/large_center.toml")"
    if [[ -z "$best_large" || "$ns" -lt "$best_large" ]]; then best_large="$ns"; fi
    ns="$(ns_per_conversation "$work/center-$largest.toml" --set "simulation.horizon=$(days_at "$largest")d")"
    if [[ -z "$best_largest" || "$ns" -lt "$best_largest" ]]; then best_largest="$ns"; fi
done
awk -v a="$largest" -v l="$best_large" -v h="$best_largest" 'BEGIN {
    printf "alternating: large center %d ns a conversation, %d agents %d, ratio %.2f\n", l, a, h, h / l
}'
