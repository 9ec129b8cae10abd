//! `nabla check`: the human report (✓/✗ per step, mistakes named, counterexamples) and JSON.

use super::diagnostics::{self, use_color};
use super::exit;
use super::input;
use super::numeric;
use super::values;
use nabla::check::compare::{CompareOptions, Counterexample, DenseValue};
use nabla::check::{
    check_program_with, CheckOptions, ClaimReport, Mistake, NumericOptions, StatementReport,
    Verdict,
};
use nabla::diff::Layout;
use nabla::document::{Document, ReadOptions, SourceError};
use nabla::expr::{Id, Node, Number, Pool};
use nabla::numeric::data::load;
use nabla::print::{print as print_expr, print_shape, Dialect, PrintOptions};
use nabla::syntax::lower::StepRelation;
use nabla::syntax::span::Span;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::IsTerminal;

/// The built-in example run by `nabla demo`.
pub const DEMO: &str = "\
# Linear least squares: gradient and Hessian (one step is wrong on purpose)
let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n

f(x) = ½‖Ax − b‖²

claim ∇f(x) = Aᵀ(Ax − b)
            = AᵀAx − Aᵀb
claim ∇²f(x) = AᵀA
claim ∇ₓ‖Ax − b‖² = Aᵀ(Ax − b)
";

/// Each claim's time budget unless `--time-limit` says otherwise.
const CLAIM_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Options of `nabla check`.
#[derive(Clone)]
pub struct CheckRequest {
    /// Files to check.
    pub files: Vec<String>,
    /// A batch to grade instead (directory or JSON-lines file).
    pub batch: Option<String>,
    /// JSON output.
    pub json: bool,
    /// Jacobian layout.
    pub layout: Layout,
    /// Seed of the randomised comparisons.
    pub seed: u64,
    /// Trials per comparison.
    pub trials: usize,
    /// Data for symbols, `NAME=PATH` (CSV or `.npy`).
    pub data: Vec<String>,
    /// Where to write the SVG plot of descents.
    pub plot: Option<String>,
    /// Resource limits (`--max-nodes`, `--max-terms`, `--time-limit` per claim,
    /// `--file-time-limit`).
    pub budget: super::commands::Budget,
}

/// `nabla demo`: checks the built-in example.
pub fn demo() -> u8 {
    println!("{DEMO}");
    let request = CheckRequest {
        files: Vec::new(),
        batch: None,
        json: false,
        layout: Layout::Numerator,
        seed: 1,
        trials: 40,
        data: Vec::new(),
        plot: None,
        budget: super::commands::Budget::default(),
    };
    let code = check_text(DEMO, "demo.nabla", &request);
    // The demo contains one wrong claim on purpose; it ran as intended.
    if code == exit::CLAIM_FAILED {
        exit::OK
    } else {
        code
    }
}

/// `nabla check FILE…`: the worst exit code over all files.
pub fn run(r: &CheckRequest) -> u8 {
    if let Some(batch) = &r.batch {
        return super::batch::run(batch, r);
    }
    if r.files.is_empty() {
        eprintln!("error: no file given (nabla check FILE…, or - for standard input)");
        return exit::BAD_INPUT;
    }
    let mut worst = exit::OK;
    for f in &r.files {
        let code = match input::read_file(f) {
            Ok(i) => check_text(&i.text, &i.origin, r),
            Err(message) => {
                if r.json {
                    println!(
                        "{}",
                        json!({ "file": f, "error": { "kind": "input", "message": message } })
                    );
                } else {
                    eprintln!("error: {message}");
                }
                exit::BAD_INPUT
            }
        };
        worst = worst.max(code);
    }
    worst
}

fn check_options(r: &CheckRequest) -> CheckOptions {
    CheckOptions {
        compare: CompareOptions {
            seed: r.seed,
            trials: r.trials.max(1),
            min_valid: (r.trials / 2).max(1),
            ..CompareOptions::default()
        },
        max_terms: r
            .budget
            .max_terms
            .unwrap_or(CheckOptions::default().max_terms),
        time_limit: r.budget.time_limit.or(Some(CLAIM_TIME_LIMIT)),
        deadline: r
            .budget
            .file_time_limit
            .and_then(|d| std::time::Instant::now().checked_add(d)),
    }
}

