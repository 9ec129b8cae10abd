//! `nabla solve`: a worked solution of a derivative, or of a whole derivation file (each claim
//! with its verdict, wrong steps corrected and derived, numeric statements as tables).

use super::check::{counterexample_text, mistake_text};
use super::commands::{report_plain_error, report_source_error, Budget};
use super::{exit, input, numeric};
use nabla::check::numeric_statements::{NumericReport, Outcome};
use nabla::check::{check_program, CheckOptions, ClaimReport, StatementReport, Verdict};
use nabla::diff::Layout;
use nabla::document::{Document, ReadOptions};
use nabla::expr::{DerivativeKind, Id, Node, Pool};
use nabla::print::{print, PrintOptions};
use nabla::solve::{
    derive, render, Block, Equation, Format, Goal, Inline, Reason, Relation, Solution, Table,
};
use nabla::syntax::lower::{LoweredStatement, StepRelation};

/// What `nabla solve` was asked.
pub struct SolveRequest {
    /// Expression, file or `-`.
    pub input: String,
    /// `--let` declarations.
    pub declarations: Option<String>,
    /// `--wrt` variables.
    pub wrt: Option<String>,
    /// `--hess`.
    pub hessian: bool,
    /// `--jac`.
    pub jacobian: bool,
    /// Jacobian layout.
    pub layout: Layout,
    /// The format printed on standard output.
    pub format: Format,
    /// `--latex FILE`: also write a standalone document there.
    pub latex_file: Option<String>,
    /// Resource limits.
    pub budget: Budget,
}

/// Runs `nabla solve`; returns the exit code.
pub fn run(r: &SolveRequest) -> u8 {
    let input = match input::read(&r.input) {
        Ok(i) => i,
        Err(message) => {
            report_plain_error(false, &message);
            return exit::BAD_INPUT;
        }
    };
    let options = ReadOptions {
        declarations: r.declarations.clone(),
        layout: r.layout,
        trace_rules: false,
    };
    let mut doc = match Document::read(&input.text, &options) {
        Ok(d) => d,
        Err(e) => return report_source_error(false, &e, &input.origin),
    };
    r.budget.apply(&mut doc);
    let is_derivation = doc.lowered.statements.iter().any(|s| {
        matches!(
            s,
            LoweredStatement::Claim(_)
                | LoweredStatement::Descend { .. }
                | LoweredStatement::Classify { .. }
                | LoweredStatement::Critical { .. }
        )
    });
    let (solution, code) = if is_derivation {
        file_solution(&mut doc, &input.origin, r)
    } else {
        match expression_solution(&input.text, &options, r) {
            Ok((solution, d)) => {
                doc = d;
                (solution, exit::OK)
            }
            Err(code) => return code,
        }
    };
    let pool = &doc.lowered.pool;
    if let Some(path) = &r.latex_file {
        let text = render(&solution, pool, Format::LatexDocument);
        if let Err(e) = std::fs::write(path, text) {
            report_plain_error(false, &format!("cannot write {path}: {e}"));
            return exit::BAD_INPUT;
        }
        eprintln!("wrote {path} (compile with: pdflatex {path})");
        if r.format == Format::Unicode {
            return code;
        }
    }
    print!("{}", render(&solution, pool, r.format));
    code
}

