//! Unicode superscript and subscript characters (`x²`, `x⁻¹`, `xⁿ`, `x₁`, `xᵢ`).

/// The superscript form of a character, if Unicode has one that reads unambiguously.
pub(crate) fn superscript_char(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '-' | '−' => '⁻',
        'a' => 'ᵃ',
        'b' => 'ᵇ',
        'c' => 'ᶜ',
        'd' => 'ᵈ',
        'e' => 'ᵉ',
        'f' => 'ᶠ',
        'g' => 'ᵍ',
        'h' => 'ʰ',
        'i' => 'ⁱ',
        'j' => 'ʲ',
        'k' => 'ᵏ',
        'l' => 'ˡ',
        'm' => 'ᵐ',
        'n' => 'ⁿ',
        'o' => 'ᵒ',
        'p' => 'ᵖ',
        'r' => 'ʳ',
        's' => 'ˢ',
        't' => 'ᵗ',
        'u' => 'ᵘ',
        'v' => 'ᵛ',
        'w' => 'ʷ',
        'x' => 'ˣ',
        'y' => 'ʸ',
        'z' => 'ᶻ',
        _ => return None,
    })
}

/// The subscript form of a character, if Unicode has one.
pub(crate) fn subscript_char(c: char) -> Option<char> {
    Some(match c {
        '0' => '₀',
        '1' => '₁',
        '2' => '₂',
        '3' => '₃',
        '4' => '₄',
        '5' => '₅',
        '6' => '₆',
        '7' => '₇',
        '8' => '₈',
        '9' => '₉',
        'a' => 'ₐ',
        'e' => 'ₑ',
        'h' => 'ₕ',
        'i' => 'ᵢ',
        'j' => 'ⱼ',
        'k' => 'ₖ',
        'l' => 'ₗ',
        'm' => 'ₘ',
        'n' => 'ₙ',
        'o' => 'ₒ',
        'p' => 'ₚ',
        'r' => 'ᵣ',
        's' => 'ₛ',
        't' => 'ₜ',
        'u' => 'ᵤ',
        'v' => 'ᵥ',
        'x' => 'ₓ',
        _ => return None,
    })
}

/// `text` in superscript characters when every character has one (`12` → `¹²`, `n` → `ⁿ`).
/// Only digit strings (with an optional leading minus) and single letters qualify, so that a
/// superscript never reads as a run of letters.
pub(crate) fn superscript(text: &str) -> Option<String> {
    let digits = text.strip_prefix(['-', '−']).unwrap_or(text);
    let numeric = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    let letter = text.chars().count() == 1 && text.chars().all(|c| c.is_ascii_lowercase());
    if !(numeric || letter) {
        return None;
    }
    text.chars().map(superscript_char).collect()
}

/// A subscript for the Unicode dialect: subscript characters for digit strings and single
/// letters that have them (`₁₂`, `ᵢ`), `_c` for another single character, `_{text}` otherwise.
pub(crate) fn unicode_subscript(text: &str) -> String {
    let numeric = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let single = text.chars().count() == 1;
    if numeric || single {
        if let Some(s) = text.chars().map(subscript_char).collect::<Option<String>>() {
            return s;
        }
    }
    if single {
        format!("_{text}")
    } else {
        format!("_{{{text}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superscripts_only_for_digits_and_single_letters() {
        assert_eq!(superscript("2").as_deref(), Some("²"));
        assert_eq!(superscript("-12").as_deref(), Some("⁻¹²"));
        assert_eq!(superscript("n").as_deref(), Some("ⁿ"));
        assert_eq!(superscript("q"), None);
        assert_eq!(superscript("nm"), None);
        assert_eq!(superscript("T"), None);
        assert_eq!(superscript("-"), None);
    }

    #[test]
    fn subscripts_fall_back_to_braces() {
        assert_eq!(unicode_subscript("1"), "₁");
        assert_eq!(unicode_subscript("12"), "₁₂");
        assert_eq!(unicode_subscript("i"), "ᵢ");
        assert_eq!(unicode_subscript("w"), "_w");
        assert_eq!(unicode_subscript("ji"), "_{ji}");
        assert_eq!(unicode_subscript("x₁"), "_{x₁}");
    }
}
