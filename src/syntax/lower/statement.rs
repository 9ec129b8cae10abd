//! Statement lowering: declarations, definitions, claims (with the digits of `≈`), numeric
//! statements, and `name = value` bindings (with scalar broadcasting and concrete dimensions).

use super::infer::Root;
use super::{
    FunctionDef, LoweredClaim, LoweredMethod, LoweredStatement, LoweredStep, Lowerer, StepRelation,
};
use crate::expr::{Dim, Func, Id, Shape, SymbolId};
use crate::syntax::ast::{
    Binding, Claim, Expr, ExprKind, Ident, Method, MethodOption, Relation, Statement,
};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Zero};
use std::collections::BTreeMap;

impl Lowerer {
    /// Lowers one statement.
    pub(super) fn statement(&mut self, s: &Statement) -> Result<LoweredStatement, Diagnostic> {
        self.scope.start_statement();
        match s {
            Statement::Let { decls, span } => Ok(LoweredStatement::Let {
                symbols: self.scope.declare_decls(&mut self.pool, decls)?,
                span: *span,
            }),
            Statement::Define {
                name,
                params,
                body,
                span,
            } => self.define(name, params, body, *span),
            Statement::Claim(c) => self.claim(c).map(LoweredStatement::Claim),
            Statement::UnreadableClaim { diagnostic, .. } => Err(diagnostic.clone()),
            Statement::Descend {
                function,
                from,
                with,
                method,
                span,
            } => {
                let function = self.function_name(function)?;
                let (from, with) = (self.desugar_bindings(from), self.desugar_bindings(with));
                self.infer_bindings(&[&from, &with]);
                let mut groups = self.lower_binding_groups(&[&from, &with])?.into_iter();
                let (from, with) = (groups.next(), groups.next());
                Ok(LoweredStatement::Descend {
                    function,
                    from: from.unwrap_or_default(),
                    with: with.unwrap_or_default(),
                    method: self.method(method)?,
                    span: *span,
                })
            }
            Statement::Classify {
                function,
                at,
                with,
                span,
            } => {
                let function = self.function_name(function)?;
                let (at, with) = (self.desugar_bindings(at), self.desugar_bindings(with));
                self.infer_bindings(&[&at, &with]);
                let mut groups = self.lower_binding_groups(&[&at, &with])?.into_iter();
                let (at, with) = (groups.next(), groups.next());
                Ok(LoweredStatement::Classify {
                    function,
                    at: at.unwrap_or_default(),
                    with: with.unwrap_or_default(),
                    span: *span,
                })
            }
            Statement::Critical {
                function,
                with,
                span,
            } => {
                let function = self.function_name(function)?;
                let with = self.desugar_bindings(with);
                self.infer_bindings(&[&with]);
                let with = self.lower_binding_groups(&[&with])?.pop();
                Ok(LoweredStatement::Critical {
                    function,
                    with: with.unwrap_or_default(),
                    span: *span,
                })
            }
            Statement::Expr(e) => {
                let e = self.desugar(e);
                self.infer(&[Root::Expr(&e)]);
                let id = self.lower(&e)?;
                Ok(LoweredStatement::Expr { id, span: e.span })
            }
        }
    }

    fn infer_bindings(&mut self, groups: &[&[Binding]]) {
        let roots: Vec<Root<'_>> = groups
            .iter()
            .flat_map(|g| g.iter().map(Root::Binding))
            .collect();
        self.infer(&roots);
    }

