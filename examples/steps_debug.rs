use nabla::document::{Document, ReadOptions};
use nabla::numeric::{compile, Dense, Instance};
fn main() {
    let text = "let P: ℝ^(k×n), Q: ℝ^(k×n), x: ℝ^n\nf(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²\n";
    let mut doc = Document::read(text, &ReadOptions::default()).unwrap();
    let def = doc.lowered.functions.get("f").unwrap().clone();
    let pool = &mut doc.lowered.pool;
    let x = pool.symbol_expr(def.params[0]);
    let g = nabla::diff::gradient(pool, def.body, &[x]).unwrap();
    let (n, k) = (10, 9);
    let mut inst = Instance::new().with_dim("k", k as u64).with_dim("n", n as u64);
    inst.values.insert(pool.lookup("P").unwrap(), Dense::from_fn(k, n, |i, j| if i == j { 1.0 } else { 0.0 }).unwrap());
    inst.values.insert(pool.lookup("Q").unwrap(), Dense::from_fn(k, n, |i, j| if i + 1 == j { 1.0 } else { 0.0 }).unwrap());
    let p = compile(pool, &[def.body, g], &def.params, &inst).unwrap();
    let s = format!("{p:?}");
    let i = s.find("steps").unwrap();
    println!("{}", &s[i..i + 3000.min(s.len() - i)]);
}
