//! Lowering of hand-built syntax trees: name resolution, shape inference, derivative nodes,
//! claims and bindings, and the diagnostics for malformed input.

use nabla::expr::{Dim, Id, Node, Pool, Shape, SymbolOrigin};
use nabla::syntax::ast::*;
use nabla::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use nabla::syntax::span::Span;
use nabla::syntax::{
    declare, lower_program, Layout, LowerOptions, Lowered, LoweredStatement, StepRelation,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::cell::Cell;

// ---------- builders ----------

thread_local! {
    static NEXT: Cell<usize> = const { Cell::new(1) };
}

/// A fresh, distinct span.
fn sp() -> Span {
    NEXT.with(|n| {
        let k = n.get();
        n.set(k + 1);
        Span::new(k * 10, k * 10 + 5)
    })
}

fn ex(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}
fn num(i: i64) -> Expr {
    ex(ExprKind::Number(BigRational::from_integer(BigInt::from(i))))
}
fn ratio(n: i64, d: i64) -> Expr {
    ex(ExprKind::Number(BigRational::new(
        BigInt::from(n),
        BigInt::from(d),
    )))
}
fn name(n: &str) -> Expr {
    ex(ExprKind::Name(n.to_string()))
}
fn ident(n: &str) -> Ident {
    Ident {
        name: n.to_string(),
        span: sp(),
    }
}
fn subscript(base: &str, index: Expr) -> Expr {
    ex(ExprKind::Subscript {
        base: Box::new(name(base)),
        index: Box::new(index),
    })
}
fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    ex(ExprKind::Binary {
        op,
        lhs: Box::new(a),
        rhs: Box::new(b),
    })
}
fn add(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Add, a, b)
}
fn sub(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Sub, a, b)
}
fn mul(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Mul, a, b)
}
fn div(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Div, a, b)
}
fn pow(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Pow, a, b)
}
fn had(a: Expr, b: Expr) -> Expr {
    bin(BinaryOp::Hadamard, a, b)
}
fn neg(a: Expr) -> Expr {
    ex(ExprKind::Unary {
        op: UnaryOp::Neg,
        operand: Box::new(a),
    })
}
fn t(a: Expr) -> Expr {
    ex(ExprKind::Postfix {
        op: PostfixOp::Transpose,
        operand: Box::new(a),
    })
}
fn call(f: &str, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Call {
        function: ident(f),
        args,
    })
}
fn norm(a: Expr) -> Expr {
    ex(ExprKind::Norm {
        kind: NormKind::Two,
        arg: Box::new(a),
    })
}
fn mat(rows: Vec<Vec<Expr>>) -> Expr {
    ex(ExprKind::Matrix(rows))
}
fn col(entries: Vec<i64>) -> Expr {
    mat(entries.into_iter().map(|e| vec![num(e)]).collect())
}
fn identity() -> Expr {
    ex(ExprKind::Identity)
}
fn ones() -> Expr {
    ex(ExprKind::Ones)
}
fn sum(i: &str, lo: Expr, hi: Expr, body: Expr) -> Expr {
    ex(ExprKind::Sum {
        index: ident(i),
        lower: Box::new(lo),
        upper: Box::new(hi),
        body: Box::new(body),
    })
}
fn deriv(kind: DerivativeKind, body: Expr, wrt: Vec<Expr>, direction: Option<Expr>) -> Expr {
    ex(ExprKind::Derivative(Box::new(Derivative {
        kind,
        body,
        wrt,
        direction,
    })))
}
fn grad(body: Expr, wrt: Vec<Expr>) -> Expr {
    deriv(DerivativeKind::Gradient, body, wrt, None)
}
fn bind(n: &str, value: Expr) -> Binding {
    Binding {
        name: ident(n),
        value,
        span: sp(),
    }
}
fn at(body: Expr, bindings: Vec<Binding>) -> Expr {
    ex(ExprKind::At {
        body: Box::new(body),
        bindings,
    })
}

fn ty(kind: TypeKind) -> Type {
    Type {
        kind,
        symmetric: false,
        spd: false,
        span: sp(),
    }
}
fn scalar_t() -> Type {
    ty(TypeKind::Scalar)
}
fn dim_e(d: &str) -> DimExpr {
    match d.parse::<u64>() {
        Ok(k) => DimExpr::Known(k, sp()),
        Err(_) => DimExpr::Symbol(ident(d)),
    }
}
fn vec_t(n: &str) -> Type {
    ty(TypeKind::Vector(dim_e(n)))
}
fn mat_t(m: &str, n: &str) -> Type {
    ty(TypeKind::Matrix(dim_e(m), dim_e(n)))
}
fn decl(names: &[&str], ty: Type) -> Decl {
    Decl {
        names: names.iter().map(|n| ident(n)).collect(),
        ty,
        span: sp(),
    }
}
fn let_(decls: Vec<Decl>) -> Statement {
    Statement::Let { decls, span: sp() }
}
fn define(f: &str, params: &[&str], body: Expr) -> Statement {
    Statement::Define {
        name: ident(f),
        params: params.iter().map(|p| ident(p)).collect(),
        body,
        span: sp(),
    }
}
fn claim(first: Expr, steps: Vec<(Relation, Expr)>, at: Vec<Binding>) -> Statement {
    Statement::Claim(Claim {
        first,
        steps: steps
            .into_iter()
            .map(|(relation, expr)| Step {
                relation,
                expr,
                span: sp(),
            })
            .collect(),
        at,
        span: sp(),
    })
}
fn eq(first: Expr, second: Expr) -> Statement {
    claim(first, vec![(Relation::Equal, second)], vec![])
}

fn n() -> Dim {
    Dim::symbol("n")
}
fn m() -> Dim {
    Dim::symbol("m")
}

// ---------- running ----------

fn run_with(statements: Vec<Statement>, layout: Layout) -> Result<Lowered, Diagnostic> {
    lower_program(
        &Program { statements },
        Pool::new(),
        &LowerOptions { layout },
    )
}
fn run(statements: Vec<Statement>) -> Lowered {
    match run_with(statements, Layout::Numerator) {
        Ok(l) => l,
        Err(d) => panic!("unexpected diagnostic: {d:?}"),
    }
}
fn fail(statements: Vec<Statement>) -> Diagnostic {
    match run_with(statements, Layout::Numerator) {
        Ok(_) => panic!("expected a diagnostic"),
        Err(d) => d,
    }
}
/// The id of the last bare-expression statement.
fn last(l: &Lowered) -> Id {
    l.statements
        .iter()
        .rev()
        .find_map(|s| match s {
            LoweredStatement::Expr { id, .. } => Some(*id),
            _ => None,
        })
        .expect("an expression statement")
}
/// The sides of the last claim.
fn claim_ids(l: &Lowered) -> (Id, Vec<Id>) {
    l.statements
        .iter()
        .rev()
        .find_map(|s| match s {
            LoweredStatement::Claim(c) => Some((c.first, c.steps.iter().map(|s| s.expr).collect())),
            _ => None,
        })
        .expect("a claim")
}
fn sym_shape(l: &Lowered, s: &str) -> Shape {
    let id = l.pool.lookup(s).unwrap_or_else(|| panic!("no symbol {s}"));
    l.pool.symbol(id).shape.clone()
}
fn sym(l: &mut Lowered, s: &str) -> Id {
    let id = l.pool.lookup(s).expect("symbol");
    l.pool.symbol_expr(id)
}
fn label_spans(d: &Diagnostic) -> Vec<Span> {
    d.labels.iter().map(|l| l.span).collect()
}
fn std_decls() -> Statement {
    let_(vec![
        decl(&["A"], mat_t("m", "n")),
        decl(&["b"], vec_t("m")),
        decl(&["x"], vec_t("n")),
    ])
}

// ---------- declarations ----------

