//! The `nabla` command line: argument parsing, and rendering of what the library returns.

mod cli;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;
use std::time::Duration;

const EXAMPLES: &str = "\
Examples:
  nabla parse 'let A: ℝ^(m×n), x: ℝ^n; ½‖Ax − b‖²'
  nabla print '$\\frac{1}{2}\\|Ax-b\\|_2^2$' --let 'A: ℝ^(m×n), x: ℝ^n' --to ascii
  nabla grad '½‖Ax − b‖²' --wrt x --let 'A: ℝ^(m×n), x: ℝ^n'
  nabla hess 'xᵀAx' --wrt x --let 'A: ℝ^(n×n), x: ℝ^n'
  nabla jac 'Ax' --wrt x --let 'A: ℝ^(m×n), x: ℝ^n' --layout denominator
  nabla diff 'x sin x' --wrt x
  nabla taylor 'eˣ sin x' --wrt x --order 3
  nabla check homework.nabla
  nabla check lsq.nabla --data A=A.csv --data b=b.npy --plot path.svg
  nabla demo

Exit codes: 0 success; 1 a claim is wrong or ill-formed; 2 unreadable input (syntax, shapes,
names, limits); 3 a request nabla cannot answer (no matrix form, unsupported).";

/// nabla: a symbolic calculus engine and derivation checker.
#[derive(Parser)]
#[command(name = "nabla", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse an expression or derivation file and show what nabla understood (shapes included).
    Parse(InputArgs),
    /// Print an expression in another dialect (unicode, ascii, latex).
    Print(InputArgs),
    /// Simplify an expression to its canonical form (derivatives evaluated).
    Simplify(InputArgs),
    /// Expand an expression fully (products distributed, squared norms as inner products).
    Expand(InputArgs),
    /// Gradient of a scalar expression.
    Grad(DerivativeArgs),
    /// Hessian of a scalar expression.
    Hess(DerivativeArgs),
    /// Jacobian of a vector expression (numerator layout unless --layout denominator).
    Jac(DerivativeArgs),
    /// Partial or ordinary derivative (several variables: a mixed partial, in order).
    Diff(DerivativeArgs),
    /// Taylor polynomial of a scalar expression in one scalar variable (about 0 unless --at).
    Taylor(TaylorArgs),
    /// Check the claims of derivation files: every step proved, confirmed or refuted.
    Check(CheckArgs),
    /// Write a worked solution: every step with the rule it uses (LaTeX, Markdown or Unicode).
    Solve(SolveArgs),
    /// Check a built-in example derivation (linear least squares) and show the report.
    Demo,
}

#[derive(Args)]
struct SolveArgs {
    /// An expression, a derivation file (its claims with verdicts, wrong steps corrected), or
    /// `-` for standard input.
    input: String,
    /// Declarations, as after `let`: 'A: ℝ^(m×n), x: ℝ^n'.
    #[arg(long = "let", value_name = "DECLARATIONS")]
    declarations: Option<String>,
    /// The variables, comma-separated (needed for an expression): `x`, `x,y`, `X`.
    #[arg(long, value_name = "VARIABLES")]
    wrt: Option<String>,
    /// Derive the Hessian (after the gradient).
    #[arg(long, conflicts_with = "jac")]
    hess: bool,
    /// Derive the Jacobian of a vector expression.
    #[arg(long)]
    jac: bool,
    /// Jacobian layout convention.
    #[arg(long, value_enum, default_value_t = LayoutArg::Numerator)]
    layout: LayoutArg,
    /// What to print: unicode (terminal), markdown ($$ math, for notes and Jupyter), latex (a
    /// standalone document).
    #[arg(long = "to", value_enum, default_value_t = SolveFormatArg::Unicode)]
    to: SolveFormatArg,
    /// Write a standalone LaTeX document (article, amsmath) to FILE; compile with pdflatex.
    #[arg(long, value_name = "FILE")]
    latex: Option<String>,
    /// Print only the math, as one KaTeX-safe `aligned` block, for pasting into homework.
    #[arg(long, conflicts_with = "to")]
    fragment: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SolveFormatArg {
    Unicode,
    Markdown,
    Latex,
}

/// Where input comes from and how to read and show it.
#[derive(Args)]
struct InputArgs {
    /// An expression, a derivation file, or `-` for standard input.
    input: String,
    /// Declarations, as after `let`: 'A: ℝ^(m×n), x: ℝ^n'.
    #[arg(long = "let", value_name = "DECLARATIONS")]
    declarations: Option<String>,
    /// The dialect to print in.
    #[arg(long = "to", value_enum, default_value_t = DialectArg::Unicode)]
    dialect: DialectArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Jacobian layout convention.
    #[arg(long, value_enum, default_value_t = LayoutArg::Numerator)]
    layout: LayoutArg,
    /// Also list the rewrite rules applied, by name.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Resource limits: exceeding one is an error (or, when checking, an *unknown* verdict) that
/// names the limit.
#[derive(Args, Clone, Copy)]
struct LimitArgs {
    /// Most expression nodes the work may create [default: 20000000].
    #[arg(long, value_name = "N")]
    max_nodes: Option<usize>,
    /// Most terms an expansion may produce [default: 100000 for expand, 5000 when checking].
    #[arg(long, value_name = "N")]
    max_terms: Option<usize>,
    /// Wall-clock limit in seconds: per claim for check (default 30), for the whole command
    /// otherwise (default none).
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    time_limit: Option<Duration>,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let s: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(s).map_err(|_| format!("{text:?} is not a duration in seconds"))
}

#[derive(Args)]
struct DerivativeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The variables, comma-separated: `x`, `x₁,x₂`, `X`.
    #[arg(long, value_name = "VARIABLES")]
    wrt: String,
    /// Evaluate the result at a point: 'x = [1; 2]'.
    #[arg(long, value_name = "POINT")]
    at: Option<String>,
}

#[derive(Args)]
struct TaylorArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The variable: `x`.
    #[arg(long, value_name = "VARIABLE")]
    wrt: String,
    /// The point of the expansion: 'x = 1' [default: 0].
    #[arg(long, value_name = "POINT")]
    at: Option<String>,
    /// The highest power kept.
    #[arg(long, default_value_t = 3)]
    order: u32,
}

