#!/usr/bin/env bash
# What a conversation costs as a center grows, for two shapes, each agent as loaded at every size:
# the M/M/c of mmc.toml at 50, 250, 500, 1,000 and 2,000 agents, and benches/large_center.toml at
# 250, 500, 1,000 and 2,000 agents (every group's count and every rate scaled, one replication).
# Each size runs over a horizon that gives it about the conversations of the shape at its base
# size, all sizes alternating, one thread, whole process (charts off), the best of ROUNDS kept.
# Prints, per shape and size, the conversations, nanoseconds a conversation, that cost against the
# shape's smallest size, and the large center's against the M/M/c of as many agents. The first
# ratio is what growing costs; the second, what the large center's conversations do beyond the
# M/M/c's at the same size.
#
#   bash benches/peers/sizes.sh
#
# Environment: CCSIM_BIN (a ccsim binary; without it `cargo build --release` is run first),
# ROUNDS [3], MMC_SIZES ["50 250 500 1000 2000"], LARGE_SIZES ["250 500 1000 2000"].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/common.sh"
ROUNDS="${ROUNDS:-3}"
MMC_SIZES="${MMC_SIZES:-50 250 500 1000 2000}"
LARGE_SIZES="${LARGE_SIZES:-250 500 1000 2000}"

# Per shape: its file, its agents, and its horizon in hours there (the M/M/c: 600 days, about
# 7.8 million conversations; the large center: one replication of its week, about 2.9 million).
declare -A file=([mmc]="$here/mmc.toml" [large]="$root/benches/large_center.toml")
declare -A base=([mmc]=50 [large]=2000)
declare -A hours=([mmc]=14400 [large]=168)

runs=()
for agents in $MMC_SIZES; do runs+=("mmc $agents"); done
for agents in $LARGE_SIZES; do runs+=("large $agents"); done
declare -A horizon best conversations
for run in "${runs[@]}"; do
    read -r shape agents <<< "$run"
    scaled "${file[$shape]}" "${base[$shape]}" "$agents" > "$work/$shape-$agents.toml"
    horizon[$run]="$(awk -v h="${hours[$shape]}" -v b="${base[$shape]}" -v a="$agents" 'BEGIN { printf "%.0f", h * b / a }')"
done
for _ in $(seq 1 "$ROUNDS"); do
    for run in "${runs[@]}"; do
        read -r shape agents <<< "$run"
        read -r n s < <(timed_run "$work/$shape-$agents.toml" --set "simulation.horizon=${horizon[$run]}h" \
            --set simulation.replications=1)
        ns="$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.0f", s * 1e9 / n }')"
        if [[ -z "${best[$run]:-}" || "$ns" -lt "${best[$run]}" ]]; then best[$run]="$ns"; fi
        conversations[$run]="$n"
    done
done

printf '%-6s %7s %14s %8s %14s %14s\n' shape agents conversations ns/conv "vs smallest" "vs M/M/c"
for run in "${runs[@]}"; do
    read -r shape agents <<< "$run"
    sizes="$MMC_SIZES"
    if [[ "$shape" == large ]]; then sizes="$LARGE_SIZES"; fi
    first="$shape ${sizes%% *}"
    against="-"
    if [[ "$shape" == large && -n "${best[mmc $agents]:-}" ]]; then
        against="$(awk -v l="${best[$run]}" -v m="${best[mmc $agents]}" 'BEGIN { printf "%.2f", l / m }')"
    fi
    awk -v shape="$shape" -v a="$agents" -v n="${conversations[$run]}" -v ns="${best[$run]}" \
        -v f="${best[$first]}" -v m="$against" \
        'BEGIN { printf "%-6s %7d %14d %8d %14.2f %14s\n", shape, a, n, ns, ns / f, m }'
done
