//! Gradients, Hessians, Jacobians and derivatives of random well-shaped expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::diff::{derivative, gradient, hessian, jacobian, Layout};
use nabla::document::Document;
use nabla::simplify::textbook_form;
use nabla_fuzz::{build, gen, shape, Bytes, Sh};

fuzz_target!(|data: &[u8]| {
    let Ok(mut doc) = Document::read("0", &nabla_fuzz::options()) else {
        return;
    };
    let mut b = Bytes::new(data);
    let sh = shape(&mut b);
    let wrt_name = ["x", "s", "t", "A", "B", "y"][usize::from(b.below(6))];
    let recipe = gen(sh, 4, &mut b);
    let pool = &mut doc.lowered.pool;
    let Some(f) = build(pool, &recipe) else {
        return;
    };
    let Some(sym) = pool.lookup(wrt_name) else {
        return;
    };
    let v = pool.symbol_expr(sym);
    let results = if sh == Sh::S {
        vec![gradient(pool, f, &[v]), hessian(pool, f, &[v]), derivative(pool, f, v)]
    } else {
        vec![
            jacobian(pool, f, &[v], Layout::Numerator),
            jacobian(pool, f, &[v], Layout::Denominator),
        ]
    };
    for r in results.into_iter().flatten() {
        let _ = textbook_form(pool, r);
    }
});
