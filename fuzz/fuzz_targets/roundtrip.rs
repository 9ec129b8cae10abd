//! Printing then reading back gives the same expression, in every dialect (as
//! `tests/roundtrip.rs`, on expressions drawn from the fuzzer's bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::document::Document;
use nabla::expr::{Id, Node, Pool};
use nabla::print::{print, Dialect, PrintOptions};
use nabla_fuzz::{build, gen, shape, Bytes};

/// A zero matrix prints as `0` and a matrix with no matrix symbol (`2I`) has its size only from
/// context: neither can be read back alone. A power of zero (`0⁻³`, `1/0³`) has no value, so no
/// canonical form either: reading `1/0³` back gives `1/0`.
fn not_round_trip_material(pool: &Pool, e: Id) -> bool {
    let mut stack = vec![e];
    let mut has_matrix_symbol = false;
    while let Some(x) = stack.pop() {
        match pool.node(x) {
            Node::Zero(_) => return true,
            Node::Pow(base, _) if pool.is_zero(*base) => return true,
            Node::Sym(_) if !pool.is_scalar(x) => has_matrix_symbol = true,
            node => stack.extend(node.children()),
        }
    }
    !pool.is_scalar(e) && !has_matrix_symbol
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut base) = Document::read("0", &nabla_fuzz::options()) else {
        return;
    };
    let mut b = Bytes::new(data);
    let sh = shape(&mut b);
    let recipe = gen(sh, 4, &mut b);
    let Some(e) = build(&mut base.lowered.pool, &recipe) else {
        return;
    };
    if not_round_trip_material(base.pool(), e) {
        return;
    }
    for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
        let text = print(base.pool(), e, &PrintOptions::for_dialect(dialect));
        let input = match dialect {
            Dialect::Latex => format!("${text}$"),
            _ => text.clone(),
        };
        let mut doc = match Document::read(&input, &nabla_fuzz::options()) {
            Ok(d) => d,
            Err(err) => panic!("{dialect:?} text {input:?} does not read back: {:?}", err.diagnostic),
        };
        let parsed = doc.last_expression();
        let rebuilt = build(&mut doc.lowered.pool, &recipe);
        if parsed != rebuilt {
            let back = parsed.map(|p| print(doc.pool(), p, &PrintOptions::for_dialect(Dialect::Unicode)));
            panic!("{dialect:?}: printed {input:?}, read back as {back:?}\nrecipe: {recipe:?}");
        }
    }
});
