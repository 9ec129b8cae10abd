//! Exact numbers per dialect: `3`, `½` / `1/2` / `\frac{1}{2}`, `3/4` / `3/4` / `\frac{3}{4}`.

use super::options::Dialect;
use crate::expr::Number;

/// Is the number ½ (printed `½` in Unicode)?
pub(crate) fn is_half(n: &Number) -> bool {
    *n == Number::ratio(1, 2)
}

/// A non-negative number in a dialect; the caller prints any sign.
pub(crate) fn number_text(n: &Number, dialect: Dialect) -> String {
    if n.is_integer() {
        return n.numer().to_string();
    }
    let (p, q) = (n.numer(), n.denom());
    match dialect {
        Dialect::Unicode if is_half(n) => "½".to_string(),
        Dialect::Unicode | Dialect::Ascii => format!("{p}/{q}"),
        Dialect::Latex => format!("\\frac{{{p}}}{{{q}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_three_dialects() {
        let cases = [
            (Number::int(12), "12", "12", "12"),
            (Number::ratio(1, 2), "½", "1/2", "\\frac{1}{2}"),
            (Number::ratio(3, 4), "3/4", "3/4", "\\frac{3}{4}"),
            (Number::ratio(1, 3), "1/3", "1/3", "\\frac{1}{3}"),
        ];
        for (n, u, a, l) in cases {
            assert_eq!(number_text(&n, Dialect::Unicode), u);
            assert_eq!(number_text(&n, Dialect::Ascii), a);
            assert_eq!(number_text(&n, Dialect::Latex), l);
        }
        assert!(is_half(&Number::ratio(2, 4)));
        assert!(!is_half(&Number::ratio(-1, 2)));
    }
}