    fn define(
        &mut self,
        name: &Ident,
        params: &[Ident],
        body: &Expr,
        span: Span,
    ) -> Result<LoweredStatement, Diagnostic> {
        if let Some(old) = self.functions.get(&name.name) {
            return Err(Diagnostic::new(
                DiagnosticKind::Redeclared,
                name.span,
                format!("{} is already defined", name.name),
            )
            .with_label(old.span, "first defined here")
            .with_hint("use a different name for the new function"));
        }
        if Func::from_name(&name.name).is_some() || ["sqrt", "inv", "norm"].contains(&&*name.name) {
            return Err(Diagnostic::new(
                DiagnosticKind::Redeclared,
                name.span,
                format!("{} is a built-in function", name.name),
            )
            .with_hint("use a different name for your function"));
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.name == p.name) {
                return Err(Diagnostic::new(
                    DiagnosticKind::BadArguments,
                    p.span,
                    format!("the parameter {} appears twice", p.name),
                ));
            }
        }
        self.scope.params = params.iter().map(|p| p.name.clone()).collect();
        let body = self.desugar(body);
        self.infer(&[Root::Expr(&body)]);
        let lowered = self.define_parts(params, &body);
        self.scope.params.clear();
        let (params, body) = lowered?;
        self.functions
            .insert(name.name.clone(), FunctionDef { params, body, span });
        Ok(LoweredStatement::Define {
            name: name.name.clone(),
            span,
        })
    }

    fn define_parts(
        &mut self,
        params: &[Ident],
        body: &Expr,
    ) -> Result<(Vec<SymbolId>, Id), Diagnostic> {
        let params = params
            .iter()
            .map(|p| self.symbol_for(&p.name, p.span))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((params, self.lower(body)?))
    }

    fn function_name(&self, ident: &Ident) -> Result<String, Diagnostic> {
        if self.functions.contains_key(&ident.name) {
            return Ok(ident.name.clone());
        }
        Err(Diagnostic::new(
            DiagnosticKind::UnknownName,
            ident.span,
            format!("{} is not a defined function", ident.name),
        )
        .with_hint(format!("define it first, e.g. {}(x) = …", ident.name)))
    }

    fn claim(&mut self, c: &Claim) -> Result<LoweredClaim, Diagnostic> {
        let first = self.desugar(&c.first);
        let steps: Vec<Expr> = c.steps.iter().map(|s| self.desugar(&s.expr)).collect();
        let at = self.desugar_bindings(&c.at);
        let mut roots = vec![Root::Chain(std::iter::once(&first).chain(&steps).collect())];
        roots.extend(at.iter().map(Root::Binding));
        self.infer(&roots);
        let first_id = self.lower(&first)?;
        let mut lowered = Vec::with_capacity(steps.len());
        for (step, e) in c.steps.iter().zip(&steps) {
            let relation = match step.relation {
                Relation::Equal => StepRelation::Equal,
                Relation::Approx => StepRelation::Approx {
                    decimals: decimals(e),
                },
            };
            lowered.push(LoweredStep {
                relation,
                expr: self.lower(e)?,
                span: step.span,
            });
        }
        let at = self.lower_binding_groups(&[&at])?.pop().unwrap_or_default();
        Ok(LoweredClaim {
            first: first_id,
            first_span: c.first.span,
            steps: lowered,
            at,
            span: c.span,
        })
    }

    fn method(&mut self, m: &Method) -> Result<LoweredMethod, Diagnostic> {
        let mut options = Vec::with_capacity(m.options.len());
        for o in &m.options {
            match o {
                MethodOption::Flag(name) => options.push((name.name.clone(), None)),
                MethodOption::Value(name, value) => {
                    let value = self.desugar(value);
                    let id = self.lower_scalar(&value, "a method option")?;
                    options.push((name.name.clone(), Some(id)));
                }
            }
        }
        Ok(LoweredMethod {
            name: m.name.name.clone(),
            options,
            span: m.span,
        })
    }

    /// Lowers groups of bindings that share one assignment of dimensions: a value may give a
    /// symbolic dimension a concrete size (`A = [1 2; 3 4; 5 6]` makes m = 3, n = 2), and a scalar
    /// value for a non-scalar symbol broadcasts (`x = 0` is the zero vector, `x = c` is c·𝟙).
    pub(super) fn lower_binding_groups(
        &mut self,
        groups: &[&[Binding]],
    ) -> Result<Vec<Vec<(SymbolId, Id)>>, Diagnostic> {
        let mut dims: BTreeMap<String, Dim> = BTreeMap::new();
        let mut out: Vec<Vec<(SymbolId, Id)>> = Vec::with_capacity(groups.len());
        let mut broadcasts: Vec<(usize, usize)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let mut lowered = Vec::with_capacity(group.len());
            for b in group.iter() {
                let Some(s) = self.pool.lookup(&b.name.name) else {
                    return Err(Diagnostic::new(
                        DiagnosticKind::UnknownName,
                        b.name.span,
                        format!("{} is not a variable here", b.name.name),
                    )
                    .with_hint(format!(
                        "declare it with let {}: …, or give a value only to variables that occur",
                        b.name.name
                    )));
                };
                let value = self.lower(&b.value)?;
                let target = self.pool.symbol(s).shape.clone();
                let got = self.pool.shape(value).clone();
                if got != target {
                    if got.is_scalar() {
                        broadcasts.push((g, lowered.len()));
                    } else if !(unify(&target.rows, &got.rows, &mut dims)
                        && unify(&target.cols, &got.cols, &mut dims))
                    {
                        return Err(Diagnostic::new(
                            DiagnosticKind::ShapeMismatch,
                            b.value.span,
                            format!(
                                "the value given for {} is {got}, but {} is {target}",
                                b.name.name, b.name.name
                            ),
                        )
                        .with_primary_message(format!("this is {got}"))
                        .with_label(b.name.span, format!("{} is {target}", b.name.name))
                        .with_hint(
                            "values must fit the declared shapes, with one size per dimension",
                        ));
                    }
                }
                lowered.push((s, value));
            }
            out.push(lowered);
        }
        for (g, i) in broadcasts {
            let Some(&(s, value)) = out.get(g).and_then(|v| v.get(i)) else {
                continue;
            };
            let target = self.pool.symbol(s).shape.clone();
            let shape = Shape::matrix(
                substitute_dim(&target.rows, &dims),
                substitute_dim(&target.cols, &dims),
            );
            let filled = if self.pool.is_zero(value) {
                self.pool.zero(shape)
            } else {
                let ones = self.pool.ones(shape);
                self.pool.mul(&[value, ones])
            };
            if let Some(slot) = out.get_mut(g).and_then(|v| v.get_mut(i)) {
                slot.1 = filled;
            }
        }
        Ok(out)
    }
}

