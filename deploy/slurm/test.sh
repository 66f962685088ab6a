#!/usr/bin/env bash
# End-to-end test of the Slurm recipe on a single-node cluster stood up on this machine.
#
#   sudo deploy/slurm/test.sh           # install (if missing), start the cluster, run the test
#   sudo deploy/slurm/test.sh --stop    # stop the daemons this script started
#
# Steps: install slurm-wlm and munge with apt-get when they are missing; start munged;
# write /etc/slurm/slurm.conf for one node (this machine); start slurmctld and slurmd;
# submit, through submit.sh, a 4-task array sweeping scenarios/default.toml and its merge
# job; wait for both; run the same sweep locally and require `diff -r` to find the merged
# folder identical to the local one. Safe to run again: it reuses the running daemons
# while their slurm.conf is unchanged and restarts them otherwise. The cluster is left
# running for the next run; stop it with --stop.
#
# Meant for a disposable machine or container (it runs jobs as root, with no cgroups and
# no accounting). It refuses to overwrite a slurm.conf it did not write.
#
# Environment:
#   CCSIM                 ccsim binary (default: target/release/ccsim, built if absent)
#   CCSIM_TEST_STANDIN=1  run a stand-in shell script instead of ccsim, to test the
#                         Slurm mechanics (array variables, dependency, waiting) alone
#   CCSIM_TEST_TIMEOUT    seconds to wait for the node and for the jobs (default 300)
#   CCSIM_TEST_KEEP=1     keep the work folder after a success (it is always kept after
#                         a failure)
#   SLURM_CONF            slurm.conf to write and use (default /etc/slurm/slurm.conf)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=${CCSIM_TEST_TIMEOUT:-300}
standin=${CCSIM_TEST_STANDIN:-0}
shards_n=4
marker="# Written by ccsim deploy/slurm/test.sh"

SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
export SLURM_CONF
state_dir=/var/spool/slurmctld
spool_dir=/var/spool/slurmd
log_dir=/var/log/slurm
ctld_pidfile=/run/slurmctld.pid
slurmd_pidfile=/run/slurmd.pid
munge_pidfile=/run/munge/munged.pid

indent() { sed 's/^/    /'; }
die() {
    echo "test.sh: error: $*" >&2
    exit 1
}

# ---- timing -------------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
test_start=$(now_us)
summary=()
step_name=""
step_start=0
step() {
    step_end
    step_name=$1
    step_start=$(now_us)
    echo "==> $step_name"
}
step_end() {
    if [[ -n $step_name ]]; then
        local secs
        secs=$(seconds_since "$step_start")
        summary+=("$(printf '%8ss  %s' "$secs" "$step_name")")
        echo "    ($secs s)"
        step_name=""
    fi
}
seconds_since() {
    local us=$(($(now_us) - $1))
    printf '%d.%01d' $((us / 1000000)) $((us % 1000000 / 100000))
}
print_summary() {
    echo "---- durations"
    printf '%s\n' "${summary[@]}"
    printf '%8ss  total\n' "$(seconds_since "$test_start")"
}

# ---- daemons --------------------------------------------------------------------------

