//! The expression commands: parse, print, simplify, expand, and the derivative operators.

use super::diagnostics;
use super::exit;
use super::input;
use nabla::diff::{absent_variables, non_differentiable_points, Layout};
use nabla::document::{Document, ReadOptions, SourceError};
use nabla::expr::{Id, Node, Pool, SymbolOrigin};
use nabla::print::{print as print_expr, print_shape, Dialect, PrintOptions};
use nabla::syntax::ast::DerivativeKind;
use nabla::syntax::lower::{LoweredStatement, StepRelation};
use serde_json::json;

/// A command's input and options.
pub struct Request {
    /// Expression, file or `-`.
    pub input: String,
    /// `--let` declarations.
    pub declarations: Option<String>,
    /// Output dialect.
    pub dialect: Dialect,
    /// JSON output.
    pub json: bool,
    /// Jacobian layout.
    pub layout: Layout,
    /// List the rewrite rules applied.
    pub explain: bool,
    /// Variables of differentiation.
    pub wrt: Option<String>,
    /// A point to evaluate at.
    pub at: Option<String>,
    /// Resource limits (`--max-nodes`, `--max-terms`, `--time-limit`).
    pub budget: Budget,
}

/// Resource limits given on the command line; `None` keeps the library's default.
#[derive(Clone, Copy, Debug, Default)]
pub struct Budget {
    /// Most expression nodes (`Pool::limits.max_nodes`).
    pub max_nodes: Option<usize>,
    /// Most terms an expansion may produce.
    pub max_terms: Option<usize>,
    /// Wall-clock limit: per claim when checking, the whole command otherwise (enforced by
    /// `main`).
    pub time_limit: Option<std::time::Duration>,
    /// Wall-clock limit of a whole checked file (or batch submission).
    pub file_time_limit: Option<std::time::Duration>,
}

impl Budget {
    /// Applies the node limit to a freshly read document.
    pub fn apply(&self, doc: &mut Document) {
        if let Some(n) = self.max_nodes {
            doc.lowered.pool.limits.max_nodes = n;
        }
    }
}

/// Which derivative a command asks for.
#[derive(Clone, Copy)]
pub enum Operator {
    /// `nabla grad`
    Gradient,
    /// `nabla hess`
    Hessian,
    /// `nabla jac`
    Jacobian,
    /// `nabla diff`
    Partial,
}

/// The read options a request asks for.
pub fn options(r: &Request) -> ReadOptions {
    ReadOptions {
        declarations: r.declarations.clone(),
        layout: r.layout,
        trace_rules: r.explain,
    }
}

/// An expression printed in a dialect.
pub fn printed(pool: &Pool, id: Id, dialect: Dialect) -> String {
    print_expr(pool, id, &PrintOptions::for_dialect(dialect))
}

/// An expression in every dialect, with its shape (JSON output).
pub fn all_dialects(pool: &Pool, id: Id) -> serde_json::Value {
    json!({
        "unicode": printed(pool, id, Dialect::Unicode),
        "ascii": printed(pool, id, Dialect::Ascii),
        "latex": printed(pool, id, Dialect::Latex),
        "shape": print_shape(pool.shape(id), Dialect::Unicode),
    })
}

/// Reads the request's input; on failure renders the error and returns the exit code.
fn read_document(r: &Request) -> Result<(Document, String), u8> {
    let input = match input::read(&r.input) {
        Ok(i) => i,
        Err(message) => {
            report_plain_error(r.json, &message);
            return Err(exit::BAD_INPUT);
        }
    };
    match Document::read(&input.text, &options(r)) {
        Ok(mut d) => {
            r.budget.apply(&mut d);
            Ok((d, input.origin))
        }
        Err(e) => Err(report_source_error(r.json, &e, &input.origin)),
    }
}

/// Renders a read error (text or JSON) and returns exit code 2.
pub fn report_source_error(json: bool, e: &SourceError, origin: &str) -> u8 {
    if json {
        println!("{}", diagnostics::to_json(e));
    } else {
        eprint!("{}", diagnostics::render(e, origin));
        eprintln!();
    }
    exit::BAD_INPUT
}

/// Prints an error without a source location (JSON or text).
pub fn report_plain_error(json: bool, message: &str) {
    if json {
        println!(
            "{}",
            json!({ "error": { "kind": "input", "message": message } })
        );
    } else {
        eprintln!("error: {message}");
    }
}

