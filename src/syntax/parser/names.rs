//! Names: built-in functions, keywords, Greek words, and splitting letter runs like `Ax` into
//! declared names.

use super::unicode;
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use std::collections::BTreeSet;

/// The longest run of letters that is split into a product.
const MAX_RUN: usize = 64;

/// Words that end an expression (`… at x = 1`, `from x = 0 with A = … using gd`).
pub(super) fn is_clause_keyword(word: &str) -> bool {
    matches!(word, "at" | "with" | "using" | "from")
}

/// Built-in functions applied with parentheses (`tr(A)`) or, for these, also without
/// (`sin x`, `log x`); the functions written through them (`sinh`, `sec`, …) too.
pub(super) fn is_prefix_function(word: &str) -> bool {
    matches!(
        word,
        "sin"
            | "cos"
            | "tan"
            | "exp"
            | "log"
            | "ln"
            | "tanh"
            | "arcsin"
            | "asin"
            | "arccos"
            | "acos"
            | "arctan"
            | "atan"
    ) || crate::syntax::lower::derived::DERIVED_FUNCTIONS.contains(&word)
}

/// Every built-in function name, as written in ASCII.
pub(super) fn is_builtin_function(word: &str) -> bool {
    is_prefix_function(word)
        || matches!(
            word,
            "sqrt"
                | "σ"
                | "sigmoid"
                | "softplus"
                | "relu"
                | "abs"
                | "sign"
                | "tr"
                | "det"
                | "inv"
                | "diag"
                | "sum"
                | "softmax"
                | "logsumexp"
                | "norm"
                | "pinv"
                | "kron"
                | "grad"
                | "hess"
                | "jac"
                | "diff"
                | "ddir"
        )
}

/// Common function names nabla does not provide, with a hint on what to write instead.
pub(super) fn missing_function_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "atan2" | "arcsec" | "arccsc" | "arccot" => {
            "this inverse trigonometric function is not built in; nabla has arcsin, arccos and \
             arctan (arcsec u = arccos(1/u), arccot u = arctan(1/u) for u > 0)"
        }
        "lg" => "nabla's log is the natural logarithm; write log(x)/log(2) or log(x)/log(10)",
        "max" | "min" => {
            "max and min are not built in; max(0, x) is relu(x), and max(a, b) = (a + b + |a − b|)/2"
        }
        "floor" | "ceil" | "round" | "mod" | "erf" | "erfc" | "cbrt" => {
            "this function is not built in; nabla's functions are sin cos tan sec csc cot exp log \
             sqrt sinh cosh tanh σ softplus relu abs sign tr det inv diag sum softmax logsumexp"
        }
        _ => return None,
    })
}

/// Canonical name of a built-in function (`ln` → `log`, `sigmoid` → `σ`, `atan` → `arctan`).
pub(super) fn canonical_function(word: &str) -> String {
    match word {
        "ln" => "log".to_string(),
        "asin" => "arcsin".to_string(),
        "acos" => "arccos".to_string(),
        "atan" => "arctan".to_string(),
        "sigmoid" => "σ".to_string(),
        other => other.to_string(),
    }
}

/// Canonical spelling of a name: Greek words become letters, variant letters are unified.
pub(super) fn canonical_name(word: &str) -> String {
    match unicode::greek_word(word) {
        Some(letter) => letter.to_string(),
        None => word.chars().map(unicode::canonical_letter).collect(),
    }
}

/// The byte offsets at which `run`'s characters start, and its end.
fn char_bounds(run: &str) -> Vec<usize> {
    run.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(run.len()))
        .collect()
}

/// The memo of [`Names::declared_splits`]: how many declared splits each suffix has.
#[derive(Clone, Copy)]
struct SplitTable<'r> {
    run: &'r str,
    bounds: &'r [usize],
    ways: &'r [u8],
    longest: usize,
}

/// What the parser knows about the names in scope.
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    /// Declared symbols, dimensions, parameters and names passed in by the caller.
    pub variables: BTreeSet<String>,
    /// Names of defined functions (`f(x) = …`).
    pub functions: BTreeSet<String>,
}

impl Names {
    /// Is `word` a name that stays whole (never split)?
    fn is_whole(&self, word: &str) -> bool {
        self.variables.contains(word)
            || self.functions.contains(word)
            || is_builtin_function(word)
            || is_clause_keyword(word)
            || word == "ones"
    }

    /// Is `word` usable as one piece when splitting a run?
    fn is_piece(&self, word: &str) -> bool {
        word == "I" || self.variables.contains(word) || self.functions.contains(word)
    }