/// What checking one text gives: the exit code and the report, as JSON and as text.
pub struct Outcome {
    /// 0 every claim holds, 1 one fails, 2 unreadable input, 3 undecided.
    pub code: u8,
    /// The report (or the error) as JSON.
    pub json: serde_json::Value,
    /// The report (or the rendered error) as text.
    pub human: String,
}

/// Checks one text and prints its report; returns the exit code.
pub fn check_text(text: &str, origin: &str, r: &CheckRequest) -> u8 {
    let outcome = grade(text, origin, r);
    if r.json {
        println!("{}", outcome.json);
    } else if outcome.code == exit::BAD_INPUT {
        eprintln!("{}", outcome.human);
    } else {
        print!("{}", outcome.human);
        if outcome.human.trim().is_empty() {
            eprintln!("note: {origin}: nothing to check (no claim, descend, classify or critical)");
        }
    }
    outcome.code
}

/// Checks one text: the whole report, rendered both ways, and its exit code.
pub fn grade(text: &str, origin: &str, r: &CheckRequest) -> Outcome {
    let read = ReadOptions {
        declarations: None,
        layout: r.layout,
        trace_rules: false,
    };
    let mut doc = match Document::read_checkable(text, &read) {
        Ok(d) => d,
        Err(e) => {
            return Outcome {
                code: exit::BAD_INPUT,
                json: diagnostics::to_json(&e),
                human: diagnostics::render(&e, origin),
            }
        }
    };
    if let Some(n) = r.budget.max_nodes {
        doc.lowered.pool.limits.max_nodes = n;
    }
    let numeric_options = match numeric_options(r) {
        Ok(o) => o,
        Err(message) => {
            return Outcome {
                code: exit::BAD_INPUT,
                json: json!({ "file": origin, "error": { "kind": "data", "message": message } }),
                human: format!("error: {message}"),
            }
        }
    };
    let report = if !r.json && r.batch.is_none() && std::io::stderr().is_terminal() {
        let mut bar = numeric::progress_bar();
        check_program_with(
            &mut doc.lowered,
            &check_options(r),
            &numeric_options,
            &mut bar,
        )
    } else {
        check_program_with(
            &mut doc.lowered,
            &check_options(r),
            &numeric_options,
            &mut |_, _| {},
        )
    };
    let pool = &doc.lowered.pool;
    let mut failed = false;
    let mut unknown = false;
    let mut numeric_code = exit::OK;
    let mut plots_written = 0;
    let mut claims_json = Vec::new();
    let mut out = String::new();
    for statement in &report.statements {
        match statement {
            StatementReport::Claim(claim) => {
                failed |= claim.first_failure().is_some();
                unknown |= claim
                    .steps
                    .iter()
                    .any(|s| matches!(s.verdict, Verdict::Unknown { .. }));
                claims_json.push(claim_json(pool, text, claim));
                out.push_str(&claim_text(pool, text, origin, claim));
            }
            StatementReport::Unreadable { diagnostic, span } => {
                failed = true;
                let error = SourceError {
                    diagnostic: diagnostic.clone(),
                    source: text.to_string(),
                };
                let (line, _) = span.line_col(text);
                claims_json.push(json!({
                    "statement": "claim", "line": line, "holds": false,
                    "verdict": "ill-formed", "error": diagnostics::to_json(&error)["error"],
                }));
                out.push_str(&unreadable_text(text, origin, *span, &error));
            }
            StatementReport::Numeric(n) => {
                numeric_code = numeric_code.max(numeric::exit_code(n));
                claims_json.push(numeric::to_json(n, text));
                out.push_str(&numeric::text(n, text, origin));
                let plots = if r.plot.is_some() {
                    numeric::plots(n)
                } else {
                    Vec::new()
                };
                if let (Some(path), false) = (&r.plot, plots.is_empty()) {
                    for (suffix, svg) in plots {
                        let file = plot_path(path, plots_written, suffix);
                        match std::fs::write(&file, svg) {
                            Ok(()) if !r.json => {
                                out.push_str(&format!("   plot written to {file}\n"))
                            }
                            Ok(()) => {}
                            Err(e) => eprintln!("error: cannot write {file}: {e}"),
                        }
                    }
                    plots_written += 1;
                }
            }
        }
    }
    let code = if numeric_code == exit::BAD_INPUT {
        exit::BAD_INPUT
    } else if failed {
        exit::CLAIM_FAILED
    } else if unknown || numeric_code != exit::OK {
        exit::CANNOT_ANSWER
    } else {
        exit::OK
    };
    Outcome {
        code,
        json: json!({ "file": origin, "holds": !failed && !unknown, "statements": claims_json }),
        human: out,
    }
}