#[derive(Args)]
struct CheckArgs {
    /// Derivation files (`-` for standard input).
    files: Vec<String>,
    /// Grade a batch: a directory of .nabla files, or a JSON-lines file of
    /// {"id": …, "source": …}; one JSON result line per submission, in order.
    #[arg(long, value_name = "DIR|FILE.jsonl", conflicts_with = "files")]
    batch: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Jacobian layout convention.
    #[arg(long, value_enum, default_value_t = LayoutArg::Numerator)]
    layout: LayoutArg,
    /// Seed of the randomised comparisons (same seed, same report).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Random instances per numeric comparison.
    #[arg(long, default_value_t = 40)]
    trials: usize,
    /// Data for a symbol of the file's numeric statements: NAME=PATH (CSV, or .npy float64).
    #[arg(long = "data", value_name = "NAME=PATH")]
    data: Vec<String>,
    /// Write an SVG plot of each descent: a contour plot with the path for two variables, and a
    /// convergence plot of log ‖∇f‖ (further descents: FILE-2.svg, …).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Wall-clock limit in seconds for a whole file (each batch submission: default 60).
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    file_time_limit: Option<Duration>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    Unicode,
    Ascii,
    Latex,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Numerator,
    Denominator,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A closed stdout is handled below; keep its panic message off the terminal.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_broken_pipe(info.payload()) {
            default_hook(info);
        }
    }));
    let time_limit = cli.command.whole_time_limit();
    // Deeply nested input recurses deeply; give the work a large stack.
    let (done, finished) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || done.send(run(cli)));
    let worker = match worker {
        Ok(w) => w,
        Err(_) => {
            eprintln!("error: nabla could not start its worker thread");
            return ExitCode::from(cli::exit::INTERNAL);
        }
    };
    let outcome = match time_limit {
        Some(limit) => finished.recv_timeout(limit).map_err(|e| match e {
            std::sync::mpsc::RecvTimeoutError::Timeout => Some(limit),
            std::sync::mpsc::RecvTimeoutError::Disconnected => None,
        }),
        None => finished.recv().map_err(|_| None),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(Some(limit)) => {
            eprintln!(
                "error: the time limit of {} was reached (--time-limit) [limit]",
                nabla::check::describe_duration(limit)
            );
            ExitCode::from(cli::exit::BAD_INPUT)
        }
        Err(None) => {
            // The worker ended without an answer: it panicked. A closed stdout (`nabla … | head`)
            // ends quietly, as tools do.
            if let Err(payload) = worker.join() {
                if is_broken_pipe(payload.as_ref()) {
                    return ExitCode::from(cli::exit::OK);
                }
            }
            eprintln!("error: nabla failed internally; please report this input");
            ExitCode::from(cli::exit::INTERNAL)
        }
    }
}

/// Is a panic the standard library's "failed printing to stdout: Broken pipe"?
fn is_broken_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.contains("Broken pipe")
}

