#!/usr/bin/env bash
# Submit a ccsim command as an N-task Slurm job array plus a merge job that waits for it.
#
#   deploy/slurm/submit.sh N SHARDS_DIR OUT_DIR -- <ccsim command args>
#   deploy/slurm/submit.sh 4 shards merged -- sweep center.toml --vary agent_group.tier1.count=10..20
#
# The array runs `ccsim <args> --shard auto -o SHARDS_DIR` (ccsim-array.sbatch); the merge
# job runs `ccsim merge SHARDS_DIR -o OUT_DIR` (ccsim-merge.sbatch) once every task has
# succeeded (--dependency=afterok). Prints both job ids as array_job=ID and merge_job=ID.
#
# Environment:
#   CCSIM        the ccsim binary (default: ccsim on the compute nodes' PATH); a path with
#                a slash is made absolute here, so it must exist on the submitting host
#                at the same path as on the nodes (a shared file system).
#   SBATCH_ARGS  extra sbatch options for both jobs, split on whitespace, e.g.
#                "--partition=short --chdir=/shared/project --cpus-per-task=2".
#   CCSIM_SLURM_LOGS  folder for the jobs' output files (made if missing), named
#                ccsim-shard-<array job>_<task>.out and ccsim-merge-<job>.out; default:
#                the scripts' slurm-%x-... files in the jobs' working directory.
# Relative SHARDS_DIR and OUT_DIR are taken from the jobs' working directory: this
# directory unless SBATCH_ARGS sets --chdir.
set -euo pipefail

usage() {
    echo "usage: $0 N SHARDS_DIR OUT_DIR -- <ccsim command args>" >&2
    echo "  e.g. $0 4 shards merged -- sweep center.toml --vary agent_group.tier1.count=10..20" >&2
    exit 2
}

[[ $# -ge 5 && $4 == -- ]] || usage
n=$1
shards=$2
out=$3
shift 4
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a positive integer, not '$n'" >&2; exit 2; }
for arg in "$@"; do
    case $arg in
    -o | --output | --output=* | -o?*)
        echo "submit.sh: leave out $arg; the shards go to SHARDS_DIR ($shards)" >&2
        exit 2
        ;;
    esac
done
command -v sbatch >/dev/null || { echo "submit.sh: sbatch not found; is this a Slurm login node?" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${CCSIM:-} == */* ]]; then
    CCSIM=$(realpath "$CCSIM")
    export CCSIM
fi
extra=()
if [[ -n ${SBATCH_ARGS:-} ]]; then
    read -r -a extra <<<"$SBATCH_ARGS"
fi
array_log=() merge_log=()
if [[ -n ${CCSIM_SLURM_LOGS:-} ]]; then
    mkdir -p "$CCSIM_SLURM_LOGS"
    array_log=(--output="$CCSIM_SLURM_LOGS/%x-%A_%a.out")
    merge_log=(--output="$CCSIM_SLURM_LOGS/%x-%j.out")
fi

# --parsable prints "jobid" or "jobid;cluster".
array_job=$(sbatch --parsable --array="1-$n" "${array_log[@]}" "${extra[@]}" \
    "$here/ccsim-array.sbatch" "$@" -o "$shards")
array_job=${array_job%%;*}
merge_job=$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
    "${merge_log[@]}" "${extra[@]}" \
    "$here/ccsim-merge.sbatch" "$shards" "$out")
merge_job=${merge_job%%;*}

echo "array_job=$array_job"
echo "merge_job=$merge_job"
