#!/usr/bin/env bash
# Runs the sharded command on Kubernetes and merges it:
#   deploy/kubernetes/run.sh center.toml
# creates the ConfigMap ccsim-scenario from the scenario, applies the volume and the shards Job,
# waits for every index to complete, then applies the merge Job and waits for it. The merged
# folder is /work/merged on the volume (copy it out with kubectl cp from a pod that mounts it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenario=${1:?usage: run.sh SCENARIO.toml}
timeout=${CCSIM_K8S_TIMEOUT:-24h}

kubectl create configmap ccsim-scenario --from-file=center.toml="$scenario" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$here/volume.yaml"
kubectl delete job ccsim-shards ccsim-merge --ignore-not-found
kubectl apply -f "$here/shards-job.yaml"
kubectl wait --for=condition=complete --timeout="$timeout" job/ccsim-shards
kubectl apply -f "$here/merge-job.yaml"
# The merge exits 1 when a check's gate fails: the Job then fails, with the files written.
kubectl wait --for=condition=complete --timeout=1h job/ccsim-merge
kubectl logs job/ccsim-merge
