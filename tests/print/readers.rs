//! Small readers of the printed ASCII and Unicode dialects (what round-trip tests will need of
//! nabla's parser), evaluating as they read, to check numerically that printed text means the
//! expression it came from.

use super::values::{add, apply, as_scalar, div, hadamard, mul, norm, pow, scalar, Env, Value};
use nabla::expr::NormKind;
use nalgebra::DMatrix;

/// Reads the ASCII dialect: `+ -` < `.*` < `* /` (left-associative) < unary minus < postfix
/// `'` and `^` < calls and atoms; matrices `[a, b; c, d]`.
pub struct AsciiReader<'a> {
    tokens: Vec<String>,
    pos: usize,
    env: &'a Env,
}

impl AsciiReader<'_> {
    fn tokens(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_alphanumeric() || c == '_' {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            } else if c == '.' && chars.get(i + 1) == Some(&'*') {
                out.push(".*".to_string());
                i += 2;
            } else {
                out.push(c.to_string());
                i += 1;
            }
        }
        out
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        let hit = self.peek() == Some(t);
        self.pos += usize::from(hit);
        hit
    }

    fn sum(&mut self) -> Option<Value> {
        let mut acc = self.hadamard()?;
        loop {
            if self.eat("+") {
                acc = add(&acc, &self.hadamard()?)?;
            } else if self.eat("-") {
                acc = add(&acc, &-self.hadamard()?)?;
            } else {
                return Some(acc);
            }
        }
    }

    fn hadamard(&mut self) -> Option<Value> {
        let mut acc = self.term()?;
        while self.eat(".*") {
            acc = hadamard(&acc, &self.term()?)?;
        }
        Some(acc)
    }

    fn term(&mut self) -> Option<Value> {
        let mut acc = self.unary()?;
        loop {
            if self.eat("*") {
                acc = mul(&acc, &self.unary()?)?;
            } else if self.eat("/") {
                acc = div(&acc, &self.unary()?)?;
            } else {
                return Some(acc);
            }
        }
    }

    fn unary(&mut self) -> Option<Value> {
        if self.eat("-") {
            return Some(-self.unary()?);
        }
        let mut v = self.primary()?;
        loop {
            if self.eat("'") {
                v = v.transpose();
            } else if self.eat("^") {
                v = pow(&v, &self.unary()?)?;
            } else {
                return Some(v);
            }
        }
    }

    fn args(&mut self) -> Option<Vec<Value>> {
        let mut args = vec![self.sum()?];
        while self.eat(",") {
            if self.eat("F") {
                args.push(scalar(f64::INFINITY));
            } else {
                args.push(self.sum()?);
            }
        }
        self.eat(")").then_some(args)
    }

    fn primary(&mut self) -> Option<Value> {
        if self.eat("(") {
            let v = self.sum()?;
            return self.eat(")").then_some(v);
        }
        if self.eat("[") {
            return self.matrix();
        }
        let t = self.peek()?.to_string();
        self.pos += 1;
        if let Ok(k) = t.parse::<f64>() {
            return Some(scalar(k));
        }
        if !self.eat("(") {
            return self.env.get(&t).cloned();
        }
        let args = self.args()?;
        match (t.as_str(), args.as_slice()) {
            ("norm", [v]) => Some(norm(NormKind::Two, v)),
            ("norm", [v, k]) if as_scalar(k) == Some(1.0) => Some(norm(NormKind::One, v)),
            ("norm", [v, _]) => Some(norm(NormKind::Frobenius, v)),
            ("kron", [a, b]) => Some(a.kronecker(b)),
            (f, [x]) => apply(f, x),
            _ => None,
        }
    }

    fn matrix(&mut self) -> Option<Value> {
        let mut rows: Vec<Vec<f64>> = vec![Vec::new()];
        loop {
            let e = as_scalar(&self.sum()?)?;
            rows.last_mut()?.push(e);
            if self.eat(";") {
                rows.push(Vec::new());
            } else if !self.eat(",") {
                break;
            }
        }
        let cols = rows.first()?.len();
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let ok = self.eat("]") && rows.iter().all(|r| r.len() == cols);
        ok.then(|| DMatrix::from_row_slice(rows.len(), cols, &flat))
    }

    /// The value of an ASCII text, or `None` when it does not read completely.
    pub fn read(text: &str, env: &Env) -> Option<Value> {
        let mut r = AsciiReader {
            tokens: AsciiReader::tokens(text),
            pos: 0,
            env,
        };
        let v = r.sum()?;
        (r.pos == r.tokens.len()).then_some(v)
    }
}

/// A token of the Unicode dialect.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Name(String),
    Func(String),
    Sup(String),
    Sym(char),
    Space,
}

const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "exp", "log", "tanh", "softplus", "relu", "sign", "σ", "tr", "det", "sum",
];

fn lookup(table: &str, c: char) -> Option<char> {
    let chars: Vec<char> = table.chars().collect();
    chars.chunks(2).find(|p| p[0] == c).map(|p| p[1])
}

