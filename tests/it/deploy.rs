//! The cluster recipes of `deploy/` (DESIGN.md "Shards"). The Kubernetes manifests cannot be run
//! here: they are checked against the fields the Job and PersistentVolumeClaim schemas require,
//! and their commands are run as the pods would run them, index by index, and merged, to the
//! unsharded command's bytes. (The Slurm recipe runs on a real single-node cluster in
//! `deploy/slurm/test.sh`, which `.ci/run` runs.)

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_norway::Value;

use crate::common::files_under;

fn manifest(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes").join(name);
    serde_norway::from_str(&fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn at<'v>(v: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(v, |v, key| match key.parse::<usize>() {
        Ok(i) => &v[i],
        Err(_) => &v[key],
    })
}

fn text<'v>(v: &'v Value, path: &str) -> &'v str {
    at(v, path).as_str().unwrap_or_else(|| panic!("{path}: expected a string"))
}

/// What the batch/v1 Job schema requires of a Job that runs to completion, and what its pod
/// template needs to mount its volumes.
fn check_job(job: &Value, name: &str) {
    assert_eq!(text(job, "apiVersion"), "batch/v1", "{name}");
    assert_eq!(text(job, "kind"), "Job", "{name}");
    let job_name = text(job, "metadata.name");
    // A DNS label: an Indexed Job's pods are named from it.
    assert!(
        !job_name.is_empty()
            && job_name.len() <= 63
            && job_name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{name}: metadata.name {job_name}"
    );
    let pod = at(job, "spec.template.spec");
    assert!(matches!(text(pod, "restartPolicy"), "Never" | "OnFailure"), "{name}: a Job's pods may not restart Always");
    let containers = pod["containers"].as_sequence().expect("containers");
    assert!(!containers.is_empty(), "{name}");
    let volumes: Vec<&str> =
        pod["volumes"].as_sequence().map_or(vec![], |v| v.iter().map(|v| text(v, "name")).collect());
    for c in containers {
        assert!(!text(c, "name").is_empty() && !text(c, "image").is_empty(), "{name}: containers need name and image");
        for m in c["volumeMounts"].as_sequence().into_iter().flatten() {
            assert!(volumes.contains(&text(m, "name")), "{name}: mount {} has no volume", text(m, "name"));
            assert!(text(m, "mountPath").starts_with('/'), "{name}");
        }
    }
    // The template's labels must not contradict a selector; none is given, so Kubernetes makes one.
    assert!(job["spec"]["selector"].is_null(), "{name}");
}

/// A container's arguments with the pod's mount paths moved under `root`.
fn local_args(job: &Value, root: &Path) -> Vec<String> {
    at(job, "spec.template.spec.containers.0.args")
        .as_sequence()
        .expect("args")
        .iter()
        .map(|a| {
            let a = a.as_str().expect("string args");
            match a.strip_prefix('/') {
                Some(rest) => root.join(rest).to_str().unwrap().to_string(),
                None => a.to_string(),
            }
        })
        .collect()
}

#[test]
fn the_kubernetes_manifests_hold_what_their_schemas_require_and_merge_to_the_unsharded_bytes() {
    let shards = manifest("shards-job.yaml");
    let merge = manifest("merge-job.yaml");
    let volume = manifest("volume.yaml");
    check_job(&shards, "shards-job.yaml");
    check_job(&merge, "merge-job.yaml");
    assert_eq!(text(&volume, "apiVersion"), "v1");
    assert_eq!(text(&volume, "kind"), "PersistentVolumeClaim");
    let modes: Vec<&str> =
        at(&volume, "spec.accessModes").as_sequence().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(modes.contains(&"ReadWriteMany"), "pods on several nodes write the shards at once");
    assert!(at(&volume, "spec.resources.requests.storage").as_str().is_some());
    // Both Jobs mount the claim and the scenario alike: the merge reads the scenario again.
    for job in [&shards, &merge] {
        let volumes = at(job, "spec.template.spec.volumes");
        assert_eq!(volumes, at(&shards, "spec.template.spec.volumes"));
        assert_eq!(text(volumes, "1.persistentVolumeClaim.claimName"), text(&volume, "metadata.name"));
    }
    // An Indexed Job of N completions, each pod shard JOB_COMPLETION_INDEX + 1 of N.
    assert_eq!(text(&shards, "spec.completionMode"), "Indexed");
    let n = at(&shards, "spec.completions").as_u64().expect("completions");
    let args = local_args(&shards, Path::new("/"));
    let shards_flag = args.iter().position(|a| a == "--shards").expect("--shards");
    assert_eq!(args[shards_flag + 1], n.to_string(), "--shards equals the completions");
    assert!(args.windows(2).any(|w| w == ["--shard", "auto"]));
    assert_eq!(at(&merge, "spec.template.spec.containers.0.args.0").as_str(), Some("merge"));

    // Run them as the pods would, with the mounts under a temporary folder.
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("scenario")).unwrap();
    fs::write(root.path().join("scenario/center.toml"), ccsim::scenario::DEFAULT_SCENARIO).unwrap();
    let small = ["-r", "2", "--set", "simulation.horizon=6h"];
    for index in 0..n {
        let out = Command::cargo_bin("ccsim")
            .unwrap()
            .args(local_args(&shards, root.path()))
            .args(small)
            .arg("-q")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "index {index}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = Command::cargo_bin("ccsim").unwrap().args(local_args(&merge, root.path())).output().unwrap();
    assert!(out.status.success(), "merge: {}", String::from_utf8_lossy(&out.stderr));
    // The same command unsharded: without --shard, --shards and -o, each with its value.
    let mut plain = local_args(&shards, root.path());
    for flag in ["--shard", "--shards", "-o"] {
        let cut = plain.iter().position(|a| a == flag).unwrap();
        plain.drain(cut..cut + 2);
    }
    let local = root.path().join("local");
    let out =
        Command::cargo_bin("ccsim").unwrap().args(&plain).args(small).arg("-q").arg("-o").arg(&local).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(files_under(&local) == files_under(&root.path().join("work/merged")), "merged and unsharded trees differ");
}
