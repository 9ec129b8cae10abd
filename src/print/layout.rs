//! Spelling a [`Form`] in a dialect as a `pretty` document: minimal parentheses by precedence,
//! juxtaposition that re-reads the same (`2x₁x₂`, `x·2`, `w xᵢ`), and sums that break between
//! terms at the line width.

use super::form::Form;
use super::names::print_name;
use super::numbers::number_text;
use super::options::Dialect;
use super::scripts::unicode_subscript;
use crate::expr::Pool;
use pretty::RcDoc;
use std::collections::BTreeSet;

/// The document type the printer builds.
pub(crate) type Doc = RcDoc<'static, ()>;

/// Precedence levels, loosest first: `at`, sums, binary operators (`⊙`, `⊗`, derivative
/// operators), products and fractions, unary minus, powers and postfix operators, atoms.
pub(crate) const AT: u8 = 0;
pub(crate) const SUM: u8 = 1;
pub(crate) const BINARY: u8 = 2;
pub(crate) const PRODUCT: u8 = 3;
pub(crate) const NEG: u8 = 4;
pub(crate) const POWER: u8 = 5;
pub(crate) const ATOM: u8 = 6;

/// A width at which nothing breaks.
const FLAT: usize = usize::MAX / 4;

/// Words a run of juxtaposed single letters must not contain, or it would re-read as a name.
pub(crate) const RESERVED: &[&str] = &[
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "ln",
    "sqrt",
    "tanh",
    "sigmoid",
    "softplus",
    "relu",
    "abs",
    "sign",
    "tr",
    "trace",
    "det",
    "inv",
    "pinv",
    "diag",
    "sum",
    "softmax",
    "logsumexp",
    "norm",
    "kron",
    "grad",
    "hess",
    "jac",
    "diff",
    "ddir",
    "ones",
    "at",
    "let",
    "claim",
    "with",
    "from",
    "using",
    "descend",
    "classify",
    "critical",
];

/// What a printed piece begins or ends with, to decide how neighbours are joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// A number.
    Digit,
    /// A plain name (letters that can merge with neighbouring letters).
    Word(String),
    /// A name carrying a subscript (left edge).
    Subscripted,
    /// A subscript, superscript or postfix mark (right edge).
    Script,
    /// An opening bracket.
    Open,
    /// A closing bracket.
    Close,
    /// `|` or `‖`, which open and close alike.
    Bar,
    /// A function name (`sin`, `σ`, `tr`).
    Function,
    /// The end of an operand of `√` or `^` (`√x`, `x^(1/3)`): a factor juxtaposed after it could
    /// be read into the operand, so it is joined with `·`.
    OperandEnd,
    /// An end that needs a space before any juxtaposed factor (`‖X‖_F`).
    Spaced,
    /// Any other sign (`−`, `∑`, `∇`, `𝟙`).
    Mark,
}

/// A printed piece with its edges.
pub(crate) struct Piece {
    /// The document.
    pub(crate) doc: Doc,
    /// How it begins.
    pub(crate) left: Edge,
    /// How it ends.
    pub(crate) right: Edge,
}

impl Piece {
    /// A piece of plain text with the given edges.
    pub(crate) fn text(s: impl Into<String>, left: Edge, right: Edge) -> Piece {
        Piece {
            doc: RcDoc::text(s.into()),
            left,
            right,
        }
    }

    /// `before` + this piece + `after`.
    pub(crate) fn wrap(self, before: &str, after: &str, left: Edge, right: Edge) -> Piece {
        Piece {
            doc: RcDoc::text(before.to_string())
                .append(self.doc)
                .append(RcDoc::text(after.to_string())),
            left,
            right,
        }
    }
}

/// Where a piece is printed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ctx {
    /// Something binding at least as tightly as a product follows on the right, so operators
    /// that extend to the right (`sin x`, `∑`) must be closed.
    pub(crate) tight: bool,
    /// Inside an entry of an inline Unicode matrix, where a space separates entries.
    pub(crate) matrix: bool,
    /// Never break lines.
    pub(crate) flat: bool,
    /// Inside `|…|`, where another `|` would close it.
    pub(crate) in_abs: bool,
    /// Inside `‖…‖`, where another `‖` would close it.
    pub(crate) in_norm: bool,
}

