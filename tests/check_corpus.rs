//! The derivation corpus: every file in `tests/derivations/` states its expected outcome in its
//! first line (`# expect: holds`, `# expect: wrong factor`, `# expect: ill-formed layout`,
//! `# expect: unknown`); `nabla check` must give that verdict, exit code and named mistake, and
//! its human report is pinned in `snapshots/`.

use std::path::Path;
use std::process::Command;

fn nabla(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the nabla binary runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (text, out.status.code().unwrap_or(-1))
}

struct Expectation {
    verdict: String,
    mistake: Option<String>,
}

fn expectation(path: &Path) -> Expectation {
    let text = std::fs::read_to_string(path).expect("readable fixture");
    let first = text.lines().next().unwrap_or_default();
    let rest = first
        .strip_prefix("# expect: ")
        .unwrap_or_else(|| panic!("{} lacks an `# expect:` line", path.display()));
    let mut words = rest.split_whitespace();
    Expectation {
        verdict: words.next().unwrap_or_default().to_string(),
        mistake: words.next().map(str::to_string),
    }
}

#[test]
fn every_derivation_gets_its_expected_verdict() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("derivations", "*.nabla", |path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let relative = format!("tests/derivations/{name}");
            let want = expectation(path);
            let (json, code) = nabla(&["check", "--format", "json", &relative]);
            let report: serde_json::Value = serde_json::from_str(json.trim())
                .unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{json}"));
            let steps: Vec<&serde_json::Value> = report["statements"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["statement"] == "claim")
                .flat_map(|c| c["steps"].as_array().into_iter().flatten())
                .collect();
            let verdicts: Vec<&str> = steps.iter().filter_map(|s| s["verdict"].as_str()).collect();
            match want.verdict.as_str() {
                "holds" => {
                    assert_eq!(code, 0, "{name}: expected exit 0:\n{json}");
                    assert!(
                        verdicts.iter().all(|v| *v == "proved" || *v == "confirmed"),
                        "{name}: every step should hold: {verdicts:?}"
                    );
                }
                "wrong" | "ill-formed" => {
                    assert_eq!(code, 1, "{name}: expected exit 1:\n{json}");
                    assert!(
                        verdicts.contains(&want.verdict.as_str()),
                        "{name}: expected a {} step: {verdicts:?}",
                        want.verdict
                    );
                    if let Some(kind) = &want.mistake {
                        let kinds: Vec<&str> = steps
                            .iter()
                            .flat_map(|s| s["mistakes"].as_array().into_iter().flatten())
                            .filter_map(|m| m["kind"].as_str())
                            .collect();
                        assert!(
                            kinds.contains(&kind.as_str()),
                            "{name}: expected the mistake `{kind}`, found {kinds:?}"
                        );
                    }
                }
                "unknown" => {
                    assert_eq!(code, 3, "{name}: expected exit 3:\n{json}");
                    assert!(verdicts.contains(&"unknown"), "{name}: {verdicts:?}");
                }
                other => panic!("{name}: unknown expectation {other}"),
            }
            let (human, _) = nabla(&["check", &relative]);
            insta::assert_snapshot!(human);
        });
    });
}

#[test]
fn the_shared_corpus_gets_its_expected_exit_codes() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        panic!("the shared corpus is missing at {}", corpus.display());
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nabla"))
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let first = text.lines().next().unwrap_or_default();
        let expected = if first.contains("(exit 1)") || first.contains("wrong") {
            1
        } else {
            0
        };
        let shown = path.display().to_string();
        let (out, code) = nabla(&["check", &shown]);
        assert_eq!(code, expected, "{shown}: {first}\n{out}");
        if first.contains("\"missing factor 2\"") {
            assert!(out.contains("missing factor 2"), "{shown}:\n{out}");
        }
        if first.contains("\"denominator layout\"") {
            assert!(out.contains("denominator layout"), "{shown}:\n{out}");
            let (out, code) = nabla(&["check", "--layout", "denominator", &shown]);
            assert_eq!(code, 0, "{shown} with --layout denominator:\n{out}");
        }
    }
}
