//! File-driven snapshots: every grammar fixture is run through `nabla parse` as a user would, and
//! its output (valid fixtures) or rendered diagnostic (invalid fixtures) is pinned in `snapshots/`.

use std::path::Path;
use std::process::Command;

fn run_parse(path: &Path) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .arg("parse")
        .arg(path)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the nabla binary runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn valid_fixtures_parse() {
    settings().bind(|| {
        insta::glob!("../grammar/fixtures/valid", "*.nabla", |path| {
            let (stdout, stderr, code) = run_parse(path);
            assert_eq!(code, 0, "{} failed to parse:\n{stderr}", relative(path));
            insta::assert_snapshot!(stdout);
        });
    });
}

#[test]
fn invalid_fixtures_are_rejected_with_a_diagnostic() {
    settings().bind(|| {
        insta::glob!("../grammar/fixtures/invalid", "*.nabla", |path| {
            let (stdout, stderr, code) = run_parse(path);
            assert_eq!(
                code,
                2,
                "{} should exit 2:\n{stdout}{stderr}",
                relative(path)
            );
            assert!(
                stderr.contains("error"),
                "{}: no error rendered",
                relative(path)
            );
            insta::assert_snapshot!(stderr.replace(env!("CARGO_MANIFEST_DIR"), "."));
        });
    });
}