impl Ctx {
    /// Inside brackets: nothing follows, entries are delimited.
    pub(crate) fn delimited(self) -> Ctx {
        Ctx {
            flat: self.flat,
            ..Ctx::default()
        }
    }

    /// With `tight` set as given.
    pub(crate) fn with_tight(self, tight: bool) -> Ctx {
        Ctx { tight, ..self }
    }
}

/// Prints forms in one dialect.
pub(crate) struct Printer {
    /// The dialect.
    pub(crate) dialect: Dialect,
    /// Reserved words and declared multi-letter names.
    pub(crate) words: BTreeSet<String>,
}

impl Printer {
    /// A printer for expressions of `pool`.
    pub(crate) fn new(pool: &Pool, dialect: Dialect) -> Printer {
        let mut words: BTreeSet<String> = RESERVED.iter().map(|w| w.to_string()).collect();
        for (_, s) in pool.symbols() {
            if s.name.chars().count() > 1 && s.name.chars().all(char::is_alphabetic) {
                words.insert(s.name.clone());
            }
        }
        Printer { dialect, words }
    }

    /// Renders a document at a width, without trailing spaces.
    pub(crate) fn render(doc: &Doc, width: usize) -> String {
        let text = format!("{}", doc.pretty(width));
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        lines.join("\n")
    }

    /// A form as one line of text.
    pub(crate) fn flat_text(&self, form: &Form) -> String {
        let ctx = Ctx {
            flat: true,
            ..Ctx::default()
        };
        Printer::render(&self.piece(form, ctx).doc, FLAT)
    }

