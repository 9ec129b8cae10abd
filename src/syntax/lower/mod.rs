//! Lowering: from the spanned syntax tree to span-free expressions in the [`Pool`], resolving
//! names (declared symbols, function parameters, sum indices, subscripts) and inferring the shapes
//! of undeclared symbols.
//!
//! Each statement is lowered in passes: calls of variables are rewritten as products
//! (`desugar`), shape inference gives shapes to undeclared symbols and to the size-less literals
//! `I`, `𝟙` and `0` (`infer`), then canonical ids are built and every shape conflict is reported
//! with both places (`expr`, `derivative`, `statement`).
//!
//! Derivative operators stay unevaluated. In [`Layout::Denominator`] a Jacobian is lowered as the
//! transpose of the (numerator-layout) Jacobian node, so its shape is n×m.

mod call;
mod derivative;
pub(crate) mod derived;
mod desugar;
mod expr;
mod infer;
mod scope;
mod statement;

use crate::expr::{Id, Pool, SymbolId};
use crate::syntax::ast;
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::span::Span;
use scope::Scope;
use std::collections::{BTreeMap, HashMap};

pub use crate::diff::Layout;

/// Options for [`lower_program`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LowerOptions {
    /// The Jacobian convention.
    pub layout: Layout,
}

/// A lowered program: expressions in a pool, statements referring to them, and spans for
/// diagnostics.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The pool holding every expression and symbol.
    pub pool: Pool,
    /// The statements, in source order.
    pub statements: Vec<LoweredStatement>,
    /// For an id, the span of the first syntax node that lowered to it.
    pub spans: HashMap<Id, Span>,
    /// The user-defined functions by name.
    pub functions: BTreeMap<String, FunctionDef>,
}

/// A user-defined function `f(x, y) = body`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionDef {
    /// The parameters: symbols (declared ones, or inferred from the body).
    pub params: Vec<SymbolId>,
    /// The body, in terms of the parameters.
    pub body: Id,
    /// The whole definition.
    pub span: Span,
}

/// One lowered statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoweredStatement {
    /// `let …`: the symbols declared, in order.
    Let {
        /// The declared symbols.
        symbols: Vec<SymbolId>,
        /// The whole statement.
        span: Span,
    },
    /// `f(x) = …`: the definition is in [`Lowered::functions`].
    Define {
        /// The function's name.
        name: String,
        /// The whole statement.
        span: Span,
    },
    /// `claim … = … at …`.
    Claim(LoweredClaim),
    /// `descend f from … with … using …`.
    Descend {
        /// The function descended (a key of [`Lowered::functions`]).
        function: String,
        /// The starting point.
        from: Vec<(SymbolId, Id)>,
        /// Data for declared symbols.
        with: Vec<(SymbolId, Id)>,
        /// The method.
        method: LoweredMethod,
        /// The whole statement.
        span: Span,
    },
    /// `classify f at … with …`.
    Classify {
        /// The function classified.
        function: String,
        /// The point.
        at: Vec<(SymbolId, Id)>,
        /// Data for declared symbols.
        with: Vec<(SymbolId, Id)>,
        /// The whole statement.
        span: Span,
    },
    /// `critical f with …`.
    Critical {
        /// The function whose critical points are wanted.
        function: String,
        /// Data for declared symbols.
        with: Vec<(SymbolId, Id)>,
        /// The whole statement.
        span: Span,
    },
    /// A claim that could not be read (a shape error, an unknown function, …). The rest of the
    /// file is still lowered and checked; the claim is reported as ill-formed with this diagnostic.
    Unreadable {
        /// Why the claim could not be read.
        diagnostic: Diagnostic,
        /// The whole claim.
        span: Span,
    },
    /// A bare expression.
    Expr {
        /// The expression.
        id: Id,
        /// Where it was written.
        span: Span,
    },
}

/// A lowered claim chain: `first = steps[0] = steps[1] … at bindings`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoweredClaim {
    /// The left-hand side.
    pub first: Id,
    /// Where the left-hand side was written.
    pub first_span: Span,
    /// Each following step.
    pub steps: Vec<LoweredStep>,
    /// The point every step is evaluated at (empty if none); not substituted into the steps.
    pub at: Vec<(SymbolId, Id)>,
    /// The whole claim.
    pub span: Span,
}

/// One `= expr` or `≈ expr` step of a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoweredStep {
    /// How the step relates to the one before.
    pub relation: StepRelation,
    /// The step's expression.
    pub expr: Id,
    /// The relation sign and the expression.
    pub span: Span,
}

/// The relation of a claim step to the step before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepRelation {
    /// Exactly equal.
    Equal,
    /// `≈`: agreement to the digits written, i.e. to `decimals` decimal places (the most decimal
    /// places of any number literal in the step; 0 when all are integers).
    Approx {
        /// Decimal places to agree to.
        decimals: u32,
    },
}

/// A lowered descent method: `gd(step = 0.1, line_search)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoweredMethod {
    /// The method's name (`gd`, `exact`, `momentum`, `newton`).
    pub name: String,
    /// Options in order: a flag has no value.
    pub options: Vec<(String, Option<Id>)>,
    /// The whole method.
    pub span: Span,
}