# The pid in a pid file, if that process is alive and is the named program.
running_pid() {
    local pidfile=$1 name=$2 pid
    [[ -r $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 1
    echo "$pid"
}

stop_daemon() {
    local pidfile=$1 name=$2 pid i
    pid=$(running_pid "$pidfile" "$name") || return 0
    echo "    stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "    $name did not stop in 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

show_logs() {
    local f
    for f in "$log_dir/slurmctld.log" "$log_dir/slurmd.log" /var/log/munge/munged.log; do
        if [[ -r $f ]]; then
            echo "---- last lines of $f" >&2
            tail -n 40 "$f" >&2
        fi
    done
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

if [[ ${1:-} == --stop ]]; then
    [[ $EUID -eq 0 ]] || die "run as root (the daemons run as root)"
    stop_daemon "$slurmd_pidfile" slurmd
    stop_daemon "$ctld_pidfile" slurmctld
    stop_daemon "$munge_pidfile" munged
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--stop]" >&2
    exit 2
fi

[[ $EUID -eq 0 ]] || die "run as root, e.g. sudo $0: it installs packages, writes $SLURM_CONF and starts the munge and Slurm daemons"

# ---- 1. packages ----------------------------------------------------------------------

step "packages (slurm-wlm, munge)"
missing=0
for cmd in slurmctld slurmd sbatch squeue sinfo scontrol munged munge unmunge; do
    command -v "$cmd" >/dev/null || missing=1
done
if ((missing)); then
    command -v apt-get >/dev/null || die "slurm or munge is missing and there is no apt-get; install slurm-wlm and munge by hand"
    echo "    installing slurm-wlm and munge with apt-get"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
else
    echo "    already installed: $(slurmctld -V), $(munged -V 2>&1 | head -n 1)"
fi

# ---- 2. munge -------------------------------------------------------------------------

step "munge"
if [[ ! -s /etc/munge/munge.key ]]; then
    echo "    creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if munge_works; then
    echo "    munged is running"
else
    # No systemd here: make the directories its unit would make and start it as munge.
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
    stop_daemon "$munge_pidfile" munged
    echo "    starting munged"
    # --force: start even over a stale socket left by a munged that was killed.
    runuser -u munge -- munged --force
    for ((i = 0; i < 50; i++)); do
        munge_works && break
        sleep 0.1
    done
    munge_works || { show_logs; die "munged does not answer (munge -n | unmunge)"; }
fi

# ---- 3. slurm.conf --------------------------------------------------------------------

step "slurm.conf"
host=$(hostname -s)
# slurmd -C prints this machine's real CPUs, sockets, cores and memory as a node line.
node_line=$(slurmd -C | head -n 1)
[[ $node_line == NodeName=* ]] || die "slurmd -C printed '$node_line', not a NodeName line"
node_name=${node_line%% *}
node_name=${node_name#NodeName=}
[[ $node_name == "$host" ]] || echo "    note: slurmd calls this node $node_name, hostname -s says $host"
new_conf=$(
    cat <<EOF
$marker: a one-node cluster for testing the
# ccsim Slurm recipe. Jobs run as root, without cgroups and without accounting.
ClusterName=ccsim-test
SlurmctldHost=$node_name(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
StateSaveLocation=$state_dir
SlurmdSpoolDir=$spool_dir
SlurmctldPidFile=$ctld_pidfile
SlurmdPidFile=$slurmd_pidfile
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Keep finished jobs visible to scontrol show job for an hour (there is no sacct).
MinJobAge=3600
# Cancel a job whose dependency can no longer be met (e.g. the array failed).
DependencyParameters=kill_invalid_depend
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$node_name Default=YES MaxTime=INFINITE State=UP
EOF
)
conf_changed=0
if [[ -e $SLURM_CONF ]] && ! grep -qF "$marker" "$SLURM_CONF"; then
    die "$SLURM_CONF exists and was not written by this script; move it away or set SLURM_CONF to another path"
fi
if [[ ! -e $SLURM_CONF || $(<"$SLURM_CONF") != "$new_conf" ]]; then
    install -d "$(dirname "$SLURM_CONF")"
    printf '%s\n' "$new_conf" >"$SLURM_CONF"
    conf_changed=1
    echo "    wrote $SLURM_CONF"
else
    echo "    $SLURM_CONF is up to date"
fi
echo "    node: $node_line"

# ---- 4. slurmctld and slurmd ----------------------------------------------------------

step "slurmctld and slurmd"
install -d -m 0755 "$state_dir" "$spool_dir" "$log_dir"
ctld_pid=$(running_pid "$ctld_pidfile" slurmctld) || ctld_pid=""
slurmd_pid=$(running_pid "$slurmd_pidfile" slurmd) || slurmd_pid=""
if ((conf_changed == 0)) && [[ -n $ctld_pid && -n $slurmd_pid ]] && scontrol ping >/dev/null 2>&1; then
    echo "    reusing slurmctld (pid $ctld_pid) and slurmd (pid $slurmd_pid)"
else
    stop_daemon "$slurmd_pidfile" slurmd
    stop_daemon "$ctld_pidfile" slurmctld
    # A new configuration may rename or resize the node: start from a clean state then.
    clear=()
    ((conf_changed)) && clear=(-c)
    echo "    starting slurmctld${clear:+ ${clear[*]}}"
    slurmctld "${clear[@]}" || { show_logs; die "slurmctld did not start"; }
    echo "    starting slurmd"
    slurmd || { show_logs; die "slurmd did not start"; }
fi

echo "    waiting for node $node_name to be idle (up to $timeout s)"
deadline=$((SECONDS + timeout))
resumed=0
while :; do
    state=$(sinfo -h -N -n "$node_name" -o %T 2>/dev/null | head -n 1) || state=""
    case $state in
    idle | mixed | allocated | completing) break ;;
    drained | draining | down)
        # A node down or drained by an earlier run (not merely unresponsive: no "*").
        if ((resumed == 0)); then
            echo "    node is $state; resuming it"
            scontrol update NodeName="$node_name" State=RESUME || true
            resumed=1
        fi
        ;;
    esac
    if ((SECONDS >= deadline)); then
        sinfo -N -l >&2 || true
        scontrol show node "$node_name" >&2 || true
        show_logs
        die "node $node_name is not idle after $timeout s (state '${state:-none}')"
    fi
    sleep 0.5
done
echo "    node $node_name is $state"

# ---- 5. ccsim -------------------------------------------------------------------------

if [[ $standin != 1 ]]; then
    step "ccsim binary"
    if [[ -n ${CCSIM:-} ]]; then
        ccsim=$CCSIM
        [[ $ccsim == */* ]] || ccsim=$(command -v "$ccsim") || die "CCSIM=$CCSIM is not on PATH"
    else
        ccsim=$repo/target/release/ccsim
        if [[ ! -x $ccsim ]]; then
            command -v cargo >/dev/null || die "$ccsim is missing and cargo is not on PATH; build it or set CCSIM"
            echo "    building $ccsim (cargo build --release)"
            (cd "$repo" && cargo build --release)
        fi
    fi
    [[ -x $ccsim ]] || die "ccsim binary $ccsim is not executable"
    ccsim=$(realpath "$ccsim")
    "$ccsim" merge --help >/dev/null 2>&1 ||
        die "$ccsim has no merge command (too old?); rebuild it, or try the Slurm side alone with CCSIM_TEST_STANDIN=1"
    echo "    $ccsim ($("$ccsim" --version))"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-slurm-test.XXXXXX")
chmod 0755 "$work"
mkdir "$work/logs"
keep_work=${CCSIM_TEST_KEEP:-0}
on_exit() {
    local rc=$?
    if ((rc != 0)); then
        echo "test.sh: FAILED (exit $rc); work folder kept: $work" >&2
    elif [[ $keep_work == 1 ]]; then
        echo "work folder kept: $work"
    else
        rm -rf "$work"
    fi
}
trap on_exit EXIT

if [[ $standin == 1 ]]; then
    step "ccsim stand-in"
    # Plays ccsim's part in the recipe: `X --shard auto -o DIR` writes DIR/shard-K-of-N/ from
    # the Slurm array variables as ccsim would, and `merge DIR -o OUT` joins the shards.
    ccsim=$work/ccsim-standin
    cat >"$ccsim" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
cmd=$1
shift
out="" shard="" inputs=()
while [[ $# -gt 0 ]]; do
    case $1 in
    -o | --output) out=$2; shift 2 ;;
    --shard) shard=$2; shift 2 ;;
    *) inputs+=("$1"); shift ;;
    esac
done
[[ -n $out ]] || { echo "stand-in: no -o" >&2; exit 2; }
if [[ $cmd == merge ]]; then
    mkdir -p "$out"
    for d in "${inputs[@]}"; do
        for s in "$d"/shard-*-of-*; do cp -R "$s"/. "$out"/; done
    done
    exit 0
fi
[[ $shard == auto ]] || { echo "stand-in: expected --shard auto" >&2; exit 2; }
id=$SLURM_ARRAY_TASK_ID
if [[ -n ${SLURM_ARRAY_TASK_COUNT:-} ]]; then
    n=$SLURM_ARRAY_TASK_COUNT
else
    n=$((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1))
fi
k=$((id - SLURM_ARRAY_TASK_MIN + 1))
mkdir -p "$out/shard-$k-of-$n"
echo "$cmd ${inputs[*]}: part $k of $n" >"$out/shard-$k-of-$n/part-$k.txt"
echo "stand-in: task $id of array $SLURM_ARRAY_JOB_ID (min ${SLURM_ARRAY_TASK_MIN:-unset}, max ${SLURM_ARRAY_TASK_MAX:-unset}, count ${SLURM_ARRAY_TASK_COUNT:-unset}) wrote $out/shard-$k-of-$n" >&2
EOF
    chmod 0755 "$ccsim"
fi

# The sweep: 4 grid points x 3 replications of the default scenario, a few seconds' work,
# charts included (they too must be the same bytes).
args=(sweep "$repo/scenarios/default.toml" --vary agent_group.generalists.count=6..9 -r 3 -q)

# ---- 6. submit ------------------------------------------------------------------------

step "submit array ($shards_n tasks) and merge"
# submit.sh splits SBATCH_ARGS on whitespace.
[[ $repo != *[[:space:]]* ]] || die "the repository path '$repo' has a space; move it for this test"
submit_out=$(
    CCSIM=$ccsim SBATCH_ARGS="--chdir=$repo" CCSIM_SLURM_LOGS=$work/logs \
        "$here/submit.sh" "$shards_n" "$work/shards" "$work/merged" -- "${args[@]}"
)
indent <<<"$submit_out"
array_job=$(sed -n 's/^array_job=//p' <<<"$submit_out")
merge_job=$(sed -n 's/^merge_job=//p' <<<"$submit_out")
[[ $array_job =~ ^[0-9]+$ && $merge_job =~ ^[0-9]+$ ]] || die "could not read the job ids from submit.sh"

# ---- 7. wait --------------------------------------------------------------------------

# One line per job or array task: "<JobId>[_<ArrayTaskId>] <JobState> <ExitCode> <Reason>".
job_states() {
    scontrol show job -o "$1" 2>/dev/null | awk '{
        id = ""; aid = ""; task = ""; st = ""; ec = ""; rs = ""
        for (i = 1; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "JobId") id = kv[2]
            else if (kv[1] == "ArrayJobId") aid = kv[2]
            else if (kv[1] == "ArrayTaskId") task = "_" kv[2]
            else if (kv[1] == "JobState") st = kv[2]
            else if (kv[1] == "ExitCode") ec = substr($i, 10)
            else if (kv[1] == "Reason") rs = kv[2]
        }
        print (aid != "" ? aid : id) task, st, ec, rs
    }'
}
is_final() {
    case $1 in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) return 0 ;;
    *) return 1 ;;
    esac
}
all_final() {
    local st
    [[ -n $1 ]] || return 1
    while read -r _ st _; do
        is_final "$st" || return 1
    done <<<"$1"
}
all_completed() {
    local st ec
    while read -r _ st ec _; do
        [[ $st == COMPLETED && $ec == 0:0 ]] || return 1
    done <<<"$1"
}
fail_jobs() {
    local f logs=0
    # Our own jobs: do not leave them queued or running.
    scancel "$array_job" "$merge_job" 2>/dev/null || true
    echo "---- jobs (id, state, exit code, reason)" >&2
    { job_states "$array_job"; job_states "$merge_job"; } >&2 || true
    for f in "$work"/logs/*; do
        [[ -e $f ]] || continue
        logs=1
        echo "---- $f" >&2
        cat "$f" >&2
    done
    if ((logs == 0)); then
        echo "---- no job output; scontrol show job" >&2
        scontrol show job "$array_job" >&2 || true
        scontrol show job "$merge_job" >&2 || true
        show_logs
    fi
    die "$*"
}

step "wait for the array job $array_job"
deadline=$((SECONDS + timeout))
last=""
while :; do
    states=$(job_states "$array_job") || states=""
    if [[ $states != "$last" ]]; then
        indent <<<"$states"
        last=$states
    fi
    all_final "$states" && break
    ((SECONDS < deadline)) || fail_jobs "array job $array_job not finished after $timeout s"
    sleep 0.5
done
all_completed "$states" || fail_jobs "a task of array job $array_job failed"

step "wait for the merge job $merge_job"
last=""
while :; do
    states=$(job_states "$merge_job") || states=""
    if [[ $states != "$last" ]]; then
        indent <<<"$states"
        last=$states
    fi
    all_final "$states" && break
    [[ $states == *DependencyNeverSatisfied* ]] && fail_jobs "merge job $merge_job: dependency never satisfied"
    ((SECONDS < deadline)) || fail_jobs "merge job $merge_job not finished after $timeout s"
    sleep 0.5
done
all_completed "$states" || fail_jobs "merge job $merge_job failed"
shard_dirs=("$work"/shards/shard-*-of-*)
echo "    shards: ${shard_dirs[*]##*/}"
[[ ${#shard_dirs[@]} -eq $shards_n && -d ${shard_dirs[0]} ]] ||
    fail_jobs "expected $shards_n shard folders in $work/shards"

# ---- 8. local run and comparison ------------------------------------------------------

step "same sweep locally"
if [[ $standin == 1 ]]; then
    # What the stand-in's merge must hold: one part per task.
    mkdir -p "$work/local"
    for ((k = 1; k <= shards_n; k++)); do
        echo "${args[*]}: part $k of $shards_n" >"$work/local/part-$k.txt"
    done
else
    (cd "$repo" && "$ccsim" "${args[@]}" -o "$work/local")
fi

step "diff -r local merged"
[[ -n $(ls -A "$work/merged") ]] || fail_jobs "the merge wrote nothing into $work/merged"
if ! diff -r "$work/local" "$work/merged"; then
    fail_jobs "the merged output differs from the local run"
fi
step_end
echo "---- passed: $work/merged is identical to $work/local$([[ $standin == 1 ]] && echo " (stand-in ccsim)")"
print_summary
