#!/usr/bin/env bash
# A large center against the M/M/c, side by side: `ccsim run` of benches/large_center.toml (or
# another center) and of the M/M/c of mmc.toml, alternating, one thread each, whole process
# (start-up, parsing, simulation, CSV files; charts off). Prints each run, each one's best
# conversations per second, and the ratio of the center's best to the M/M/c's.
#
#   bash benches/peers/large.sh
#
# Environment (defaults in brackets):
#   CENTER [benches/large_center.toml]  the center; its horizon and replications as in the file
#   MMC_DAYS [1500]  the M/M/c's simulated days (about 2 s or more on a current machine)
#   ROUNDS [5]       alternating rounds, each tool's best kept
#   CCSIM_BIN        a ccsim binary; without it `cargo build --release` is run first
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"
CENTER="${CENTER:-$root/benches/large_center.toml}"
MMC_DAYS="${MMC_DAYS:-1500}"
ROUNDS="${ROUNDS:-5}"

printf '%-8s %5s %14s %9s %12s\n' tool round conversations seconds conv/s
best_mmc=0
best_center=0
for round in $(seq 1 "$ROUNDS"); do
    for tool in mmc center; do
        if [[ "$tool" == mmc ]]; then
            read -r n s < <(timed_run "$here/mmc.toml" --set "simulation.horizon=${MMC_DAYS}d")
        else
            read -r n s < <(timed_run "$CENTER")
        fi
        rate="$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.0f", n / s }')"
        printf '%-8s %5d %14d %9.3f %12d\n' "$tool" "$round" "$n" "$s" "$rate"
        if [[ "$tool" == mmc && "$rate" -gt "$best_mmc" ]]; then best_mmc="$rate"; fi
        if [[ "$tool" == center && "$rate" -gt "$best_center" ]]; then best_center="$rate"; fi
    done
done
awk -v m="$best_mmc" -v c="$best_center" -v center="$(basename "$CENTER")" 'BEGIN {
    printf "best: M/M/c %d conv/s, %s %d conv/s, ratio %.3f\n", m, center, c, c / m
}'