/// The symbols line: `A: ℝ^(m×n)   x: ℝ^n   b: ℝ^m (inferred)`.
fn symbols_line(pool: &Pool, dialect: Dialect) -> String {
    pool.symbols()
        .filter(|(_, s)| s.origin != SymbolOrigin::SumIndex)
        .map(|(_, s)| {
            let mut text = format!(
                "{}: {}",
                nabla::print::print_name(&s.name, dialect),
                print_shape(&s.shape, dialect)
            );
            if s.assumptions.positive_definite {
                text.push_str(" spd");
            } else if s.assumptions.symmetric {
                text.push_str(" symmetric");
            }
            if s.origin == SymbolOrigin::Inferred {
                text.push_str(" (inferred)");
            }
            text
        })
        .collect::<Vec<_>>()
        .join("   ")
}

fn symbols_json(pool: &Pool) -> serde_json::Value {
    pool.symbols()
        .filter(|(_, s)| s.origin != SymbolOrigin::SumIndex)
        .map(|(_, s)| {
            json!({
                "name": s.name,
                "shape": print_shape(&s.shape, Dialect::Unicode),
                "symmetric": s.assumptions.symmetric,
                "spd": s.assumptions.positive_definite,
                "inferred": s.origin == SymbolOrigin::Inferred,
            })
        })
        .collect()
}

/// The rewrite rules applied, one per line: `  transpose-of-product   (AB)ᵀ = BᵀAᵀ`.
fn rules_text(doc: &Document) -> String {
    let rules = doc.rules_applied();
    if rules.is_empty() {
        return "rules: none\n".to_string();
    }
    let width = rules.iter().map(|r| r.name().len()).max().unwrap_or(0);
    let mut out = String::from("rules:\n");
    for r in rules {
        out.push_str(&format!("  {:width$}   {}\n", r.name(), r.statement()));
    }
    out
}

fn rules_json(doc: &Document) -> serde_json::Value {
    doc.rules_applied()
        .into_iter()
        .map(|r| json!({ "name": r.name(), "statement": r.statement() }))
        .collect()
}

/// `nabla parse`: every statement as understood, with shapes.
pub fn parse(r: &Request) -> u8 {
    let (doc, _) = match read_document(r) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let pool = doc.pool();
    let mut lines = Vec::new();
    let mut items = Vec::new();
    for statement in &doc.lowered.statements {
        match statement {
            LoweredStatement::Expr { id, .. } => {
                lines.push(format!(
                    "{}   : {}",
                    printed(pool, *id, r.dialect),
                    print_shape(pool.shape(*id), r.dialect)
                ));
                items.push(
                    json!({ "statement": "expression", "expression": all_dialects(pool, *id) }),
                );
            }
            // (A strict read never keeps an unreadable claim.)
            LoweredStatement::Unreadable { .. } => {}
            LoweredStatement::Claim(c) => {
                let mut text = format!("claim {}", printed(pool, c.first, r.dialect));
                let mut steps = Vec::new();
                for s in &c.steps {
                    let rel = match s.relation {
                        StepRelation::Equal => "=",
                        StepRelation::Approx { .. } => "≈",
                    };
                    text.push_str(&format!(" {rel} {}", printed(pool, s.expr, r.dialect)));
                    steps.push(all_dialects(pool, s.expr));
                }
                lines.push(text);
                items.push(json!({ "statement": "claim", "left": all_dialects(pool, c.first), "steps": steps }));
            }
            LoweredStatement::Define { name, .. } => {
                if let Some(f) = doc.lowered.functions.get(name) {
                    let params: Vec<String> = f
                        .params
                        .iter()
                        .map(|&p| nabla::print::print_name(&pool.symbol(p).name, r.dialect))
                        .collect();
                    lines.push(format!(
                        "{name}({}) = {}",
                        params.join(", "),
                        printed(pool, f.body, r.dialect)
                    ));
                    items.push(json!({ "statement": "define", "name": name, "body": all_dialects(pool, f.body) }));
                }
            }
            LoweredStatement::Descend { function, .. } => {
                lines.push(format!("descend {function} …"));
                items.push(json!({ "statement": "descend", "function": function }));
            }
            LoweredStatement::Classify { function, .. } => {
                lines.push(format!("classify {function} …"));
                items.push(json!({ "statement": "classify", "function": function }));
            }
            LoweredStatement::Critical { function, .. } => {
                lines.push(format!("critical {function}"));
                items.push(json!({ "statement": "critical", "function": function }));
            }
            LoweredStatement::Let { .. } => {}
        }
    }
    if r.json {
        println!(
            "{}",
            json!({ "statements": items, "symbols": symbols_json(pool) })
        );
    } else {
        for l in lines {
            println!("{l}");
        }
        let symbols = symbols_line(pool, r.dialect);
        if !symbols.is_empty() {
            println!("  {symbols}");
        }
    }
    exit::OK
}