    /// The minus sign.
    pub(crate) fn minus(&self) -> &'static str {
        match self.dialect {
            Dialect::Unicode => "−",
            _ => "-",
        }
    }

    /// How tightly a form binds as printed in this dialect.
    pub(crate) fn level(&self, form: &Form) -> u8 {
        let ascii = self.dialect == Dialect::Ascii;
        let latex = self.dialect == Dialect::Latex;
        match form {
            Form::Number(n) if n.is_integer() => ATOM,
            Form::Number(_) => PRODUCT,
            Form::Name(_)
            | Form::Identity
            | Form::Ones
            | Form::Zero
            | Form::Component(..)
            | Form::Call(..)
            | Form::Abs(_)
            | Form::Norm(..)
            | Form::Matrix { .. }
            | Form::SumOver { .. } => ATOM,
            Form::Sum(_) => SUM,
            Form::Neg(_) => NEG,
            Form::Product(_) | Form::Fraction(..) => PRODUCT,
            Form::Power { .. } | Form::Transpose(_) => POWER,
            Form::Sqrt(_) | Form::Inverse(_) | Form::Pinv(_) if ascii => ATOM,
            Form::Sqrt(_) if latex => ATOM,
            Form::Sqrt(_) | Form::Inverse(_) | Form::Pinv(_) => POWER,
            Form::Hadamard(_) | Form::HadamardDiv(..) => BINARY,
            Form::Kron(..) if ascii => ATOM,
            Form::Kron(..) => BINARY,
            Form::Derivative { kind, .. } => self.derivative_level(*kind),
            Form::At(..) if latex => ATOM,
            Form::At(..) => AT,
        }
    }

    /// A child printed where it must bind at least at `min`: in parentheses when it binds more
    /// loosely, when it extends to the right and something tight follows, when it contains
    /// spaces inside a Unicode matrix row, or when its bars would close enclosing bars.
    pub(crate) fn child(&self, form: &Form, ctx: Ctx, min: u8) -> Piece {
        let greedy = matches!(form, Form::SumOver { .. }) && self.dialect != Dialect::Ascii;
        // Bars of one kind inside bars of that kind would read as closing them.
        let nested_bars = match form {
            Form::Abs(_) => ctx.in_abs && self.dialect == Dialect::Unicode,
            Form::Norm(..) => ctx.in_norm && self.dialect != Dialect::Ascii,
            _ => false,
        };
        let parens = self.level(form) < min
            || (ctx.tight && greedy)
            || (ctx.matrix && self.loose(form))
            || nested_bars;
        if parens {
            self.piece(form, ctx.delimited())
                .wrap("(", ")", Edge::Open, Edge::Close)
        } else {
            self.piece(form, ctx)
        }
    }

    /// Does an operator form print with a space that would split a Unicode matrix row
    /// (`∇ₓ f`, `∑_{i=1}^{N} xᵢ`, `… at x = 1`)?
    fn loose(&self, form: &Form) -> bool {
        matches!(
            form,
            Form::Derivative { .. } | Form::SumOver { .. } | Form::At(..)
        ) && self.flat_text(form).contains(' ')
    }

    /// A form printed in a context.
    pub(crate) fn piece(&self, form: &Form, ctx: Ctx) -> Piece {
        match form {
            Form::Number(n) => Piece::text(number_text(n, self.dialect), Edge::Digit, Edge::Digit),
            Form::Name(name) => self.name(name),
            Form::Identity => Piece::text("I", Edge::Word("I".into()), Edge::Word("I".into())),
            Form::Ones => match self.dialect {
                Dialect::Unicode => Piece::text("𝟙", Edge::Mark, Edge::Mark),
                Dialect::Ascii => Piece::text("ones", Edge::Function, Edge::Function),
                Dialect::Latex => Piece::text("\\mathbf{1}", Edge::Mark, Edge::Close),
            },
            Form::Zero => Piece::text("0", Edge::Digit, Edge::Digit),
            Form::Component(container, indices) => self.component(container, indices, ctx),
            Form::Sum(terms) => self.sum(terms, ctx),
            Form::Neg(a) => {
                let inner = self.child(a, ctx, PRODUCT);
                Piece {
                    doc: RcDoc::text(self.minus()).append(inner.doc),
                    left: Edge::Mark,
                    right: inner.right,
                }
            }
            Form::Product(factors) => self.product(factors, ctx),
            Form::Fraction(n, d) => self.fraction(n, d, ctx),
            Form::Power { base, exp, matrix } => self.power(base, exp, *matrix, ctx),
            Form::Sqrt(r) => self.sqrt(r, ctx),
            Form::Transpose(a) => self.postfix(a, ["ᵀ", "'", "^\\top"], ctx),
            Form::Inverse(a) if self.dialect == Dialect::Ascii => self.call_text("inv", &[a], ctx),
            Form::Inverse(a) => self.postfix(a, ["⁻¹", "", "^{-1}"], ctx),
            Form::Pinv(a) if self.dialect == Dialect::Ascii => self.call_text("pinv", &[a], ctx),
            Form::Pinv(a) => self.postfix(a, ["⁺", "", "^+"], ctx),
            Form::Call(f, args) => self.call(*f, args, ctx),
            Form::Abs(a) => self.abs(a, ctx),
            Form::Norm(kind, a) => self.norm(*kind, a, ctx),
            Form::Hadamard(xs) => {
                let op = match self.dialect {
                    Dialect::Unicode => " ⊙ ",
                    Dialect::Ascii => " .* ",
                    Dialect::Latex => " \\odot ",
                };
                self.binary(xs.iter().collect(), op, ctx)
            }
            Form::HadamardDiv(a, b) => {
                let op = match self.dialect {
                    Dialect::Unicode => " ⊘ ",
                    Dialect::Ascii => " ./ ",
                    Dialect::Latex => " \\oslash ",
                };
                self.binary(vec![a, b], op, ctx)
            }
            Form::Kron(a, b) => match self.dialect {
                Dialect::Unicode => self.binary(vec![a, b], " ⊗ ", ctx),
                Dialect::Ascii => self.call_text("kron", &[a, b], ctx),
                Dialect::Latex => self.binary(vec![a, b], " \\otimes ", ctx),
            },
            Form::Matrix {
                rows,
                cols,
                entries,
            } => self.inline_matrix(*rows, *cols, entries),
            Form::SumOver {
                index,
                lower,
                upper,
                body,
            } => self.sum_over(index, lower, upper, body, ctx),
            Form::Derivative {
                kind,
                body,
                wrt,
                direction,
            } => self.derivative(*kind, body, wrt, direction.as_deref(), ctx),
            Form::At(body, bindings) => self.at(body, bindings, ctx),
        }
    }

    /// A symbol name; a subscripted name cannot merge with letters before it.
    fn name(&self, name: &str) -> Piece {
        let subscripted =
            matches!(name.split_once('_'), Some((b, s)) if !b.is_empty() && !s.is_empty());
        let text = print_name(name, self.dialect);
        if subscripted {
            Piece::text(text, Edge::Subscripted, Edge::Script)
        } else {
            Piece::text(text, Edge::Word(name.into()), Edge::Word(name.into()))
        }
    }

    /// `xᵢ`, `A_{ij}`, `x_{i + 1}`, `x_1` / `A_ij` (ASCII), `x_{i}` (LaTeX).
    fn component(&self, container: &Form, indices: &[Form], ctx: Ctx) -> Piece {
        let base = self.child(container, ctx.with_tight(true), ATOM);
        let texts: Vec<String> = indices.iter().map(|i| self.flat_text(i)).collect();
        let letters = texts.len() > 1
            && texts
                .iter()
                .all(|t| t.chars().count() == 1 && t.chars().all(char::is_alphabetic));
        let joined = if letters {
            texts.concat()
        } else {
            texts.join(",")
        };
        let simple = texts.len() == 1 || letters;
        let sub = match self.dialect {
            Dialect::Unicode if texts.len() == 1 => unicode_subscript(&joined),
            Dialect::Ascii if simple && joined.chars().all(char::is_alphanumeric) => {
                format!("_{joined}")
            }
            _ => format!("_{{{joined}}}"),
        };
        let left = match base.left {
            Edge::Word(_) => Edge::Subscripted,
            other => other,
        };
        Piece {
            doc: base.doc.append(RcDoc::text(sub)),
            left,
            right: Edge::Script,
        }
    }

    /// Terms joined by ` + ` and ` − `, breaking after the sign when too long.
    fn sum(&self, terms: &[(bool, Form)], ctx: Ctx) -> Piece {
        let n = terms.len();
        let mut doc: Doc = RcDoc::nil();
        let (mut left, mut right) = (Edge::Mark, Edge::Mark);
        for (i, (negative, term)) in terms.iter().enumerate() {
            let last = i + 1 == n;
            let term_ctx = ctx.with_tight(last && ctx.tight);
            if i == 0 {
                let piece = if *negative {
                    let inner = self.child(term, term_ctx, PRODUCT);
                    Piece {
                        doc: RcDoc::text(self.minus()).append(inner.doc),
                        left: Edge::Mark,
                        right: inner.right,
                    }
                } else {
                    self.child(term, term_ctx, BINARY)
                };
                left = piece.left;
                right = piece.right;
                doc = piece.doc;
                continue;
            }
            let sign = if *negative { self.minus() } else { "+" };
            let piece = self.child(term, term_ctx, BINARY);
            right = piece.right;
            // Each gap breaks on its own, so lines fill up to the width.
            let gap: Doc = if ctx.flat {
                RcDoc::text(" ")
            } else {
                RcDoc::softline()
            };
            doc = doc
                .append(RcDoc::text(format!(" {sign}")))
                .append(gap)
                .append(piece.doc);
        }
        if !ctx.flat {
            doc = doc.nest(2).group();
        }
        Piece { doc, left, right }
    }

    /// Operands joined by an infix operator (`⊙`, `⊗`), each a power or tighter.
    fn binary(&self, operands: Vec<&Form>, op: &str, ctx: Ctx) -> Piece {
        let mut doc: Doc = RcDoc::nil();
        let (mut left, mut right) = (Edge::Mark, Edge::Mark);
        for (i, x) in operands.iter().enumerate() {
            let p = self.child(x, ctx.with_tight(true), POWER);
            if i == 0 {
                left = p.left;
            } else {
                doc = doc.append(RcDoc::text(op.to_string()));
            }
            right = p.right;
            doc = doc.append(p.doc);
        }
        Piece { doc, left, right }
    }
}
