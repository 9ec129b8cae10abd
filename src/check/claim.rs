//! Checking one claim: each step of its chain against the step before it.

use super::compare::{compare, CompareOptions, Comparison};
use super::diagnosis::{diagnose, Mistake, StepContext};
use super::verdict::Verdict;
use crate::diff::{differentiated, evaluate_derivatives};
use crate::expr::{Derivative, Id, Node, Pool, SymbolId};
use crate::numeric::{evaluate, Instance};
use crate::simplify::{expand_until, textbook_form, ExpansionLimit};
use crate::syntax::lower::{LoweredClaim, StepRelation};
use crate::syntax::span::Span;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Settings for checking. (The Jacobian layout is a reading option: see `ReadOptions`.)
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Randomised comparison settings (seeded).
    pub compare: CompareOptions,
    /// Most terms an expansion may produce when trying to prove a step.
    pub max_terms: usize,
    /// Wall-clock budget for one claim (all its steps: expansion, numeric trials, diagnosis).
    /// Past it, the steps not yet decided get *unknown (time limit of … reached)*. `None`: no
    /// time limit.
    pub time_limit: Option<Duration>,
    /// An instant after which no claim is checked further (a budget shared by several claims,
    /// e.g. a whole file's); the earlier of this and `time_limit` applies. `None`: none.
    pub deadline: Option<Instant>,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            compare: CompareOptions::default(),
            max_terms: 5_000,
            time_limit: None,
            deadline: None,
        }
    }
}

/// `2s`, `0.5s`, `1.25s`: a duration as a person writes it.
pub fn describe_duration(d: Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}s")
}

/// The deadline in force for one claim, and what to say when it passes.
struct Budget {
    deadline: Option<Instant>,
    reason: String,
}

impl Budget {
    fn new(options: &CheckOptions) -> Budget {
        let per_claim = options
            .time_limit
            .and_then(|d| Instant::now().checked_add(d));
        match (per_claim, options.deadline) {
            (Some(a), Some(b)) if b < a => Budget {
                deadline: Some(b),
                reason: "the time limit for the whole file was reached".into(),
            },
            (Some(a), _) => Budget {
                deadline: Some(a),
                reason: format!(
                    "time limit of {} per claim reached",
                    describe_duration(options.time_limit.unwrap_or_default())
                ),
            },
            (None, Some(b)) => Budget {
                deadline: Some(b),
                reason: "the time limit for the whole file was reached".into(),
            },
            (None, None) => Budget {
                deadline: None,
                reason: String::new(),
            },
        }
    }

    fn passed(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn unknown(&self) -> Verdict {
        Verdict::Unknown {
            reason: self.reason.clone(),
        }
    }
}

/// The verdict on one step `previous = this`.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// Where the step's expression is written.
    pub span: Span,
    /// Where the expression it is compared with is written.
    pub previous_span: Span,
    /// `=` or `≈` (with the decimals written).
    pub relation: StepRelation,
    /// The verdict.
    pub verdict: Verdict,
    /// The correct value of the previous expression, when it had to be computed (a derivative).
    pub expected: Option<Id>,
}

/// The verdicts on every step of one claim.
#[derive(Clone, Debug)]
pub struct ClaimReport {
    /// The whole claim.
    pub span: Span,
    /// The left-hand side as written.
    pub first: Id,
    /// One report per `=` step, in order.
    pub steps: Vec<StepReport>,
}

impl ClaimReport {
    /// Every step holds.
    pub fn holds(&self) -> bool {
        self.steps.iter().all(|s| s.verdict.holds())
    }

    /// Index of the first step that is wrong or ill-formed.
    pub fn first_failure(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.verdict.fails())
    }
}

/// Checks every step of a claim against the step before it.
pub fn check_claim(pool: &mut Pool, claim: &LoweredClaim, options: &CheckOptions) -> ClaimReport {
    let budget = Budget::new(options);
    let mut options = options.clone();
    options.compare.deadline = budget.deadline;
    let pool_deadline = std::mem::replace(&mut pool.limits.deadline, budget.deadline);
    let at: HashMap<Id, Id> = claim
        .at
        .iter()
        .map(|&(s, v)| (pool.symbol_expr(s), v))
        .collect();
    // The whole chain is about the derivatives its first expression asks for: random points
    // where a differentiated function has no value say nothing about it.
    options.compare.defined = differentiated(pool, claim.first)
        .into_iter()
        .map(|f| {
            if at.is_empty() {
                f
            } else {
                pool.substitute(f, &at)
            }
        })
        .collect();
    let options = &options;
    let mut previous = (claim.first, claim.first_span);
    let mut steps = Vec::with_capacity(claim.steps.len());
    for step in &claim.steps {
        let report = if budget.passed() {
            (budget.unknown(), None)
        } else {
            check_step(
                pool,
                previous.0,
                step.expr,
                step.relation,
                &at,
                options,
                &budget,
            )
        };
        steps.push(StepReport {
            span: step.span,
            previous_span: previous.1,
            relation: step.relation,
            verdict: report.0,
            expected: report.1,
        });
        previous = (step.expr, step.span);
    }
    pool.limits.deadline = pool_deadline;
    ClaimReport {
        span: claim.span,
        first: claim.first,
        steps,
    }
}

