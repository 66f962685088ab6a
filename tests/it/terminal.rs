//! What ccsim prints on a terminal and on pipes: the progress bar only when stdout is a terminal
//! (drawn on stderr), and no panic when the reader of stdout or stderr has gone away.

use std::io::Read;
use std::process::{Command, Stdio};

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("ccsim")
}

/// Runs `shell` under util-linux `script`, which gives it a pseudo-terminal, and returns what the
/// terminal showed; `None` where `script` is missing.
#[cfg(target_os = "linux")]
fn on_a_terminal(shell: &str) -> Option<String> {
    let out = Command::new("script").args(["-qec", shell, "/dev/null"]).env("TERM", "xterm").output().ok()?;
    assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn the_progress_bar_shows_only_when_stdout_is_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let run =
        format!("{} run -r 8 --threads 1 --no-charts -o {}", binary().display(), dir.path().join("out").display());
    let Some(both) = on_a_terminal(&run) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(both.contains("/8 replications"), "stdout and stderr on a terminal: a bar\n{both}");
    // `ccsim run | tee log`: stdout is a pipe, stderr still the terminal.
    let piped = on_a_terminal(&format!("{run} | cat > {}", dir.path().join("log").display())).unwrap();
    assert!(!piped.contains("replications"), "stdout on a pipe: no bar\n{piped}");
    let quiet = on_a_terminal(&format!("{run} --quiet")).unwrap();
    assert!(!quiet.contains("replications"), "--quiet: no bar\n{quiet}");
    // A comparison counts the replications of every variant.
    let compare = format!(
        "{} compare {}/scenarios/default.toml --variant more:agent_group.generalists.count=9 -r 4 --threads 1 --no-charts -o {}",
        binary().display(),
        env!("CARGO_MANIFEST_DIR"),
        dir.path().join("compare").display()
    );
    let shown = on_a_terminal(&compare).unwrap();
    assert!(shown.contains("/8 replications"), "{shown}");
}

#[test]
fn a_closed_stdout_or_stderr_does_not_make_ccsim_panic() {
    let dir = tempfile::tempdir().unwrap();
    for closed in ["stdout", "stderr"] {
        // Invalid input: the error goes to a reader that has already gone.
        let mut child = Command::new(binary())
            .args(["run", "-r", "3", "--no-charts", "--set", "channel.nowhere.kind=sms", "-o"])
            .arg(dir.path())
            .stdout(if closed == "stdout" { Stdio::piped() } else { Stdio::null() })
            .stderr(if closed == "stderr" { Stdio::piped() } else { Stdio::null() })
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "invalid input, said to a closed {closed}: exit 2, not a panic");

        let mut child = Command::new(binary())
            .args(["run", "-r", "3", "--no-charts", "-o"])
            .arg(dir.path())
            .stdout(if closed == "stdout" { Stdio::piped() } else { Stdio::null() })
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if closed == "stdout" {
            drop(child.stdout.take());
        }
        let mut stderr = String::new();
        if closed == "stderr" {
            drop(child.stderr.take());
        } else if let Some(mut e) = child.stderr.take() {
            e.read_to_string(&mut stderr).unwrap();
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "closed {closed}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