#[test]
fn let_declares_shapes_and_assumptions() {
    let mut spd = mat_t("n", "n");
    spd.spd = true;
    let l = run(vec![
        std_decls(),
        let_(vec![decl(&["S"], spd), decl(&["a", "c"], scalar_t())]),
    ]);
    assert_eq!(sym_shape(&l, "A"), Shape::matrix(m(), n()));
    assert_eq!(sym_shape(&l, "x"), Shape::vector(n()));
    assert!(sym_shape(&l, "a").is_scalar());
    let s = l.pool.symbol(l.pool.lookup("S").unwrap());
    assert!(s.assumptions.symmetric && s.assumptions.positive_definite);
    assert_eq!(s.origin, SymbolOrigin::Declared);
    assert!(
        matches!(&l.statements[1], LoweredStatement::Let { symbols, .. } if symbols.len() == 3)
    );
}

#[test]
fn symmetric_on_non_square_type_points_at_the_type() {
    let mut ty = mat_t("m", "n");
    ty.symmetric = true;
    let ty_span = ty.span;
    let d = fail(vec![let_(vec![decl(&["A"], ty)])]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), ty_span);
    assert!(d.message.contains("square"), "{}", d.message);
}

#[test]
fn redeclaration_with_another_type_labels_both_places() {
    let first = decl(&["x"], vec_t("n"));
    let first_span = first.names[0].span;
    let second = decl(&["x"], vec_t("m"));
    let second_span = second.names[0].span;
    let d = fail(vec![let_(vec![first]), let_(vec![second])]);
    assert_eq!(d.kind, DiagnosticKind::Redeclared);
    assert_eq!(label_spans(&d), vec![second_span, first_span]);
    assert!(
        d.message.contains("ℝ^n") && d.message.contains("ℝ^m"),
        "{}",
        d.message
    );
}

#[test]
fn redeclaration_with_the_same_type_is_fine() {
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        let_(vec![decl(&["x"], vec_t("n"))]),
    ]);
    assert_eq!(sym_shape(&l, "x"), Shape::vector(n()));
}

#[test]
fn declare_for_command_line_lets() {
    let mut pool = Pool::new();
    let syms = declare(
        &mut pool,
        &[decl(&["W"], mat_t("m", "n")), decl(&["k"], vec_t("3"))],
    )
    .expect("declares");
    assert_eq!(syms.len(), 2);
    assert_eq!(pool.symbol(syms[1]).shape, Shape::vector(Dim::known(3)));
    // The program then sees them as declared.
    let l = lower_program(
        &Program {
            statements: vec![Statement::Expr(mul(name("W"), name("v")))],
        },
        pool,
        &LowerOptions::default(),
    )
    .expect("lowers");
    assert_eq!(l.pool.shape(last(&l)), &Shape::matrix(m(), n()));
}

// ---------- shape inference ----------

#[test]
fn ax_minus_b_infers_b() {
    let l = run(vec![
        let_(vec![
            decl(&["A"], mat_t("m", "n")),
            decl(&["x"], vec_t("n")),
        ]),
        Statement::Expr(sub(mul(name("A"), name("x")), name("b"))),
    ]);
    assert_eq!(sym_shape(&l, "b"), Shape::vector(m()));
    let b = l.pool.symbol(l.pool.lookup("b").unwrap());
    assert_eq!(b.origin, SymbolOrigin::Inferred);
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(m()));
}

#[test]
fn inner_product_in_scalar_context_infers_vector() {
    // claim bᵀx = 3 with x ∈ ℝⁿ makes b ∈ ℝⁿ.
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        eq(mul(t(name("b")), name("x")), num(3)),
    ]);
    assert_eq!(sym_shape(&l, "b"), Shape::vector(n()));
}

#[test]
fn norm_of_residual_infers_b() {
    let l = run(vec![
        let_(vec![
            decl(&["A"], mat_t("m", "n")),
            decl(&["x"], vec_t("n")),
        ]),
        Statement::Expr(pow(norm(sub(mul(name("A"), name("x")), name("b"))), num(2))),
    ]);
    assert_eq!(sym_shape(&l, "b"), Shape::vector(m()));
    assert!(l.pool.shape(last(&l)).is_scalar());
}

#[test]
fn quadratic_form_infers_linear_term_and_constant() {
    // xᵀAx + bᵀx + c
    let l = run(vec![
        let_(vec![
            decl(&["A"], mat_t("n", "n")),
            decl(&["x"], vec_t("n")),
        ]),
        Statement::Expr(add(
            add(
                mul(mul(t(name("x")), name("A")), name("x")),
                mul(t(name("b")), name("x")),
            ),
            name("c"),
        )),
    ]);
    assert_eq!(sym_shape(&l, "b"), Shape::vector(n()));
    assert!(sym_shape(&l, "c").is_scalar());
}

#[test]
fn data_fit_infers_targets() {
    let l = run(vec![
        let_(vec![
            decl(&["X"], mat_t("N", "d")),
            decl(&["w"], vec_t("d")),
        ]),
        Statement::Expr(sub(mul(name("X"), name("w")), name("y"))),
    ]);
    assert_eq!(sym_shape(&l, "y"), Shape::vector(Dim::symbol("N")));
}

#[test]
fn scalar_is_preferred_for_a_coefficient_then_sibling_is_forced() {
    // c·x + y with x ∈ ℝⁿ: c defaults to a scalar, then y ∈ ℝⁿ.
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        Statement::Expr(add(mul(name("c"), name("x")), name("y"))),
    ]);
    assert!(sym_shape(&l, "c").is_scalar());
    assert_eq!(sym_shape(&l, "y"), Shape::vector(n()));
}

#[test]
fn inferred_shape_persists_across_statements() {
    let l = run(vec![
        std_decls(),
        Statement::Expr(sub(mul(name("A"), name("x")), name("r"))),
        Statement::Expr(mul(t(name("r")), name("r"))),
    ]);
    assert_eq!(sym_shape(&l, "r"), Shape::vector(m()));
    assert!(l.pool.shape(last(&l)).is_scalar());
}

#[test]
fn claim_between_known_conflicting_shapes_lowers() {
    // claim J(Wx, x) = Wᵀ: the checker, not the lowering, reports the layout.
    let l = run(vec![
        let_(vec![
            decl(&["W"], mat_t("m", "n")),
            decl(&["x"], vec_t("n")),
        ]),
        eq(
            deriv(
                DerivativeKind::Jacobian,
                mul(name("W"), name("x")),
                vec![name("x")],
                None,
            ),
            t(name("W")),
        ),
    ]);
    let (first, steps) = claim_ids(&l);
    assert_eq!(l.pool.shape(first), &Shape::matrix(m(), n()));
    assert_eq!(l.pool.shape(steps[0]), &Shape::matrix(n(), m()));
}

#[test]
fn claim_sides_infer_unknowns() {
    // claim ∇ₓ(xᵀx) = 2v: v takes the gradient's shape.
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        eq(
            grad(mul(t(name("x")), name("x")), vec![name("x")]),
            mul(num(2), name("v")),
        ),
    ]);
    assert_eq!(sym_shape(&l, "v"), Shape::vector(n()));
}

#[test]
fn zero_adapts_to_its_context() {
    let mut l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        Statement::Expr(add(name("x"), num(0))),
        Statement::Expr(num(0)),
    ]);
    let x = sym(&mut l, "x");
    match &l.statements[1] {
        LoweredStatement::Expr { id, .. } => assert_eq!(*id, x),
        other => panic!("{other:?}"),
    }
    assert!(l.pool.is_zero(last(&l)) && l.pool.is_scalar(last(&l)));
}