/// Evaluates derivatives and the claim's point; `Err` carries an *unknown* reason.
fn value_of(pool: &mut Pool, e: Id, at: &HashMap<Id, Id>) -> Result<Id, String> {
    let v = evaluate_derivatives(pool, e).map_err(|err| err.to_string())?;
    Ok(if at.is_empty() {
        v
    } else {
        pool.substitute(v, at)
    })
}

fn check_step(
    pool: &mut Pool,
    previous: Id,
    current: Id,
    relation: StepRelation,
    at: &HashMap<Id, Id>,
    options: &CheckOptions,
    budget: &Budget,
) -> (Verdict, Option<Id>) {
    let unknown = |reason| match budget.passed() {
        true => budget.unknown(),
        false => Verdict::Unknown { reason },
    };
    let g = match value_of(pool, previous, at) {
        Ok(v) => v,
        Err(reason) => return (unknown(reason), None),
    };
    let c = match value_of(pool, current, at) {
        Ok(v) => v,
        Err(reason) => return (unknown(reason), None),
    };
    let expected = (g != previous).then(|| textbook_form(pool, g));
    let derivative = match pool.node(previous) {
        Node::Derivative(d) => Some(d.clone()),
        Node::Transpose(inner) => match pool.node(*inner) {
            Node::Derivative(d) => Some(d.clone()),
            _ => None,
        },
        _ => None,
    };
    let verdict = match relation {
        StepRelation::Approx { decimals } => approx_verdict(pool, g, c, decimals),
        StepRelation::Equal => equal_verdict(pool, g, c, derivative.as_deref(), options, budget),
    };
    (verdict, expected)
}

fn equal_verdict(
    pool: &mut Pool,
    g: Id,
    c: Id,
    derivative: Option<&Derivative>,
    options: &CheckOptions,
    budget: &Budget,
) -> Verdict {
    if pool.shape(g) != pool.shape(c) {
        let mistakes = mistakes(pool, g, c, derivative, options);
        return Verdict::IllFormed {
            left: pool.shape(g).clone(),
            right: pool.shape(c).clone(),
            mistakes,
        };
    }
    if g == c {
        return Verdict::Proved { expanded: false };
    }
    let difference = pool.sub(g, c);
    match expand_until(pool, difference, options.max_terms, budget.deadline) {
        Ok(d) if pool.is_zero(d) => return Verdict::Proved { expanded: true },
        Err(ExpansionLimit::Time) => return budget.unknown(),
        _ => {}
    }
    match compare(pool, g, c, &options.compare) {
        Comparison::AllAgreed { trials, exact } => Verdict::ConfirmedNumerically { trials, exact },
        Comparison::Disagreed { counterexample } => Verdict::Wrong {
            counterexample,
            mistakes: mistakes(pool, g, c, derivative, options),
        },
        Comparison::OutOfTime { valid, .. } => Verdict::Unknown {
            reason: format!("{} ({valid} random points agreed before it)", budget.reason),
        },
        Comparison::ShapeMismatch { left, right } => Verdict::IllFormed {
            left,
            right,
            mistakes: Vec::new(),
        },
        Comparison::TooFewValid {
            valid,
            attempted,
            reason,
        } => Verdict::Unknown {
            reason: format!(
                "only {valid} of {attempted} random points were inside the domain ({reason})"
            ),
        },
    }
}

fn mistakes(
    pool: &mut Pool,
    g: Id,
    c: Id,
    derivative: Option<&Derivative>,
    options: &CheckOptions,
) -> Vec<Mistake> {
    let ctx = StepContext {
        correct: g,
        claimed: c,
        derivative,
        compare: &options.compare,
        max_terms: options.max_terms,
    };
    diagnose(pool, &ctx)
}

/// `≈`: both sides must evaluate to numbers (after `at`) that agree to the decimals written.
fn approx_verdict(pool: &mut Pool, g: Id, c: Id, decimals: u32) -> Verdict {
    let empty = Instance::<f64> {
        dims: BTreeMap::new(),
        values: BTreeMap::<SymbolId, _>::new(),
    };
    let (gv, cv) = match (evaluate(pool, g, &empty), evaluate(pool, c, &empty)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            return Verdict::Unknown {
                reason: format!("≈ needs both sides to be numbers at the point given ({e})"),
            }
        }
    };
    if gv.rows != cv.rows || gv.cols != cv.cols {
        return Verdict::IllFormed {
            left: pool.shape(g).clone(),
            right: pool.shape(c).clone(),
            mistakes: Vec::new(),
        };
    }
    let tolerance = 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9);
    let agree = gv
        .data
        .iter()
        .zip(&cv.data)
        .all(|(a, b)| (a - b).abs() <= tolerance);
    if agree {
        Verdict::ConfirmedNumerically {
            trials: 1,
            exact: false,
        }
    } else {
        Verdict::Wrong {
            counterexample: super::compare::Counterexample::at_point(gv, cv),
            mistakes: Vec::new(),
        }
    }
}
