//! The numeric statements of a derivation file — `descend`, `classify`, `critical` — run on the
//! functions the file defines, with the data its bindings (or `--data` files) give. A `descend`
//! first looks for the file's claim of ∇f: a verified claim is the gradient it descends with; a
//! wrong one is run too, to show what it would have done.

use super::claim::ClaimReport;
use crate::diff::{evaluate_derivatives, gradient, hessian};
use crate::expr::{Id, Node, Number, Pool, SymbolId};
use crate::numeric::analysis::{classify, Analysis};
use crate::numeric::critical::{critical, Critical};
use crate::numeric::data::{resolve, Data, DataError};
use crate::numeric::descent::{descend, CompiledObjective, Method, Objective, Run, Stop};
use crate::numeric::plot::Grid;
use crate::numeric::{compile, evaluate, free_symbols, Dense, EvalError, Instance};
use crate::syntax::ast::DerivativeKind;
use crate::syntax::lower::{FunctionDef, LoweredClaim, LoweredMethod, LoweredStatement};
use crate::syntax::span::Span;
use std::collections::BTreeMap;

mod claimed;
mod method;

/// Most variables for which a descent reports, or `classify` computes, the Hessian's
/// eigenvalues (an O(n³) step on an n×n Hessian).
const MAX_ANALYSED: usize = 500;
/// Grid points per side of a contour plot.
const GRID: usize = 90;

/// Settings of numeric statements beyond those in the file.
#[derive(Clone, Debug, Default)]
pub struct NumericOptions {
    /// Matrices for symbols, by name (from `--data NAME=FILE`).
    pub data: BTreeMap<String, Dense<f64>>,
    /// Sample f on a grid around two-variable descents, for a contour plot.
    pub plot: bool,
}

/// The report on one numeric statement.
#[derive(Clone, Debug)]
pub struct NumericReport {
    /// The statement.
    pub span: Span,
    /// `descend`, `classify` or `critical`.
    pub statement: &'static str,
    /// The function's name.
    pub function: String,
    /// What it found, or why it could not run.
    pub outcome: Result<Outcome, NumericError>,
}

/// Why a numeric statement could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumericError {
    /// The input is unusable: missing or ill-sized data, an unknown method or option.
    BadInput(DataError),
    /// The statement is well-formed but nabla cannot carry it out (no gradient, unsupported).
    CannotAnswer(String),
}

/// The variables of the function (its parameters) and how their entries are laid out in a flat
/// point: consecutive blocks, each row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variables {
    /// The names, in parameter order.
    pub names: Vec<String>,
    /// Each one's `(rows, cols)`.
    pub shapes: Vec<(usize, usize)>,
}

impl Variables {
    /// The total number of entries (saturating).
    pub fn len(&self) -> usize {
        self.shapes
            .iter()
            .map(|(r, c)| r.saturating_mul(*c))
            .fold(0, usize::saturating_add)
    }

    /// Are there no entries?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Splits a flat point into the variables' blocks.
    pub fn split<'a>(&self, x: &'a [f64]) -> Vec<&'a [f64]> {
        let mut out = Vec::with_capacity(self.shapes.len());
        let mut at = 0;
        for (r, c) in &self.shapes {
            out.push(x.get(at..at + r * c).unwrap_or(&[]));
            at += r * c;
        }
        out
    }
}

/// What a numeric statement found.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A descent.
    Descend(Box<DescendReport>),
    /// A classification of a point.
    Classify(Box<ClassifyReport>),
    /// The exact critical points.
    Critical(Box<CriticalReport>),
}

/// Which gradient a descent used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradientSource {
    /// The file's claim of ∇f (at this span), verified.
    Verified(Span),
    /// The file's claim is wrong: nabla's own gradient was used, and the claimed one run too.
    Wrong(Span),
    /// The claim could not be decided: nabla's own gradient was used.
    Unverified(Span),
    /// No claim of ∇f: nabla's own gradient.
    Own,
}

