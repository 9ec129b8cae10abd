//! Symbol names per dialect: `x_1` → `x₁` / `x_1` / `x_{1}`, `w_ji` → `w_{ji}`, `α` → `α` /
//! `alpha` / `\alpha`.

use super::options::Dialect;
use super::scripts::unicode_subscript;

/// Greek letters and their ASCII names (the LaTeX command is the name after a backslash).
const GREEK: &[(char, &str)] = &[
    ('α', "alpha"),
    ('β', "beta"),
    ('γ', "gamma"),
    ('δ', "delta"),
    ('ε', "epsilon"),
    ('ζ', "zeta"),
    ('η', "eta"),
    ('θ', "theta"),
    ('ι', "iota"),
    ('κ', "kappa"),
    ('λ', "lambda"),
    ('μ', "mu"),
    ('ν', "nu"),
    ('ξ', "xi"),
    ('π', "pi"),
    ('ρ', "rho"),
    ('σ', "sigma"),
    ('τ', "tau"),
    ('υ', "upsilon"),
    ('φ', "phi"),
    ('χ', "chi"),
    ('ψ', "psi"),
    ('ω', "omega"),
    ('Γ', "Gamma"),
    ('Δ', "Delta"),
    ('Θ', "Theta"),
    ('Λ', "Lambda"),
    ('Ξ', "Xi"),
    ('Π', "Pi"),
    ('Σ', "Sigma"),
    ('Υ', "Upsilon"),
    ('Φ', "Phi"),
    ('Ψ', "Psi"),
    ('Ω', "Omega"),
];

/// The ASCII name of a Greek letter.
fn greek_name(c: char) -> Option<&'static str> {
    GREEK.iter().find(|(g, _)| *g == c).map(|(_, n)| *n)
}

/// Prints a canonical symbol name (`x`, `α`, `x_1`, `w_ji`) in a dialect.
pub fn print_name(name: &str, dialect: Dialect) -> String {
    let (base, sub) = match name.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s)),
        _ => (name, None),
    };
    match dialect {
        Dialect::Unicode => match sub {
            Some(s) => format!("{base}{}", unicode_subscript(s)),
            None => base.to_string(),
        },
        Dialect::Ascii => match sub {
            Some(s) => format!("{}_{}", ascii_text(base), ascii_text(s)),
            None => ascii_text(base),
        },
        Dialect::Latex => match sub {
            Some(s) => format!("{}_{{{}}}", latex_text(base), latex_text(s)),
            None => latex_text(base),
        },
    }
}

/// Greek letters spelled out (`α` → `alpha`).
pub(crate) fn ascii_text(text: &str) -> String {
    text.chars()
        .map(|c| greek_name(c).map_or_else(|| c.to_string(), str::to_string))
        .collect()
}

/// Greek letters as LaTeX commands (`α` → `\alpha`), with a space where a letter follows one.
pub(crate) fn latex_text(text: &str) -> String {
    let mut out = String::new();
    let mut after_command = false;
    for c in text.chars() {
        let command = greek_name(c);
        if after_command && command.is_none() && c.is_alphabetic() {
            out.push(' ');
        }
        match command {
            Some(n) => {
                out.push('\\');
                out.push_str(n);
                after_command = true;
            }
            None => {
                out.push(c);
                after_command = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_three_dialects() {
        let cases = [
            ("x", "x", "x", "x"),
            ("x_1", "x₁", "x_1", "x_{1}"),
            ("x_12", "x₁₂", "x_12", "x_{12}"),
            ("x_i", "xᵢ", "x_i", "x_{i}"),
            ("w_ji", "w_{ji}", "w_ji", "w_{ji}"),
            ("α", "α", "alpha", "\\alpha"),
            ("α_1", "α₁", "alpha_1", "\\alpha_{1}"),
            ("Σ", "Σ", "Sigma", "\\Sigma"),
            ("lr", "lr", "lr", "lr"),
            ("x_α", "x_α", "x_alpha", "x_{\\alpha}"),
        ];
        for (name, u, a, l) in cases {
            assert_eq!(print_name(name, Dialect::Unicode), u, "{name}");
            assert_eq!(print_name(name, Dialect::Ascii), a, "{name}");
            assert_eq!(print_name(name, Dialect::Latex), l, "{name}");
        }
    }

    #[test]
    fn latex_separates_a_command_from_a_letter() {
        assert_eq!(latex_text("αx"), "\\alpha x");
        assert_eq!(latex_text("αβ"), "\\alpha\\beta");
    }
}