/// The worked derivation of one expression's derivative.
fn expression_solution(
    text: &str,
    options: &ReadOptions,
    r: &SolveRequest,
) -> Result<(Solution, Document), u8> {
    let Some(wrt) = &r.wrt else {
        report_plain_error(
            false,
            "say which variable to differentiate by: --wrt x (several: --wrt x,y)",
        );
        return Err(exit::BAD_INPUT);
    };
    let kind = if r.hessian {
        DerivativeKind::Hessian
    } else if r.jacobian {
        DerivativeKind::Jacobian
    } else {
        DerivativeKind::Gradient
    };
    let (mut doc, id) = match Document::read_derivative(text, kind, wrt, None, options) {
        Ok(x) => x,
        Err(e) => return Err(report_source_error(false, &e, "<expression>")),
    };
    r.budget.apply(&mut doc);
    let pool = &mut doc.lowered.pool;
    // A denominator-layout Jacobian is read as the transpose of the numerator one.
    let id = match pool.node(id) {
        Node::Transpose(inner) if matches!(pool.node(*inner), Node::Derivative(_)) => *inner,
        _ => id,
    };
    let (f, vars) = match pool.node(id) {
        Node::Derivative(d) => (d.expr, d.wrt.to_vec()),
        _ => {
            report_plain_error(false, "nothing to differentiate");
            return Err(exit::BAD_INPUT);
        }
    };
    let goal = match kind {
        DerivativeKind::Hessian => Goal::Hessian,
        DerivativeKind::Jacobian => Goal::Jacobian(r.layout),
        _ if vars.iter().all(|&v| pool.is_scalar(v)) && vars.len() == 1 => Goal::Derivative,
        _ => Goal::Gradient,
    };
    match derive(pool, f, &vars, goal) {
        Ok(s) => Ok((s, doc)),
        Err(e) => {
            report_plain_error(false, &e.to_string());
            Err(exit::CANNOT_ANSWER)
        }
    }
}

