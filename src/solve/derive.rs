//! Worked derivations of derivatives, gradients, Hessians and Jacobians: the traced forward
//! differential written top-down, the substitutions back with the simplifier's rules, and the
//! identification of the result, which is checked equal to what `nabla grad`/`hess`/`jac`/`diff`
//! computes.

use super::{text, Block, Equation, Inline, Reason, Relation, Solution};
use crate::check::compare::{compare, CompareOptions, Comparison};
use crate::diff::{self, DiffError, DiffStep, Layout};
use crate::expr::{
    Assumptions, Derivative, DerivativeKind, Id, Node, Pool, Shape, SymbolId, SymbolOrigin,
};
use crate::print::{print, print_shape, Dialect, PrintOptions};
use crate::simplify::{textbook_form, Rule};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What to derive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// `d/dx f` or `∂f/∂x` for each scalar variable.
    Derivative,
    /// `∇f` with respect to one vector or matrix variable, or several scalars.
    Gradient,
    /// `∇²f` with respect to one vector variable, or scalars.
    Hessian,
    /// `J_x g` of a vector function, in the given layout.
    Jacobian(Layout),
}

/// A worked solution deriving `goal` of `f` with respect to `wrt`. Fails as `nabla grad` (etc.)
/// would, and with [`DiffError::Unsupported`] if the written derivation could not be confirmed
/// equal to the computed result (it is then never shown).
pub fn derive(pool: &mut Pool, f: Id, wrt: &[Id], goal: Goal) -> Result<Solution, DiffError> {
    let f = diff::evaluate_derivatives(pool, f)?;
    let mut w = Writer {
        pool,
        blocks: Vec::new(),
        directions: HashMap::default(),
    };
    let scalars = wrt.iter().all(|&v| w.pool.is_scalar(v));
    let single = match wrt {
        [v] => Some(*v),
        _ => None,
    };
    let title = match goal {
        Goal::Derivative => "Derivative",
        Goal::Gradient => "Gradient",
        Goal::Hessian => "Hessian",
        Goal::Jacobian(_) => "Jacobian",
    };
    match (goal, single) {
        _ if wrt.is_empty() => {
            return Err(DiffError::NotAVariable {
                what: "no variable given".into(),
            })
        }
        (Goal::Derivative, _) | (Goal::Gradient, _) if scalars => {
            let mut partials = Vec::new();
            for &v in wrt {
                partials.push(w.scalar_derivative(
                    f,
                    v,
                    goal == Goal::Derivative || wrt.len() > 1,
                )?);
            }
            if goal == Goal::Gradient && wrt.len() > 1 {
                let answer = diff::gradient(w.pool, f, wrt)?;
                let k = partials.len() as u32;
                let assembled = w.pool.matrix(k, 1, partials);
                let lhs = w.operator(DerivativeKind::Gradient, f, wrt, None);
                w.conclude(lhs, assembled, answer, gradient_of_partials())?;
            }
        }
        (Goal::Gradient, Some(v)) => {
            w.gradient(f, v)?;
        }
        (Goal::Derivative, _) | (Goal::Gradient, _) => {
            return Err(DiffError::Unsupported {
                what: "a worked gradient with respect to several variables that are not all \
                       scalars (solve for one at a time)"
                    .into(),
            })
        }
        (Goal::Hessian, Some(v)) if !scalars => {
            let g = w.gradient(f, v)?;
            w.blocks.push(Block::Heading(vec![text(
                "The Hessian: differentiate the gradient",
            )]));
            let (dg, dx) = w.differential(g, v)?;
            let h = w.identify_jacobian(g, v, dg, dx)?;
            let answer = diff::hessian(w.pool, f, &[v])?;
            let lhs = w.operator(DerivativeKind::Hessian, f, &[v], None);
            w.conclude(lhs, h, answer, hessian_identification())?;
        }
        (Goal::Hessian, _) if scalars => {
            let mut firsts = Vec::new();
            for &v in wrt {
                firsts.push((v, w.scalar_derivative(f, v, true)?));
            }
            let mut entries = Vec::new();
            for &(_, d) in &firsts {
                for &v in wrt {
                    w.blocks.push(Block::Heading(vec![
                        text("Differentiate "),
                        Inline::Math(d),
                        text(" with respect to "),
                        Inline::Math(v),
                    ]));
                    entries.push(w.scalar_derivative(d, v, true)?);
                }
            }
            let answer = diff::hessian(w.pool, f, wrt)?;
            let k = wrt.len() as u32;
            let assembled = if k == 1 {
                entries.first().copied().unwrap_or(answer)
            } else {
                w.pool.matrix(k, k, entries)
            };
            let lhs = w.operator(DerivativeKind::Hessian, f, wrt, None);
            w.conclude(lhs, assembled, answer, hessian_of_partials())?;
        }
        (Goal::Hessian, _) => {
            return Err(DiffError::Unsupported {
                what: "a worked Hessian with respect to several variables that are not all \
                       scalars"
                    .into(),
            })
        }
        (Goal::Jacobian(layout), Some(v)) => {
            w.jacobian(f, v, layout)?;
        }
        (Goal::Jacobian(_), None) => {
            return Err(DiffError::Unsupported {
                what: "a worked Jacobian with respect to several variables (give one vector)"
                    .into(),
            })
        }
    }
    let points = diff::non_differentiable_points(w.pool, f);
    if !points.is_empty() {
        w.blocks.push(Block::Text(vec![text(format!(
            "Not differentiable where {}; the result holds everywhere else.",
            points.join(", or where ")
        ))]));
    }
    let (declarations, symbols) = declarations(w.pool);
    let mut heading = vec![
        text(format!("{title} of ")),
        Inline::Math(f),
        text(" with respect to "),
    ];
    for (i, &v) in wrt.iter().enumerate() {
        if i > 0 {
            heading.push(text(", "));
        }
        heading.push(Inline::Math(v));
    }
    Ok(Solution {
        title: heading,
        declarations,
        symbols,
        blocks: w.blocks,
    })
}