/// Prints the last expression of the input (or every one) after `transform`.
fn show_expressions(
    r: &Request,
    transform: impl Fn(&mut Document, Id) -> Result<Id, (u8, String)>,
) -> u8 {
    let (mut doc, _) = match read_document(r) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let ids: Vec<Id> = doc
        .lowered
        .statements
        .iter()
        .filter_map(|s| match s {
            LoweredStatement::Expr { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        report_plain_error(r.json, "the input has no expression to show");
        return exit::BAD_INPUT;
    }
    for id in ids {
        match transform(&mut doc, id) {
            Ok(result) => {
                if r.json {
                    let mut v = json!({ "result": all_dialects(doc.pool(), result) });
                    if r.explain {
                        v["rules"] = rules_json(&doc);
                    }
                    println!("{v}");
                } else {
                    println!("{}", printed(doc.pool(), result, r.dialect));
                    if r.explain {
                        print!("{}", rules_text(&doc));
                    }
                }
            }
            Err((code, message)) => {
                report_plain_error(r.json, &message);
                return code;
            }
        }
    }
    exit::OK
}

/// `nabla print`.
pub fn print(r: &Request) -> u8 {
    show_expressions(r, |_, id| Ok(id))
}

/// `nabla simplify`: derivatives evaluated, canonical form in textbook layout.
pub fn simplify(r: &Request) -> u8 {
    show_expressions(r, move |doc, id| {
        doc.evaluate(id)
            .map_err(|e| (exit::CANNOT_ANSWER, e.to_string()))
    })
}

/// `nabla expand`.
pub fn expand(r: &Request) -> u8 {
    show_expressions(r, move |doc, id| {
        doc.expand(id, r.budget.max_terms.unwrap_or(100_000))
            .map_err(|e| (exit::CANNOT_ANSWER, e))
    })
}

/// `nabla grad | hess | jac | diff`.
pub fn derivative(op: Operator, r: &Request) -> u8 {
    let input = match input::read(&r.input) {
        Ok(i) => i,
        Err(message) => {
            report_plain_error(r.json, &message);
            return exit::BAD_INPUT;
        }
    };
    let kind = match op {
        Operator::Gradient => DerivativeKind::Gradient,
        Operator::Hessian => DerivativeKind::Hessian,
        Operator::Jacobian => DerivativeKind::Jacobian,
        Operator::Partial => DerivativeKind::Partial,
    };
    let wrt = r.wrt.clone().unwrap_or_default();
    let (mut doc, id) =
        match Document::read_derivative(&input.text, kind, &wrt, r.at.as_deref(), &options(r)) {
            Ok(x) => x,
            Err(e) => return report_source_error(r.json, &e, &input.origin),
        };
    r.budget.apply(&mut doc);
    let result = match doc.evaluate(id) {
        Ok(v) => v,
        Err(e) => {
            report_plain_error(r.json, &e.to_string());
            return exit::CANNOT_ANSWER;
        }
    };
    let conditions = doc
        .last_expression()
        .map(|e| non_differentiable_points(doc.pool(), e))
        .unwrap_or_default();
    let independent = independent_of(&doc);
    if r.json {
        let mut v = json!({
            "result": all_dialects(doc.pool(), result),
            "not_differentiable_where": conditions,
            "independent_of": independent,
        });
        if r.explain {
            v["rules"] = rules_json(&doc);
        }
        println!("{v}");
    } else {
        println!("{}", printed(doc.pool(), result, r.dialect));
        if r.explain {
            print!("{}", rules_text(&doc));
        }
        for c in conditions {
            eprintln!("note: not differentiable where {c}");
        }
        for v in independent {
            eprintln!("note: the expression does not depend on {v}: its derivative is 0");
        }
    }
    exit::OK
}

/// The variables of the requested derivative that its expression does not contain, as printed.
fn independent_of(doc: &Document) -> Vec<String> {
    let pool = doc.pool();
    let Some(Node::Derivative(d)) = doc.last_expression().map(|e| pool.node(e)) else {
        return Vec::new();
    };
    absent_variables(pool, d.expr, &d.wrt)
        .into_iter()
        .map(|w| printed(pool, w, Dialect::Unicode))
        .collect()
}
