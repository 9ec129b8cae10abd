//! Powers, roots and postfix marks: `x²`, `xⁿ`, `A⁻²`, `x^(1/3)`, `√x`, `Aᵀ`, `A⁻¹`, `A⁺`.

use super::form::Form;
use super::layout::{Ctx, Edge, Piece, Printer, ATOM};
use super::options::Dialect;
use super::scripts::superscript;
use pretty::RcDoc;

impl Printer {
    /// `x²`, `xⁿ`, `x^α`, `A⁻²`, `x^(1/3)` / `x^2`, `inv(A)^2` / `x^{2}`.
    pub(crate) fn power(&self, base: &Form, exp: &Form, matrix: bool, ctx: Ctx) -> Piece {
        let tight = ctx.with_tight(true);
        match self.dialect {
            Dialect::Unicode => {
                let b = self.child(base, tight, ATOM);
                match self.superscript_exponent(exp) {
                    Some(sup) => Piece {
                        doc: b.doc.append(RcDoc::text(sup)),
                        left: b.left,
                        right: Edge::Script,
                    },
                    None => {
                        let e = self.flat_text(exp);
                        // A single letter needs no parentheses (`x^α`); the `·` after it does.
                        let single = matches!(exp, Form::Name(n) if n.chars().count() == 1);
                        let e = if single { e } else { format!("({e})") };
                        Piece {
                            doc: b.doc.append(RcDoc::text(format!("^{e}"))),
                            left: b.left,
                            right: Edge::OperandEnd,
                        }
                    }
                }
            }
            Dialect::Ascii => {
                let (b, exp_text) = match exp {
                    Form::Neg(k) if matrix => {
                        (self.call_text("inv", &[base], ctx), self.flat_text(k))
                    }
                    _ => (self.child(base, tight, ATOM), self.flat_text(exp)),
                };
                let simple = matches!(exp, Form::Number(n) if n.is_integer())
                    || matches!(exp, Form::Neg(k) if matrix && matches!(**k, Form::Number(_)))
                    || matches!(exp, Form::Name(_));
                let e = if simple {
                    exp_text
                } else {
                    format!("({exp_text})")
                };
                Piece {
                    doc: b.doc.append(RcDoc::text(format!("^{e}"))),
                    left: b.left,
                    right: Edge::Script,
                }
            }
            Dialect::Latex => {
                let b = self.child(base, tight, ATOM);
                let e = self.flat_text(exp);
                Piece {
                    doc: b.doc.append(RcDoc::text(format!("^{{{e}}}"))),
                    left: b.left,
                    right: Edge::Script,
                }
            }
        }
    }

    /// The exponent in superscript characters, when it is an integer or a single letter.
    fn superscript_exponent(&self, exp: &Form) -> Option<String> {
        match exp {
            Form::Number(n) if n.is_integer() => superscript(&n.numer().to_string()),
            Form::Neg(k) => match &**k {
                Form::Number(n) if n.is_integer() => superscript(&format!("-{}", n.numer())),
                _ => None,
            },
            Form::Name(name) => superscript(name),
            _ => None,
        }
    }

    /// `√x`, `√(x + 1)` / `sqrt(x + 1)` / `\sqrt{x + 1}`.
    pub(crate) fn sqrt(&self, radicand: &Form, ctx: Ctx) -> Piece {
        match self.dialect {
            Dialect::Ascii => self.call_text("sqrt", &[radicand], ctx),
            Dialect::Latex => {
                self.piece(radicand, ctx.delimited())
                    .wrap("\\sqrt{", "}", Edge::Mark, Edge::Close)
            }
            Dialect::Unicode => {
                let simple = Printer::is_simple_atom(radicand);
                if simple && !ctx.tight {
                    let r = self.piece(radicand, ctx);
                    Piece {
                        doc: RcDoc::text("√").append(r.doc),
                        left: Edge::Mark,
                        right: Edge::OperandEnd,
                    }
                } else {
                    self.piece(radicand, ctx.delimited())
                        .wrap("√(", ")", Edge::Mark, Edge::Close)
                }
            }
        }
    }

    /// A postfix mark (`Aᵀ`, `A⁻¹`, `A⁺`) per dialect: `[unicode, ascii, latex]`.
    pub(crate) fn postfix(&self, operand: &Form, marks: [&'static str; 3], ctx: Ctx) -> Piece {
        let mark = match self.dialect {
            Dialect::Unicode => marks[0],
            Dialect::Ascii => marks[1],
            Dialect::Latex => marks[2],
        };
        let a = self.child(operand, ctx.with_tight(true), ATOM);
        Piece {
            doc: a.doc.append(RcDoc::text(mark)),
            left: a.left,
            right: Edge::Script,
        }
    }
}
