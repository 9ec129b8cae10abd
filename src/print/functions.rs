//! Function applications: `sin x`, `sin(x + 1)`, `σ(Wx + b)`, `tr(A)`, `|t|`, `‖v‖₁`, `‖X‖_F`,
//! with the names of each dialect (`sigmoid`, `\sigma`, `\operatorname{tr}`).

use super::form::Form;
use super::layout::{Ctx, Doc, Edge, Piece, Printer};
use super::options::Dialect;
use crate::expr::{Func, NormKind};
use pretty::RcDoc;

impl Printer {
    /// A name, an entry or a whole number: what `√`, `sin` and derivative operators take without
    /// parentheses.
    pub(crate) fn is_simple_atom(form: &Form) -> bool {
        match form {
            Form::Name(_) | Form::Component(..) => true,
            Form::Number(n) => n.is_integer(),
            _ => false,
        }
    }

    /// `name(a, b, …)` with delimited arguments.
    pub(crate) fn call_text(&self, name: &str, args: &[&Form], ctx: Ctx) -> Piece {
        let inner = ctx.delimited();
        let mut doc: Doc = RcDoc::text(format!("{name}("));
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                doc = doc.append(RcDoc::text(", "));
            }
            doc = doc.append(self.piece(a, inner).doc);
        }
        Piece {
            doc: doc.append(RcDoc::text(")")),
            left: Edge::Function,
            right: Edge::Close,
        }
    }

    /// A built-in function: `sin x` for a simple argument where nothing tight follows,
    /// otherwise `sin(x + 1)`; LaTeX `\sin`, `\operatorname{tr}`.
    pub(crate) fn call(&self, f: Func, args: &[Form], ctx: Ctx) -> Piece {
        let name = self.function_name(f);
        let prefix_style = matches!(
            f,
            Func::Sin
                | Func::Cos
                | Func::Tan
                | Func::Log
                | Func::Tanh
                | Func::Arcsin
                | Func::Arccos
                | Func::Arctan
        );
        if let [arg] = args {
            let bare = prefix_style
                && self.dialect != Dialect::Ascii
                && !ctx.tight
                && !ctx.matrix
                && Printer::is_simple_atom(arg);
            if bare {
                let a = self.piece(arg, ctx);
                return Piece {
                    doc: RcDoc::text(format!("{name} ")).append(a.doc),
                    left: Edge::Function,
                    right: a.right,
                };
            }
        }
        let refs: Vec<&Form> = args.iter().collect();
        self.call_text(&name, &refs, ctx)
    }

    /// A function's name in this dialect.
    fn function_name(&self, f: Func) -> String {
        match self.dialect {
            Dialect::Ascii => f.name().to_string(),
            Dialect::Unicode => match f {
                Func::Sigmoid => "σ".to_string(),
                _ => f.name().to_string(),
            },
            Dialect::Latex => match f {
                Func::Sin
                | Func::Cos
                | Func::Tan
                | Func::Exp
                | Func::Log
                | Func::Tanh
                | Func::Arcsin
                | Func::Arccos
                | Func::Arctan
                | Func::Det => {
                    format!("\\{}", f.name())
                }
                Func::Sigmoid => "\\sigma".to_string(),
                _ => format!("\\operatorname{{{}}}", f.name()),
            },
        }
    }

    /// `|t|` / `abs(t)` / `\lvert t \rvert`.
    pub(crate) fn abs(&self, a: &Form, ctx: Ctx) -> Piece {
        let inner = Ctx {
            tight: false,
            in_abs: true,
            ..ctx
        };
        match self.dialect {
            Dialect::Unicode => self.piece(a, inner).wrap("|", "|", Edge::Bar, Edge::Bar),
            Dialect::Ascii => self.call_text("abs", &[a], ctx),
            Dialect::Latex => {
                self.piece(a, inner)
                    .wrap("\\lvert ", " \\rvert", Edge::Mark, Edge::Close)
            }
        }
    }

    /// `‖v‖`, `‖v‖₁`, `‖X‖_F` / `norm(v, 1)` / `\|v\|_2`.
    pub(crate) fn norm(&self, kind: NormKind, a: &Form, ctx: Ctx) -> Piece {
        let inner = Ctx {
            tight: false,
            in_norm: true,
            ..ctx
        };
        match self.dialect {
            Dialect::Unicode => {
                let (close, right) = match kind {
                    NormKind::Two => ("‖", Edge::Bar),
                    NormKind::One => ("‖₁", Edge::Bar),
                    NormKind::Frobenius => ("‖_F", Edge::Spaced),
                };
                self.piece(a, inner).wrap("‖", close, Edge::Bar, right)
            }
            Dialect::Ascii => {
                let p = self.piece(a, ctx.delimited());
                let tail = match kind {
                    NormKind::Two => ")",
                    NormKind::One => ", 1)",
                    NormKind::Frobenius => ", F)",
                };
                p.wrap("norm(", tail, Edge::Function, Edge::Close)
            }
            Dialect::Latex => {
                let close = match kind {
                    NormKind::Two => "\\|_2",
                    NormKind::One => "\\|_1",
                    NormKind::Frobenius => "\\|_F",
                };
                self.piece(a, inner)
                    .wrap("\\|", close, Edge::Bar, Edge::Bar)
            }
        }
    }
}
