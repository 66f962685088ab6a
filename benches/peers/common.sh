# Sourced by large.sh, scale.sh, features.sh and sizes.sh, after they set `here` (this
# directory): the repository's root, a ccsim binary (CCSIM_BIN, or `cargo build --release` run
# first), a scratch directory removed on exit, one timed run, and a center scaled to another size.

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

# scaled SCENARIO FROM TO: SCENARIO's text at TO agents instead of FROM, each agent as loaded:
# every group's `count` and every `rate_per_hour` (a number or a list) times TO / FROM, counts to
# the nearest whole agent (at least one). The horizon is left to the caller (`--set`).
scaled() {
    python3 - "$@" <<'PY'
import re, sys
text, f = open(sys.argv[1]).read(), int(sys.argv[3]) / int(sys.argv[2])
text = re.sub(r"^count = (\d+)", lambda m: f"count = {max(1, round(int(m.group(1)) * f))}", text, flags=re.M)
def times(values):
    return ", ".join(f"{float(x) * f:g}" for x in re.split(r"[,\s]+", values.strip()) if x)
def rates(m):
    return f"rate_per_hour = [{times(m.group(1))}]" if m.group(1) is not None else f"rate_per_hour = {times(m.group(2))}"
text = re.sub(r"rate_per_hour = (?:\[([^\]]*)\]|([0-9.eE+-]+))", rates, text, flags=re.S)
print(text)
PY
}
