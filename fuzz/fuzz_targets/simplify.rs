//! Canonical construction, expansion (under a term budget) and the display form of random
//! well-shaped expressions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nabla::document::Document;
use nabla::simplify::{expand, textbook_form};
use nabla_fuzz::{build, gen, shape, Bytes};

fuzz_target!(|data: &[u8]| {
    let Ok(mut doc) = Document::read("0", &nabla_fuzz::options()) else {
        return;
    };
    let mut b = Bytes::new(data);
    let sh = shape(&mut b);
    let recipe = gen(sh, 5, &mut b);
    let pool = &mut doc.lowered.pool;
    let Some(e) = build(pool, &recipe) else {
        return;
    };
    let _ = textbook_form(pool, e);
    if let Ok(x) = expand(pool, e, 2_000) {
        let _ = textbook_form(pool, x);
    }
});
