//! Concrete values (counterexamples, results at a point) as text: `3`, `−1/2`, `[1; 0]`,
//! `[1 2; 3 4]`.

use nabla::expr::Number;
use nabla::numeric::Dense;

/// An exact number, with a proper minus sign.
pub fn number(n: &Number) -> String {
    n.to_string().replace('-', "−")
}

/// A float with up to 10 significant digits, trailing zeros trimmed.
pub fn float(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let s = format!("{:.*}", decimals_for(x), x);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    s.replace('-', "−")
}

fn decimals_for(x: f64) -> usize {
    let magnitude = x.abs().log10().floor() as i32;
    (9 - magnitude).clamp(0, 12) as usize
}

/// A matrix of entries: a scalar alone, a column `[1; 0]`, a matrix `[1 2; 3 4]`.
pub fn matrix<T>(m: &Dense<T>, entry: impl Fn(&T) -> String) -> String {
    if m.rows == 1 && m.cols == 1 {
        return m.data.first().map(&entry).unwrap_or_default();
    }
    let rows: Vec<String> = (0..m.rows)
        .map(|i| {
            (0..m.cols)
                .filter_map(|j| m.data.get(i * m.cols + j).map(&entry))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!("[{}]", rows.join("; "))
}

/// An exact matrix as text.
pub fn exact(m: &Dense<Number>) -> String {
    matrix(m, number)
}

/// A float matrix as text.
pub fn approximate(m: &Dense<f64>) -> String {
    matrix(m, |x| float(*x))
}
