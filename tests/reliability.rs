//! Batch grading that loses nothing: a 10,000-submission JSON-lines batch with 10 % malformed
//! submissions (bad syntax, wrong shapes, binary garbage, huge inputs) gives exactly 10,000
//! result lines in input order while its memory stays bounded; an interrupt (SIGINT) leaves a
//! prefix of complete JSON lines on standard output.
//!
//! Memory is measured by reading the child's peak resident set (`VmHWM` in `/proc/<pid>/status`)
//! while its output is read: the last reading before it exits is its peak up to then.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Batches are written here; removed by the test that made them.
fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-reliability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Submission k as a JSON line: every tenth is malformed in one of several ways. The ids of
/// readable lines are `"k"`; a line that is not JSON has no id (its result's id is null).
fn submission(k: usize) -> Vec<u8> {
    let line = |source: &str| {
        serde_json::json!({ "id": k.to_string(), "source": source })
            .to_string()
            .into_bytes()
    };
    if k % 10 == 0 {
        return match k / 10 % 6 {
            0 => line("claim d/dx x² = = 2x"),
            1 => line("let A: ℝ^(m×n), x: ℝ^m\nf(x) = ‖Ax‖²\nclaim ∇f(x) = 2AᵀAx"),
            2 => vec![0xff, 0xfe, 0x00, b'{', 0x80, 0x81, b'"'],
            3 if k % 1000 == 30 => line(&format!("claim {} = 0", "x + ".repeat(300_000))),
            3 => line(&"(".repeat(3000)),
            4 => line(&format!(
                "claim {}x{} = 1",
                "sin(".repeat(500),
                ")".repeat(500)
            )),
            _ => b"{\"id\": 7, \"source\": [1, 2]}".to_vec(),
        };
    }
    let a = k % 7 + 2;
    match k % 4 {
        0 => line(&format!("claim d/dx x^{a} = {a}x^{}", a - 1)),
        1 => line(&format!("claim d/dt sin({a}t) = {a}cos({a}t)")),
        2 => line(&format!("claim d/dx (x² + {a}x) = 2x + {a}")),
        _ => line(&format!(
            "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx + {a}) = (A + Aᵀ)x"
        )),
    }
}

fn write_batch(name: &str, n: usize) -> PathBuf {
    let path = temp_file(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    for k in 0..n {
        f.write_all(&submission(k)).expect("write");
        f.write_all(b"\n").expect("write");
    }
    f.flush().expect("flush");
    path
}

/// The peak resident set of a running process, in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// What result line k must say about submission k.
fn check_line(k: usize, line: &str) {
    let v: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("line {k} is not JSON ({e}): {line}"));
    let id = &v["id"];
    let own = serde_json::Value::String(k.to_string());
    if k % 10 == 0 {
        assert_eq!(
            v["exit"], 2,
            "malformed submission {k} must be an input error: {line}"
        );
        assert!(id.is_null() || *id == own || *id == 7, "line {k}: {line}");
    } else {
        assert_eq!(*id, own, "line {k} is out of order: {line}");
        assert_eq!(v["exit"], 0, "submission {k} holds: {line}");
    }
}

#[test]
fn ten_thousand_submissions_give_ten_thousand_lines_in_order_with_bounded_memory() {
    let n = 10_000;
    let path = write_batch("batch-10k.jsonl", n);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(["check", "--batch"])
        .arg(&path)
        .args(["--trials", "8"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nabla runs");
    let pid = child.id();
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::with_capacity(n);
    let mut peak = 0;
    for line in BufReader::new(stdout).lines() {
        lines.push(line.expect("a line of UTF-8"));
        if lines.len() % 50 == 0 {
            peak = peak.max(peak_kib(pid).unwrap_or(0));
        }
    }
    let status = child.wait().expect("nabla finishes");
    assert_eq!(status.code(), Some(0));
    assert_eq!(lines.len(), n);
    for (k, line) in lines.iter().enumerate() {
        check_line(k, line);
    }
    // The input is ~3 MB; a grader holding the whole batch or all results would still stay
    // small, but one that leaked per submission would not. 512 MiB leaves room for the largest
    // submissions in flight.
    eprintln!("peak resident set of the grader: {peak} KiB");
    assert!(peak > 0, "the peak resident set was read");
    assert!(peak < 512 * 1024, "peak resident set {peak} KiB");
    std::fs::remove_file(&path).ok();
}

#[test]
fn an_interrupted_batch_leaves_complete_lines() {
    let n = 5_000;
    let path = write_batch("batch-interrupt.jsonl", n);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(["check", "--batch"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("nabla runs");
    let pid = child.id();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    // Wait for some complete lines, then interrupt.
    let mut output = Vec::new();
    let mut seen = 0;
    while seen < 40 {
        let mut line = Vec::new();
        let got = stdout.read_until(b'\n', &mut line).expect("read");
        assert!(got > 0, "the batch ended before it was interrupted");
        output.extend_from_slice(&line);
        seen += 1;
    }
    let kill = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    stdout.read_to_end(&mut output).expect("read the rest");
    let status = child.wait().expect("nabla finishes");
    assert_eq!(status.code(), Some(130), "an interrupted batch exits 130");
    let text = String::from_utf8(output).expect("UTF-8");
    assert!(text.ends_with('\n'), "the last line is complete");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() >= 40 && lines.len() < n,
        "{} lines",
        lines.len()
    );
    for (k, line) in lines.iter().enumerate() {
        check_line(k, line);
    }
    std::fs::remove_file(&path).ok();
}
