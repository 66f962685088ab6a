# Sourced by large.sh, scale.sh and features.sh, after they set `here` (this directory): the
# repository's root, a ccsim binary (CCSIM_BIN, or `cargo build --release` run first), a scratch
# directory removed on exit, and one timed run.

root="$(cd "$here/../.." && pwd)"
if [[ -z "${EPOCHREALTIME:-}" ]]; then
    echo "error: needs bash 5 or later (EPOCHREALTIME)" >&2
    exit 3
fi
if [[ -n "${CCSIM_BIN:-}" ]]; then
    ccsim="$CCSIM_BIN"
else
    (cd "$root" && cargo build --release --quiet)
    ccsim="$root/target/release/ccsim"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# timed_run SCENARIO [ARGS...]: one whole-process `ccsim run` on one thread, charts off, into
# $work/out; prints the conversations offered and the seconds it took.
timed_run() {
    local scenario="$1" t0 t1
    shift
    rm -rf "$work/out"
    t0="$EPOCHREALTIME"
    "$ccsim" run "$scenario" -o "$work/out" --quiet --no-charts --threads 1 "$@"
    t1="$EPOCHREALTIME"
    # replications.csv: a row per replication and scope, `offered` the fourth column.
    awk -F, -v t0="$t0" -v t1="$t1" '
        FNR == 1 { next }
        $2 == "all" { n += $4 }
        END { printf "%d %.4f\n", n, t1 - t0 }
    ' "$work/out/replications.csv"
}

# ns_per_conversation SCENARIO [ARGS...]: [timed_run]'s cost of a conversation, in nanoseconds.
ns_per_conversation() {
    timed_run "$@" | awk '{ printf "%.0f\n", $2 * 1e9 / $1 }'
}