/// Loads the `--data NAME=PATH` matrices.
fn numeric_options(r: &CheckRequest) -> Result<NumericOptions, String> {
    let mut data = BTreeMap::new();
    for item in &r.data {
        let (name, path) = item
            .split_once('=')
            .ok_or_else(|| format!("--data {item}: expected NAME=PATH (e.g. A=matrix.csv)"))?;
        let value = load(path.trim()).map_err(|e| format!("--data {name}: {e}"))?;
        data.insert(name.trim().to_string(), value);
    }
    Ok(NumericOptions {
        data,
        plot: r.plot.is_some(),
    })
}

/// The file of the `index`-th descent's plot: `plot.svg`, then `plot-2.svg`, …; a suffix names
/// a second plot of the same descent (`plot-convergence.svg`).
fn plot_path(path: &str, index: usize, suffix: &str) -> String {
    let (stem, ext) = match path.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (path, ".svg".to_string()),
    };
    let mut name = stem.to_string();
    if index > 0 {
        name.push_str(&format!("-{}", index + 1));
    }
    if !suffix.is_empty() {
        name.push('-');
        name.push_str(suffix);
    }
    name + &ext
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.range()).unwrap_or("").trim()
}

/// A step's expression as written, without its relation sign.
fn step_text(text: &str, span: Span) -> &str {
    slice(text, span).trim_start_matches(['=', '≈', '~']).trim()
}

