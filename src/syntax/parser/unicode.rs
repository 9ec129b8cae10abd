//! Character tables: Unicode superscripts, subscripts, vulgar fractions, Greek letters and words.

/// What a superscript or subscript character stands for, in the ordinary vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScriptChar {
    /// A digit, as its ASCII spelling.
    Digit(&'static str),
    /// A letter, as its ordinary spelling.
    Letter(&'static str),
    /// `⁺`, `₊`
    Plus,
    /// `⁻`, `₋`
    Minus,
    /// `⁼`, `₌`
    Equals,
    /// `⁽`, `₍`
    LParen,
    /// `⁾`, `₎`
    RParen,
}

const SUPERSCRIPTS: &[(char, ScriptChar)] = &[
    ('⁰', ScriptChar::Digit("0")),
    ('¹', ScriptChar::Digit("1")),
    ('²', ScriptChar::Digit("2")),
    ('³', ScriptChar::Digit("3")),
    ('⁴', ScriptChar::Digit("4")),
    ('⁵', ScriptChar::Digit("5")),
    ('⁶', ScriptChar::Digit("6")),
    ('⁷', ScriptChar::Digit("7")),
    ('⁸', ScriptChar::Digit("8")),
    ('⁹', ScriptChar::Digit("9")),
    ('⁺', ScriptChar::Plus),
    ('⁻', ScriptChar::Minus),
    ('⁼', ScriptChar::Equals),
    ('⁽', ScriptChar::LParen),
    ('⁾', ScriptChar::RParen),
    ('ⁿ', ScriptChar::Letter("n")),
    ('ⁱ', ScriptChar::Letter("i")),
    ('ᵃ', ScriptChar::Letter("a")),
    ('ᵇ', ScriptChar::Letter("b")),
    ('ᶜ', ScriptChar::Letter("c")),
    ('ᵈ', ScriptChar::Letter("d")),
    ('ᵉ', ScriptChar::Letter("e")),
    ('ᶠ', ScriptChar::Letter("f")),
    ('ᵍ', ScriptChar::Letter("g")),
    ('ʰ', ScriptChar::Letter("h")),
    ('ʲ', ScriptChar::Letter("j")),
    ('ᵏ', ScriptChar::Letter("k")),
    ('ˡ', ScriptChar::Letter("l")),
    ('ᵐ', ScriptChar::Letter("m")),
    ('ᵒ', ScriptChar::Letter("o")),
    ('ᵖ', ScriptChar::Letter("p")),
    ('ʳ', ScriptChar::Letter("r")),
    ('ˢ', ScriptChar::Letter("s")),
    ('ᵗ', ScriptChar::Letter("t")),
    ('ᵘ', ScriptChar::Letter("u")),
    ('ᵛ', ScriptChar::Letter("v")),
    ('ʷ', ScriptChar::Letter("w")),
    ('ˣ', ScriptChar::Letter("x")),
    ('ʸ', ScriptChar::Letter("y")),
    ('ᶻ', ScriptChar::Letter("z")),
    ('ᴬ', ScriptChar::Letter("A")),
    ('ᴮ', ScriptChar::Letter("B")),
    ('ᴰ', ScriptChar::Letter("D")),
    ('ᴱ', ScriptChar::Letter("E")),
    ('ᴳ', ScriptChar::Letter("G")),
    ('ᴴ', ScriptChar::Letter("H")),
    ('ᴵ', ScriptChar::Letter("I")),
    ('ᴶ', ScriptChar::Letter("J")),
    ('ᴷ', ScriptChar::Letter("K")),
    ('ᴸ', ScriptChar::Letter("L")),
    ('ᴹ', ScriptChar::Letter("M")),
    ('ᴺ', ScriptChar::Letter("N")),
    ('ᴼ', ScriptChar::Letter("O")),
    ('ᴾ', ScriptChar::Letter("P")),
    ('ᴿ', ScriptChar::Letter("R")),
    ('ᵁ', ScriptChar::Letter("U")),
    ('ⱽ', ScriptChar::Letter("V")),
    ('ᵂ', ScriptChar::Letter("W")),
    ('ᵝ', ScriptChar::Letter("β")),
    ('ᵞ', ScriptChar::Letter("γ")),
    ('ᵟ', ScriptChar::Letter("δ")),
    ('ᵠ', ScriptChar::Letter("φ")),
    ('ᵡ', ScriptChar::Letter("χ")),
];

const SUBSCRIPTS: &[(char, ScriptChar)] = &[
    ('₀', ScriptChar::Digit("0")),
    ('₁', ScriptChar::Digit("1")),
    ('₂', ScriptChar::Digit("2")),
    ('₃', ScriptChar::Digit("3")),
    ('₄', ScriptChar::Digit("4")),
    ('₅', ScriptChar::Digit("5")),
    ('₆', ScriptChar::Digit("6")),
    ('₇', ScriptChar::Digit("7")),
    ('₈', ScriptChar::Digit("8")),
    ('₉', ScriptChar::Digit("9")),
    ('₊', ScriptChar::Plus),
    ('₋', ScriptChar::Minus),
    ('₌', ScriptChar::Equals),
    ('₍', ScriptChar::LParen),
    ('₎', ScriptChar::RParen),
    ('ₐ', ScriptChar::Letter("a")),
    ('ₑ', ScriptChar::Letter("e")),
    ('ₒ', ScriptChar::Letter("o")),
    ('ₓ', ScriptChar::Letter("x")),
    ('ₕ', ScriptChar::Letter("h")),
    ('ᵢ', ScriptChar::Letter("i")),
    ('ⱼ', ScriptChar::Letter("j")),
    ('ₖ', ScriptChar::Letter("k")),
    ('ₗ', ScriptChar::Letter("l")),
    ('ₘ', ScriptChar::Letter("m")),
    ('ₙ', ScriptChar::Letter("n")),
    ('ₚ', ScriptChar::Letter("p")),
    ('ᵣ', ScriptChar::Letter("r")),
    ('ₛ', ScriptChar::Letter("s")),
    ('ₜ', ScriptChar::Letter("t")),
    ('ᵤ', ScriptChar::Letter("u")),
    ('ᵥ', ScriptChar::Letter("v")),
    ('ᵦ', ScriptChar::Letter("β")),
    ('ᵧ', ScriptChar::Letter("γ")),
    ('ᵨ', ScriptChar::Letter("ρ")),
    ('ᵩ', ScriptChar::Letter("φ")),
    ('ᵪ', ScriptChar::Letter("χ")),
];

/// The meaning of a superscript character, if it is one.
pub(super) fn superscript(c: char) -> Option<ScriptChar> {
    SUPERSCRIPTS.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

/// The meaning of a subscript character, if it is one.
pub(super) fn subscript(c: char) -> Option<ScriptChar> {
    SUBSCRIPTS.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

/// `½` → (1, 2), and the other vulgar fractions.
pub(super) fn vulgar_fraction(c: char) -> Option<(u8, u8)> {
    let pair = match c {
        '½' => (1, 2),
        '⅓' => (1, 3),
        '⅔' => (2, 3),
        '¼' => (1, 4),
        '¾' => (3, 4),
        '⅕' => (1, 5),
        '⅖' => (2, 5),
        '⅗' => (3, 5),
        '⅘' => (4, 5),
        '⅙' => (1, 6),
        '⅚' => (5, 6),
        '⅐' => (1, 7),
        '⅛' => (1, 8),
        '⅜' => (3, 8),
        '⅝' => (5, 8),
        '⅞' => (7, 8),
        '⅑' => (1, 9),
        '⅒' => (1, 10),
        _ => return None,
    };
    Some(pair)
}

/// A letter that may appear in a name: ASCII letters and the Greek alphabet.
pub(super) fn is_name_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('\u{0391}'..='\u{03A9}').contains(&c) && c != '\u{03A2}'
        || ('\u{03B1}'..='\u{03C9}').contains(&c)
        || matches!(c, 'ϵ' | 'ϑ' | 'ϕ' | 'ℓ')
}

const GREEK_WORDS: &[(&str, &str)] = &[
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("varepsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("vartheta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("varphi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
];

/// `alpha` (or the LaTeX command name `alpha`) → `α`.
pub(super) fn greek_word(word: &str) -> Option<&'static str> {
    GREEK_WORDS
        .iter()
        .find(|(k, _)| *k == word)
        .map(|(_, v)| *v)
}

/// Canonical spelling of a Greek variant letter (`ϵ` → `ε`, `ϕ` → `φ`, `ϑ` → `θ`).
pub(super) fn canonical_letter(c: char) -> char {
    match c {
        'ϵ' => 'ε',
        'ϕ' => 'φ',
        'ϑ' => 'θ',
        other => other,
    }
}
