#!/usr/bin/env bash
# The reference workload — M/M/c, 540 arrivals/h, exponential AHT 300 s, 50 agents, push, FIFO,
# no abandonment — in Ciw, SimPy, ccsim and the minimal event loop of benches/minimal, on this
# machine, one thread each. Prints conversations simulated, seconds, conversations per second and
# the ratio to Ciw, with each tool's mean wait of the answered (asa_s) and P(wait) beside Erlang C.
#
#   bash benches/peers/run.sh
#
# Timing: Ciw, SimPy and the minimal loop time their own simulation call only (their start-up,
# imports and result handling are left out, which favours them); ccsim is timed as a whole process
# (`ccsim run`: start-up, parsing, simulation and writing the CSV files; charts off, as the others
# draw none). The four tools run in turn, REPEATS rounds, and each tool's fastest run is kept.
#
# Environment (defaults in brackets):
#   CIW_DAYS [10]  SIMPY_DAYS [30]  CCSIM_DAYS [1000]  MINIMAL_DAYS [1000]  simulated days per run
#   REPEATS [3]    rounds (one run of each tool per round), each tool's best kept
#   SEED [1]
#   CCSIM_BIN      a ccsim binary to use; without it `cargo build --release` is run first (a no-op
#                  when target/release/ccsim is up to date) and target/release/ccsim is used
#   VENV [benches/peers/.venv]  the virtual environment Ciw and SimPy are installed into
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
CIW_DAYS="${CIW_DAYS:-10}"
SIMPY_DAYS="${SIMPY_DAYS:-30}"
CCSIM_DAYS="${CCSIM_DAYS:-1000}"
MINIMAL_DAYS="${MINIMAL_DAYS:-1000}"
REPEATS="${REPEATS:-3}"
SEED="${SEED:-1}"
VENV="${VENV:-$here/.venv}"
CIW_VERSION=3.2.7
SIMPY_VERSION=4.1.2

if [[ -z "${EPOCHREALTIME:-}" ]]; then
    echo "error: needs bash 5 or later (EPOCHREALTIME)" >&2
    exit 3
fi

log() { echo "$*" >&2; }

# --- set-up -------------------------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import ciw, simpy, sys; sys.exit(not (ciw.__version__ == '$CIW_VERSION' and simpy.__version__ == '$SIMPY_VERSION'))" 2>/dev/null; then
    log "installing ciw==$CIW_VERSION simpy==$SIMPY_VERSION into $VENV"
    "$VENV/bin/pip" install --quiet "ciw==$CIW_VERSION" "simpy==$SIMPY_VERSION"
fi

if [[ -n "${CCSIM_BIN:-}" ]]; then
    ccsim="$CCSIM_BIN"
else
    log "cargo build --release (ccsim)"
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    ccsim="$root/target/release/ccsim"
fi
log "cargo build --release (benches/minimal)"
cargo build --release --quiet --manifest-path "$root/benches/minimal/Cargo.toml"
minimal="$root/benches/minimal/target/release/ccsim-minimal-loop"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- measuring ----------------------------------------------------------------------------------
# Every measurement is one line of key=value pairs: tool conversations seconds asa_s p_wait.
field() { # field KEY LINE
    local kv
    for kv in $2; do
        if [[ "$kv" == "$1="* ]]; then
            echo "${kv#*=}"
            return
        fi
    done
    echo "?"
}

best() { # best LINE... : the line with the fewest seconds
    local line best_line="" best_s=""
    for line in "$@"; do
        local s
        s="$(field seconds "$line")"
        if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s="$s"
            best_line="$line"
        fi
    done
    echo "$best_line"
}

ccsim_once() {
    local out="$work/ccsim" t0 t1
    rm -rf "$out"
    t0="$EPOCHREALTIME"
    "$ccsim" run "$here/mmc.toml" -o "$out" --quiet --no-charts --threads 1 --seed "$SEED" \
        --set "simulation.horizon=${CCSIM_DAYS}d"
    t1="$EPOCHREALTIME"
    awk -F, -v t0="$t0" -v t1="$t1" -v days="$CCSIM_DAYS" '
        $1 == "all" && $3 == "offered" { n = $4 }
        $1 == "all" && $3 == "answered" { a = $4 }
        $1 == "all" && $3 == "asa_s" { asa = $4 }
        $1 == "all" && $3 == "p_wait" { p = $4 }
        END { s = t1 - t0; printf "tool=ccsim days=%s conversations=%d seconds=%.4f conv_per_s=%.0f answered=%d p_wait=%.4f asa_s=%.3f\n", days, n, s, n / s, a, p, asa }
    ' "$out/summary.csv"
}

