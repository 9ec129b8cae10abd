//! Operators written around their operand: sums over an index, derivatives, and evaluation
//! `at` a point, in the NOTATION.md spellings of each dialect.

use super::form::Form;
use super::layout::{Ctx, Doc, Edge, Piece, Printer, AT, ATOM, BINARY, PRODUCT};
use super::names::print_name;
use super::options::Dialect;
use super::scripts::{superscript, unicode_subscript};
use crate::expr::DerivativeKind;
use pretty::RcDoc;

impl Printer {
    /// How tightly a derivative binds: the call spellings (`J(g, x)`, `grad(f, x)`) are atoms,
    /// the prefix operators (`∇ₓ f`, `∂/∂x (…)`) bind like binary operators.
    pub(crate) fn derivative_level(&self, kind: DerivativeKind) -> u8 {
        match (self.dialect, kind) {
            (Dialect::Ascii, _) | (Dialect::Unicode, DerivativeKind::Jacobian) => ATOM,
            _ => BINARY,
        }
    }

    /// `∑_{i=1}^{N} body` / `sum(i = 1..N, body)` / `\sum_{i=1}^{N} body`.
    pub(crate) fn sum_over(
        &self,
        index: &str,
        lower: &Form,
        upper: &Form,
        body: &Form,
        ctx: Ctx,
    ) -> Piece {
        let i = print_name(index, self.dialect);
        let (lo, hi) = (self.flat_text(lower), self.flat_text(upper));
        if self.dialect == Dialect::Ascii {
            let b = self.piece(body, ctx.delimited());
            return b.wrap(
                &format!("sum({i} = {lo}..{hi}, "),
                ")",
                Edge::Function,
                Edge::Close,
            );
        }
        let sigma = match self.dialect {
            Dialect::Unicode => "∑",
            _ => "\\sum",
        };
        let b = self.child(body, ctx, PRODUCT);
        Piece {
            doc: RcDoc::text(format!("{sigma}_{{{i}={lo}}}^{{{hi}}} ")).append(b.doc),
            left: Edge::Mark,
            right: b.right,
        }
    }

    /// An unevaluated derivative in the NOTATION.md spelling of the dialect.
    pub(crate) fn derivative(
        &self,
        kind: DerivativeKind,
        body: &Form,
        wrt: &[Form],
        direction: Option<&Form>,
        ctx: Ctx,
    ) -> Piece {
        let vars: Vec<String> = wrt.iter().map(|w| self.flat_text(w)).collect();
        match self.dialect {
            Dialect::Ascii => self.derivative_call(kind, body, wrt, direction, ctx),
            Dialect::Unicode => self.unicode_derivative(kind, body, wrt, &vars, direction, ctx),
            Dialect::Latex => self.latex_derivative(kind, body, wrt, &vars, direction, ctx),
        }
    }

    /// `grad(f, x)`, `hess(f, x)`, `jac(g, x)`, `diff(f, x, y)`, `ddir(f, x, u)`.
    fn derivative_call(
        &self,
        kind: DerivativeKind,
        body: &Form,
        wrt: &[Form],
        direction: Option<&Form>,
        ctx: Ctx,
    ) -> Piece {
        let name = match kind {
            DerivativeKind::Gradient => "grad",
            DerivativeKind::Hessian => "hess",
            DerivativeKind::Jacobian => "jac",
            DerivativeKind::Partial | DerivativeKind::Ordinary => "diff",
            DerivativeKind::Directional => "ddir",
        };
        let args: Vec<&Form> = std::iter::once(body)
            .chain(wrt.iter())
            .chain(direction)
            .collect();
        self.call_text(name, &args, ctx)
    }

    /// The operand of a prefix derivative operator: bare when it is a simple atom or a call,
    /// otherwise in parentheses.
    fn operand(&self, body: &Form, ctx: Ctx) -> Piece {
        self.child(body, ctx.with_tight(true), ATOM)
    }

    /// `operator body` with a space between.
    fn prefixed(&self, operator: String, body: Piece) -> Piece {
        Piece {
            doc: RcDoc::text(format!("{operator} ")).append(body.doc),
            left: Edge::Mark,
            right: body.right,
        }
    }

    /// `∇ₓ f`, `∇ₓ² f`, `J(g, x)`, `∂/∂x₁ (…)`, `∂f/∂x`, `d/dx (…)`, `D_u f`.
    fn unicode_derivative(
        &self,
        kind: DerivativeKind,
        body: &Form,
        wrt: &[Form],
        vars: &[String],
        direction: Option<&Form>,
        ctx: Ctx,
    ) -> Piece {
        match (kind, vars) {
            (DerivativeKind::Gradient, [x]) => self.prefixed(
                format!("∇{}", unicode_subscript(x)),
                self.operand(body, ctx),
            ),
            (DerivativeKind::Hessian, [x]) => self.prefixed(
                format!("∇{}²", unicode_subscript(x)),
                self.operand(body, ctx),
            ),
            (DerivativeKind::Jacobian, _) => {
                let args: Vec<&Form> = std::iter::once(body).chain(wrt.iter()).collect();
                Piece {
                    left: Edge::Word("J".into()),
                    ..self.call_text("J", &args, ctx)
                }
            }
            (DerivativeKind::Partial, _) => {
                let order = if vars.len() > 1 {
                    superscript(&vars.len().to_string()).unwrap_or_default()
                } else {
                    String::new()
                };
                let bottom = Printer::grouped_vars(vars, "∂");
                if let Form::Name(f) = body {
                    let f = print_name(f, self.dialect);
                    return Piece::text(format!("∂{order}{f}/{bottom}"), Edge::Mark, Edge::Script);
                }
                self.prefixed(format!("∂{order}/{bottom}"), self.operand(body, ctx))
            }
            (DerivativeKind::Ordinary, _) => {
                let order = if vars.len() > 1 {
                    superscript(&vars.len().to_string()).unwrap_or_default()
                } else {
                    String::new()
                };
                let bottom = Printer::grouped_vars(vars, "d");
                self.prefixed(format!("d{order}/{bottom}"), self.operand(body, ctx))
            }
            (DerivativeKind::Directional, _) => match direction {
                Some(u) => {
                    let u = self.flat_text(u);
                    let sub = if u.chars().count() == 1 {
                        format!("_{u}")
                    } else {
                        format!("_{{{u}}}")
                    };
                    self.prefixed(format!("D{sub}"), self.operand(body, ctx))
                }
                None => self.derivative_call(kind, body, wrt, direction, ctx),
            },
            // Several variables of a gradient or Hessian: the call spelling says them all.
            _ => self.derivative_call(kind, body, wrt, direction, ctx),
        }
    }