/// What the claimed (wrong) gradient does.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimedOutcome {
    /// It diverges at this iteration.
    Diverges {
        /// Where divergence was detected.
        iteration: usize,
    },
    /// Its run failed (an undefined value, a stalled line search).
    Fails {
        /// Why.
        reason: String,
    },
    /// It reaches the same point as the correct gradient.
    SamePoint {
        /// The iterations it took.
        iterations: usize,
    },
    /// Its iteration converges (the claimed gradient vanishes) at a point that is not critical.
    DifferentPoint {
        /// Distance from the correct run's final point.
        distance: f64,
        /// The true ‖∇f‖ there.
        grad_norm: f64,
    },
    /// It ends the iterations behind: higher f, larger true gradient.
    Stalls {
        /// Distance from the correct run's final point.
        distance: f64,
        /// f at its final point.
        f: f64,
        /// The true ‖∇f‖ there.
        grad_norm: f64,
    },
}

/// The run with a wrong claimed gradient.
#[derive(Clone, Debug)]
pub struct ClaimedRun {
    /// The run (f is the true f; the steps follow the claimed gradient).
    pub run: Run,
    /// What it amounts to.
    pub outcome: ClaimedOutcome,
}

/// The report of a `descend`.
#[derive(Clone, Debug)]
pub struct DescendReport {
    /// The variables.
    pub variables: Variables,
    /// Which gradient was used.
    pub gradient: GradientSource,
    /// The run with the gradient used.
    pub run: Run,
    /// With a wrong claim: the run with the claimed gradient.
    pub claimed: Option<ClaimedRun>,
    /// Second-order analysis at the start (when the Hessian is available).
    pub start: Option<Analysis>,
    /// Second-order analysis at the final point.
    pub end: Option<Analysis>,
    /// f sampled around the path (two variables, when a plot was asked for).
    pub grid: Option<Grid>,
}

/// The report of a `classify`.
#[derive(Clone, Debug)]
pub struct ClassifyReport {
    /// The variables.
    pub variables: Variables,
    /// The point.
    pub x: Vec<f64>,
    /// f there.
    pub f: f64,
    /// ∇f there.
    pub gradient: Vec<f64>,
    /// The second-order analysis.
    pub analysis: Analysis,
}

/// The report of a `critical`.
#[derive(Clone, Debug)]
pub struct CriticalReport {
    /// The variables.
    pub variables: Variables,
    /// The exact solution of ∇f = 0 (or why there is none).
    pub result: Critical,
    /// f at the critical point, exactly when rational.
    pub f: Option<Number>,
    /// The classification of the point (from the constant Hessian).
    pub analysis: Option<Analysis>,
}

/// A claim checked earlier in the file, with its report.
pub type CheckedClaim<'a> = (&'a LoweredClaim, &'a ClaimReport);

