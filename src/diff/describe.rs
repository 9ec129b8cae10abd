//! A compact Unicode rendering of expressions for error messages and stated conditions
//! (`Aᵀ(A·x − b)`, `‖x‖ = 0`). Deep expressions are abbreviated with `…`.

use crate::expr::{Func, Id, Node, NormKind, Pool};

/// Nesting depth beyond which subexpressions are shown as `…`.
const MAX_DEPTH: usize = 12;

/// The expression as short readable text.
pub fn describe(pool: &Pool, id: Id) -> String {
    render(pool, id, 0)
}

/// Binding strength: sums 1, products 2, everything tighter 3.
fn precedence(pool: &Pool, id: Id) -> u8 {
    match pool.node(id) {
        Node::Add(_) | Node::Hadamard(_) | Node::Kron(..) => 1,
        Node::Mul(_) => 2,
        Node::Num(n) if n.is_negative() || !n.is_integer() => 2,
        _ => 3,
    }
}

fn wrapped(pool: &Pool, id: Id, depth: usize, min: u8) -> String {
    let s = render(pool, id, depth);
    if precedence(pool, id) < min {
        format!("({s})")
    } else {
        s
    }
}

fn superscript(k: i64) -> String {
    let digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    let mut s = String::new();
    if k < 0 {
        s.push('⁻');
    }
    for c in k.unsigned_abs().to_string().chars() {
        let d = c.to_digit(10).unwrap_or(0) as usize;
        s.extend(digits.chars().nth(d));
    }
    s
}

fn render(pool: &Pool, id: Id, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "…".to_string();
    }
    let d = depth + 1;
    match pool.node(id) {
        Node::Num(n) => n.to_string(),
        Node::Sym(s) => pool.symbol(*s).name.clone(),
        Node::DimValue(dim) => dim.to_string(),
        Node::Identity(_) => "I".to_string(),
        Node::Ones(_) => "𝟙".to_string(),
        Node::Zero(_) => "0".to_string(),
        Node::Add(ts) => {
            // Positive terms first, so `−b + A·x` reads `A·x − b`.
            let rendered: Vec<String> = ts.iter().map(|&t| render(pool, t, d)).collect();
            let (neg, pos): (Vec<&String>, Vec<&String>) =
                rendered.iter().partition(|r| r.starts_with('-'));
            let mut s = String::new();
            for (i, r) in pos.iter().chain(neg.iter()).enumerate() {
                match (i, r.strip_prefix('-')) {
                    (0, _) => s.push_str(r),
                    (_, Some(rest)) => {
                        s.push_str(" − ");
                        s.push_str(rest);
                    }
                    (_, None) => {
                        s.push_str(" + ");
                        s.push_str(r);
                    }
                }
            }
            s
        }
        Node::Mul(fs) => {
            let mut s = String::new();
            for (i, &f) in fs.iter().enumerate() {
                if i == 0 {
                    if let Some(n) = pool.as_number(f) {
                        if n.is_minus_one() {
                            s.push('-');
                            continue;
                        }
                        s.push_str(&n.to_string());
                        continue;
                    }
                } else if !(s.is_empty() || s == "-" || (i == 1 && pool.as_number(fs[0]).is_some()))
                {
                    s.push('·');
                }
                s.push_str(&wrapped(pool, f, d, 3));
            }
            s
        }
        Node::Pow(b, e) => match pool.as_number(*e) {
            Some(k) if k == &crate::expr::Number::ratio(1, 2) => {
                format!("√({})", render(pool, *b, d))
            }
            Some(k) if k.is_integer() && k.to_i64().is_some() => {
                let k = k.to_i64().unwrap_or(1);
                format!("{}{}", wrapped(pool, *b, d, 3), superscript(k))
            }
            _ => format!("{}^({})", wrapped(pool, *b, d, 3), render(pool, *e, d)),
        },
        Node::Transpose(a) => format!("{}ᵀ", wrapped(pool, *a, d, 3)),
        Node::Hadamard(fs) => join(pool, fs, d, " ⊙ "),
        Node::HadamardPow(b, e) => match pool.as_number(*e) {
            Some(k) if k == &crate::expr::Number::ratio(1, 2) => {
                format!("√({})", render(pool, *b, d))
            }
            Some(k) if k.is_minus_one() => format!("𝟙 ⊘ {}", wrapped(pool, *b, d, 3)),
            _ => format!("{}^⊙({})", wrapped(pool, *b, d, 3), render(pool, *e, d)),
        },
        Node::Kron(a, b) => join(pool, &[*a, *b], d, " ⊗ "),
        Node::Apply(f, args) => {
            let inner = args
                .iter()
                .map(|&a| render(pool, a, d))
                .collect::<Vec<_>>()
                .join(", ");
            match f {
                Func::Norm(NormKind::Two) => format!("‖{inner}‖"),
                Func::Norm(NormKind::One) => format!("‖{inner}‖₁"),
                Func::Norm(NormKind::Frobenius) => format!("‖{inner}‖_F"),
                Func::Abs => format!("|{inner}|"),
                _ => format!("{}({inner})", f.name()),
            }
        }
        Node::Matrix { cols, entries, .. } => {
            let rows: Vec<String> = entries
                .chunks((*cols as usize).max(1))
                .map(|r| {
                    r.iter()
                        .map(|&e| render(pool, e, d))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            format!("[{}]", rows.join("; "))
        }
        Node::Component(c, idx) => {
            let idx: Vec<String> = idx.iter().map(|&i| render(pool, i, d)).collect();
            format!("{}_{{{}}}", wrapped(pool, *c, d, 3), idx.join(","))
        }
        Node::Sum {
            index,
            lower,
            upper,
            body,
        } => format!(
            "∑_{{{}={}}}^{{{}}} {}",
            pool.symbol(*index).name,
            render(pool, *lower, d),
            render(pool, *upper, d),
            wrapped(pool, *body, d, 2)
        ),
        Node::Derivative(der) => {
            let wrt: Vec<String> = der.wrt.iter().map(|&w| render(pool, w, d)).collect();
            format!(
                "{:?}_{{{}}}({})",
                der.kind,
                wrt.join(","),
                render(pool, der.expr, d)
            )
        }
        Node::At(body, binds) => {
            let b: Vec<String> = binds
                .iter()
                .map(|(s, v)| format!("{} = {}", pool.symbol(*s).name, render(pool, *v, d)))
                .collect();
            format!("({}) at {}", render(pool, *body, d), b.join(", "))
        }
    }
}

fn join(pool: &Pool, xs: &[Id], depth: usize, sep: &str) -> String {
    xs.iter()
        .map(|&x| wrapped(pool, x, depth, 2))
        .collect::<Vec<_>>()
        .join(sep)
}
