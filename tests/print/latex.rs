//! Rewrites printed LaTeX as Unicode text (`\frac{a}{b}` → `((a)/(b))`, `x_{1}` → `x₁`,
//! `\alpha` → `α`, bmatrix → `[(a) (b); (c) (d)]`), so the Unicode reader can check it.

use nabla::print::{print_name, Dialect};

const GREEK: &str = "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ";
const FUNCTIONS: &[&str] = &["sin", "cos", "tan", "exp", "log", "tanh", "det"];

/// The text inside the brace group starting at `open` (a `{`), and the index after it.
fn group(chars: &[char], open: usize) -> Option<(String, usize)> {
    if chars.get(open) != Some(&'{') {
        return None;
    }
    let mut depth = 0;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((chars[open + 1..i].iter().collect(), i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

fn subscript(text: &str) -> Option<String> {
    let table = "0₀1₁2₂3₃4₄5₅6₆7₇8₈9₉iᵢjⱼkₖnₙxₓ";
    let t: Vec<char> = table.chars().collect();
    text.chars()
        .map(|c| t.chunks(2).find(|p| p[0] == c).map(|p| p[1]))
        .collect()
}

/// A bmatrix body `a & b \\ c & d` as `[(a) (b); (c) (d)]`.
fn matrix(body: &str) -> Option<String> {
    let rows: Option<Vec<String>> = body
        .split("\\\\")
        .map(|row| {
            let entries: Option<Vec<String>> = row
                .split('&')
                .map(|e| Some(format!("({})", latex_to_unicode(e.trim())?)))
                .collect();
            Some(entries?.join(" "))
        })
        .collect();
    Some(format!("[{}]", rows?.join("; ")))
}

/// The Unicode reading of a LaTeX text, or `None` for a construct it does not cover.
pub fn latex_to_unicode(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize, s: &str| {
        chars[i..]
            .iter()
            .take(s.chars().count())
            .copied()
            .eq(s.chars())
    };
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if at(i, "\\frac") {
            let (a, j) = group(&chars, i + 5)?;
            let (b, k) = group(&chars, j)?;
            out += &format!("(({})/({}))", latex_to_unicode(&a)?, latex_to_unicode(&b)?);
            i = k;
        } else if at(i, "\\sqrt") {
            let (a, j) = group(&chars, i + 5)?;
            out += &format!("√({})", latex_to_unicode(&a)?);
            i = j;
        } else if at(i, "^\\top") {
            out.push('ᵀ');
            i += 5;
        } else if at(i, "^{") {
            let (a, j) = group(&chars, i + 1)?;
            out += &format!("^({})", latex_to_unicode(&a)?);
            i = j;
        } else if at(i, "_{") {
            let (a, j) = group(&chars, i + 1)?;
            out += &subscript(&a)?;
            i = j;
        } else if at(i, "\\begin{bmatrix}") {
            let start = i + "\\begin{bmatrix}".len();
            let end = start + text.get(start..)?.find("\\end{bmatrix}")?;
            out += &matrix(text.get(start..end)?)?;
            i = end + "\\end{bmatrix}".len();
        } else if at(i, "\\|") {
            out.push('‖');
            i += 2;
            if at(i, "_2") {
                i += 2;
            } else if at(i, "_1") {
                out.push('₁');
                i += 2;
            }
        } else if at(i, "\\lvert ") || at(i, " \\rvert") {
            out.push('|');
            i += 7;
        } else if at(i, "\\operatorname") {
            let (a, j) = group(&chars, i + 13)?;
            out += &a;
            i = j;
        } else if chars[i] == '\\' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j].is_ascii_alphabetic() {
                j += 1;
            }
            let command: String = chars[start..j].iter().collect();
            let greek = GREEK
                .chars()
                .find(|&g| print_name(&g.to_string(), Dialect::Latex) == format!("\\{command}"));
            match (command.as_str(), greek) {
                ("cdot", _) => out.push('·'),
                ("odot", _) => out.push('⊙'),
                ("otimes", _) => out.push('⊗'),
                (_, Some(g)) => out.push(g),
                (f, None) if FUNCTIONS.contains(&f) => out += f,
                _ => return None,
            }
            i = j;
        } else if chars[i] == '-' {
            out.push('−');
            i += 1;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    Some(out)
}