struct Writer<'p> {
    pool: &'p mut Pool,
    blocks: Vec<Block>,
    /// The direction used for each variable (the Hessian reuses the gradient's `dx`).
    directions: HashMap<Id, Id>,
}

/// How the differential of an operand is written: `d/dx u`, `∂/∂x u` or `D_{dx} u`.
#[derive(Clone, Copy)]
struct Operator {
    kind: DerivativeKind,
    var: Id,
    direction: Option<Id>,
}

impl Operator {
    fn apply(self, pool: &mut Pool, e: Id) -> Id {
        let shape = pool.shape(e).clone();
        pool.derivative(
            Derivative {
                kind: self.kind,
                expr: e,
                wrt: Box::new([self.var]),
                direction: self.direction,
            },
            shape,
        )
    }
}

impl Writer<'_> {
    /// An unevaluated derivative operator node (`∇ₓ f`, `∇²f`, `J_x g`), shaped as its value.
    fn operator(
        &mut self,
        kind: DerivativeKind,
        f: Id,
        wrt: &[Id],
        value_shape: Option<Shape>,
    ) -> Id {
        let shape = value_shape.unwrap_or_else(|| match (kind, wrt) {
            (DerivativeKind::Gradient, [v]) => self.pool.shape(*v).clone(),
            (DerivativeKind::Hessian, [v]) if !self.pool.is_scalar(*v) => {
                let n = self.pool.shape(*v).rows.clone();
                Shape::matrix(n.clone(), n)
            }
            (DerivativeKind::Gradient, _) => {
                Shape::vector(crate::expr::Dim::known(wrt.len() as u64))
            }
            (DerivativeKind::Hessian, [_]) => Shape::scalar(),
            (DerivativeKind::Hessian, _) => {
                let k = crate::expr::Dim::known(wrt.len() as u64);
                Shape::matrix(k.clone(), k)
            }
            _ => self.pool.shape(f).clone(),
        });
        self.pool.derivative(
            Derivative {
                kind,
                expr: f,
                wrt: wrt.to_vec().into_boxed_slice(),
                direction: None,
            },
            shape,
        )
    }

    /// `d/dx f` (or `∂f/∂x` when `f` has other variables, or when `partial`): the traced steps
    /// and the conclusion; returns the derivative as `nabla diff` computes it.
    fn scalar_derivative(&mut self, f: Id, v: Id, conclude: bool) -> Result<Id, DiffError> {
        let kind = if only_variable(self.pool, f, v) {
            DerivativeKind::Ordinary
        } else {
            DerivativeKind::Partial
        };
        let op = Operator {
            kind,
            var: v,
            direction: None,
        };
        let lhs = op.apply(self.pool, f);
        self.blocks.push(Block::Heading(vec![
            text("Differentiate "),
            Inline::Math(f),
            text(" with respect to "),
            Inline::Math(v),
        ]));
        let one = self.pool.int(1);
        let d = self.traced(f, v, one, op)?;
        let answer = diff::derivative(self.pool, f, v)?;
        if conclude {
            self.conclude(lhs, d, answer, None)?;
        } else {
            self.confirm(d, answer)?;
        }
        Ok(answer)
    }

    /// ∇ₓ f for a vector or matrix `x` (a scalar `x`: its derivative): the differential,
    /// identification, and the conclusion; returns the gradient as `nabla grad` computes it.
    fn gradient(&mut self, f: Id, v: Id) -> Result<Id, DiffError> {
        if self.pool.is_scalar(v) {
            return self.scalar_derivative(f, v, true);
        }
        if !self.pool.is_scalar(f) {
            return Err(DiffError::NotDifferentiable {
                what: format!(
                    "the gradient of the non-scalar {} (use a Jacobian)",
                    unicode(self.pool, f)
                ),
            });
        }
        self.blocks.push(Block::Heading(vec![
            text("The differential of "),
            Inline::Math(f),
        ]));
        let (df, dx) = self.differential(f, v)?;
        let answer = diff::gradient(self.pool, f, &[v])?;
        let lhs = self.operator(DerivativeKind::Gradient, f, &[v], None);
        let op = Operator {
            kind: DerivativeKind::Directional,
            var: v,
            direction: Some(dx),
        };
        let dlhs = op.apply(self.pool, f);
        let column = self.pool.shape(v).cols.is_one();
        let identified = if column {
            diff::identify_linear_map(self.pool, df, dx)
                .ok()
                .map(|row| self.pool.transpose(row))
        } else {
            None
        };
        let g = identified.unwrap_or(answer);
        // d f = ⟨g, dx⟩: gᵀdx for a vector, tr(gᵀdX) for a matrix.
        let gt = self.pool.transpose(g);
        let form = if column {
            self.pool.mul(&[gt, dx])
        } else {
            let p = self.pool.mul(&[gt, dx]);
            self.pool.apply(crate::expr::Func::Trace, &[p])
        };
        self.confirm(df, form)?;
        let (name, statement) = if column {
            ("identification", "d f = gᵀdx for every dx ⇔ ∇f = g")
        } else {
            ("identification", "d f = tr(GᵀdX) for every dX ⇔ ∇f = G")
        };
        self.blocks
            .push(Block::Heading(vec![text("Identification")]));
        let mut eq = Equation::new(dlhs, form, Some(Reason::new(name, statement)));
        if !self.reads_alike(form, df) {
            eq.chain.insert(0, (Relation::Equals, df));
        }
        self.blocks.push(Block::Equation(eq));
        self.conclude(lhs, g, answer, None)?;
        Ok(answer)
    }

    /// J_x g for a vector `g` and a vector (or scalar) `x`.
    fn jacobian(&mut self, g: Id, v: Id, layout: Layout) -> Result<Id, DiffError> {
        let answer = diff::jacobian(self.pool, g, &[v], layout)?;
        if self.pool.is_scalar(v) {
            let d = self.scalar_derivative(g, v, false)?;
            let lhs = self.operator(
                DerivativeKind::Jacobian,
                g,
                &[v],
                Some(self.pool.shape(answer).clone()),
            );
            let d = match layout {
                Layout::Numerator => d,
                Layout::Denominator => self.pool.transpose(d),
            };
            self.conclude(lhs, d, answer, None)?;
            return Ok(answer);
        }
        self.blocks.push(Block::Heading(vec![
            text("The differential of "),
            Inline::Math(g),
        ]));
        let (dg, dx) = self.differential(g, v)?;
        let j = self.identify_jacobian(g, v, dg, dx)?;
        let (j, reason) = match layout {
            Layout::Numerator => (j, None),
            Layout::Denominator => (
                self.pool.transpose(j),
                Some(Reason::new(
                    "denominator layout",
                    "the Jacobian is written transposed, n×m",
                )),
            ),
        };
        let lhs = self.operator(
            DerivativeKind::Jacobian,
            g,
            &[v],
            Some(self.pool.shape(answer).clone()),
        );
        self.conclude(lhs, j, answer, reason)?;
        Ok(answer)
    }

    /// From `dg = J dx` (column `dx`): the identification step; returns `J`.
    fn identify_jacobian(&mut self, g: Id, v: Id, dg: Id, dx: Id) -> Result<Id, DiffError> {
        let j = diff::identify_linear_map(self.pool, dg, dx)?;
        let form = self.pool.mul(&[j, dx]);
        self.confirm(dg, form)?;
        let op = Operator {
            kind: DerivativeKind::Directional,
            var: v,
            direction: Some(dx),
        };
        let dlhs = op.apply(self.pool, g);
        let mut eq = Equation::new(
            dlhs,
            form,
            Some(Reason::new(
                "identification",
                "dg = J dx for every dx ⇔ J is the Jacobian",
            )),
        );
        if !self.reads_alike(form, dg) {
            eq.chain.insert(0, (Relation::Equals, dg));
        }
        self.blocks
            .push(Block::Heading(vec![text("Identification")]));
        self.blocks.push(Block::Equation(eq));
        Ok(j)
    }

    /// The differential of `f` in a fresh direction `dx` of `v`'s shape, traced; returns the
    /// differential and the direction.
    fn differential(&mut self, f: Id, v: Id) -> Result<(Id, Id), DiffError> {
        let dx = match self.directions.get(&v) {
            Some(&dx) => dx,
            None => {
                let dx = direction_symbol(self.pool, v)?;
                self.directions.insert(v, dx);
                dx
            }
        };
        let op = Operator {
            kind: DerivativeKind::Directional,
            var: v,
            direction: Some(dx),
        };
        self.blocks.push(Block::Text(vec![
            text("The differential of an expression is written as its directional derivative in the direction "),
            Inline::Math(dx),
            text(": how the expression changes, to first order, when "),
            Inline::Math(v),
            text(" changes by "),
            Inline::Math(dx),
            text("."),
        ]));
        let df = self.traced(f, v, dx, op)?;
        Ok((df, dx))
    }

    /// Runs the traced differential of `f` (seed `seed`) and writes its steps: the rules
    /// top-down, then the substitutions back, innermost first. Returns the differential.
    fn traced(&mut self, f: Id, v: Id, seed: Id, op: Operator) -> Result<Id, DiffError> {
        let mut placeholder = |pool: &mut Pool, e: Id| op.apply(pool, e);
        let (df, steps) = diff::traced_differential(self.pool, f, v, seed, &mut placeholder)?;
        let by_node: HashMap<Id, &DiffStep> = steps.iter().map(|s| (s.node, s)).collect();
        // Which operand each placeholder stands for.
        let mut stands_for: HashMap<Id, Id> = HashMap::default();
        for s in &steps {
            let p = op.apply(self.pool, s.node);
            stands_for.insert(p, s.node);
        }
        let Some(root) = by_node.get(&f) else {
            let lhs = op.apply(self.pool, f);
            let reason = if df == seed {
                Reason::new("the variable itself", "d x = dx")
            } else {
                Reason::new(
                    "a constant",
                    "d c = 0: the expression does not depend on the variable",
                )
            };
            self.blocks
                .push(Block::Equation(Equation::new(lhs, df, Some(reason))));
            return Ok(df);
        };
        // Top-down: each rule once, in the order its placeholder first appears.
        let mut order: Vec<&DiffStep> = Vec::new();
        let mut seen: HashSet<Id> = HashSet::default();
        let mut stack = vec![*root];
        while let Some(step) = stack.pop() {
            if !seen.insert(step.node) {
                continue;
            }
            order.push(step);
            let inner = placeholders_in(self.pool, step.formula, &stands_for);
            for node in inner.into_iter().rev() {
                if let Some(s) = by_node.get(&node) {
                    if !seen.contains(&node) {
                        stack.push(s);
                    }
                }
            }
        }
        let mut composite = Vec::new();
        for step in &order {
            let lhs = op.apply(self.pool, step.node);
            let reason = Reason::new(step.rule.name(), step.rule.statement());
            self.blocks.push(Block::Equation(Equation::new(
                lhs,
                step.formula,
                Some(reason),
            )));
            if !placeholders_in(self.pool, step.formula, &stands_for).is_empty() {
                composite.push(*step);
            }
        }
        if composite.is_empty() {
            return Ok(df);
        }
        self.blocks
            .push(Block::Heading(vec![text("Substituting back")]));
        let results: std::collections::HashMap<Id, Id> = steps
            .iter()
            .map(|s| (op.apply(self.pool, s.node), s.result))
            .collect();
        for step in composite.iter().rev() {
            let lhs = op.apply(self.pool, step.node);
            let saved = self.pool.trace.take();
            self.pool.start_trace();
            let substituted = self.pool.substitute(step.formula, &results);
            let rules = self.pool.rules_applied();
            self.pool.trace = saved;
            let mut eq = Equation::new(lhs, substituted, Some(substitution_reason(&rules)));
            if substituted != step.result {
                self.confirm(substituted, step.result)?;
                if !self.reads_alike(substituted, step.result) {
                    eq.chain.push((Relation::Equals, step.result));
                }
            }
            self.blocks.push(Block::Equation(eq));
        }
        Ok(df)
    }

    /// Writes the boxed conclusion `lhs = found = answer` (textbook form), after confirming
    /// that the derivation's `found` equals the computed `answer`.
    fn conclude(
        &mut self,
        lhs: Id,
        found: Id,
        answer: Id,
        reason: Option<Reason>,
    ) -> Result<(), DiffError> {
        self.confirm(found, answer)?;
        let shown = textbook_form(self.pool, answer);
        let mut chain = Vec::new();
        if found != answer && !self.reads_alike(found, shown) {
            chain.push((Relation::Equals, found));
        }
        chain.push((Relation::Equals, shown));
        self.blocks.push(Block::Heading(vec![text("Result")]));
        self.blocks.push(Block::Equation(Equation {
            lhs,
            chain,
            reason,
            boxed: true,
            at: Vec::new(),
        }));
        Ok(())
    }

    /// Do `a` and `b` print the same (so a chain `a = b` would repeat itself)?
    fn reads_alike(&self, a: Id, b: Id) -> bool {
        let one_line = PrintOptions {
            width: 1 << 20,
            ..PrintOptions::unicode()
        };
        a == b || print(self.pool, a, &one_line) == print(self.pool, b, &one_line)
    }

    /// Fails unless `a` and `b` are equal: the same canonical form, or agreeing on random
    /// instances. A written solution never contains a step it could not confirm.
    fn confirm(&mut self, a: Id, b: Id) -> Result<(), DiffError> {
        if a == b {
            return Ok(());
        }
        match compare(self.pool, a, b, &CompareOptions::default()) {
            Comparison::AllAgreed { .. } => Ok(()),
            _ => Err(DiffError::Unsupported {
                what: format!(
                    "a worked solution: the derivation gives {} but the result is {} (please \
                     report this)",
                    unicode(self.pool, a),
                    unicode(self.pool, b)
                ),
            }),
        }
    }
}