#[test]
fn identity_and_ones_take_their_size_from_context() {
    let l = run(vec![
        let_(vec![
            decl(&["X"], mat_t("N", "d")),
            decl(&["α"], scalar_t()),
            decl(&["v"], vec_t("n")),
        ]),
        Statement::Expr(add(
            mul(t(name("X")), name("X")),
            mul(name("α"), identity()),
        )),
        Statement::Expr(sub(ones(), name("v"))),
    ]);
    let d = Dim::symbol("d");
    match &l.statements[1] {
        LoweredStatement::Expr { id, .. } => {
            assert_eq!(l.pool.shape(*id), &Shape::matrix(d.clone(), d.clone()));
            assert!(l.pool.find(&Node::Identity(Box::new(d))).is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(n()));
    assert!(l
        .pool
        .find(&Node::Ones(Box::new(Shape::vector(n()))))
        .is_some());
}

#[test]
fn identity_without_context_is_an_unknown_shape() {
    let i = identity();
    let i_span = i.span;
    let d = fail(vec![Statement::Expr(i)]);
    assert_eq!(d.kind, DiagnosticKind::UnknownShape);
    assert_eq!(d.span(), i_span);
}

#[test]
fn dimension_name_is_a_value() {
    let l = run(vec![
        let_(vec![decl(&["X"], mat_t("N", "d"))]),
        Statement::Expr(div(num(1), name("N"))),
    ]);
    let id = last(&l);
    let Node::Pow(base, _) = l.pool.node(id) else {
        panic!("{:?}", l.pool.node(id))
    };
    assert_eq!(
        l.pool.node(*base),
        &Node::DimValue(Box::new(Dim::symbol("N")))
    );
    assert!(l.pool.lookup("N").is_none());
}

// ---------- names, calls, functions ----------

#[test]
fn variable_call_is_a_product() {
    let mut l = run(vec![
        std_decls(),
        Statement::Expr(call("A", vec![name("x")])),
        Statement::Expr(mul(name("A"), name("x"))),
    ]);
    let a = match &l.statements[1] {
        LoweredStatement::Expr { id, .. } => *id,
        other => panic!("{other:?}"),
    };
    assert_eq!(a, last(&l));
    let (ai, xi) = (sym(&mut l, "A"), sym(&mut l, "x"));
    assert_eq!(l.pool.node(a), &Node::Mul(vec![ai, xi].into()));
}

#[test]
fn function_call_substitutes_arguments() {
    // f(x) = ½‖Ax − b‖²; f(y) is the same expression in y.
    let half_norm = |v: &str| {
        mul(
            ratio(1, 2),
            pow(norm(sub(mul(name("A"), name(v)), name("b"))), num(2)),
        )
    };
    let l = run(vec![
        std_decls(),
        let_(vec![decl(&["y"], vec_t("n"))]),
        define("f", &["x"], half_norm("x")),
        Statement::Expr(call("f", vec![name("y")])),
        Statement::Expr(half_norm("y")),
    ]);
    let called = match &l.statements[3] {
        LoweredStatement::Expr { id, .. } => *id,
        other => panic!("{other:?}"),
    };
    assert_eq!(called, last(&l));
    let f = &l.functions["f"];
    assert_eq!(f.params, vec![l.pool.lookup("x").unwrap()]);
    assert!(l.pool.shape(f.body).is_scalar());
}

#[test]
fn function_arguments_are_substituted_simultaneously() {
    // g(x, y) = x − 2y; g(y, x) = y − 2x.
    let l = run(vec![
        define("g", &["x", "y"], sub(name("x"), mul(num(2), name("y")))),
        Statement::Expr(call("g", vec![name("y"), name("x")])),
        Statement::Expr(sub(name("y"), mul(num(2), name("x")))),
    ]);
    let called = match &l.statements[1] {
        LoweredStatement::Expr { id, .. } => *id,
        other => panic!("{other:?}"),
    };
    assert_eq!(called, last(&l));
}

#[test]
fn parameters_are_inferred_from_the_body() {
    let l = run(vec![
        let_(vec![decl(&["X"], mat_t("N", "d"))]),
        define(
            "L",
            &["w", "y"],
            pow(norm(sub(mul(name("X"), name("w")), name("y"))), num(2)),
        ),
    ]);
    // w is scalar by default (X·w is then N×d) and y follows X·w.
    assert!(sym_shape(&l, "w").is_scalar());
    assert_eq!(
        sym_shape(&l, "y"),
        Shape::matrix(Dim::symbol("N"), Dim::symbol("d"))
    );
}

#[test]
fn parameter_called_like_a_function_multiplies() {
    // L(x, λ) = xᵀx + λ(xᵀx − 1)
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        define(
            "L",
            &["x", "λ"],
            add(
                mul(t(name("x")), name("x")),
                call("λ", vec![sub(mul(t(name("x")), name("x")), num(1))]),
            ),
        ),
    ]);
    assert!(l.pool.shape(l.functions["L"].body).is_scalar());
    assert!(sym_shape(&l, "λ").is_scalar());
}

#[test]
fn calling_with_the_wrong_number_of_arguments() {
    let def = define("g", &["x"], pow(name("x"), num(2)));
    let def_span = match &def {
        Statement::Define { span, .. } => *span,
        _ => unreachable!(),
    };
    let c = call("g", vec![name("x"), name("y")]);
    let c_span = c.span;
    let d = fail(vec![def, Statement::Expr(c)]);
    assert_eq!(d.kind, DiagnosticKind::BadArguments);
    assert_eq!(label_spans(&d), vec![c_span, def_span]);
    assert!(d.message.contains("1 argument"), "{}", d.message);
}

#[test]
fn unknown_function_is_named_with_a_hint() {
    let c = call("h", vec![name("x")]);
    let ExprKind::Call { function, .. } = &c.kind else {
        unreachable!()
    };
    let f_span = function.span;
    let d = fail(vec![Statement::Expr(c)]);
    assert_eq!(d.kind, DiagnosticKind::UnknownName);
    assert_eq!(d.span(), f_span);
    assert!(d.message.contains('h'));
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("h(x) =")));
}

#[test]
fn builtin_shape_rules() {
    let l = run(vec![
        std_decls(),
        let_(vec![decl(&["S"], mat_t("n", "n"))]),
        Statement::Expr(call("sin", vec![name("x")])),
        Statement::Expr(call("tr", vec![name("S")])),
    ]);
    assert!(l.pool.shape(last(&l)).is_scalar());
    match &l.statements[2] {
        LoweredStatement::Expr { id, .. } => assert_eq!(l.pool.shape(*id), &Shape::vector(n())),
        other => panic!("{other:?}"),
    }
    let arg = name("A");
    let arg_span = arg.span;
    let d = fail(vec![std_decls(), Statement::Expr(call("det", vec![arg]))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), arg_span);
    let d = fail(vec![
        std_decls(),
        Statement::Expr(call("softmax", vec![name("A")])),
    ]);
    assert!(d.message.contains("vector"), "{}", d.message);
    let d = fail(vec![Statement::Expr(call(
        "exp",
        vec![name("a"), name("b")],
    ))]);
    assert_eq!(d.kind, DiagnosticKind::BadArguments);
}

// ---------- subscripts and sums ----------

#[test]
fn subscript_of_a_declared_vector_is_a_component() {
    let mut l = run(vec![
        let_(vec![decl(&["x"], vec_t("3"))]),
        Statement::Expr(subscript("x", num(2))),
    ]);
    let x = sym(&mut l, "x");
    let two = l.pool.int(2);
    assert_eq!(l.pool.node(last(&l)), &Node::Component(x, vec![two].into()));
    let idx = num(4);
    let idx_span = idx.span;
    let d = fail(vec![
        let_(vec![decl(&["x"], vec_t("3"))]),
        Statement::Expr(subscript("x", idx)),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), idx_span);
}

#[test]
fn declared_subscripted_name_wins_over_component() {
    let mut l = run(vec![
        let_(vec![decl(&["x"], vec_t("n")), decl(&["x_1"], scalar_t())]),
        Statement::Expr(subscript("x", num(1))),
    ]);
    let x1 = sym(&mut l, "x_1");
    assert_eq!(last(&l), x1);
}

