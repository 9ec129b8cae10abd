//! `nabla taylor`: the Taylor polynomial of a scalar expression in one scalar variable.

use super::commands::Request;
use super::commands::{all_dialects, options, printed, report_plain_error, report_source_error};
use super::{exit, input};
use nabla::document::Document;
use nabla::expr::{Id, Node};
use nabla::print::Dialect;
use nabla::syntax::ast::DerivativeKind;
use serde_json::json;

/// Prints `∑_{k ≤ order} f⁽ᵏ⁾(a)/k! · (v − a)ᵏ` for the request's expression, its one variable
/// `v` (`--wrt`) and the point `a` (`--at 'v = a'`, else 0).
pub fn run(r: &Request, order: u32) -> u8 {
    let input = match input::read(&r.input) {
        Ok(i) => i,
        Err(message) => {
            report_plain_error(r.json, &message);
            return exit::BAD_INPUT;
        }
    };
    let wrt = r.wrt.clone().unwrap_or_default();
    // Read as the derivative in that variable at that point: the same names, shapes and
    // diagnostics (with places) as `nabla diff`, then taken apart.
    let read = Document::read_derivative(
        &input.text,
        DerivativeKind::Partial,
        &wrt,
        r.at.as_deref(),
        &options(r),
    );
    let (mut doc, id) = match read {
        Ok(x) => x,
        Err(e) => return report_source_error(r.json, &e, &input.origin),
    };
    r.budget.apply(&mut doc);
    let (f, var, point) = match parts(&mut doc, id) {
        Ok(p) => p,
        Err(message) => {
            report_plain_error(r.json, &message);
            return exit::BAD_INPUT;
        }
    };
    let pool = &mut doc.lowered.pool;
    let independent = !nabla::diff::absent_variables(pool, f, &[var]).is_empty();
    let result = match nabla::diff::taylor(pool, f, var, point, order) {
        Ok(p) => p,
        Err(e) => {
            report_plain_error(r.json, &e.to_string());
            return exit::CANNOT_ANSWER;
        }
    };
    let about = format!(
        "order {order} about {} = {}",
        printed(pool, var, Dialect::Unicode),
        printed(pool, point, Dialect::Unicode)
    );
    if r.json {
        let v = json!({ "result": all_dialects(pool, result), "order": order,
                        "variable": printed(pool, var, Dialect::Unicode),
                        "independent": independent,
                        "point": all_dialects(pool, point) });
        println!("{v}");
    } else {
        println!("{}", printed(pool, result, r.dialect));
        eprintln!("note: the Taylor polynomial of {about}");
        if independent {
            eprintln!(
                "note: the expression does not depend on {}: it is its own Taylor polynomial",
                printed(pool, var, Dialect::Unicode)
            );
        }
    }
    exit::OK
}

/// The expression, the variable and the point of a read `∂/∂v f` (at `v = a`).
fn parts(doc: &mut Document, id: Id) -> Result<(Id, Id, Id), String> {
    let pool = &mut doc.lowered.pool;
    let (derivative, binds) = match pool.node(id) {
        Node::At(body, binds) => (*body, binds.to_vec()),
        _ => (id, Vec::new()),
    };
    let Node::Derivative(d) = pool.node(derivative) else {
        return Err("expected an expression to expand".into());
    };
    let (f, var) = match d.wrt[..] {
        [var] => (d.expr, var),
        _ => return Err("a Taylor polynomial is in one variable: give one to --wrt".into()),
    };
    let point = match binds[..] {
        [] => pool.int(0),
        [(symbol, value)] if pool.symbol_expr(symbol) == var => value,
        _ => {
            let name = printed(pool, var, Dialect::Unicode);
            return Err(format!(
                "--at gives the point of the expansion, as '{name} = a'"
            ));
        }
    };
    Ok((f, var, point))
}