fn superscript_back(c: char) -> Option<char> {
    lookup(
        "⁰0¹1²2³3⁴4⁵5⁶6⁷7⁸8⁹9⁻-ᵃaᵇbᶜcᵈdᵉeᶠfᵍgʰhⁱiʲjᵏkˡlᵐmⁿnᵒoᵖpʳrˢsᵗtᵘuᵛvʷwˣxʸyᶻz",
        c,
    )
}

fn subscript_back(c: char) -> Option<char> {
    lookup("₀0₁1₂2₃3₄4₅5₆6₇7₈8₉9ₐaₑeₕhᵢiⱼjₖkₗlₘmₙnₒoₚpᵣrₛsₜtᵤuᵥvₓx", c)
}

/// Reads the Unicode dialect (without inline matrices): `+ −` < `⊙ ⊗` < products (juxtaposition,
/// `·` and `/`, left to right) < unary minus < powers and postfix marks < atoms. A run of letters
/// is single-letter names unless it is a function or a declared name of several letters;
/// subscripts belong to the letter before them; `sin x` and `√x` take one atom.
pub struct UnicodeReader<'a> {
    tokens: Vec<Token>,
    pos: usize,
    /// Open `|` and `‖` outside parentheses.
    bars: (usize, usize),
    /// In a row of a matrix (outside parentheses), where a space separates entries.
    row: bool,
    env: &'a Env,
}