once() { # once NAME LINES COMMAND... : one run, its line appended to the array named LINES
    local name="$1" line
    local -n into="$2"
    shift 2
    line="$("$@")"
    log "  $name: $line"
    into+=("$line")
}

# Rounds rather than each tool's runs in a block: the speed of a shared machine drifts over
# minutes, and a drift then touches every tool alike.
log "measuring ($REPEATS rounds of one run of each tool, best kept)"
ciw_lines=() simpy_lines=() cc_lines=() mini_lines=()
for ((round = 1; round <= REPEATS; round++)); do
    log " round $round"
    once ciw ciw_lines "$VENV/bin/python" "$here/ciw_mmc.py" "$CIW_DAYS" "$SEED"
    once simpy simpy_lines "$VENV/bin/python" "$here/simpy_mmc.py" "$SIMPY_DAYS" "$SEED"
    once ccsim cc_lines ccsim_once
    once minimal mini_lines "$minimal" "$MINIMAL_DAYS" "$SEED"
done
ciw="$(best "${ciw_lines[@]}")"
simpy="$(best "${simpy_lines[@]}")"
cc="$(best "${cc_lines[@]}")"
mini="$(best "${mini_lines[@]}")"

# Erlang C for the same system, from ccsim itself.
erlang="$("$ccsim" erlang --rate 540 --aht 300s --agents 50)"
erlang_p="$(awk '$1 == "P(wait)" { print $2 }' <<<"$erlang")"
erlang_asa="$(awk '$1 == "ASA" { print $2 }' <<<"$erlang")"

# --- table --------------------------------------------------------------------------------------
ciw_rate="$(field conv_per_s "$ciw")"
mini_rate="$(field conv_per_s "$mini")"
echo
echo "Workload (a): M/M/c, 540/h, AHT 300 s (exponential), 50 agents, FIFO, no abandonment; one thread"
echo "Machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
echo "Ciw $CIW_VERSION and SimPy $SIMPY_VERSION on $("$VENV/bin/python" --version 2>&1); best of $REPEATS rounds"
echo
printf '%-8s %6s %12s %9s %12s %9s %10s %8s %8s  %s\n' \
    tool days conversations seconds conv/s "x Ciw" "x minimal" asa_s p_wait timed
for line in "$ciw" "$simpy" "$cc" "$mini"; do
    tool="$(field tool "$line")"
    rate="$(field conv_per_s "$line")"
    case "$tool" in
        ccsim) timed="whole process, CSV written" ;;
        *) timed="simulation call only" ;;
    esac
    printf '%-8s %6s %12s %9s %12s %9s %10s %8s %8s  %s\n' \
        "$tool" "$(field days "$line")" "$(field conversations "$line")" "$(field seconds "$line")" \
        "$rate" "$(awk -v a="$rate" -v b="$ciw_rate" 'BEGIN { printf "%.1f", a / b }')" \
        "$(awk -v a="$rate" -v b="$mini_rate" 'BEGIN { printf "%.3f", a / b }')" \
        "$(field asa_s "$line")" "$(field p_wait "$line")" "$timed"
done
printf '%-8s %6s %12s %9s %12s %9s %10s %8.3f %8.4f  %s\n' \
    erlang-c - - - - - - "$erlang_asa" "$erlang_p" "exact, steady state"
echo
echo "asa_s: mean wait of the answered conversations; p_wait: share of them that had to queue."
echo "Runs start empty and differ in length and random numbers: expect the tools to agree with"
echo "Erlang C within sampling noise, not to the digit (one standard deviation of ASA: about 3 s"
echo "over 10 days, 1.7 s over 30, 0.3 s over 1000; of P(wait): 0.02, 0.011, 0.002)."