/// The placeholders occurring in `formula` (operands whose differentials it uses), in order of
/// first appearance.
fn placeholders_in(pool: &Pool, formula: Id, stands_for: &HashMap<Id, Id>) -> Vec<Id> {
    let mut out = Vec::new();
    let mut seen: HashSet<Id> = HashSet::default();
    let mut stack = vec![formula];
    while let Some(e) = stack.pop() {
        if !seen.insert(e) {
            continue;
        }
        if let Some(&node) = stands_for.get(&e) {
            if !out.contains(&node) {
                out.push(node);
            }
            continue;
        }
        let children = pool.node(e).children();
        stack.extend(children.into_iter().rev());
    }
    out
}

fn substitution_reason(rules: &[Rule]) -> Reason {
    if rules.is_empty() {
        return Reason::new("substitution", "the differentials found above");
    }
    let named: Vec<String> = rules
        .iter()
        .map(|r| format!("{} ({})", r.name().replace('-', " "), r.statement()))
        .collect();
    Reason::new(
        "substitution and simplification",
        format!("the differentials found above; {}", named.join("; ")),
    )
}

fn gradient_of_partials() -> Option<Reason> {
    Some(Reason::new(
        "the gradient collects the partial derivatives",
        "∇f = [∂f/∂x₁; …; ∂f/∂xₖ]",
    ))
}