    /// The length in characters of the longest declared name.
    fn longest_piece(&self) -> usize {
        self.variables
            .iter()
            .chain(self.functions.iter())
            .map(|v| v.chars().count())
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// Is `word` a defined function (so `word(` is a call)?
    pub fn is_function(&self, word: &str) -> bool {
        self.functions.contains(word)
    }

    /// Is `word` a declared symbol?
    pub fn is_variable(&self, word: &str) -> bool {
        self.variables.contains(word)
    }

    /// Why a letter run that no declared names spell cannot be read as a product of letters: it
    /// is called (`foo(x)`, three letters or more: an unknown function), or a function name
    /// runs into other letters (`sinx`, `xcosx`: sin x or s·i·n·x?). `None` when it can.
    pub fn unreadable_run(&self, run: &str, span: Span, called: bool) -> Option<Diagnostic> {
        let letters = run.chars().count();
        if letters < 2
            || self.is_whole(run)
            || unicode::greek_word(run).is_some()
            || missing_function_hint(run).is_some()
        {
            return None;
        }
        if run.chars().nth(MAX_RUN).is_some() || !run.chars().all(char::is_alphabetic) {
            return None;
        }
        let bounds = char_bounds(run);
        if !self.declared_splits(run, &bounds).is_empty() {
            return None;
        }
        const GLUED: [&str; 15] = [
            "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sin", "cos", "tan", "sec",
            "csc", "cot", "exp", "log", "ln",
        ];
        let glued = GLUED.iter().find(|f| run.contains(*f));
        if called && (letters >= 3 || glued.is_some()) {
            return Some(
                Diagnostic::new(
                    DiagnosticKind::UnknownName,
                    span,
                    format!("unknown function {run}"),
                )
                .with_hint(
                    "nabla's functions are sin cos tan sec csc cot exp log sqrt sinh cosh tanh \
                     arcsin arccos arctan σ softplus relu abs sign tr det inv diag sum softmax \
                     logsumexp; for a product of symbols, write them apart or declare them with let",
                ),
            );
        }
        let f = glued?;
        let at = run.find(f).unwrap_or(0);
        let (before, after) = (&run[..at], &run[at + f.len()..]);
        let written = [before, f, after]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        Some(
            Diagnostic::new(
                DiagnosticKind::AmbiguousName,
                span,
                format!("{run} runs the function {f} into other letters"),
            )
            .with_hint(format!(
                "write {written} (with spaces) or {f}(…); to multiply single letters, separate them"
            )),
        )
    }

    /// Splits a letter run into names: whole if it is known, else into declared names where that
    /// split is unique, else into declared multi-letter names and single letters (longest first).
    pub fn split(&self, run: &str, span: Span) -> Result<Vec<(String, Span)>, Diagnostic> {
        if self.is_whole(run) || run.chars().nth(1).is_none() {
            return Ok(vec![(run.to_string(), span)]);
        }
        if run.chars().nth(MAX_RUN).is_some() {
            return Err(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                span,
                format!("a run of more than {MAX_RUN} letters is too long to read as a product"),
            )
            .with_hint("separate the names with spaces or `*`"));
        }
        let bounds = char_bounds(run);
        let pieces = self.declared_splits(run, &bounds);
        // A Greek word (`alpha`, `pi`) is one name unless declared names spell it uniquely.
        let greek = unicode::greek_word(run).is_some();
        let cuts = match pieces.as_slice() {
            [only] => only.clone(),
            _ if greek => return Ok(vec![(run.to_string(), span)]),
            [first, second, ..] => {
                return Err(self.ambiguous(run, span, first, second));
            }
            // A common function nabla lacks (`arcsin`) stays whole, to be reported as unknown.
            [] if missing_function_hint(run).is_some() => return Ok(vec![(run.to_string(), span)]),
            [] => self.greedy_split(run, &bounds),
        };
        let start = span.start as usize;
        Ok(cuts
            .windows(2)
            .filter_map(|w| {
                let (a, b) = (*w.first()?, *w.get(1)?);
                let text = run.get(a..b)?;
                Some((text.to_string(), Span::new(start + a, start + b)))
            })
            .collect())
    }

