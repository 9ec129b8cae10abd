//! Small readers of the scalar part of the printed dialects, and an evaluator of scalar
//! expressions, to check numerically that printed text means the expression it came from.

use nabla::expr::{Func, Id, Node, Pool};

/// Evaluates a scalar expression of the pool, or `None` for a node this check does not cover.
pub fn eval_node(pool: &Pool, id: Id, env: &dyn Fn(&str) -> f64) -> Option<f64> {
    let ev = |i: Id| eval_node(pool, i, env);
    if !pool.is_scalar(id) {
        return None;
    }
    Some(match pool.node(id) {
        Node::Num(n) => n.to_f64(),
        Node::Sym(s) => env(&pool.symbol(*s).name),
        Node::DimValue(d) => d.symbols.iter().fold(d.coeff as f64, |acc, s| acc * env(s)),
        Node::Add(ts) => ts.iter().map(|&t| ev(t)).sum::<Option<f64>>()?,
        Node::Mul(fs) if pool.is_scalar(id) && fs.iter().all(|&f| pool.is_scalar(f)) => {
            fs.iter().map(|&f| ev(f)).product::<Option<f64>>()?
        }
        // Roots as the printed `√` reads them, so that infinities agree too.
        Node::Pow(b, e) => match ev(*e)? {
            h if h == 0.5 => ev(*b)?.sqrt(),
            h if h == -0.5 => 1.0 / ev(*b)?.sqrt(),
            h => ev(*b)?.powf(h),
        },
        Node::Apply(f, args) => {
            let x = ev(*args.first()?)?;
            match f {
                Func::Sin => x.sin(),
                Func::Cos => x.cos(),
                Func::Tan => x.tan(),
                Func::Exp => x.exp(),
                Func::Log => x.ln(),
                Func::Tanh => x.tanh(),
                Func::Sigmoid => 1.0 / (1.0 + (-x).exp()),
                Func::Softplus => x.exp().ln_1p(),
                Func::Relu => x.max(0.0),
                Func::Abs => x.abs(),
                Func::Sign => x.signum() * f64::from(u8::from(x != 0.0)),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// A small reader of the scalar part of the ASCII dialect, with the usual precedence:
/// `+ -` < `* /` (left-associative) < unary minus < `^` (right-associative) < calls, atoms.
pub struct AsciiReader<'a> {
    tokens: Vec<String>,
    pos: usize,
    env: &'a dyn Fn(&str) -> f64,
}

impl AsciiReader<'_> {
    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
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
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn sum(&mut self) -> Option<f64> {
        let mut acc = self.term()?;
        loop {
            if self.eat("+") {
                acc += self.term()?;
            } else if self.eat("-") {
                acc -= self.term()?;
            } else {
                return Some(acc);
            }
        }
    }

    fn term(&mut self) -> Option<f64> {
        let mut acc = self.unary()?;
        loop {
            if self.eat("*") {
                acc *= self.unary()?;
            } else if self.eat("/") {
                acc /= self.unary()?;
            } else {
                return Some(acc);
            }
        }
    }

    fn unary(&mut self) -> Option<f64> {
        if self.eat("-") {
            return Some(-self.unary()?);
        }
        let base = self.primary()?;
        if self.eat("^") {
            return Some(base.powf(self.unary()?));
        }
        Some(base)
    }

    fn primary(&mut self) -> Option<f64> {
        if self.eat("(") {
            let v = self.sum()?;
            return self.eat(")").then_some(v);
        }
        let t = self.peek()?.to_string();
        self.pos += 1;
        if let Ok(k) = t.parse::<f64>() {
            return Some(k);
        }
        if self.eat("(") {
            let x = self.sum()?;
            if !self.eat(")") {
                return None;
            }
            return Some(match t.as_str() {
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tan" => x.tan(),
                "exp" => x.exp(),
                "log" => x.ln(),
                "tanh" => x.tanh(),
                "sqrt" => x.sqrt(),
                "sigmoid" => 1.0 / (1.0 + (-x).exp()),
                "softplus" => x.exp().ln_1p(),
                "relu" => x.max(0.0),
                "abs" => x.abs(),
                "sign" => x.signum() * f64::from(u8::from(x != 0.0)),
                _ => return None,
            });
        }
        Some((self.env)(&t))
    }

    pub fn read(text: &str, env: &dyn Fn(&str) -> f64) -> Option<f64> {
        let mut r = AsciiReader {
            tokens: AsciiReader::tokens(text),
            pos: 0,
            env,
        };
        let v = r.sum()?;
        (r.pos == r.tokens.len()).then_some(v)
    }
}

/// Do two values agree (both NaN, equal infinities, or close)?
pub fn agree(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Symbol values for the numeric checks, by ASCII spelling: each gets a value in [0.5, 2.5).
pub fn value_of(name: &str) -> f64 {
    let h = name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    0.5 + (h % 1000) as f64 / 500.0
}

/// A token of the Unicode dialect.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Name(String),
    Func(String),
    Sup(String),
    Sym(char),
}

const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "exp", "log", "tanh", "softplus", "relu", "sign", "σ",
];

fn superscript_back(c: char) -> Option<char> {
    let table = "⁰0¹1²2³3⁴4⁵5⁶6⁷7⁸8⁹9⁻-ᵃaᵇbᶜcᵈdᵉeᶠfᵍgʰhⁱiʲjᵏkˡlᵐmⁿnᵒoᵖpʳrˢsᵗtᵘuᵛvʷwˣxʸyᶻz";
    let chars: Vec<char> = table.chars().collect();
    chars.chunks(2).find(|p| p[0] == c).map(|p| p[1])
}

fn subscript_back(c: char) -> Option<char> {
    let table = "₀0₁1₂2₃3₄4₅5₆6₇7₈8₉9ₐaₑeₕhᵢiⱼjₖkₗlₘmₙnₒoₚpᵣrₛsₜtᵤuᵥvₓx";
    let chars: Vec<char> = table.chars().collect();
    chars.chunks(2).find(|p| p[0] == c).map(|p| p[1])
}

/// A small reader of the scalar part of the Unicode dialect: juxtaposition and `·` multiply,
/// `/` divides (left to right with them), a run of letters is single-letter names unless it
/// is a function name, subscripts belong to the letter before them, superscripts are powers,
/// `sin x` takes one atom, `√x` one atom, `½` is one half.
pub struct UnicodeReader<'a> {
    tokens: Vec<Token>,
    pos: usize,
    bars: usize,
    env: &'a dyn Fn(&str) -> f64,
}

impl UnicodeReader<'_> {
    fn tokens(text: &str, words: &[String]) -> Option<Vec<Token>> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_digit() {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(Token::Num(
                    chars[start..i].iter().collect::<String>().parse().ok()?,
                ));
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
            } else if c.is_alphabetic() {
                let start = i;
                while i < chars.len()
                    && chars[i].is_alphabetic()
                    && subscript_back(chars[i]).is_none()
                    && superscript_back(chars[i]).is_none()
                {
                    i += 1;
                }
                let run: String = chars[start..i].iter().collect();
                if FUNCTIONS.contains(&run.as_str()) {
                    out.push(Token::Func(run));
                    continue;
                }
                if words.contains(&run) {
                    out.push(Token::Name(run));
                } else {
                    for l in run.chars() {
                        out.push(Token::Name(l.to_string()));
                    }
                }
                let mut sub = String::new();
                while let Some(b) = chars.get(i).and_then(|&c| subscript_back(c)) {
                    sub.push(b);
                    i += 1;
                }
                if !sub.is_empty() {
                    if let Some(Token::Name(n)) = out.last_mut() {
                        n.push('_');
                        n.push_str(&sub);
                    }
                }
            } else {
                out.push(Token::Sym(c));
                i += 1;
            }
        }
        Some(out)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Token::Sym(c));
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn sum(&mut self) -> Option<f64> {
        let mut acc = self.term()?;
        loop {
            if self.eat('+') {
                acc += self.term()?;
            } else if self.eat('−') {
                acc -= self.term()?;
            } else {
                return Some(acc);
            }
        }
    }

    fn term(&mut self) -> Option<f64> {
        if self.eat('−') {
            return Some(-self.term()?);
        }
        let mut acc = self.power()?;
        loop {
            if self.eat('·') {
                acc *= self.power()?;
            } else if self.eat('/') {
                acc /= self.power()?;
            } else if self.starts_factor() {
                acc *= self.power()?;
            } else {
                return Some(acc);
            }
        }
    }

    fn starts_factor(&self) -> bool {
        match self.peek() {
            Some(Token::Num(_) | Token::Name(_) | Token::Func(_)) => true,
            Some(Token::Sym('(' | '√')) => true,
            Some(Token::Sym('|')) => self.bars == 0,
            _ => false,
        }
    }

    fn power(&mut self) -> Option<f64> {
        let mut base = self.primary()?;
        loop {
            if let Some(Token::Sup(s)) = self.peek() {
                let e: f64 = match s.parse() {
                    Ok(k) => k,
                    Err(_) => (self.env)(s),
                };
                self.pos += 1;
                base = base.powf(e);
            } else if self.eat('^') {
                if !self.eat('(') {
                    return None;
                }
                let e = self.sum()?;
                if !self.eat(')') {
                    return None;
                }
                base = base.powf(e);
            } else {
                return Some(base);
            }
        }
    }

    fn atom(&mut self) -> Option<f64> {
        match self.peek()?.clone() {
            Token::Num(k) => {
                self.pos += 1;
                Some(k)
            }
            Token::Name(n) => {
                self.pos += 1;
                Some((self.env)(&n))
            }
            _ => None,
        }
    }

    fn primary(&mut self) -> Option<f64> {
        if self.eat('(') {
            let v = self.sum()?;
            return self.eat(')').then_some(v);
        }
        if self.eat('√') {
            return Some(if self.eat('(') {
                let v = self.sum()?;
                if !self.eat(')') {
                    return None;
                }
                v.sqrt()
            } else {
                self.atom()?.sqrt()
            });
        }
        if self.eat('|') {
            self.bars += 1;
            let v = self.sum()?;
            self.bars -= 1;
            return self.eat('|').then_some(v.abs());
        }
        if let Some(Token::Func(f)) = self.peek().cloned() {
            self.pos += 1;
            // A declared name spelled like a function (`σ·(x + 1)`) takes no argument.
            let argument = matches!(
                self.peek(),
                Some(Token::Sym('(')) | Some(Token::Num(_)) | Some(Token::Name(_))
            );
            if !argument {
                return Some((self.env)(&f));
            }
            let x = if self.eat('(') {
                let v = self.sum()?;
                if !self.eat(')') {
                    return None;
                }
                v
            } else {
                self.atom()?
            };
            return Some(match f.as_str() {
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tan" => x.tan(),
                "exp" => x.exp(),
                "log" => x.ln(),
                "tanh" => x.tanh(),
                "σ" => 1.0 / (1.0 + (-x).exp()),
                "softplus" => x.exp().ln_1p(),
                "relu" => x.max(0.0),
                "sign" => x.signum() * f64::from(u8::from(x != 0.0)),
                _ => return None,
            });
        }
        self.atom()
    }

    /// The value of a Unicode text, or `None` when it does not read completely; `words` are
    /// the declared names of several letters.
    pub fn read(text: &str, words: &[String], env: &dyn Fn(&str) -> f64) -> Option<f64> {
        let mut r = UnicodeReader {
            tokens: UnicodeReader::tokens(text, words)?,
            pos: 0,
            bars: 0,
            env,
        };
        let v = r.sum()?;
        (r.pos == r.tokens.len()).then_some(v)
    }
}
