//! The progress bar of long descents: drawn on standard error at a terminal (a pseudo-terminal
//! from util-linux `script`), never when standard error is a pipe or a file.

use std::path::Path;
use std::process::Command;

fn file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/numeric/long-descent.nabla")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_long_descent_draws_a_progress_bar_at_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is needed to give the test a terminal"
        );
        eprintln!("NOTE: `script` (util-linux) not found — the progress bar was NOT tested");
        return;
    }
    let command = format!("{} check {}", env!("CARGO_BIN_EXE_nabla"), file());
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{out:?}");
    let terminal = String::from_utf8_lossy(&out.stdout);
    // The bar advances in 40 steps and ends cleared, followed by the report.
    assert!(terminal.contains("] 0/5000"), "{terminal}");
    assert!(terminal.contains("[####################"), "{terminal}");
    assert!(terminal.contains("5000 iterations"), "{terminal}");
}

#[test]
fn no_progress_bar_when_standard_error_is_not_a_terminal() {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(["check", &file()])
        .output()
        .expect("nabla runs");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("/5000"), "a bar was drawn into a pipe: {err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("5000 iterations"));
}