/// A checked derivation file as a worked solution.
fn file_solution(doc: &mut Document, origin: &str, r: &SolveRequest) -> (Solution, u8) {
    let options = CheckOptions {
        max_terms: r
            .budget
            .max_terms
            .unwrap_or(CheckOptions::default().max_terms),
        ..CheckOptions::default()
    };
    let report = check_program(&mut doc.lowered, &options);
    let source = doc.source.clone();
    let statements = doc.lowered.statements.clone();
    let functions = doc.lowered.functions.clone();
    let pool = &mut doc.lowered.pool;
    let mut blocks = Vec::new();
    let mut reports = report.statements.iter();
    let mut claim_no = 0;
    for statement in &statements {
        match statement {
            LoweredStatement::Define { name, .. } => {
                if let Some(def) = functions.get(name) {
                    let params: Vec<String> = def
                        .params
                        .iter()
                        .map(|&p| {
                            nabla::print::print_name(
                                &pool.symbol(p).name,
                                nabla::print::Dialect::Unicode,
                            )
                        })
                        .collect();
                    blocks.push(Block::Text(vec![
                        Inline::Text(format!("Define {name}({}) = ", params.join(", "))),
                        Inline::Math(def.body),
                        Inline::Text(".".into()),
                    ]));
                }
            }
            LoweredStatement::Claim(claim) => {
                let Some(StatementReport::Claim(c)) = reports.next() else {
                    continue;
                };
                claim_no += 1;
                let steps: Vec<Id> = claim.steps.iter().map(|s| s.expr).collect();
                claim_blocks(pool, &mut blocks, claim_no, &steps, claim, c);
            }
            LoweredStatement::Descend { .. }
            | LoweredStatement::Classify { .. }
            | LoweredStatement::Critical { .. } => {
                if let Some(StatementReport::Numeric(n)) = reports.next() {
                    numeric_blocks(&mut blocks, n, &source, origin);
                }
            }
            _ => {}
        }
    }
    let undecided = report.claims().any(|c| {
        c.steps
            .iter()
            .any(|s| matches!(s.verdict, Verdict::Unknown { .. }))
    });
    let numeric_failed = report.statements.iter().any(|s| match s {
        StatementReport::Numeric(n) => numeric::exit_code(n) != exit::OK,
        StatementReport::Claim(_) | StatementReport::Unreadable { .. } => false,
    });
    // As `nabla check`: 1 a claim is wrong, 3 something is undecided, else 0.
    let code = if report.has_failure() {
        exit::CLAIM_FAILED
    } else if undecided || numeric_failed {
        exit::CANNOT_ANSWER
    } else {
        exit::OK
    };
    let symbols: Vec<_> = pool
        .symbols()
        .filter(|(_, s)| s.origin == nabla::expr::SymbolOrigin::Declared && !s.name.contains('·'))
        .map(|(id, _)| id)
        .collect();
    let declarations = symbols
        .iter()
        .map(|&id| {
            let s = pool.symbol(id);
            format!(
                "{}: {}",
                s.name,
                nabla::print::print_shape(&s.shape, nabla::print::Dialect::Unicode)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    (
        Solution {
            title: vec![Inline::Text(format!(
                "Worked solution: {}",
                std::path::Path::new(origin)
                    .file_name()
                    .map_or(origin.into(), |n| n.to_string_lossy())
            ))],
            declarations,
            symbols,
            blocks,
        },
        code,
    )
}

/// A claim as an equation chain (a wrong step as ≠), each step's verdict in words, and for a
/// wrong step the correct derivation of its left side.
fn claim_blocks(
    pool: &mut Pool,
    blocks: &mut Vec<Block>,
    number: usize,
    steps: &[Id],
    claim: &nabla::syntax::lower::LoweredClaim,
    report: &ClaimReport,
) {
    let first = claim.first;
    blocks.push(Block::Heading(vec![Inline::Text(format!(
        "Claim {number}"
    ))]));
    let at: Vec<(String, Id)> = claim
        .at
        .iter()
        .map(|&(s, v)| (pool.symbol(s).name.clone(), v))
        .collect();
    let mut chain = Vec::new();
    let mut verdicts = Vec::new();
    let mut previous = first;
    for (k, (&e, step)) in steps.iter().zip(&report.steps).enumerate() {
        // Each relation holds between consecutive expressions, as the checker checks them.
        let relation = match (&step.verdict, claim.steps.get(k).map(|s| s.relation)) {
            (v, _) if v.fails() => Relation::NotEqual,
            (Verdict::Unknown { .. }, _) => Relation::Undecided,
            (_, Some(StepRelation::Approx { .. })) => Relation::Approx,
            _ => Relation::Equals,
        };
        chain.push((relation, e));
        verdicts.push(verdict_text(
            pool,
            &step.verdict,
            k + 1,
            step.expected,
            previous,
        ));
        previous = e;
    }
    blocks.push(Block::Equation(Equation {
        lhs: first,
        chain,
        reason: None,
        boxed: false,
        at: at.clone(),
    }));
    for v in verdicts {
        blocks.push(Block::Text(vec![Inline::Text(v)]));
    }
    // The correction: the first wrong step's left side, derived.
    let Some(i) = report.first_failure() else {
        return;
    };
    let wrong_left = if i == 0 {
        first
    } else {
        steps.get(i - 1).copied().unwrap_or(first)
    };
    let expected = report.steps.get(i).and_then(|s| s.expected);
    blocks.push(Block::Heading(vec![
        Inline::Text("Correction of claim ".into()),
        Inline::Text(number.to_string()),
    ]));
    if let Node::Derivative(d) = pool.node(wrong_left).clone() {
        let goal = match d.kind {
            DerivativeKind::Gradient => Some(Goal::Gradient),
            DerivativeKind::Hessian => Some(Goal::Hessian),
            DerivativeKind::Jacobian => Some(Goal::Jacobian(Layout::Numerator)),
            DerivativeKind::Ordinary | DerivativeKind::Partial if d.wrt.len() == 1 => {
                Some(Goal::Derivative)
            }
            _ => None,
        };
        if let Some(goal) = goal {
            if let Ok(s) = derive(pool, d.expr, &d.wrt, goal) {
                blocks.extend(s.blocks);
                return;
            }
        }
    }
    if let Some(e) = expected {
        let shown = nabla::simplify::textbook_form(pool, e);
        blocks.push(Block::Equation(Equation {
            lhs: wrong_left,
            chain: vec![(Relation::Equals, shown)],
            reason: Some(Reason::new("the correct value", "computed by nabla")),
            boxed: true,
            at,
        }));
    }
}

/// One step's verdict in words.
fn verdict_text(pool: &Pool, v: &Verdict, k: usize, expected: Option<Id>, left: Id) -> String {
    let unicode = |id: Id| print(pool, id, &PrintOptions::unicode());
    match v {
        Verdict::Proved { expanded: false } => {
            format!("✓ Step {k} is proved: both sides have the same canonical form.")
        }
        Verdict::Proved { expanded: true } => {
            format!("✓ Step {k} is proved: both sides expand to the same canonical form.")
        }
        Verdict::ConfirmedNumerically { trials, exact } => format!(
            "≈ Step {k} is confirmed numerically: equal on {trials} random instances ({}).",
            if *exact {
                "exact rational arithmetic"
            } else {
                "floating point"
            }
        ),
        Verdict::Wrong {
            counterexample,
            mistakes,
        } => {
            let left = unicode(left);
            let correct = expected.map(|e| {
                let mut p = pool.clone();
                let t = nabla::simplify::textbook_form(&mut p, e);
                print(&p, t, &PrintOptions::unicode())
            });
            let why: Vec<String> = mistakes
                .iter()
                .map(|m| mistake_text(pool, m, &left, correct.as_deref()))
                .collect();
            let why = if why.is_empty() {
                correct
                    .map(|c| format!("the correct value is {left} = {c}"))
                    .unwrap_or_else(|| "the two sides differ".into())
            } else {
                why.join("; ")
            };
            format!(
                "✗ Step {k} is wrong: {why}. Counterexample: {}.",
                counterexample_text(counterexample)
            )
        }
        Verdict::IllFormed { left, right, .. } => format!(
            "✗ Step {k} is ill-formed: the left side has shape {left}, the right side {right}."
        ),
        Verdict::Unknown { reason } => format!("? Step {k} is undecided: {reason}."),
    }
}

fn numeric_blocks(blocks: &mut Vec<Block>, n: &NumericReport, source: &str, origin: &str) {
    let written = source.get(n.span.range()).unwrap_or(n.statement).trim();
    blocks.push(Block::Heading(vec![Inline::Text(written.to_string())]));
    if let Ok(Outcome::Descend(d)) = &n.outcome {
        let iterates = &d.run.iterates;
        let shown: Vec<_> = if iterates.len() > 12 {
            iterates
                .iter()
                .take(6)
                .chain(iterates.iter().skip(iterates.len() - 6))
                .collect()
        } else {
            iterates.iter().collect()
        };
        let rows = shown
            .iter()
            .map(|it| {
                let x: Vec<String> = it.x.iter().map(|&v| numeric::num(v)).collect();
                vec![
                    it.k.to_string(),
                    if x.len() > 4 {
                        format!("[{}; …]", x[..4].join("; "))
                    } else {
                        format!("[{}]", x.join("; "))
                    },
                    numeric::num(it.f),
                    numeric::num(it.grad_norm),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            header: vec!["k".into(), "x".into(), "f(x)".into(), "‖∇f(x)‖".into()],
            rows,
        }));
    }
    if let Ok(Outcome::Classify(c)) = &n.outcome {
        blocks.push(Block::Table(Table {
            header: vec!["i".into(), "eigenvalue of ∇²f".into()],
            rows: c
                .analysis
                .eigenvalues
                .iter()
                .enumerate()
                .map(|(i, &l)| vec![(i + 1).to_string(), numeric::num(l)])
                .collect(),
        }));
    }
    // The report's summary lines; its location line and its own iterate table are left out.
    for line in numeric::text(n, source, origin).lines().skip(1) {
        let line = line.trim();
        let first = line.split_whitespace().next().unwrap_or("");
        let table_row =
            first == "k" || (!first.is_empty() && first.chars().all(|c| c.is_ascii_digit()));
        if !line.is_empty() && !table_row {
            blocks.push(Block::Text(vec![Inline::Text(line.to_string())]));
        }
    }
}
