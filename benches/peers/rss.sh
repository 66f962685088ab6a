#!/usr/bin/env bash
# Peak resident memory of `ccsim run` on workload (a) (benches/peers/mmc.toml: M/M/c, 540/h,
# AHT 300 s, 50 agents, interval = "1d", one replication, no trace) over a 30-day and a 300-day
# horizon, and whether the growth stays within the allowance: 10% of the 30-day figure
# plus 2 MiB. Measured with charts (as `ccsim run` does by default) and with --no-charts.
#
#   bash benches/peers/rss.sh
#
# Needs GNU time at /usr/bin/time (Debian: apt-get install time). Environment: CCSIM_BIN, a ccsim
# binary to use; without it `cargo build --release` is run first and target/release/ccsim used.
# SHORT [30d] and LONG [300d] change the two horizons. Exit status 0 whatever the verdict.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
SHORT="${SHORT:-30d}"
LONG="${LONG:-300d}"

if [[ ! -x /usr/bin/time ]]; then
    echo "error: needs GNU time at /usr/bin/time" >&2
    exit 3
fi
if [[ -n "${CCSIM_BIN:-}" ]]; then
    ccsim="$CCSIM_BIN"
else
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    ccsim="$root/target/release/ccsim"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

peak_kib() { # peak_kib HORIZON [EXTRA ARGS...] : peak RSS in KiB of one whole run
    local horizon="$1"
    shift
    rm -rf "$work/out"
    /usr/bin/time -v -o "$work/time.txt" \
        "$ccsim" run "$here/mmc.toml" -o "$work/out" --quiet --set "simulation.horizon=$horizon" "$@"
    awk -F': *' '/Maximum resident set size/ { print $2 }' "$work/time.txt"
}

printf '%-14s %12s %12s %12s %12s  %s\n' run "$SHORT KiB" "$LONG KiB" "growth KiB" "allowed KiB" verdict
for variant in charts no-charts; do
    args=()
    [[ "$variant" == no-charts ]] && args=(--no-charts)
    short="$(peak_kib "$SHORT" "${args[@]}")"
    long="$(peak_kib "$LONG" "${args[@]}")"
    awk -v v="$variant" -v s="$short" -v l="$long" 'BEGIN {
        allowed = 0.10 * s + 2048
        growth = l - s
        printf "%-14s %12d %12d %12d %12.0f  %s\n", v, s, l, growth, allowed, (growth < allowed ? "within" : "OVER")
    }'
done
echo
echo "Peak RSS from GNU time (ru_maxrss). Allowed growth = 10% of the $SHORT peak + 2 MiB."