/// Runs one numeric statement (other statements give `None`).
pub fn numeric_statement(
    pool: &mut Pool,
    functions: &BTreeMap<String, FunctionDef>,
    statement: &LoweredStatement,
    claims: &[CheckedClaim<'_>],
    options: &NumericOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Option<NumericReport> {
    let (what, function, span) = match statement {
        LoweredStatement::Descend { function, span, .. } => ("descend", function, *span),
        LoweredStatement::Classify { function, span, .. } => ("classify", function, *span),
        LoweredStatement::Critical { function, span, .. } => ("critical", function, *span),
        _ => return None,
    };
    let outcome = match functions.get(function) {
        None => Err(bad(None, format!("{function} is not a defined function"))),
        Some(def) => {
            let mut s = Setup { pool, def, options };
            match statement {
                LoweredStatement::Descend {
                    from, with, method, ..
                } => s.descend(from, with, method, claims, progress),
                LoweredStatement::Classify { at, with, .. } => s.classify(at, with),
                LoweredStatement::Critical { with, .. } => s.critical(with),
                _ => return None,
            }
        }
    };
    Some(NumericReport {
        span,
        statement: what,
        function: function.clone(),
        outcome,
    })
}

fn bad(symbol: Option<&str>, message: String) -> NumericError {
    NumericError::BadInput(DataError {
        symbol: symbol.map(str::to_string),
        message,
    })
}

fn eval_error(e: EvalError) -> NumericError {
    match e {
        EvalError::MissingValue { symbol } => bad(
            Some(&symbol),
            format!("no data for {symbol}: give it with `with {symbol} = …` or --data {symbol}=FILE.csv"),
        ),
        EvalError::MissingDimension { name } => bad(
            None,
            format!("the size {name} is not fixed by any data: give a value for a symbol of that size"),
        ),
        EvalError::ShapeMismatch { what } => bad(None, format!("sizes disagree in {what}")),
        e => NumericError::CannotAnswer(e.to_string()),
    }
}

struct Setup<'a> {
    pool: &'a mut Pool,
    def: &'a FunctionDef,
    options: &'a NumericOptions,
}

/// What every numeric statement needs: data, layout of the variables, derivatives.
struct Prepared {
    data: Data,
    variables: Variables,
    gradient: Id,
    hessian: Option<Id>,
}

impl Setup<'_> {
    /// Resolves the data (`point` must bind every parameter when `needs_point`), and computes ∇f
    /// and ∇²f.
    fn prepare(
        &mut self,
        bindings: &[(SymbolId, Id)],
        needs_point: bool,
    ) -> Result<Prepared, NumericError> {
        let params = &self.def.params;
        let mut needed: Vec<SymbolId> = free_symbols(self.pool, &[self.def.body])
            .into_iter()
            .filter(|s| !params.contains(s))
            .collect();
        if needs_point {
            for p in params {
                if !bindings.iter().any(|(s, _)| s == p) {
                    let name = self.pool.symbol(*p).name.clone();
                    return Err(bad(
                        Some(&name),
                        format!("no value for the variable {name}: give it in the point, e.g. {name} = 0"),
                    ));
                }
            }
            needed.extend(params.iter().copied());
        }
        let data = resolve(self.pool, bindings, &self.options.data, &needed)
            .map_err(NumericError::BadInput)?;
        let mut variables = Variables {
            names: Vec::new(),
            shapes: Vec::new(),
        };
        for &p in params {
            let sym = self.pool.symbol(p);
            let dims = &data.float.dims;
            let size =
                |d: &crate::expr::Dim| d.evaluate(&|s| dims.get(s).copied()).map(|v| v as usize);
            let (Some(r), Some(c)) = (size(&sym.shape.rows), size(&sym.shape.cols)) else {
                return Err(bad(
                    Some(&sym.name),
                    format!(
                        "the size of {} ({}) is not fixed: give data that fixes it",
                        sym.name, sym.shape
                    ),
                ));
            };
            variables.names.push(sym.name.clone());
            variables.shapes.push((r, c));
        }
        let wrt: Vec<Id> = params.iter().map(|&p| self.pool.symbol_expr(p)).collect();
        let g = gradient(self.pool, self.def.body, &wrt)
            .map_err(|e| NumericError::CannotAnswer(format!("no gradient: {e}")))?;
        let h = hessian(self.pool, self.def.body, &wrt).ok();
        Ok(Prepared {
            data,
            variables,
            gradient: g,
            hessian: h,
        })
    }

    fn objective(&self, p: &Prepared, grad: Id) -> Result<CompiledObjective, NumericError> {
        let params = &self.def.params;
        let fg = compile(self.pool, &[self.def.body, grad], params, &p.data.float)
            .map_err(eval_error)?;
        // Without a Hessian (too large, say) first-order methods still run.
        let h = p
            .hessian
            .and_then(|h| compile(self.pool, &[h], params, &p.data.float).ok());
        Ok(CompiledObjective {
            value_gradient: fg,
            hessian: h,
            sizes: p.variables.shapes.iter().map(|(r, c)| r * c).collect(),
        })
    }

    fn point(&self, p: &Prepared) -> Vec<f64> {
        self.def
            .params
            .iter()
            .flat_map(|s| {
                p.data
                    .float
                    .values
                    .get(s)
                    .map(|v| v.data.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn classify(
        &mut self,
        at: &[(SymbolId, Id)],
        with: &[(SymbolId, Id)],
    ) -> Result<Outcome, NumericError> {
        let bindings: Vec<_> = at.iter().chain(with).copied().collect();
        let p = self.prepare(&bindings, true)?;
        if p.hessian.is_none() {
            return Err(NumericError::CannotAnswer(
                "the Hessian has no matrix form for these variables".to_string(),
            ));
        }
        // Checked before anything of size n² exists: the Hessian of a declared ℝ^1000000 would
        // need 10¹² entries.
        let n = p.variables.len();
        if n > MAX_ANALYSED {
            return Err(NumericError::CannotAnswer(format!(
                "classify analyses at most {MAX_ANALYSED} variables (the Hessian's eigenvalues \
                 are an O(n³) step); these variables have {n} entries"
            )));
        }
        let mut obj = self.objective(&p, p.gradient)?;
        let x = self.point(&p);
        let n = x.len();
        let mut g = vec![0.0; n];
        let f = obj.value_gradient(&x, &mut g).map_err(eval_error)?;
        let mut h = vec![0.0; n * n];
        obj.hessian(&x, &mut h).map_err(eval_error)?;
        Ok(Outcome::Classify(Box::new(ClassifyReport {
            variables: p.variables,
            analysis: classify(&h, &g),
            x,
            f,
            gradient: g,
        })))
    }

    fn critical(&mut self, with: &[(SymbolId, Id)]) -> Result<Outcome, NumericError> {
        let p = self.prepare(with, false)?;
        let Some(h) = p.hessian else {
            return Err(NumericError::CannotAnswer(
                "the Hessian has no matrix form for these variables".to_string(),
            ));
        };
        let result = critical(self.pool, p.gradient, h, &self.def.params, &p.data.exact)
            .map_err(eval_error)?;
        let (f, analysis) = match &result {
            Critical::Point { x, hessian } => {
                let mut at = Instance::<Number> {
                    dims: p.data.exact.dims.clone(),
                    values: p.data.exact.values.clone(),
                };
                let mut offset = 0;
                for (&s, &(r, c)) in self.def.params.iter().zip(&p.variables.shapes) {
                    let block = x.get(offset..offset + r * c).unwrap_or(&[]).to_vec();
                    offset += r * c;
                    if let Some(v) = Dense::from_vec(r, c, block) {
                        at.values.insert(s, v);
                    }
                }
                let f = evaluate(self.pool, self.def.body, &at)
                    .ok()
                    .and_then(|v| v.as_scalar().cloned());
                let hf: Vec<f64> = hessian.data.iter().map(Number::to_f64).collect();
                (f, Some(classify(&hf, &vec![0.0; x.len()])))
            }
            _ => (None, None),
        };
        Ok(Outcome::Critical(Box::new(CriticalReport {
            variables: p.variables,
            result,
            f,
            analysis,
        })))
    }

    fn descend(
        &mut self,
        from: &[(SymbolId, Id)],
        with: &[(SymbolId, Id)],
        method: &LoweredMethod,
        claims: &[CheckedClaim<'_>],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Outcome, NumericError> {
        let bindings: Vec<_> = from.iter().chain(with).copied().collect();
        let p = self.prepare(&bindings, true)?;
        let quadratic = p.hessian.is_some_and(|h| {
            let free = free_symbols(self.pool, &[h]);
            !self.def.params.iter().any(|v| free.contains(v))
        });
        let settings = method::settings(self.pool, method, &p.data.float, quadratic)?;
        if matches!(settings.method, Method::Newton | Method::Exact) && p.hessian.is_none() {
            return Err(NumericError::CannotAnswer(format!(
                "{} needs the Hessian, which has no matrix form for these variables",
                settings.method.name()
            )));
        }
        let (source, claimed) = self.claimed_gradient(claims);
        let used = match source {
            GradientSource::Verified(_) => claimed.unwrap_or(p.gradient),
            _ => p.gradient,
        };
        let x0 = self.point(&p);
        let n = x0.len();
        let mut obj = self.objective(&p, used)?;
        let run = descend(&mut obj, &x0, &settings, progress);
        if matches!(settings.method, Method::Newton | Method::Exact) && obj.hessian.is_none() {
            return Err(NumericError::CannotAnswer(format!(
                "{} needs the {n}×{n} Hessian, which cannot be evaluated here",
                settings.method.name()
            )));
        }
        let analyse = |obj: &mut CompiledObjective, x: &[f64]| -> Option<Analysis> {
            if obj.hessian.is_none() || n > MAX_ANALYSED {
                return None;
            }
            let mut g = vec![0.0; n];
            obj.value_gradient(x, &mut g).ok()?;
            let mut h = vec![0.0; n * n];
            obj.hessian(x, &mut h).ok()?;
            h.iter().all(|a| a.is_finite()).then(|| classify(&h, &g))
        };
        let start = analyse(&mut obj, &x0);
        let end = match run.stop {
            Stop::Diverged { .. } | Stop::Failed { .. } => None,
            _ => analyse(&mut obj, &run.last_x),
        };
        let claimed_run = match (source, claimed) {
            (GradientSource::Wrong(_), Some(c))
                if self.pool.shape(c) == self.pool.shape(p.gradient) =>
            {
                let mut wrong = self.objective(&p, c)?;
                let r = descend(&mut wrong, &x0, &settings, progress);
                let outcome = claimed::claimed_outcome(&r, &run, &mut obj, settings.tol);
                Some(ClaimedRun { run: r, outcome })
            }
            _ => None,
        };
        let grid = (self.options.plot && n == 2)
            .then(|| self.grid(&p, &run))
            .transpose()?;
        Ok(Outcome::Descend(Box::new(DescendReport {
            variables: p.variables,
            gradient: source,
            run,
            claimed: claimed_run,
            start,
            end,
            grid,
        })))
    }

    /// f on a grid around the path of `run`.
    fn grid(&self, p: &Prepared, run: &Run) -> Result<Grid, NumericError> {
        let mut program = compile(self.pool, &[self.def.body], &self.def.params, &p.data.float)
            .map_err(eval_error)?;
        let points: Vec<(f64, f64)> = run
            .iter_points()
            .filter(|(x, y)| x.is_finite() && y.is_finite() && x.abs() < 1e6 && y.abs() < 1e6)
            .collect();
        let variables = &p.variables;
        Ok(Grid::around(&points, GRID, &mut |x, y| {
            let flat = [x, y];
            program.run(&variables.split(&flat)).ok()?;
            program.output(0).first().copied()
        }))
    }

    /// The claim of ∇f for this function and variables checked last before the statement, and
    /// the gradient expression it claims (for a wrong claim, the first wrong step).
    fn claimed_gradient(&mut self, claims: &[CheckedClaim<'_>]) -> (GradientSource, Option<Id>) {
        let wrt: Vec<Option<Id>> = self
            .def
            .params
            .iter()
            .map(|&s| self.pool.find(&Node::Sym(s)))
            .collect();
        let found = claims
            .iter()
            .rev()
            // A claim at a point claims a value, not the gradient function.
            .filter(|(claim, _)| claim.at.is_empty())
            .find(|(claim, _)| match self.pool.node(claim.first) {
                Node::Derivative(d) => {
                    d.kind == DerivativeKind::Gradient
                        && d.expr == self.def.body
                        && d.wrt.len() == wrt.len()
                        && d.wrt.iter().zip(&wrt).all(|(a, b)| Some(*a) == *b)
                }
                _ => false,
            });
        let Some((claim, report)) = found else {
            return (GradientSource::Own, None);
        };
        let pick = if report.holds() {
            claim.steps.last()
        } else {
            report.first_failure().and_then(|i| claim.steps.get(i))
        };
        let expr = pick.and_then(|s| evaluate_derivatives(self.pool, s.expr).ok());
        let source = if report.holds() {
            GradientSource::Verified(claim.span)
        } else if report.first_failure().is_some() {
            GradientSource::Wrong(claim.span)
        } else {
            GradientSource::Unverified(claim.span)
        };
        (source, expr)
    }
}