fn hessian_of_partials() -> Option<Reason> {
    Some(Reason::new(
        "the Hessian collects the second partial derivatives",
        "(∇²f)ᵢⱼ = ∂²f/∂xᵢ∂xⱼ",
    ))
}

fn hessian_identification() -> Option<Reason> {
    Some(Reason::new(
        "identification",
        "d(∇f) = H dx for every dx ⇔ ∇²f = H",
    ))
}

/// Does `f` depend on no free symbol other than `v`?
fn only_variable(pool: &Pool, f: Id, v: Id) -> bool {
    let mut stack = vec![f];
    let mut seen: HashSet<Id> = HashSet::default();
    while let Some(e) = stack.pop() {
        if !seen.insert(e) {
            continue;
        }
        if let Node::Sym(s) = pool.node(e) {
            if e != v && pool.symbol(*s).origin != SymbolOrigin::SumIndex {
                return false;
            }
        }
        stack.extend(pool.node(e).children());
    }
    true
}

/// A fresh direction symbol named after the variable (`dx`, `dX`), or `h`, `h₂`, … when taken.
fn direction_symbol(pool: &mut Pool, v: Id) -> Result<Id, DiffError> {
    let base = match pool.node(v) {
        Node::Sym(s) => pool.symbol(*s).name.clone(),
        _ => String::new(),
    };
    let shape = pool.shape(v).clone();
    let simple = base.chars().count() == 1 && base.chars().all(|c| c.is_ascii_alphabetic());
    let mut candidates = Vec::new();
    if simple && pool.lookup("d").is_none() {
        candidates.push(format!("d{base}"));
    }
    candidates.push("h".to_string());
    candidates.extend((2..10).map(|k| format!("h_{k}")));
    for name in candidates {
        if pool.lookup(&name).is_some() {
            continue;
        }
        if let Ok(s) = pool.declare(
            &name,
            shape.clone(),
            Assumptions::default(),
            SymbolOrigin::Declared,
        ) {
            return Ok(pool.symbol_expr(s));
        }
    }
    Err(DiffError::Unsupported {
        what: "no free name for a direction".into(),
    })
}

/// The declarations every equation needs: the pool's symbols (internal ones excepted).
fn declarations(pool: &Pool) -> (String, Vec<SymbolId>) {
    let mut parts = Vec::new();
    let mut ids = Vec::new();
    for (id, s) in pool.symbols() {
        if s.origin == SymbolOrigin::SumIndex || s.name.contains('·') {
            continue;
        }
        let mut decl = format!("{}: {}", s.name, print_shape(&s.shape, Dialect::Unicode));
        if s.assumptions.positive_definite {
            decl.push_str(" spd");
        } else if s.assumptions.symmetric {
            decl.push_str(" symmetric");
        }
        parts.push(decl);
        ids.push(id);
    }
    (parts.join(", "), ids)
}

fn unicode(pool: &Pool, id: Id) -> String {
    print(pool, id, &PrintOptions::unicode())
}
