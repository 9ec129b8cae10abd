//! Products: juxtaposed factors that re-read the same (`2x₁x₂`, `x·2`, `w xᵢ`, `x*y` in ASCII),
//! leading rational coefficients (`½x`, `(3/4)Ax`) and fractions (`2x/(x² + 1)`, `\frac{a}{b}`).

use super::form::Form;
use super::layout::{Ctx, Doc, Edge, Piece, Printer, POWER, PRODUCT, RESERVED};
use super::numbers::is_half;
use super::options::Dialect;
use pretty::RcDoc;

impl Printer {
    /// Is this form printed as a leading coefficient (`½`, `(3/4)`, `(α/n)`)?
    fn is_coefficient(form: &Form) -> bool {
        matches!(form, Form::Number(n) if !n.is_integer()) || matches!(form, Form::Fraction(..))
    }

    /// Juxtaposed factors (`*` in ASCII) with the joins that keep them apart when re-read.
    pub(crate) fn product(&self, factors: &[Form], ctx: Ctx) -> Piece {
        let n = factors.len();
        let mut doc: Doc = RcDoc::nil();
        let mut left = Edge::Mark;
        let mut prev: Option<Edge> = None;
        let mut run = String::new();
        for (i, factor) in factors.iter().enumerate() {
            let last = i + 1 == n;
            let piece = if i == 0 && Printer::is_coefficient(factor) {
                self.coefficient(factor, ctx.with_tight(true))
            } else {
                let radical = matches!(factor, Form::Sqrt(_)) && !last;
                let tight = !radical && (!last || ctx.tight);
                self.child(factor, ctx.with_tight(tight), POWER)
            };
            let merged = match &prev {
                None => {
                    left = piece.left.clone();
                    None
                }
                Some(p) => {
                    let (join, merged) = self.join(p, &piece.left, &run, ctx);
                    doc = doc.append(RcDoc::text(join));
                    merged
                }
            };
            run = match (&piece.right, merged) {
                (Edge::Word(_), Some(m)) if piece.left == piece.right => m,
                (Edge::Word(w), _) => w.clone(),
                _ => String::new(),
            };
            prev = Some(piece.right.clone());
            doc = doc.append(piece.doc);
        }
        Piece {
            doc,
            left,
            right: prev.unwrap_or(Edge::Mark),
        }
    }

    /// A leading rational coefficient: `½`, `(3/4)`, `(α/n)` in Unicode; bare in ASCII (where `/`
    /// and `*` associate left) and LaTeX (where `\frac` delimits).
    fn coefficient(&self, form: &Form, ctx: Ctx) -> Piece {
        match (self.dialect, form) {
            (Dialect::Unicode, Form::Number(n)) if is_half(n) => self.piece(form, ctx),
            (Dialect::Unicode, _) => {
                self.piece(form, ctx.delimited())
                    .wrap("(", ")", Edge::Open, Edge::Close)
            }
            (Dialect::Ascii, _) => self.piece(form, ctx),
            (Dialect::Latex, _) => {
                let p = self.piece(form, ctx);
                Piece {
                    right: Edge::Close,
                    ..p
                }
            }
        }
    }

    /// The text between two juxtaposed factors, and the merged run of letters when they join
    /// without a sign.
    fn join(
        &self,
        prev: &Edge,
        next: &Edge,
        run: &str,
        ctx: Ctx,
    ) -> (&'static str, Option<String>) {
        let merged = match (prev, next) {
            (Edge::Word(a), Edge::Word(b)) => self.merge_run(a, b, run),
            _ => None,
        };
        let letters_clash =
            matches!((prev, next), (Edge::Word(_), Edge::Word(_))) && merged.is_none();
        // A name spelled like a function (`σ`, `J`, `tr`) before a parenthesis would read as a call.
        let call_like = matches!((prev, next), (Edge::Word(w), Edge::Open)
            if w == "σ" || w == "J" || RESERVED.contains(&w.as_str()));
        match self.dialect {
            Dialect::Ascii => ("*", None),
            Dialect::Latex => {
                let dot = matches!(next, Edge::Digit)
                    || matches!((prev, next), (Edge::Bar, Edge::Bar))
                    || letters_clash
                    || call_like;
                (if dot { " \\cdot " } else { " " }, merged)
            }
            Dialect::Unicode => {
                let space = if ctx.matrix { "·" } else { " " };
                let join = match (prev, next) {
                    (_, Edge::Digit) | (Edge::OperandEnd, _) | (Edge::Bar, Edge::Bar) => "·",
                    _ if call_like => "·",
                    (Edge::Spaced, Edge::Bar) => "·",
                    (Edge::Spaced, _) | (_, Edge::Function) => space,
                    (Edge::Word(_), Edge::Word(_)) if letters_clash => space,
                    (Edge::Word(_), Edge::Subscripted) => space,
                    _ => "",
                };
                (join, merged)
            }
        }
    }

    /// The run of letters `run` (ending in `a`) extended by `b`, when both are single letters and
    /// the run contains no reserved word or declared multi-letter name.
    fn merge_run(&self, a: &str, b: &str, run: &str) -> Option<String> {
        let single = |s: &str| s.chars().count() == 1 && s.chars().all(char::is_alphabetic);
        if !(single(a) && single(b)) {
            return None;
        }
        let mut candidate = if run.is_empty() {
            a.to_string()
        } else {
            run.to_string()
        };
        candidate.push_str(b);
        let clash = self.words.iter().any(|w| candidate.contains(w.as_str()));
        (!clash).then_some(candidate)
    }

    /// `a/b` (Unicode, ASCII) or `\frac{a}{b}` (LaTeX).
    pub(crate) fn fraction(&self, n: &Form, d: &Form, ctx: Ctx) -> Piece {
        if self.dialect == Dialect::Latex {
            let top = self.piece(n, ctx.delimited());
            let bottom = self.piece(d, ctx.delimited());
            let doc = RcDoc::text("\\frac{")
                .append(top.doc)
                .append(RcDoc::text("}{"))
                .append(bottom.doc)
                .append(RcDoc::text("}"));
            return Piece {
                doc,
                left: Edge::Mark,
                right: Edge::Close,
            };
        }
        let top = self.child(n, ctx.with_tight(true), PRODUCT);
        // A root may end the line open (`1/√x`); a function keeps its parentheses (`1/sin(x)`).
        let radical = matches!(d, Form::Sqrt(_));
        let bottom = self.child(d, ctx.with_tight(!radical || ctx.tight), POWER);
        Piece {
            doc: top.doc.append(RcDoc::text("/")).append(bottom.doc),
            left: top.left,
            right: bottom.right,
        }
    }
}
