//! Profiling aid: the Rosenbrock gradient and Hessian at a given size (`cargo run --release
//! --example profile_rosenbrock -- 1000`), timed with `std::time::Instant`.

use nabla::diff::{gradient, hessian};
use nabla::expr::{Assumptions, Id, Number, Pool, Shape, SymbolOrigin};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let mut pool = Pool::new();
    let xs: Vec<Id> = (1..=n)
        .map(|i| {
            let s = pool
                .declare(
                    &format!("x_{i}"),
                    Shape::scalar(),
                    Assumptions::default(),
                    SymbolOrigin::Declared,
                )
                .expect("fresh");
            pool.symbol_expr(s)
        })
        .collect();
    let one = pool.int(1);
    let mut terms = Vec::new();
    for i in 0..n - 1 {
        let sq = pool.powi(xs[i], 2);
        let d = pool.sub(xs[i + 1], sq);
        let d2 = pool.powi(d, 2);
        terms.push(pool.scale(Number::int(100), d2));
        let e = pool.sub(one, xs[i]);
        terms.push(pool.powi(e, 2));
    }
    let f = pool.add(&terms);
    let start = std::time::Instant::now();
    let g = gradient(&mut pool.clone(), f, &xs).expect("gradient");
    println!("gradient n={n}: {:?} ({g:?})", start.elapsed());
    let start = std::time::Instant::now();
    let h = hessian(&mut pool.clone(), f, &xs).expect("hessian");
    println!("hessian n={n}: {:?} ({h:?})", start.elapsed());
}
