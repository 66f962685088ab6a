#!/usr/bin/env bash
# Where a center's cost per conversation goes, feature by feature: `ccsim run` of the center
# (benches/large_center.toml unless told) and of variants of it that each leave one feature out,
# alternating, one thread each, whole process (charts off); then of a bare variant that leaves
# them all out, and of the M/M/c of mmc.toml. Prints each variant's best nanoseconds a
# conversation and what leaving its feature out saves.
#
#   bash benches/peers/features.sh
#
# A variant is the center's file with lines taken out or changed, by the key they start with, so
# the center must be written as benches/large_center.toml is (one key a line):
#   no_wrap_up       `wrap_up = ...` lines dropped
#   no_waiting       `waiting = ...` and `auto_close_after_inactivity = ...` dropped
#   no_patience      `patience = ...` dropped
#   highest_capacity `assignment = ...` dropped (every queue highest capacity, ranked by team)
#   one_queue        each routing rule sends to its work stream's fallback queue (rules still read)
#   no_context       routing rules and `context = ...` dropped (nothing drawn, nothing read)
#   daily            `interval = ...` set to one day
#   bare             all of the above
# Leaving a feature out changes what happens as well as what it costs (fewer events, other
# agents), so the savings need not add up to the bare variant's.
#
# Environment (defaults in brackets):
#   CENTER [benches/large_center.toml]  the center
#   REPLICATIONS [1]  replications of each run
#   MMC_DAYS [600]    the M/M/c's simulated days
#   ROUNDS [3]        alternating rounds, each variant's best kept
#   CCSIM_BIN         a ccsim binary; without it `cargo build --release` is run first
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"
CENTER="${CENTER:-$root/benches/large_center.toml}"
REPLICATIONS="${REPLICATIONS:-1}"
MMC_DAYS="${MMC_DAYS:-600}"
ROUNDS="${ROUNDS:-3}"

# The variants' edits, each a filter from the center's text to the variant's.
no_wrap_up() { grep -v '^wrap_up = '; }
no_waiting() { grep -v -e '^waiting = ' -e '^auto_close_after_inactivity = '; }
no_patience() { grep -v '^patience = '; }
highest_capacity() { grep -v '^assignment = '; }
one_queue() {
    awk '/^fallback_queue = / { fallback = $3 }
         /^\[/ { in_rule = ($0 == "[[work_stream.routing_rule]]") }
         in_rule && /^queue = / { print "queue = " fallback; next }
         { print }'
}
no_context() {
    awk '/^\[/ { in_rule = ($0 == "[[work_stream.routing_rule]]") }
         !in_rule && !/^context = /'
}
daily() { sed 's/^interval = .*/interval = "1d"/'; }
bare() { no_wrap_up | no_waiting | no_patience | highest_capacity | no_context | daily; }

variants=(center no_wrap_up no_waiting no_patience highest_capacity one_queue no_context daily bare)
for v in "${variants[@]:1}"; do
    "$v" < "$CENTER" > "$work/$v.toml"
    "$ccsim" validate "$work/$v.toml" > /dev/null
done
cp "$CENTER" "$work/center.toml"

declare -A best
for round in $(seq 1 "$ROUNDS"); do
    for v in "${variants[@]}" mmc; do
        if [[ "$v" == mmc ]]; then
            ns="$(ns_per_conversation "$here/mmc.toml" --set "simulation.horizon=${MMC_DAYS}d")"
        else
            ns="$(ns_per_conversation "$work/$v.toml" --set "simulation.replications=$REPLICATIONS")"
        fi
        if [[ -z "${best[$v]:-}" || "$ns" -lt "${best[$v]}" ]]; then best[$v]="$ns"; fi
    done
done

printf '%-18s %8s %8s %7s\n' variant ns/conv saves share
for v in "${variants[@]}" mmc; do
    awk -v v="$v" -v ns="${best[$v]}" -v full="${best[center]}" 'BEGIN {
        if (v == "center") { printf "%-18s %8d\n", v, ns; exit }
        printf "%-18s %8d %8d %6.1f%%\n", v, ns, full - ns, 100 * (full - ns) / full
    }'
done