    /// Up to two ways to cut `run` into declared pieces, as lists of byte offsets.
    fn declared_splits(&self, run: &str, bounds: &[usize]) -> Vec<Vec<usize>> {
        // ways[k]: number of declared splits of run[bounds[k]..], capped at 2.
        let n = bounds.len();
        let longest = self.longest_piece();
        let mut ways = vec![0u8; n];
        if let Some(last) = ways.last_mut() {
            *last = 1;
        }
        for k in (0..n.saturating_sub(1)).rev() {
            let mut count = 0u8;
            for j in k + 1..n.min(k + longest + 1) {
                let piece = bounds
                    .get(k)
                    .zip(bounds.get(j))
                    .and_then(|(a, b)| run.get(*a..*b));
                if piece.is_some_and(|p| self.is_piece(p)) {
                    count = count
                        .saturating_add(ways.get(j).copied().unwrap_or(0))
                        .min(2);
                }
            }
            if let Some(w) = ways.get_mut(k) {
                *w = count;
            }
        }
        let mut found = Vec::new();
        let mut prefix = vec![0usize];
        let table = SplitTable {
            run,
            bounds,
            ways: &ways,
            longest,
        };
        self.collect_splits(&table, 0, &mut prefix, &mut found);
        found
    }

    fn collect_splits(
        &self,
        table: &SplitTable<'_>,
        k: usize,
        prefix: &mut Vec<usize>,
        found: &mut Vec<Vec<usize>>,
    ) {
        let SplitTable {
            run,
            bounds,
            ways,
            longest,
        } = *table;
        if found.len() >= 2 || ways.get(k).copied().unwrap_or(0) == 0 {
            return;
        }
        if k + 1 == bounds.len() {
            found.push(prefix.clone());
            return;
        }
        for j in k + 1..bounds.len().min(k + longest + 1) {
            let (Some(a), Some(b)) = (bounds.get(k), bounds.get(j)) else {
                continue;
            };
            if ways.get(j).copied().unwrap_or(0) > 0
                && run.get(*a..*b).is_some_and(|p| self.is_piece(p))
            {
                prefix.push(*b);
                self.collect_splits(table, j, prefix, found);
                prefix.pop();
            }
        }
    }

    fn greedy_split(&self, run: &str, bounds: &[usize]) -> Vec<usize> {
        let mut cuts = vec![0usize];
        let mut k = 0;
        while k + 1 < bounds.len() {
            let next = (k + 2..bounds.len().min(k + self.longest_piece() + 1))
                .rev()
                .find(|&j| {
                    bounds
                        .get(k)
                        .zip(bounds.get(j))
                        .and_then(|(a, b)| run.get(*a..*b))
                        .is_some_and(|p| self.is_piece(p))
                })
                .unwrap_or(k + 1);
            if let Some(b) = bounds.get(next) {
                cuts.push(*b);
            }
            k = next;
        }
        cuts
    }

    fn ambiguous(&self, run: &str, span: Span, first: &[usize], second: &[usize]) -> Diagnostic {
        let show = |cuts: &[usize]| {
            cuts.windows(2)
                .filter_map(|w| run.get(*w.first()?..*w.get(1)?))
                .collect::<Vec<_>>()
                .join("·")
        };
        Diagnostic::new(
            DiagnosticKind::AmbiguousName,
            span,
            format!("`{run}` can be read as more than one product of declared names"),
        )
        .with_primary_message("ambiguous run of letters")
        .with_hint(format!(
            "write `{}` or `{}` explicitly (with `*` or spaces)",
            show(first),
            show(second)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(vars: &[&str]) -> Names {
        Names {
            variables: vars.iter().map(|s| s.to_string()).collect(),
            functions: BTreeSet::new(),
        }
    }

    fn split(n: &Names, run: &str) -> Vec<String> {
        n.split(run, Span::new(0, run.len()))
            .map(|v| v.into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default()
    }

    #[test]
    fn splits_into_letters_by_default() {
        assert_eq!(split(&names(&[]), "ab"), ["a", "b"]);
        assert_eq!(split(&names(&[]), "alpha"), ["alpha"]);
    }

    #[test]
    fn prefers_declared_multi_letter_names() {
        assert_eq!(split(&names(&["xy", "z"]), "xyz"), ["xy", "z"]);
        assert_eq!(split(&names(&["αw"]), "αw"), ["αw"]);
    }

    #[test]
    fn greek_words_yield_to_declared_names() {
        assert_eq!(split(&names(&[]), "pi"), ["pi"]);
        assert_eq!(split(&names(&["p", "i"]), "pi"), ["p", "i"]);
    }

    #[test]
    fn two_declared_splits_are_ambiguous() {
        let n = names(&["a", "ab", "bc", "c"]);
        let err = n.split("abc", Span::new(0, 3)).err();
        assert_eq!(err.map(|e| e.kind), Some(DiagnosticKind::AmbiguousName));
    }
}