#[test]
fn subscript_of_an_undeclared_name_is_a_scalar_symbol() {
    let mut l = run(vec![Statement::Expr(mul(
        subscript("x", num(1)),
        subscript("x", num(2)),
    ))]);
    assert!(sym_shape(&l, "x_1").is_scalar());
    assert!(l.pool.lookup("x").is_none());
    let (a, b) = (sym(&mut l, "x_1"), sym(&mut l, "x_2"));
    let expected = l.pool.mul(&[a, b]);
    assert_eq!(last(&l), expected);
}

#[test]
fn two_letter_subscript_of_a_matrix_is_an_entry() {
    // ∑_{i=1}^{m} ∑_{j=1}^{n} W_{ij}
    let l = run(vec![
        let_(vec![decl(&["W"], mat_t("m", "n"))]),
        Statement::Expr(sum(
            "i",
            num(1),
            name("m"),
            sum("j", num(1), name("n"), subscript("W", name("ij"))),
        )),
    ]);
    let id = last(&l);
    let Node::Sum { body, .. } = l.pool.node(id) else {
        panic!()
    };
    let Node::Sum { body, .. } = l.pool.node(*body) else {
        panic!()
    };
    let Node::Component(_, idx) = l.pool.node(*body) else {
        panic!("{:?}", l.pool.node(*body))
    };
    assert_eq!(idx.len(), 2);
}

#[test]
fn sum_over_data_infers_vectors() {
    // ∑_{i=1}^{N} (yᵢ − w xᵢ − b)²
    let l = run(vec![Statement::Expr(sum(
        "i",
        num(1),
        name("N"),
        pow(
            sub(
                sub(
                    subscript("y", name("i")),
                    mul(name("w"), subscript("x", name("i"))),
                ),
                name("b"),
            ),
            num(2),
        ),
    ))]);
    let big_n = Shape::vector(Dim::symbol("N"));
    assert_eq!(sym_shape(&l, "y"), big_n);
    assert_eq!(sym_shape(&l, "x"), big_n);
    assert!(sym_shape(&l, "w").is_scalar() && sym_shape(&l, "b").is_scalar());
    let i = l.pool.symbol(l.pool.lookup("i").unwrap());
    assert_eq!(i.origin, SymbolOrigin::SumIndex);
    let id = last(&l);
    assert!(l.pool.is_scalar(id));
    let Node::Sum { upper, .. } = l.pool.node(id) else {
        panic!()
    };
    assert_eq!(
        l.pool.node(*upper),
        &Node::DimValue(Box::new(Dim::symbol("N")))
    );
}

// ---------- operator shape errors ----------

