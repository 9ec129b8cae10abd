//! What the printer is asked for: a dialect and a line width.

/// The three spellings nabla reads and writes (see NOTATION.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// Textbook Unicode: `Aᵀ(Ax − b)`, `½‖Ax − b‖²`.
    Unicode,
    /// Plain ASCII with explicit `*`: `A'*(A*x - b)`, `1/2*norm(A*x - b)^2`.
    Ascii,
    /// LaTeX math that KaTeX and amsmath render: `A^\top (A x - b)`.
    Latex,
}

/// How to print: which dialect and where to break long lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// The spelling.
    pub dialect: Dialect,
    /// The line width long expressions are broken at (between the terms of sums).
    pub width: usize,
}

/// The default line width.
const DEFAULT_WIDTH: usize = 100;

impl PrintOptions {
    /// Unicode at the default width.
    pub fn for_dialect(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Unicode => PrintOptions::unicode(),
            Dialect::Ascii => PrintOptions::ascii(),
            Dialect::Latex => PrintOptions::latex(),
        }
    }

    /// Unicode, the default width.
    pub fn unicode() -> Self {
        PrintOptions {
            dialect: Dialect::Unicode,
            width: DEFAULT_WIDTH,
        }
    }

    /// ASCII at the default width.
    pub fn ascii() -> Self {
        PrintOptions {
            dialect: Dialect::Ascii,
            width: DEFAULT_WIDTH,
        }
    }

    /// LaTeX at the default width.
    pub fn latex() -> Self {
        PrintOptions {
            dialect: Dialect::Latex,
            width: DEFAULT_WIDTH,
        }
    }
}

impl Default for PrintOptions {
    /// Unicode at width 100.
    fn default() -> Self {
        PrintOptions::unicode()
    }
}