fn unicode(pool: &Pool, id: Id) -> String {
    print_expr(pool, id, &PrintOptions::for_dialect(Dialect::Unicode))
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// A claim that could not be read: ill-formed, with the reader's diagnostic under it.
fn unreadable_text(text: &str, origin: &str, span: Span, error: &SourceError) -> String {
    let paint = Paint {
        on: use_color() && std::io::stdout().is_terminal(),
    };
    let (line, column) = span.line_col(text);
    let claim = slice(text, span);
    let claim = claim.strip_prefix("claim").unwrap_or(claim).trim();
    let mut out = format!(
        "{origin}:{line}:{column}  {} {claim}    ill-formed: it cannot be read\n",
        paint.wrap("31", "✗")
    );
    for row in diagnostics::render(error, origin).lines() {
        out.push_str(&format!("   {row}\n"));
    }
    out
}

fn claim_text(pool: &Pool, text: &str, origin: &str, claim: &ClaimReport) -> String {
    let paint = Paint {
        on: use_color() && std::io::stdout().is_terminal(),
    };
    let mut out = String::new();
    for step in &claim.steps {
        let (line, column) = step.span.line_col(text);
        let left = step_text(text, step.previous_span);
        let right = step_text(text, step.span);
        let (mark, how) = match &step.verdict {
            Verdict::Proved { expanded } => (
                paint.wrap("32", "✓"),
                if *expanded {
                    "proved (after expansion)".to_string()
                } else {
                    "proved".to_string()
                },
            ),
            Verdict::ConfirmedNumerically { trials, exact } => (
                paint.wrap("32", "✓"),
                match step.relation {
                    StepRelation::Approx { decimals } => {
                        format!("confirmed numerically (agrees to the {decimals} decimals written)")
                    }
                    StepRelation::Equal => format!(
                        "confirmed numerically ({trials} {} trials)",
                        if *exact { "exact" } else { "floating-point" }
                    ),
                },
            ),
            Verdict::Wrong { .. } => (paint.wrap("31", "✗"), "wrong".to_string()),
            Verdict::IllFormed { left, right, .. } => (
                paint.wrap("31", "✗"),
                format!(
                    "ill-formed: the left side is {}, the right side is {}",
                    print_shape(left, Dialect::Unicode),
                    print_shape(right, Dialect::Unicode)
                ),
            ),
            Verdict::Unknown { reason } => (paint.wrap("33", "?"), format!("unknown: {reason}")),
        };
        let relation = match step.relation {
            StepRelation::Equal => "=",
            StepRelation::Approx { .. } => "≈",
        };
        out.push_str(&format!(
            "{origin}:{line}:{column}  {mark} {left} {relation} {right}    {how}\n"
        ));
        let expected = step.expected.map(|e| unicode(pool, e));
        let mistakes = match &step.verdict {
            Verdict::Wrong { mistakes, .. } | Verdict::IllFormed { mistakes, .. } => {
                mistakes.as_slice()
            }
            _ => &[],
        };
        for m in mistakes {
            out.push_str(&format!(
                "   {}\n",
                mistake_text(pool, m, left, expected.as_deref())
            ));
        }
        if mistakes.is_empty() && step.verdict.fails() {
            if let Some(e) = &expected {
                out.push_str(&format!("   correct: {left} = {e}\n"));
            }
        }
        if let Verdict::Wrong { counterexample, .. } = &step.verdict {
            out.push_str(&format!(
                "   counterexample: {}\n",
                counterexample_text(counterexample)
            ));
        }
    }
    out
}

/// A mistake in words, with the correct result where it helps.
pub fn mistake_text(pool: &Pool, m: &Mistake, left: &str, expected: Option<&str>) -> String {
    let correct = expected
        .map(|e| format!(": {left} = {e}"))
        .unwrap_or_default();
    match m {
        Mistake::Factor { factor } => factor_text(factor) + &correct,
        Mistake::Sign => format!("sign error: the claim is the negative of the correct result{correct}"),
        Mistake::MissingFactor { factor } => {
            // A power of a symbol alone (`t`, `1/t`, `√t`) is an exponent slip (t³ → 3t³); anything
            // else, an inner derivative left out.
            let power_of_symbol = match pool.node(*factor) {
                Node::Sym(_) => true,
                Node::Pow(b, e) => {
                    matches!(pool.node(*b), Node::Sym(_)) && pool.as_number(*e).is_some()
                }
                _ => false,
            };
            let why = if power_of_symbol {
                "an exponent slip?"
            } else {
                "a chain-rule factor?"
            };
            format!("missing factor {} ({why}){correct}", unicode(pool, *factor))
        }
        Mistake::ExtraFactor { factor } => {
            format!("extra factor {}{correct}", unicode(pool, *factor))
        }
        Mistake::Transposed { layout: true } => format!(
            "this is the transpose — the denominator layout; nabla uses numerator layout (run with --layout denominator to use the other){correct}"
        ),
        Mistake::Transposed { layout: false } => {
            format!("transposed: the claim is the transpose of the correct result (a gradient has the shape of its variable){correct}")
        }
        Mistake::AssumedSymmetric { symbol } => format!(
            "true only if {symbol} is symmetric — declare it ({symbol}: … symmetric), or write the general form{correct}"
        ),
        Mistake::AssumedOne { quantity } => format!(
            "true only if {} = 1, which nabla does not assume; in general{correct}",
            unicode(pool, *quantity)
        ),
        Mistake::MissingTerm { term } => format!("missing term {}{correct}", unicode(pool, *term)),
        Mistake::ExtraTerm { term } => format!("extra term {}{correct}", unicode(pool, *term)),
        Mistake::WrongEntries { entries } => {
            let list: Vec<String> = entries
                .iter()
                .map(|(i, j, good, bad)| {
                    format!("({i},{j}) is {}, not {}", unicode(pool, *good), unicode(pool, *bad))
                })
                .collect();
            format!("wrong entries: {}", list.join("; "))
        }
        Mistake::WrongVariable { used, intended } => format!(
            "this is the derivative with respect to {used}, not {intended}{correct}"
        ),
        Mistake::DifferentFunction { term } => format!(
            "this is the derivative of a different function: the term {} has the other sign in the definition{correct}",
            unicode(pool, *term)
        ),
    }
}

fn factor_text(k: &Number) -> String {
    let one = Number::one();
    if let Some(inv) = k
        .recip()
        .filter(|r| r.is_integer() && !r.is_negative() && *r != one)
    {
        return format!("missing factor {}", values::number(&inv));
    }
    if k.is_integer() && !k.is_negative() {
        return format!("extra factor {}", values::number(k));
    }
    format!("off by a factor {}", values::number(k))
}

fn value_text(v: &DenseValue) -> String {
    match v {
        DenseValue::Exact(m) => values::exact(m),
        DenseValue::Float(m) => values::approximate(m),
    }
}

/// A counterexample in words: the instance and both sides' values.
pub fn counterexample_text(c: &Counterexample) -> String {
    let mut parts: Vec<String> = c.dims.iter().map(|(d, v)| format!("{d} = {v}")).collect();
    parts.extend(c.values.iter().map(|(name, v)| {
        format!(
            "{} = {}",
            nabla::print::print_name(name, Dialect::Unicode),
            values::exact(v)
        )
    }));
    let point = if parts.is_empty() {
        String::new()
    } else {
        format!("{}:  ", parts.join(", "))
    };
    format!(
        "{point}left {}, right {}",
        value_text(&c.left),
        value_text(&c.right)
    )
}

/// JSON numbers and matrices use ASCII `-` (the text report uses `−`).
fn counterexample_json(c: &Counterexample) -> serde_json::Value {
    let ascii = |s: String| s.replace('−', "-");
    let values: serde_json::Map<String, serde_json::Value> = c
        .values
        .iter()
        .map(|(n, v)| (n.clone(), json!(ascii(values::exact(v)))))
        .collect();
    json!({
        "dimensions": c.dims,
        "values": values,
        "left": ascii(value_text(&c.left)),
        "right": ascii(value_text(&c.right)),
        "exact": c.exact,
    })
}

fn claim_json(pool: &Pool, text: &str, claim: &ClaimReport) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = claim
        .steps
        .iter()
        .map(|step| {
            let (line, column) = step.span.line_col(text);
            let left = step_text(text, step.previous_span);
            let right = step_text(text, step.span);
            let expected = step.expected.map(|e| unicode(pool, e));
            let mut v = json!({
                "line": line, "column": column, "left": left, "right": right,
                "verdict": step.verdict.name(), "expected": expected,
            });
            match &step.verdict {
                Verdict::Proved { expanded } => v["expanded"] = json!(expanded),
                Verdict::ConfirmedNumerically { trials, exact } => {
                    v["trials"] = json!(trials);
                    v["exact"] = json!(exact);
                }
                Verdict::Wrong {
                    counterexample,
                    mistakes,
                } => {
                    v["counterexample"] = counterexample_json(counterexample);
                    v["mistakes"] = mistakes_json(pool, mistakes, left, expected.as_deref());
                }
                Verdict::IllFormed {
                    left: l,
                    right: r,
                    mistakes,
                } => {
                    v["left_shape"] = json!(print_shape(l, Dialect::Unicode));
                    v["right_shape"] = json!(print_shape(r, Dialect::Unicode));
                    v["mistakes"] = mistakes_json(pool, mistakes, left, expected.as_deref());
                }
                Verdict::Unknown { reason } => v["reason"] = json!(reason),
            }
            v
        })
        .collect();
    let (line, _) = claim.span.line_col(text);
    json!({ "statement": "claim", "line": line, "holds": claim.holds(), "steps": steps })
}

fn mistakes_json(
    pool: &Pool,
    ms: &[Mistake],
    left: &str,
    expected: Option<&str>,
) -> serde_json::Value {
    ms.iter()
        .map(|m| {
            let kind = match m {
                Mistake::Factor { .. } => "factor",
                Mistake::Sign => "sign",
                Mistake::MissingFactor { .. } => "missing-factor",
                Mistake::ExtraFactor { .. } => "extra-factor",
                Mistake::Transposed { layout: true } => "layout",
                Mistake::Transposed { layout: false } => "transposed",
                Mistake::AssumedSymmetric { .. } => "assumed-symmetric",
                Mistake::AssumedOne { .. } => "assumed-one",
                Mistake::MissingTerm { .. } => "missing-term",
                Mistake::ExtraTerm { .. } => "extra-term",
                Mistake::WrongEntries { .. } => "wrong-entries",
                Mistake::WrongVariable { .. } => "wrong-variable",
                Mistake::DifferentFunction { .. } => "different-function",
            };
            json!({ "kind": kind, "message": mistake_text(pool, m, left, expected) })
        })
        .collect()
}