impl UnicodeReader<'_> {
    fn tokens(text: &str, env: &Env) -> Option<Vec<Token>> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        let letter = |c: char| {
            c.is_alphabetic()
                && subscript_back(c).is_none()
                && superscript_back(c).is_none()
                && c != 'ᵀ'
        };
        while let Some(&c) = chars.get(i) {
            if c.is_whitespace() {
                if out.last() != Some(&Token::Space) {
                    out.push(Token::Space);
                }
                i += 1;
            } else if c.is_ascii_digit() {
                let start = i;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().collect();
                out.push(Token::Num(digits.parse().ok()?));
            } else if c == '½' {
                out.push(Token::Num(0.5));
                i += 1;
            } else if superscript_back(c).is_some() {
                let mut s = String::new();
                while let Some(b) = chars.get(i).and_then(|&c| superscript_back(c)) {
                    s.push(b);
                    i += 1;
                }
                out.push(Token::Sup(s));
            } else if letter(c) {
                let start = i;
                while chars.get(i).is_some_and(|&c| letter(c)) {
                    i += 1;
                }
                let run: String = chars[start..i].iter().collect();
                if FUNCTIONS.contains(&run.as_str()) {
                    out.push(Token::Func(run));
                    continue;
                }
                if run.chars().count() > 1 && env.contains_key(&run) {
                    out.push(Token::Name(run));
                } else {
                    out.extend(run.chars().map(|l| Token::Name(l.to_string())));
                }
                let mut sub = String::new();
                while let Some(b) = chars.get(i).and_then(|&c| subscript_back(c)) {
                    sub.push(b);
                    i += 1;
                }
                if let (false, Some(Token::Name(n))) = (sub.is_empty(), out.last_mut()) {
                    n.push('_');
                    n.push_str(&sub);
                }
            } else {
                out.push(Token::Sym(c));
                i += 1;
            }
        }
        Some(out)
    }

    /// The next token after any spaces.
    fn peek(&self) -> Option<&Token> {
        self.tokens[self.pos.min(self.tokens.len())..]
            .iter()
            .find(|t| **t != Token::Space)
    }

    /// Moves past spaces.
    fn skip_spaces(&mut self) {
        while self.tokens.get(self.pos) == Some(&Token::Space) {
            self.pos += 1;
        }
    }

    /// Moves past the next token and the spaces before it.
    fn advance(&mut self) {
        self.skip_spaces();
        self.pos += 1;
    }

    /// Is the next token a space?
    fn space_next(&self) -> bool {
        self.tokens.get(self.pos) == Some(&Token::Space)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Token::Sym(c));
        if hit {
            self.advance();
        }
        hit
    }

    /// In a matrix row, ` −2` (a space before the sign, none after) starts a new entry.
    fn entry_ends_at_sign(&self) -> bool {
        self.row
            && self.space_next()
            && matches!(self.tokens.get(self.pos + 1), Some(Token::Sym('+' | '−')))
            && self.tokens.get(self.pos + 2) != Some(&Token::Space)
    }

    fn sum(&mut self) -> Option<Value> {
        let mut acc = self.binary()?;
        loop {
            if self.entry_ends_at_sign() {
                return Some(acc);
            }
            if self.eat('+') {
                acc = add(&acc, &self.binary()?)?;
            } else if self.eat('−') {
                acc = add(&acc, &-self.binary()?)?;
            } else {
                return Some(acc);
            }
        }
    }

    fn binary(&mut self) -> Option<Value> {
        let mut acc = self.term()?;
        loop {
            if self.eat('⊙') {
                acc = hadamard(&acc, &self.term()?)?;
            } else if self.eat('⊗') {
                acc = acc.kronecker(&self.term()?);
            } else {
                return Some(acc);
            }
        }
    }

    fn term(&mut self) -> Option<Value> {
        if self.eat('−') {
            return Some(-self.term()?);
        }
        let mut acc = self.power()?;
        loop {
            if self.eat('·') {
                acc = mul(&acc, &self.power()?)?;
            } else if self.eat('/') {
                acc = div(&acc, &self.power()?)?;
            } else if self.starts_factor() {
                acc = mul(&acc, &self.power()?)?;
            } else {
                return Some(acc);
            }
        }
    }

    fn starts_factor(&self) -> bool {
        if self.row && self.space_next() {
            return false;
        }
        match self.peek() {
            Some(Token::Num(_) | Token::Name(_) | Token::Func(_)) => true,
            Some(Token::Sym('(' | '√' | '[')) => true,
            Some(Token::Sym('|')) => self.bars.0 == 0,
            Some(Token::Sym('‖')) => self.bars.1 == 0,
            _ => false,
        }
    }

    fn power(&mut self) -> Option<Value> {
        let mut base = self.primary()?;
        loop {
            if let Some(Token::Sup(s)) = self.peek().cloned() {
                self.advance();
                let e = match s.parse::<f64>() {
                    Ok(k) => scalar(k),
                    Err(_) => self.env.get(&s)?.clone(),
                };
                base = pow(&base, &e)?;
            } else if self.eat('ᵀ') {
                base = base.transpose();
            } else if self.eat('^') {
                let e = if self.eat('(') {
                    self.parenthesized()?
                } else {
                    self.atom()?
                };
                base = pow(&base, &e)?;
            } else {
                return Some(base);
            }
        }
    }

    fn atom(&mut self) -> Option<Value> {
        let v = match self.peek()?.clone() {
            Token::Num(k) => scalar(k),
            Token::Name(n) => self.env.get(&n)?.clone(),
            _ => return None,
        };
        self.advance();
        Some(v)
    }

    fn parenthesized(&mut self) -> Option<Value> {
        let outer = (
            std::mem::take(&mut self.bars),
            std::mem::take(&mut self.row),
        );
        let v = self.sum();
        (self.bars, self.row) = outer;
        self.eat(')').then_some(v?)
    }

    /// `[a b; c d]` after the `[`: entries separated by spaces, rows by `;`.
    fn matrix(&mut self) -> Option<Value> {
        let outer = (
            std::mem::take(&mut self.bars),
            std::mem::replace(&mut self.row, true),
        );
        let mut rows: Vec<Vec<f64>> = vec![Vec::new()];
        let done = loop {
            let Some(e) = self.sum().as_ref().and_then(as_scalar) else {
                break false;
            };
            rows.last_mut()?.push(e);
            if self.eat(';') {
                rows.push(Vec::new());
            } else if self.eat(']') {
                break true;
            } else if self.space_next() {
                self.skip_spaces();
            } else {
                break false;
            }
        };
        (self.bars, self.row) = outer;
        let cols = rows.first()?.len();
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        (done && rows.iter().all(|r| r.len() == cols))
            .then(|| DMatrix::from_row_slice(rows.len(), cols, &flat))
    }

    fn primary(&mut self) -> Option<Value> {
        if self.eat('(') {
            return self.parenthesized();
        }
        if self.eat('[') {
            return self.matrix();
        }
        if self.eat('√') {
            let v = if self.eat('(') {
                self.parenthesized()?
            } else {
                self.atom()?
            };
            return apply("sqrt", &v);
        }
        if self.eat('|') {
            self.bars.0 += 1;
            let v = self.sum()?;
            self.bars.0 -= 1;
            return self.eat('|').then(|| v.map(f64::abs));
        }
        if self.eat('‖') {
            self.bars.1 += 1;
            let v = self.sum()?;
            self.bars.1 -= 1;
            if !self.eat('‖') {
                return None;
            }
            if self.eat('₁') {
                return Some(norm(NormKind::One, &v));
            }
            if self.eat('_') && self.peek() == Some(&Token::Name("F".into())) {
                self.advance();
            }
            return Some(norm(NormKind::Two, &v));
        }
        if let Some(Token::Func(f)) = self.peek().cloned() {
            self.advance();
            let x = match self.peek() {
                Some(Token::Sym('(')) => {
                    self.advance();
                    self.parenthesized()?
                }
                Some(Token::Num(_) | Token::Name(_)) => self.atom()?,
                // A declared name spelled like a function (`σ·(x + 1)`) takes no argument.
                _ => return self.env.get(&f).cloned(),
            };
            return apply(&f, &x);
        }
        self.atom()
    }

    /// The value of a Unicode text, or `None` when it does not read completely.
    pub fn read(text: &str, env: &Env) -> Option<Value> {
        let mut r = UnicodeReader {
            tokens: UnicodeReader::tokens(text, env)?,
            pos: 0,
            bars: (0, 0),
            row: false,
            env,
        };
        let v = r.sum()?;
        r.skip_spaces();
        (r.pos == r.tokens.len()).then_some(v)
    }
}