/// Matches a declared dimension against a value's: equal, or a single dimension symbol that
/// takes the value's size (consistently across the bindings).
fn unify(target: &Dim, got: &Dim, dims: &mut BTreeMap<String, Dim>) -> bool {
    if target == got {
        return true;
    }
    let [name] = target.symbols.as_slice() else {
        return false;
    };
    if target.coeff != 1 {
        return false;
    }
    match dims.get(name) {
        Some(d) => d == got,
        None => {
            dims.insert(name.clone(), got.clone());
            true
        }
    }
}

/// A dimension with the sizes bound by values substituted.
fn substitute_dim(d: &Dim, dims: &BTreeMap<String, Dim>) -> Dim {
    d.symbols
        .iter()
        .try_fold(Dim::known(d.coeff), |acc, s| {
            acc.times(
                &dims
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| Dim::symbol(s.clone())),
            )
        })
        .unwrap_or_else(|| d.clone())
}

/// The most decimal places among the number literals of an expression (0 for integers).
pub(super) fn decimals(e: &Expr) -> u32 {
    let own = match &e.kind {
        ExprKind::Number(n) => decimal_places(n.denom()),
        _ => 0,
    };
    super::desugar::children(e)
        .into_iter()
        .map(decimals)
        .fold(own, u32::max)
}

/// The k with `denominator | 10^k` (0 if there is none, e.g. for thirds).
fn decimal_places(denominator: &BigInt) -> u32 {
    let mut d = denominator.clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut twos, mut fives) = (0u32, 0u32);
    while !d.is_zero() && d.is_multiple_of(&two) {
        d /= &two;
        twos += 1;
    }
    while !d.is_zero() && d.is_multiple_of(&five) {
        d /= &five;
        fives += 1;
    }
    if d.is_one() || (-d).is_one() {
        twos.max(fives)
    } else {
        0
    }
}