impl Command {
    /// The time limit of the whole command (`check` applies its own per claim instead).
    fn whole_time_limit(&self) -> Option<Duration> {
        match self {
            Command::Parse(a) | Command::Print(a) | Command::Simplify(a) | Command::Expand(a) => {
                a.limits.time_limit
            }
            Command::Grad(a) | Command::Hess(a) | Command::Jac(a) | Command::Diff(a) => {
                a.input.limits.time_limit
            }
            Command::Taylor(a) => a.input.limits.time_limit,
            Command::Solve(a) => a.limits.time_limit,
            Command::Check(_) | Command::Demo => None,
        }
    }
}

impl From<LimitArgs> for cli::commands::Budget {
    fn from(a: LimitArgs) -> Self {
        cli::commands::Budget {
            max_nodes: a.max_nodes,
            max_terms: a.max_terms,
            time_limit: a.time_limit,
            file_time_limit: None,
        }
    }
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Parse(a) => cli::commands::parse(&a.into()),
        Command::Print(a) => cli::commands::print(&a.into()),
        Command::Simplify(a) => cli::commands::simplify(&a.into()),
        Command::Expand(a) => cli::commands::expand(&a.into()),
        Command::Grad(a) => cli::commands::derivative(cli::commands::Operator::Gradient, &a.into()),
        Command::Hess(a) => cli::commands::derivative(cli::commands::Operator::Hessian, &a.into()),
        Command::Jac(a) => cli::commands::derivative(cli::commands::Operator::Jacobian, &a.into()),
        Command::Diff(a) => cli::commands::derivative(cli::commands::Operator::Partial, &a.into()),
        Command::Taylor(a) => {
            let order = a.order;
            cli::taylor::run(&a.into(), order)
        }
        Command::Check(a) => cli::check::run(&a.into()),
        Command::Solve(a) => cli::solve::run(&a.into()),
        Command::Demo => cli::check::demo(),
    }
}

impl From<DialectArg> for nabla::print::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Unicode => nabla::print::Dialect::Unicode,
            DialectArg::Ascii => nabla::print::Dialect::Ascii,
            DialectArg::Latex => nabla::print::Dialect::Latex,
        }
    }
}

impl From<LayoutArg> for nabla::diff::Layout {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Numerator => nabla::diff::Layout::Numerator,
            LayoutArg::Denominator => nabla::diff::Layout::Denominator,
        }
    }
}

impl From<InputArgs> for cli::commands::Request {
    fn from(a: InputArgs) -> Self {
        cli::commands::Request {
            input: a.input,
            declarations: a.declarations,
            dialect: a.dialect.into(),
            json: a.format == FormatArg::Json,
            layout: a.layout.into(),
            explain: a.explain,
            wrt: None,
            at: None,
            budget: a.limits.into(),
        }
    }
}

impl From<DerivativeArgs> for cli::commands::Request {
    fn from(a: DerivativeArgs) -> Self {
        let mut r: cli::commands::Request = a.input.into();
        r.wrt = Some(a.wrt);
        r.at = a.at;
        r
    }
}

impl From<TaylorArgs> for cli::commands::Request {
    fn from(a: TaylorArgs) -> Self {
        let mut r: cli::commands::Request = a.input.into();
        r.wrt = Some(a.wrt);
        r.at = a.at;
        r
    }
}

impl From<SolveArgs> for cli::solve::SolveRequest {
    fn from(a: SolveArgs) -> Self {
        use nabla::solve::Format;
        let format = match (a.fragment, a.to) {
            (true, _) => Format::LatexFragment,
            (false, SolveFormatArg::Unicode) => Format::Unicode,
            (false, SolveFormatArg::Markdown) => Format::Markdown,
            (false, SolveFormatArg::Latex) => Format::LatexDocument,
        };
        cli::solve::SolveRequest {
            input: a.input,
            declarations: a.declarations,
            wrt: a.wrt,
            hessian: a.hess,
            jacobian: a.jac,
            layout: a.layout.into(),
            format,
            latex_file: a.latex,
            budget: a.limits.into(),
        }
    }
}

impl From<CheckArgs> for cli::check::CheckRequest {
    fn from(a: CheckArgs) -> Self {
        cli::check::CheckRequest {
            files: a.files,
            batch: a.batch,
            json: a.format == FormatArg::Json,
            layout: a.layout.into(),
            seed: a.seed,
            trials: a.trials,
            data: a.data,
            plot: a.plot,
            budget: cli::commands::Budget {
                file_time_limit: a.file_time_limit,
                ..a.limits.into()
            },
        }
    }
}