#[test]
fn inner_dimension_mismatch_labels_both_factors() {
    let (a, x) = (name("A"), name("x"));
    let (a_span, x_span) = (a.span, x.span);
    let d = fail(vec![
        let_(vec![
            decl(&["A"], mat_t("m", "n")),
            decl(&["x"], vec_t("m")),
        ]),
        Statement::Expr(mul(a, x)),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(label_spans(&d), vec![a_span, x_span]);
    assert_eq!(d.labels[0].message, "A is ℝ^(m×n)");
    assert_eq!(d.labels[1].message, "x is ℝ^m");
    assert!(
        d.message.contains('n') && d.message.contains('m'),
        "{}",
        d.message
    );
    assert_eq!(d.hint.as_deref(), Some("declare x: ℝ^n"));
}

#[test]
fn adding_a_vector_to_a_matrix() {
    let (a, x) = (name("A"), name("x"));
    let (a_span, x_span) = (a.span, x.span);
    let d = fail(vec![std_decls(), Statement::Expr(add(a, x))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(label_spans(&d), vec![a_span, x_span]);
    assert!(d.message.contains("ℝ^(m×n)") && d.message.contains("ℝ^n"));
}

#[test]
fn power_of_a_vector_suggests_inner_or_elementwise_product() {
    let x = name("x");
    let x_span = x.span;
    let d = fail(vec![std_decls(), Statement::Expr(pow(x, num(2)))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), x_span);
    let hint = d.hint.unwrap_or_default();
    assert!(hint.contains("xᵀx") && hint.contains("x ⊙ x"), "{hint}");
}

#[test]
fn a_scalar_added_to_a_vector_suggests_the_ones_vector() {
    let d = fail(vec![std_decls(), Statement::Expr(add(num(1), name("x")))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    let hint = d.hint.unwrap_or_default();
    assert!(hint.contains("𝟙 + x"), "{hint}");
    let d = fail(vec![std_decls(), Statement::Expr(add(name("A"), num(2)))]);
    let hint = d.hint.unwrap_or_default();
    assert!(hint.contains("cI"), "{hint}");
}

#[test]
fn power_of_a_square_matrix() {
    let l = run(vec![
        let_(vec![decl(&["S"], mat_t("n", "n"))]),
        Statement::Expr(pow(name("S"), num(3))),
    ]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::matrix(n(), n()));
}

#[test]
fn exponent_beyond_the_limit() {
    let e = num(999_999_999);
    let e_span = e.span;
    let d = fail(vec![Statement::Expr(pow(name("x"), e))]);
    assert_eq!(d.kind, DiagnosticKind::LimitExceeded);
    assert_eq!(d.span(), e_span);
}

#[test]
fn dividing_by_a_vector_is_entrywise() {
    let l = run(vec![std_decls(), Statement::Expr(div(num(1), name("x")))]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(n()));
    assert!(matches!(l.pool.node(last(&l)), Node::HadamardPow(..)));
    // By a vector of another shape, or by a matrix, it is an error at the divisor.
    let b = name("b");
    let b_span = b.span;
    let d = fail(vec![std_decls(), Statement::Expr(div(name("x"), b))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), b_span);
    let a = name("A");
    let a_span = a.span;
    let d = fail(vec![std_decls(), Statement::Expr(div(num(1), a))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), a_span);
}

#[test]
fn hadamard_needs_equal_shapes() {
    let l = run(vec![
        std_decls(),
        Statement::Expr(had(name("x"), name("x"))),
    ]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(n()));
    let d = fail(vec![
        std_decls(),
        Statement::Expr(had(name("x"), name("b"))),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.labels.len(), 2);
}

#[test]
fn matrix_literal_shape_and_ragged_rows() {
    let l = run(vec![Statement::Expr(mat(vec![
        vec![num(1), num(2)],
        vec![num(3), num(4)],
        vec![num(5), neg(num(6))],
    ]))]);
    assert_eq!(
        l.pool.shape(last(&l)),
        &Shape::matrix(Dim::known(3), Dim::known(2))
    );
    let short = num(3);
    let short_span = short.span;
    let d = fail(vec![Statement::Expr(mat(vec![
        vec![num(1), num(2)],
        vec![short],
    ]))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), short_span);
    assert!(d.message.contains("row 2"), "{}", d.message);
}

#[test]
fn block_matrices_are_unsupported() {
    let d = fail(vec![
        std_decls(),
        Statement::Expr(mat(vec![vec![name("x"), num(1)]])),
    ]);
    assert_eq!(d.kind, DiagnosticKind::Unsupported);
    assert!(d.message.contains("block"));
}

#[test]
fn inverse_needs_a_square_matrix() {
    let d = fail(vec![
        std_decls(),
        Statement::Expr(ex(ExprKind::Postfix {
            op: PostfixOp::Inverse,
            operand: Box::new(name("A")),
        })),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert!(d.hint.unwrap_or_default().contains('⁺'));
}

// ---------- derivatives ----------

fn least_squares() -> Vec<Statement> {
    vec![
        std_decls(),
        define(
            "f",
            &["x"],
            mul(
                ratio(1, 2),
                pow(norm(sub(mul(name("A"), name("x")), name("b"))), num(2)),
            ),
        ),
    ]
}

fn derivative_node(l: &Lowered, id: Id) -> nabla::expr::Derivative {
    match l.pool.node(id) {
        Node::Derivative(d) => (**d).clone(),
        other => panic!("not a derivative: {other:?}"),
    }
}

#[test]
fn gradient_of_a_defined_function() {
    let mut st = least_squares();
    st.push(Statement::Expr(grad(call("f", vec![name("x")]), vec![])));
    let mut l = run(st);
    let id = last(&l);
    assert_eq!(l.pool.shape(id), &Shape::vector(n()));
    let d = derivative_node(&l, id);
    assert_eq!(d.kind, DerivativeKind::Gradient);
    let x = sym(&mut l, "x");
    assert_eq!(&*d.wrt, &[x]);
    assert_eq!(d.expr, l.functions["f"].body);
}

#[test]
fn gradient_of_a_vector_function_is_an_error() {
    let body = mul(name("A"), name("x"));
    let body_span = body.span;
    let d = fail(vec![
        std_decls(),
        Statement::Expr(grad(body, vec![name("x")])),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), body_span);
    assert!(d.hint.unwrap_or_default().contains("J("));
}

#[test]
fn gradient_and_hessian_with_respect_to_scalars() {
    // f(x, y) = (1 − x)² + 100(y − x²)²
    let rosen = add(
        pow(sub(num(1), name("x")), num(2)),
        mul(
            num(100),
            pow(sub(name("y"), pow(name("x"), num(2))), num(2)),
        ),
    );
    let mut l = run(vec![
        let_(vec![decl(&["x", "y"], scalar_t())]),
        define("f", &["x", "y"], rosen),
        Statement::Expr(grad(call("f", vec![name("x"), name("y")]), vec![])),
        Statement::Expr(deriv(
            DerivativeKind::Hessian,
            call("f", vec![name("x"), name("y")]),
            vec![],
            None,
        )),
    ]);
    let two = Dim::known(2);
    match &l.statements[2] {
        LoweredStatement::Expr { id, .. } => {
            assert_eq!(l.pool.shape(*id), &Shape::vector(two.clone()))
        }
        other => panic!("{other:?}"),
    }
    let h = last(&l);
    assert_eq!(l.pool.shape(h), &Shape::matrix(two.clone(), two));
    let (x, y) = (sym(&mut l, "x"), sym(&mut l, "y"));
    assert_eq!(&*derivative_node(&l, h).wrt, &[x, y]);
}

#[test]
fn hessian_with_respect_to_a_vector_and_a_matrix() {
    let mut st = least_squares();
    st.push(Statement::Expr(deriv(
        DerivativeKind::Hessian,
        call("f", vec![name("x")]),
        vec![],
        None,
    )));
    let l = run(st);
    assert_eq!(l.pool.shape(last(&l)), &Shape::matrix(n(), n()));

    let a = name("A");
    let a_span = a.span;
    let mut st = least_squares();
    st.push(Statement::Expr(deriv(
        DerivativeKind::Hessian,
        call("f", vec![name("x")]),
        vec![a],
        None,
    )));
    let d = fail(st);
    assert_eq!(d.kind, DiagnosticKind::Unsupported);
    assert_eq!(d.span(), a_span);
    assert!(d.message.contains("4th-order tensor"), "{}", d.message);
}

#[test]
fn jacobian_in_both_layouts() {
    let st = || {
        vec![
            let_(vec![
                decl(&["W"], mat_t("m", "n")),
                decl(&["x"], vec_t("n")),
            ]),
            define("g", &["x"], mul(name("W"), name("x"))),
            Statement::Expr(deriv(
                DerivativeKind::Jacobian,
                name("g"),
                vec![name("x")],
                None,
            )),
        ]
    };
    let l = run(st());
    let id = last(&l);
    assert_eq!(l.pool.shape(id), &Shape::matrix(m(), n()));
    assert_eq!(derivative_node(&l, id).kind, DerivativeKind::Jacobian);

    let l = run_with(st(), Layout::Denominator).expect("lowers");
    let id = last(&l);
    assert_eq!(l.pool.shape(id), &Shape::matrix(n(), m()));
    let Node::Transpose(inner) = l.pool.node(id) else {
        panic!("{:?}", l.pool.node(id))
    };
    assert_eq!(l.pool.shape(*inner), &Shape::matrix(m(), n()));
}

#[test]
fn jacobian_of_a_scalar_is_a_row() {
    let l = run(vec![
        std_decls(),
        Statement::Expr(deriv(
            DerivativeKind::Jacobian,
            mul(t(name("x")), name("x")),
            vec![name("x")],
            None,
        )),
    ]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::matrix(Dim::one(), n()));
}

#[test]
fn partial_with_respect_to_a_component() {
    // let x: ℝ²; f(x) = x₁²x₂; ∂f/∂x₁
    let mut l = run(vec![
        let_(vec![decl(&["x"], vec_t("2"))]),
        define(
            "f",
            &["x"],
            mul(pow(subscript("x", num(1)), num(2)), subscript("x", num(2))),
        ),
        Statement::Expr(deriv(
            DerivativeKind::Partial,
            name("f"),
            vec![subscript("x", num(1))],
            None,
        )),
    ]);
    let id = last(&l);
    assert!(l.pool.is_scalar(id));
    let d = derivative_node(&l, id);
    let x = sym(&mut l, "x");
    let one = l.pool.int(1);
    let x1 = l.pool.component(x, &[one]);
    assert_eq!(&*d.wrt, &[x1]);
}

#[test]
fn partial_with_respect_to_a_vector_is_the_gradient() {
    let l = run(vec![
        std_decls(),
        Statement::Expr(deriv(
            DerivativeKind::Partial,
            mul(t(name("x")), name("x")),
            vec![name("x")],
            None,
        )),
    ]);
    let id = last(&l);
    assert_eq!(l.pool.shape(id), &Shape::vector(n()));
    assert_eq!(derivative_node(&l, id).kind, DerivativeKind::Gradient);
}

#[test]
fn ordinary_derivative_of_a_call() {
    // f(t) = t sin t; f''(t)
    let l = run(vec![
        define("f", &["t"], mul(name("t"), call("sin", vec![name("t")]))),
        Statement::Expr(deriv(
            DerivativeKind::Ordinary,
            call("f", vec![name("t")]),
            vec![name("t"), name("t")],
            None,
        )),
    ]);
    let d = derivative_node(&l, last(&l));
    assert_eq!(d.kind, DerivativeKind::Ordinary);
    assert_eq!(d.wrt.len(), 2);
    assert_eq!(d.wrt[0], d.wrt[1]);
}

#[test]
fn directional_derivative_takes_the_single_parameter() {
    let mut st = least_squares();
    st.push(let_(vec![decl(&["u"], vec_t("n"))]));
    st.push(Statement::Expr(deriv(
        DerivativeKind::Directional,
        call("f", vec![name("x")]),
        vec![],
        Some(name("u")),
    )));
    let mut l = run(st);
    let d = derivative_node(&l, last(&l));
    let (x, u) = (sym(&mut l, "x"), sym(&mut l, "u"));
    assert_eq!(&*d.wrt, &[x]);
    assert_eq!(d.direction, Some(u));

    let dir = name("b");
    let dir_span = dir.span;
    let mut st = least_squares();
    st.push(Statement::Expr(deriv(
        DerivativeKind::Directional,
        call("f", vec![name("x")]),
        vec![],
        Some(dir),
    )));
    let e = fail(st);
    assert_eq!(e.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(e.span(), dir_span);
}

#[test]
fn differentiating_with_respect_to_a_non_variable() {
    let w = mul(num(2), name("x"));
    let w_span = w.span;
    let d = fail(vec![
        std_decls(),
        Statement::Expr(grad(mul(t(name("x")), name("x")), vec![w])),
    ]);
    assert_eq!(d.kind, DiagnosticKind::BadArguments);
    assert_eq!(d.span(), w_span);
    assert!(d.message.contains("with respect to a variable"));
}

#[test]
fn gradient_at_numbers_is_evaluated_at_the_parameters() {
    // f(x, y) = xy²; ∇f(1, 2) is ∇f(x, y) at x = 1, y = 2.
    let l = run(vec![
        define("f", &["x", "y"], mul(name("x"), pow(name("y"), num(2)))),
        Statement::Expr(grad(call("f", vec![num(1), num(2)]), vec![])),
    ]);
    let id = last(&l);
    let Node::At(inner, binds) = l.pool.node(id) else {
        panic!("{:?}", l.pool.node(id))
    };
    assert_eq!(binds.len(), 2);
    assert_eq!(derivative_node(&l, *inner).wrt.len(), 2);
    assert_eq!(l.pool.shape(id), &Shape::vector(Dim::known(2)));
}

#[test]
fn gradient_of_an_expression_with_one_free_symbol() {
    let l = run(vec![
        let_(vec![decl(&["x"], vec_t("n"))]),
        Statement::Expr(grad(mul(t(name("x")), name("x")), vec![])),
    ]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(n()));
    let d = fail(vec![
        std_decls(),
        Statement::Expr(grad(mul(t(name("b")), mul(name("A"), name("x"))), vec![])),
    ]);
    assert_eq!(d.kind, DiagnosticKind::UnknownName);
}

// ---------- claims, bindings, statements ----------

#[test]
fn approximate_steps_count_written_decimals() {
    let l = run(vec![
        let_(vec![decl(&["x"], scalar_t())]),
        claim(
            name("x"),
            vec![
                (Relation::Approx, ratio(53, 25)),
                (Relation::Approx, add(ratio(1, 2), ratio(1, 1000))),
                (Relation::Approx, num(3)),
                (Relation::Equal, name("x")),
            ],
            vec![],
        ),
    ]);
    let LoweredStatement::Claim(c) = &l.statements[1] else {
        panic!()
    };
    let rel: Vec<StepRelation> = c.steps.iter().map(|s| s.relation).collect();
    assert_eq!(
        rel,
        vec![
            StepRelation::Approx { decimals: 2 },
            StepRelation::Approx { decimals: 3 },
            StepRelation::Approx { decimals: 0 },
            StepRelation::Equal,
        ]
    );
}

#[test]
fn claim_at_bindings_broadcast_scalars() {
    let mut st = least_squares();
    st.push(claim(
        call("f", vec![name("x")]),
        vec![(Relation::Equal, num(0))],
        vec![bind("x", num(0)), bind("b", name("c"))],
    ));
    let mut l = run(st);
    let LoweredStatement::Claim(c) = l.statements.last().cloned().unwrap() else {
        panic!()
    };
    assert_eq!(c.at.len(), 2);
    assert_eq!(c.at[0].0, l.pool.lookup("x").unwrap());
    assert_eq!(
        l.pool.node(c.at[0].1),
        &Node::Zero(Box::new(Shape::vector(n())))
    );
    let cc = sym(&mut l, "c");
    let ones = l.pool.ones(Shape::vector(m()));
    let filled = l.pool.mul(&[cc, ones]);
    assert_eq!(c.at[1].1, filled);
    // The claim's sides are not wrapped in `at`.
    assert!(!matches!(l.pool.node(c.first), Node::At(..)));
}

#[test]
fn descend_binds_dimensions_from_data() {
    let mut st = least_squares();
    st.push(Statement::Descend {
        function: ident("f"),
        from: vec![bind("x", num(0))],
        with: vec![
            bind(
                "A",
                mat(vec![
                    vec![num(1), num(2)],
                    vec![num(3), num(4)],
                    vec![num(5), num(6)],
                ]),
            ),
            bind("b", col(vec![1, 2, 3])),
        ],
        method: Method {
            name: ident("gd"),
            options: vec![
                MethodOption::Value(ident("step"), ratio(1, 20)),
                MethodOption::Flag(ident("line_search")),
            ],
            span: sp(),
        },
        span: sp(),
    });
    let l = run(st);
    let Some(LoweredStatement::Descend {
        function,
        from,
        with,
        method,
        ..
    }) = l.statements.last()
    else {
        panic!()
    };
    assert_eq!(function, "f");
    assert_eq!(
        l.pool.node(from[0].1),
        &Node::Zero(Box::new(Shape::vector(Dim::known(2))))
    );
    assert_eq!(with.len(), 2);
    assert_eq!(method.name, "gd");
    assert_eq!(method.options.len(), 2);
    assert_eq!(method.options[1], ("line_search".to_string(), None));
}

#[test]
fn binding_values_must_fit_the_symbol() {
    // x fixes n = 2, so y = [1; 2; 3] cannot be ℝ^n.
    let bad = col(vec![1, 2, 3]);
    let bad_span = bad.span;
    let d = fail(vec![
        std_decls(),
        let_(vec![decl(&["y"], vec_t("n"))]),
        Statement::Expr(at(
            add(name("x"), name("y")),
            vec![bind("x", col(vec![1, 2])), bind("y", bad)],
        )),
    ]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), bad_span);
}

#[test]
fn classify_and_critical_need_a_defined_function() {
    let f = ident("q");
    let f_span = f.span;
    let d = fail(vec![Statement::Critical {
        function: f,
        with: vec![],
        span: sp(),
    }]);
    assert_eq!(d.kind, DiagnosticKind::UnknownName);
    assert_eq!(d.span(), f_span);
    let mut st = least_squares();
    st.push(Statement::Classify {
        function: ident("f"),
        at: vec![bind("x", num(1))],
        with: vec![],
        span: sp(),
    });
    let l = run(st);
    assert!(
        matches!(l.statements.last(), Some(LoweredStatement::Classify { at, .. }) if at.len() == 1)
    );
}

#[test]
fn spans_point_at_the_first_syntax_node() {
    let a = name("A");
    let a_span = a.span;
    let prod = mul(a, name("x"));
    let prod_span = prod.span;
    let mut l = run(vec![std_decls(), Statement::Expr(prod)]);
    let a_id = sym(&mut l, "A");
    assert_eq!(l.spans.get(&a_id), Some(&a_span));
    assert_eq!(l.spans.get(&last(&l)), Some(&prod_span));
}

#[test]
fn redefining_a_function_is_an_error() {
    let d = fail(vec![
        define("f", &["x"], name("x")),
        define("f", &["x"], mul(num(2), name("x"))),
    ]);
    assert_eq!(d.kind, DiagnosticKind::Redeclared);
    assert_eq!(d.labels.len(), 2);
}

#[test]
fn deep_nesting_does_not_blow_up() {
    // ((((x + x) + x) …) with 200 levels, and products of unknown factors 60 deep.
    let mut e = name("x");
    for _ in 0..200 {
        e = add(e, name("x"));
    }
    let l = run(vec![Statement::Expr(e)]);
    assert!(l.pool.is_scalar(last(&l)));
    // a0·a1⋯a19 − x: the factors default to scalars one by one until the last is forced.
    let product = |k: usize| {
        let mut p = name("a0");
        for i in 1..k {
            p = mul(p, name(&format!("a{i}")));
        }
        sub(p, name("x"))
    };
    let l = run(vec![std_decls(), Statement::Expr(product(20))]);
    assert_eq!(sym_shape(&l, "a19"), Shape::vector(n()));
    assert!(sym_shape(&l, "a0").is_scalar());
    // Beyond the one-at-a-time defaults the rest become scalars together: an error, not a hang.
    let d = fail(vec![std_decls(), Statement::Expr(product(60))]);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
}

// ---------- corpus programs ----------

#[test]
fn ridge_chain_sides_have_matching_shapes() {
    // p01: J(w) = ‖Xw − y‖² + α‖w‖²; ∇J(w) = 2Xᵀ(Xw − y) + 2αw = 2(XᵀX + αI)w − 2Xᵀy;
    // ∇²J(w) = 2XᵀX + 2αI
    let sq = |e: Expr| pow(norm(e), num(2));
    let residual = || sub(mul(name("X"), name("w")), name("y"));
    let l = run(vec![
        let_(vec![
            decl(&["X"], mat_t("N", "d")),
            decl(&["y"], vec_t("N")),
            decl(&["w"], vec_t("d")),
            decl(&["α"], scalar_t()),
        ]),
        define(
            "J",
            &["w"],
            add(sq(residual()), mul(name("α"), sq(name("w")))),
        ),
        claim(
            grad(call("J", vec![name("w")]), vec![]),
            vec![
                (
                    Relation::Equal,
                    add(
                        mul(mul(num(2), t(name("X"))), residual()),
                        mul(mul(num(2), name("α")), name("w")),
                    ),
                ),
                (
                    Relation::Equal,
                    sub(
                        mul(
                            mul(
                                num(2),
                                add(mul(t(name("X")), name("X")), mul(name("α"), identity())),
                            ),
                            name("w"),
                        ),
                        mul(mul(num(2), t(name("X"))), name("y")),
                    ),
                ),
            ],
            vec![],
        ),
        eq(
            deriv(
                DerivativeKind::Hessian,
                call("J", vec![name("w")]),
                vec![],
                None,
            ),
            add(
                mul(mul(num(2), t(name("X"))), name("X")),
                mul(mul(num(2), name("α")), identity()),
            ),
        ),
    ]);
    let d = Dim::symbol("d");
    let LoweredStatement::Claim(c) = &l.statements[2] else {
        panic!()
    };
    for id in std::iter::once(c.first).chain(c.steps.iter().map(|s| s.expr)) {
        assert_eq!(l.pool.shape(id), &Shape::vector(d.clone()));
    }
    let (h, steps) = claim_ids(&l);
    assert_eq!(l.pool.shape(h), &Shape::matrix(d.clone(), d.clone()));
    assert_eq!(l.pool.shape(steps[0]), &Shape::matrix(d.clone(), d));
}

#[test]
fn sigmoid_layer_jacobian_infers_the_ones_vector() {
    // p04: J(σ(Wx + b), x) = diag(σ(Wx + b) ⊙ (𝟙 − σ(Wx + b)))W
    let s = || call("σ", vec![add(mul(name("W"), name("x")), name("b"))]);
    let l = run(vec![
        let_(vec![
            decl(&["W"], mat_t("m", "n")),
            decl(&["b"], vec_t("m")),
            decl(&["x"], vec_t("n")),
        ]),
        eq(
            deriv(DerivativeKind::Jacobian, s(), vec![name("x")], None),
            mul(call("diag", vec![had(s(), sub(ones(), s()))]), name("W")),
        ),
    ]);
    let (first, steps) = claim_ids(&l);
    assert_eq!(l.pool.shape(first), &Shape::matrix(m(), n()));
    assert_eq!(l.pool.shape(steps[0]), &Shape::matrix(m(), n()));
}

#[test]
fn rosenbrock_program() {
    // p07
    let rosen = add(
        pow(sub(num(1), name("x")), num(2)),
        mul(
            num(100),
            pow(sub(name("y"), pow(name("x"), num(2))), num(2)),
        ),
    );
    let hess = mat(vec![
        vec![num(802), neg(num(400))],
        vec![neg(num(400)), num(200)],
    ]);
    let l = run(vec![
        let_(vec![decl(&["x", "y"], scalar_t())]),
        define("f", &["x", "y"], rosen),
        claim(
            deriv(
                DerivativeKind::Hessian,
                call("f", vec![name("x"), name("y")]),
                vec![],
                None,
            ),
            vec![(Relation::Equal, hess)],
            vec![bind("x", num(1)), bind("y", num(1))],
        ),
        Statement::Classify {
            function: ident("f"),
            at: vec![bind("x", num(1)), bind("y", num(1))],
            with: vec![],
            span: sp(),
        },
        Statement::Descend {
            function: ident("f"),
            from: vec![bind("x", neg(ratio(6, 5))), bind("y", num(1))],
            with: vec![],
            method: Method {
                name: ident("gd"),
                options: vec![MethodOption::Flag(ident("line_search"))],
                span: sp(),
            },
            span: sp(),
        },
    ]);
    let LoweredStatement::Claim(c) = &l.statements[2] else {
        panic!()
    };
    let two = Dim::known(2);
    assert_eq!(
        l.pool.shape(c.first),
        &Shape::matrix(two.clone(), two.clone())
    );
    assert_eq!(
        l.pool.shape(c.steps[0].expr),
        &Shape::matrix(two.clone(), two)
    );
    assert_eq!(c.at.len(), 2);
    let Some(LoweredStatement::Descend { from, .. }) = l.statements.last() else {
        panic!()
    };
    assert_eq!(l.pool.as_number(from[0].1).map(|n| n.to_f64()), Some(-1.2));
}

#[test]
fn latex_homework_uses_the_dimension_as_a_value() {
    // p08: ∇_w 1/(2N)‖Xw − y‖² = 1/N Xᵀ(Xw − y)
    let residual = || sub(mul(name("X"), name("w")), name("y"));
    let l = run(vec![
        let_(vec![
            decl(&["X"], mat_t("N", "d")),
            decl(&["y"], vec_t("N")),
            decl(&["w"], vec_t("d")),
        ]),
        eq(
            grad(
                mul(
                    div(num(1), mul(num(2), name("N"))),
                    pow(norm(residual()), num(2)),
                ),
                vec![name("w")],
            ),
            mul(div(num(1), name("N")), mul(t(name("X")), residual())),
        ),
    ]);
    let (first, steps) = claim_ids(&l);
    assert_eq!(l.pool.shape(first), &Shape::vector(Dim::symbol("d")));
    assert_eq!(l.pool.shape(steps[0]), &Shape::vector(Dim::symbol("d")));
    assert!(l.pool.lookup("N").is_none());
    assert!(l
        .pool
        .find(&Node::DimValue(Box::new(Dim::symbol("N"))))
        .is_some());
}

// ---------- numeric cross-checks of substitution ----------

/// Evaluates a scalar expression of scalar symbols.
fn eval(pool: &Pool, id: Id, env: &std::collections::HashMap<String, f64>) -> f64 {
    use nabla::expr::Func;
    match pool.node(id) {
        Node::Num(n) => n.to_f64(),
        Node::Sym(s) => env[&pool.symbol(*s).name],
        Node::Add(ts) => ts.iter().map(|&t| eval(pool, t, env)).sum(),
        Node::Mul(fs) => fs.iter().map(|&f| eval(pool, f, env)).product(),
        Node::Pow(b, e) => eval(pool, *b, env).powf(eval(pool, *e, env)),
        Node::Apply(Func::Sin, a) => eval(pool, a[0], env).sin(),
        Node::Apply(Func::Exp, a) => eval(pool, a[0], env).exp(),
        other => panic!("cannot evaluate {other:?}"),
    }
}

#[test]
fn substituted_calls_agree_numerically_with_the_formula() {
    use rand::{Rng, SeedableRng};
    // f(x, y) = (1 − x)² + 100(y − x²)²; g(u) = f(u, 2u) + sin(u)·exp(u)/3
    let rosen = add(
        pow(sub(num(1), name("x")), num(2)),
        mul(
            num(100),
            pow(sub(name("y"), pow(name("x"), num(2))), num(2)),
        ),
    );
    let l = run(vec![
        define("f", &["x", "y"], rosen),
        define(
            "g",
            &["u"],
            add(
                call("f", vec![name("u"), mul(num(2), name("u"))]),
                div(
                    mul(call("sin", vec![name("u")]), call("exp", vec![name("u")])),
                    num(3),
                ),
            ),
        ),
    ]);
    let g = l.functions["g"].body;
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    for _ in 0..20 {
        let u: f64 = rng.gen_range(-2.0..2.0);
        let env = std::collections::HashMap::from([("u".to_string(), u)]);
        let expected =
            (1.0 - u).powi(2) + 100.0 * (2.0 * u - u * u).powi(2) + u.sin() * u.exp() / 3.0;
        let got = eval(&l.pool, g, &env);
        assert!(
            (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{got} vs {expected}"
        );
    }
}

// ---------- more shape rules ----------

#[test]
fn sum_with_an_undeclared_operand_hints_its_declaration() {
    // A + c·… where c was inferred a scalar in an earlier statement.
    let d = fail(vec![
        std_decls(),
        Statement::Expr(mul(num(2), name("c"))),
        Statement::Expr(add(name("A"), name("c"))),
    ]);
    assert_eq!(d.hint.as_deref(), Some("declare c: ℝ^(m×n)"));
    // Two declared operands: no declaration to suggest.
    let d = fail(vec![
        std_decls(),
        Statement::Expr(add(name("A"), name("x"))),
    ]);
    assert_eq!(d.hint, None);
}

#[test]
fn claim_gives_identity_its_size() {
    // claim ∇²(½xᵀx) = I
    let l = run(vec![
        std_decls(),
        eq(
            deriv(
                DerivativeKind::Hessian,
                mul(ratio(1, 2), mul(t(name("x")), name("x"))),
                vec![name("x")],
                None,
            ),
            identity(),
        ),
    ]);
    let (_, steps) = claim_ids(&l);
    assert_eq!(l.pool.node(steps[0]), &Node::Identity(Box::new(n())));
}

#[test]
fn operators_with_their_shapes() {
    let l = run(vec![
        std_decls(),
        Statement::Expr(call("diag", vec![name("b")])),
        Statement::Expr(ex(ExprKind::Postfix {
            op: PostfixOp::PseudoInverse,
            operand: Box::new(name("A")),
        })),
        Statement::Expr(bin(BinaryOp::Kron, name("A"), name("x"))),
    ]);
    let shapes: Vec<Shape> = l
        .statements
        .iter()
        .filter_map(|s| match s {
            LoweredStatement::Expr { id, .. } => Some(l.pool.shape(*id).clone()),
            _ => None,
        })
        .collect();
    let mn = Dim::symbol("m").times(&Dim::symbol("n")).unwrap();
    assert_eq!(
        shapes,
        vec![
            Shape::matrix(m(), m()),
            Shape::matrix(n(), m()),
            Shape::matrix(mn, n()),
        ]
    );
}

#[test]
fn square_root_of_a_vector_or_matrix_is_entrywise() {
    for arg in ["x", "A"] {
        let l = run(vec![
            std_decls(),
            Statement::Expr(ex(ExprKind::Sqrt(Box::new(name(arg))))),
        ]);
        let id = last(&l);
        assert!(matches!(l.pool.node(id), Node::HadamardPow(..)), "√{arg}");
        let s = l.pool.lookup(arg).map(|s| l.pool.symbol(s).shape.clone());
        assert_eq!(Some(l.pool.shape(id).clone()), s);
    }
}

#[test]
fn sum_index_may_not_be_a_declared_vector() {
    let d = fail(vec![
        std_decls(),
        Statement::Expr(sum("x", num(1), num(3), name("x"))),
    ]);
    assert_eq!(d.kind, DiagnosticKind::Redeclared);
}

#[test]
fn index_expression_subscript_needs_a_vector() {
    // x_{k+1} outside any sum with x undeclared.
    let idx = add(name("k"), num(1));
    let idx_span = idx.span;
    let d = fail(vec![Statement::Expr(subscript("x", idx))]);
    assert_eq!(d.kind, DiagnosticKind::Unsupported);
    assert_eq!(d.span(), idx_span);
    // Inside a sum over k it makes x a vector.
    let l = run(vec![Statement::Expr(sum(
        "k",
        num(1),
        num(4),
        subscript("x", add(name("k"), num(1))),
    ))]);
    assert_eq!(sym_shape(&l, "x"), Shape::vector(Dim::known(4)));
}

#[test]
fn function_arguments_must_match_parameter_shapes() {
    let arg = name("b");
    let arg_span = arg.span;
    let mut st = least_squares();
    st.push(Statement::Expr(call("f", vec![arg])));
    let d = fail(st);
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert_eq!(d.span(), arg_span);
    assert_eq!(d.labels.len(), 2);
}

#[test]
fn undeclared_argument_takes_the_parameter_shape() {
    let mut st = least_squares();
    st.push(Statement::Expr(call("f", vec![name("z")])));
    let l = run(st);
    assert_eq!(sym_shape(&l, "z"), Shape::vector(n()));
}

#[test]
fn factor_between_two_vectors_is_a_matrix() {
    // claim xᵀMx = 1 makes M ∈ ℝ^(n×n); claim αx = x keeps α scalar.
    let l = run(vec![
        std_decls(),
        eq(mul(mul(t(name("x")), name("M")), name("x")), num(1)),
        eq(mul(name("α"), name("x")), name("x")),
    ]);
    assert_eq!(sym_shape(&l, "M"), Shape::matrix(n(), n()));
    assert!(sym_shape(&l, "α").is_scalar());
}

#[test]
fn subscripts_of_an_undeclared_parameter_need_its_length() {
    // f(x) = x₁² + x₂² without declaring x.
    let x1 = subscript("x", num(1));
    let x1_span = x1.span;
    let d = fail(vec![define(
        "f",
        &["x"],
        add(pow(x1, num(2)), pow(subscript("x", num(2)), num(2))),
    )]);
    assert_eq!(d.kind, DiagnosticKind::UnknownShape);
    assert_eq!(d.span(), x1_span);
    assert!(d.hint.unwrap_or_default().contains("let x: ℝ^2"));
    // Parameters named x_1, x_2 are symbols of their own.
    let l = run(vec![
        define(
            "f",
            &["x_1", "x_2"],
            add(
                pow(subscript("x", num(1)), num(2)),
                pow(subscript("x", num(2)), num(2)),
            ),
        ),
        Statement::Expr(grad(
            call("f", vec![subscript("x", num(1)), subscript("x", num(2))]),
            vec![],
        )),
    ]);
    assert_eq!(l.pool.shape(last(&l)), &Shape::vector(Dim::known(2)));
}

#[test]
fn ones_transposed_before_a_vector_is_a_row() {
    // 𝟙ᵀx sums the entries of x ∈ ℝⁿ.
    let l = run(vec![
        std_decls(),
        Statement::Expr(mul(t(ones()), name("x"))),
    ]);
    assert!(l.pool.is_scalar(last(&l)));
    assert!(l
        .pool
        .find(&Node::Ones(Box::new(Shape::vector(n()))))
        .is_some());
}

#[test]
fn deep_nesting_of_every_kind_stays_within_the_stack() {
    // 200 levels (the parser's depth limit) of mixed operators, in a test thread's small stack.
    let mut e = name("x");
    for k in 0..200 {
        e = match k % 6 {
            0 => norm(e),
            1 => neg(e),
            2 => call("sin", vec![e]),
            3 => sum("i", num(1), num(2), e),
            4 => at(e, vec![bind("x", num(1))]),
            _ => grad(e, vec![name("x")]),
        };
    }
    let l = run(vec![
        let_(vec![decl(&["x"], scalar_t())]),
        Statement::Expr(e),
    ]);
    assert!(l.pool.is_scalar(last(&l)));
}