/// Lowers a whole program into `pool` (which may already hold symbols declared with `--let`).
/// Stops at the first error.
pub fn lower_program(
    program: &ast::Program,
    pool: Pool,
    options: &LowerOptions,
) -> Result<Lowered, Diagnostic> {
    lower_statements(program, pool, options, false)
}

/// Lowers a program to be checked: as [`lower_program`], except that a claim that cannot be
/// read becomes [`LoweredStatement::Unreadable`] (an ill-formed claim) and lowering goes on, so
/// one malformed claim does not hide the verdicts on the others.
pub fn lower_checkable_program(
    program: &ast::Program,
    pool: Pool,
    options: &LowerOptions,
) -> Result<Lowered, Diagnostic> {
    lower_statements(program, pool, options, true)
}

fn lower_statements(
    program: &ast::Program,
    pool: Pool,
    options: &LowerOptions,
    keep_unreadable_claims: bool,
) -> Result<Lowered, Diagnostic> {
    let mut lowerer = Lowerer::new(pool, options.layout);
    let mut statements = Vec::with_capacity(program.statements.len());
    for statement in &program.statements {
        match (lowerer.statement(statement), statement) {
            (Ok(s), _) => statements.push(s),
            (Err(diagnostic), ast::Statement::Claim(claim)) if keep_unreadable_claims => {
                recover_claim(&mut lowerer, claim, diagnostic, &mut statements);
            }
            (Err(diagnostic), ast::Statement::UnreadableClaim { span, .. }) => {
                statements.push(LoweredStatement::Unreadable {
                    diagnostic,
                    span: *span,
                });
            }
            (Err(diagnostic), _) => return Err(diagnostic),
        }
    }
    Ok(Lowered {
        pool: lowerer.pool,
        statements,
        spans: lowerer.spans,
        functions: lowerer.functions,
    })
}

/// A claim that did not lower because of `diagnostic`: the step it points at is the ill-formed
/// part, and the steps around it are still checked — those before it as a chain, those after it
/// as a chain starting from the last readable expression (so a final answer is still checked
/// against `∇f(x)`). A diagnostic in the left side or the `at` bindings makes the whole claim
/// ill-formed.
fn recover_claim(
    lowerer: &mut Lowerer,
    claim: &ast::Claim,
    diagnostic: Diagnostic,
    out: &mut Vec<LoweredStatement>,
) {
    // (left side, the steps not lowered yet, why they did not lower), until a rest lowers; a
    // loop, so that a long chain of unreadable steps holds one copy of its rest at a time.
    let mut first = claim.first.clone();
    let mut steps: Vec<ast::Step> = claim.steps.clone();
    let mut start = claim.span.start;
    let mut diagnostic = diagnostic;
    // A claim of the same `at` bindings from `first` through `steps`, spanning `start..end`.
    let part = |first: &ast::Expr, steps: &[ast::Step], start: u32, end: u32| {
        ast::Statement::Claim(ast::Claim {
            first: first.clone(),
            steps: steps.to_vec(),
            at: claim.at.clone(),
            span: Span { start, end },
        })
    };
    loop {
        let at = diagnostic.labels.first().map(|l| l.span.start);
        let Some(bad) = steps
            .iter()
            .position(|s| at.is_some_and(|at| s.span.start <= at && at < s.span.end))
        else {
            out.push(LoweredStatement::Unreadable {
                diagnostic,
                span: Span {
                    start,
                    end: claim.span.end,
                },
            });
            return;
        };
        if bad > 0 {
            let before = part(&first, &steps[..bad], start, steps[bad - 1].span.end);
            if let Ok(s) = lowerer.statement(&before) {
                out.push(s);
            }
            first = steps[bad - 1].expr.clone();
        }
        out.push(LoweredStatement::Unreadable {
            diagnostic,
            span: steps[bad].span,
        });
        steps.drain(..=bad);
        let Some(next) = steps.first() else {
            return;
        };
        start = next.span.start;
        match lowerer.statement(&part(&first, &steps, start, claim.span.end)) {
            Ok(s) => {
                out.push(s);
                return;
            }
            Err(d) => diagnostic = d,
        }
    }
}

/// Declares the symbols of `let` groups in `pool` (used for `--let` text, lowered before the
/// program), returning them in order.
pub fn declare(pool: &mut Pool, decls: &[ast::Decl]) -> Result<Vec<SymbolId>, Diagnostic> {
    let mut scope = Scope::default();
    scope.declare_decls(pool, decls)
}

/// The state of one lowering run.
struct Lowerer {
    pool: Pool,
    layout: Layout,
    spans: HashMap<Id, Span>,
    functions: BTreeMap<String, FunctionDef>,
    scope: Scope,
}

impl Lowerer {
    fn new(pool: Pool, layout: Layout) -> Lowerer {
        Lowerer {
            pool,
            layout,
            spans: HashMap::new(),
            functions: BTreeMap::new(),
            scope: Scope::default(),
        }
    }
}