    /// `∂x∂y`, `∂x²`: the variables of a Unicode derivative, repeats as powers.
    fn grouped_vars(vars: &[String], d: &str) -> String {
        vars.chunk_by(|a, b| a == b)
            .map(|run| {
                let power = if run.len() > 1 {
                    superscript(&run.len().to_string()).unwrap_or_default()
                } else {
                    String::new()
                };
                format!("{d}{}{power}", run.first().map_or("", String::as_str))
            })
            .collect()
    }

    /// `\nabla_{x} f`, `\nabla^2_{x} f`, `J_{x} g`, `\frac{\partial}{\partial x} (…)`,
    /// `\frac{d}{dx} (…)`, `D_{u} f`.
    fn latex_derivative(
        &self,
        kind: DerivativeKind,
        body: &Form,
        wrt: &[Form],
        vars: &[String],
        direction: Option<&Form>,
        ctx: Ctx,
    ) -> Piece {
        let joined = vars.join(", ");
        if vars.len() > 1
            && matches!(
                kind,
                DerivativeKind::Gradient | DerivativeKind::Hessian | DerivativeKind::Jacobian
            )
        {
            // Several variables: the call spelling, which the reader takes back.
            let name = match kind {
                DerivativeKind::Gradient => "\\operatorname{grad}",
                DerivativeKind::Hessian => "\\operatorname{hess}",
                _ => "\\operatorname{jac}",
            };
            let args: Vec<&Form> = std::iter::once(body).chain(wrt.iter()).collect();
            return self.call_text(name, &args, ctx);
        }
        let operator = match kind {
            DerivativeKind::Gradient => format!("\\nabla_{{{joined}}}"),
            DerivativeKind::Hessian => format!("\\nabla^2_{{{joined}}}"),
            DerivativeKind::Jacobian => format!("J_{{{joined}}}"),
            DerivativeKind::Partial | DerivativeKind::Ordinary => {
                let (d, sep) = if kind == DerivativeKind::Partial {
                    ("\\partial", " ")
                } else {
                    ("d", "")
                };
                let order = if vars.len() > 1 {
                    format!("^{{{}}}", vars.len())
                } else {
                    String::new()
                };
                let bottom = Printer::latex_grouped_vars(vars, d, sep);
                if let (DerivativeKind::Partial, Form::Name(f)) = (kind, body) {
                    let f = print_name(f, self.dialect);
                    return Piece::text(
                        format!("\\frac{{{d}{order} {f}}}{{{bottom}}}"),
                        Edge::Mark,
                        Edge::Close,
                    );
                }
                format!("\\frac{{{d}{order}}}{{{bottom}}}")
            }
            DerivativeKind::Directional => match direction {
                Some(u) => format!("D_{{{}}}", self.flat_text(u)),
                None => {
                    let args: Vec<&Form> = std::iter::once(body).chain(wrt.iter()).collect();
                    return self.call_text("\\operatorname{ddir}", &args, ctx);
                }
            },
        };
        self.prefixed(operator, self.operand(body, ctx))
    }

    /// `\partial x \partial y`, `\partial x^{2}`, `dx^{2}`.
    fn latex_grouped_vars(vars: &[String], d: &str, sep: &str) -> String {
        let parts: Vec<String> = vars
            .chunk_by(|a, b| a == b)
            .map(|run| {
                let power = if run.len() > 1 {
                    format!("^{{{}}}", run.len())
                } else {
                    String::new()
                };
                format!("{d}{sep}{}{power}", run.first().map_or("", String::as_str))
            })
            .collect();
        parts.join(" ")
    }

    /// `body at x = v, y = w` / LaTeX `\left. body \right|_{x = v}`.
    pub(crate) fn at(&self, body: &Form, bindings: &[(String, Form)], ctx: Ctx) -> Piece {
        let binds: Vec<String> = bindings
            .iter()
            .map(|(name, v)| format!("{} = {}", print_name(name, self.dialect), self.flat_text(v)))
            .collect();
        let binds = binds.join(", ");
        if self.dialect == Dialect::Latex {
            let b = self.piece(body, ctx.delimited());
            return b.wrap(
                "\\left. ",
                &format!(" \\right|_{{{binds}}}"),
                Edge::Mark,
                Edge::Close,
            );
        }
        let b = self.child(body, ctx.with_tight(false), AT + 1);
        let doc: Doc = b.doc.append(RcDoc::text(format!(" at {binds}")));
        Piece {
            doc,
            left: b.left,
            right: Edge::Mark,
        }
    }
}
