//! Batch grading as a user runs it: a generated JSON-lines batch with malformed submissions mixed
//! in (bad syntax, claims of inconsistent shape, binary garbage, huge inputs, missing fields) returns exactly one
//! result line per submission, in input order, and every valid submission gets its verdict.

use std::io::Write;
use std::process::{Command, Stdio};

const CORRECT: &str = "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇f(x) = Aᵀ(Ax − b)";
const WRONG: &str = "let B: ℝ^(m×n), c: ℝ^m, x: ℝ^n\ng(x) = ‖Bx − c‖²\nclaim ∇g(x) = Bᵀ(Bx − c)";
const SCALAR: &str = "claim d/dx (x sin x) = sin x + x cos x";

/// What submission k is, and the line for it.
fn submission(k: usize) -> (&'static str, String) {
    let id = format!("s{k}");
    let line = |source: &str| serde_json::json!({ "id": id, "source": source }).to_string();
    match k % 10 {
        0 => (
            "malformed",
            [
                "{\"id\": \"broken",
                "\u{0}\u{1}garbage\u{7f}",
                "{\"source\": 3}",
            ][k / 10 % 3]
                .to_string(),
        ),
        1 => ("bad-input", line("claim ‖x = 1")),
        2 => ("ill-formed", line("let A: ℝ^(m×n), x: ℝ^m\nclaim Ax = 0")),
        3 | 6 => ("wrong", line(WRONG)),
        4 | 7 => ("holds", line(SCALAR)),
        9 if k % 100 == 99 => ("bad-input", line(&"(".repeat(5000))),
        _ => ("holds", line(CORRECT)),
    }
}

#[test]
fn a_mixed_batch_returns_one_line_per_submission_in_order() {
    let n = 2000;
    let dir = std::env::temp_dir().join(format!("nabla-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("batch.jsonl");
    let mut file = std::fs::File::create(&path).expect("batch file");
    let kinds: Vec<&str> = (0..n)
        .map(|k| {
            let (kind, line) = submission(k);
            writeln!(file, "{line}").expect("write");
            kind
        })
        .collect();
    drop(file);
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(["check", "--batch"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("nabla runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), n, "one line per submission");
    for (k, (line, kind)) in lines.iter().zip(&kinds).enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        match *kind {
            "malformed" => assert!(v["error"].is_object(), "line {k}: {line}"),
            "bad-input" => {
                assert_eq!(v["id"], format!("s{k}"), "line {k} out of order");
                assert_eq!(v["exit"], 2, "line {k}: {line}");
            }
            "ill-formed" => {
                assert_eq!(v["id"], format!("s{k}"), "line {k} out of order");
                assert_eq!(v["exit"], 1, "line {k}: {line}");
                assert_eq!(v["report"]["statements"][0]["verdict"], "ill-formed");
                assert_eq!(
                    v["report"]["statements"][0]["error"]["kind"],
                    "shape-mismatch"
                );
            }
            "wrong" => {
                assert_eq!(v["id"], format!("s{k}"), "line {k} out of order");
                assert_eq!(v["exit"], 1, "line {k}: {line}");
                assert_eq!(v["holds"], false);
            }
            _ => {
                assert_eq!(v["id"], format!("s{k}"), "line {k} out of order");
                assert_eq!(v["exit"], 0, "line {k}: {line}");
                assert_eq!(v["holds"], true);
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_directory_batch_grades_every_file_by_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(["check", "--batch", "tests/derivations"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("nabla runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/derivations"))
            .expect("corpus")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".nabla"))
            .collect();
    files.sort();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON")["id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(ids, files);
}
