//! Batch grading: many submissions graded in parallel, one JSON line each, in input order,
//! flushed as it goes. A malformed submission, or even a failure inside nabla, yields its own
//! error line and never stops the batch or loses another submission's result. Memory stays
//! bounded: at most a fixed window of submissions is in flight, each under a node limit
//! (`--max-nodes`, 4,000,000 unless given). Time is bounded per submission
//! (`--file-time-limit`, 60 s unless given). An interrupt (SIGINT) ends the batch after the line
//! being written, so standard output always holds complete lines (exit code 130).

use super::check::{grade, CheckRequest};
use super::exit;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Each submission's time budget unless `--file-time-limit` says otherwise.
const SUBMISSION_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Each submission's node budget unless `--max-nodes` says otherwise: several submissions are in
/// flight at once, so each gets less than a single file's default.
const SUBMISSION_MAX_NODES: usize = 4_000_000;

/// Exit code after an interrupt (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// The largest submission graded; a larger one gets an error line.
const MAX_SOURCE: usize = 1 << 20;

/// One unit of work: a submission to grade, or an input line that could not be read as one.
enum Item {
    Submission {
        id: serde_json::Value,
        source: String,
    },
    Malformed {
        id: serde_json::Value,
        message: String,
    },
}

/// Grades every submission in `path` (a directory of `.nabla` files, or a JSON-lines file of
/// `{"id": …, "source": …}`); prints one JSON line per submission, in order. Exit code: 0 when
/// every submission was read and graded (whatever the verdicts), 2 when the batch itself cannot be
/// read.
pub fn run(path: &str, request: &CheckRequest) -> u8 {
    let p = Path::new(path);
    let items: Box<dyn Iterator<Item = Item> + Send> = if p.is_dir() {
        match directory_items(p) {
            Ok(items) => Box::new(items),
            Err(message) => return fail(&message),
        }
    } else {
        match std::fs::File::open(p) {
            Ok(f) => Box::new(jsonl_items(std::io::BufReader::new(f))),
            Err(e) => return fail(&format!("cannot read {path}: {e}")),
        }
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut request = request.clone();
    request
        .budget
        .file_time_limit
        .get_or_insert(SUBMISSION_TIME_LIMIT);
    request.budget.max_nodes.get_or_insert(SUBMISSION_MAX_NODES);
    interrupt::install();
    grade_in_order(items, workers, &request);
    exit::OK
}

/// SIGINT sets a flag that the writer reads between lines (the default action would kill the
/// process, possibly in the middle of a line). Only `signal(2)` from the C library std links
/// anyway is used, so no extra dependency is needed.
#[cfg(unix)]
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    static REQUESTED: AtomicBool = AtomicBool::new(false);

    /// SIGINT on every Unix.
    const SIGINT: i32 = 2;

    extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    }

    /// Only an atomic store: async-signal-safe.
    extern "C" fn on_interrupt(_: i32) {
        REQUESTED.store(true, Ordering::SeqCst);
    }

    pub fn install() {
        // SAFETY: `on_interrupt` is an `extern "C" fn(i32)` that only stores to an atomic, which
        // is async-signal-safe; `signal` has this C signature on every Unix.
        unsafe {
            signal(SIGINT, on_interrupt);
        }
    }

    pub fn requested() -> bool {
        REQUESTED.load(Ordering::SeqCst)
    }
}

/// Elsewhere an interrupt keeps its default action.
#[cfg(not(unix))]
mod interrupt {
    pub fn install() {}

    pub fn requested() -> bool {
        false
    }
}

/// Ends the process after an interrupt, once the last complete line is flushed.
fn stop_if_interrupted(stdout: &std::io::Stdout) {
    if interrupt::requested() {
        let _ = stdout.lock().flush();
        std::process::exit(i32::from(INTERRUPTED));
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::BAD_INPUT
}

fn directory_items(dir: &Path) -> Result<impl Iterator<Item = Item>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nabla"))
        .collect();
    files.sort();
    Ok(files.into_iter().map(|f| {
        let id = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read(&f) {
            Ok(bytes) if bytes.len() > MAX_SOURCE => Item::Malformed {
                id: json!(id),
                message: format!(
                    "the submission has {} bytes; the limit is {MAX_SOURCE}",
                    bytes.len()
                ),
            },
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(source) => Item::Submission {
                    id: json!(id),
                    source,
                },
                Err(_) => Item::Malformed {
                    id: json!(id),
                    message: "the file is not valid UTF-8".into(),
                },
            },
            Err(e) => Item::Malformed {
                id: json!(id),
                message: format!("cannot read the file: {e}"),
            },
        }
    }))
}

fn jsonl_items(reader: impl BufRead + Send) -> impl Iterator<Item = Item> + Send {
    reader.split(b'\n').enumerate().filter_map(|(k, line)| {
        let line_no = k + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                return Some(Item::Malformed {
                    id: serde_json::Value::Null,
                    message: format!("line {line_no}: cannot be read ({e})"),
                })
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(parse_line(&bytes, line_no))
    })
}

fn parse_line(bytes: &[u8], line_no: usize) -> Item {
    if bytes.len() > 2 * MAX_SOURCE {
        return Item::Malformed {
            id: serde_json::Value::Null,
            message: format!("line {line_no}: the submission is larger than {MAX_SOURCE} bytes"),
        };
    }
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Item::Malformed {
                id: serde_json::Value::Null,
                message: format!("line {line_no}: not a JSON object ({e})"),
            }
        }
    };
    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
    match (
        value.get("id").and_then(id_text),
        value.get("source").and_then(|s| s.as_str()),
    ) {
        (Some(_), Some(source)) if source.len() <= MAX_SOURCE => Item::Submission {
            id,
            source: source.to_string(),
        },
        (Some(_), Some(_)) => Item::Malformed {
            id,
            message: format!("line {line_no}: the source is larger than {MAX_SOURCE} bytes"),
        },
        _ => Item::Malformed {
            id,
            message: format!(
                "line {line_no}: expected {{\"id\": …, \"source\": \"…\"}} with a string source"
            ),
        },
    }
}

fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The result line of one item; a panic inside nabla becomes an error line for that item alone.
fn result_line(item: Item, request: &CheckRequest) -> String {
    let value = match item {
        Item::Malformed { id, message } => {
            json!({ "id": id, "exit": exit::BAD_INPUT, "error": { "kind": "input", "message": message } })
        }
        Item::Submission { id, source } => {
            let name = id_text(&id).unwrap_or_default();
            match catch_unwind(AssertUnwindSafe(|| grade(&source, &name, request))) {
                Ok(outcome) => json!({
                    "id": id,
                    "exit": outcome.code,
                    "holds": outcome.code == exit::OK,
                    "report": outcome.json,
                }),
                Err(_) => json!({
                    "id": id, "exit": exit::INTERNAL,
                    "error": { "kind": "internal", "message": "nabla failed on this submission; please report it" },
                }),
            }
        }
    };
    value.to_string()
}

/// How far ahead of the writer the reader may get (bounds memory), and whether the writer has
/// stopped (its output was closed).
struct Window {
    state: Mutex<WindowState>,
    advanced: Condvar,
    size: usize,
}

struct WindowState {
    next_to_write: usize,
    closed: bool,
}

impl Window {
    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn grade_in_order(
    items: Box<dyn Iterator<Item = Item> + Send>,
    workers: usize,
    request: &CheckRequest,
) {
    // Panics are reported as result lines; keep the default hook from printing them too.
    std::panic::set_hook(Box::new(|_| {}));
    let window = Arc::new(Window {
        state: Mutex::new(WindowState {
            next_to_write: 0,
            closed: false,
        }),
        advanced: Condvar::new(),
        size: workers * 8,
    });
    let (work_tx, work_rx) = sync_channel::<(usize, Item)>(workers * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(usize, String)>(workers * 8);
    std::thread::scope(|scope| {
        let reader_window = Arc::clone(&window);
        scope.spawn(move || feed(items, work_tx, &reader_window));
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn_scoped(scope, move || work(&rx, &tx, request))
                .ok();
        }
        drop(done_tx);
        write_in_order(done_rx, &window);
    });
}

fn feed(
    items: Box<dyn Iterator<Item = Item> + Send>,
    tx: SyncSender<(usize, Item)>,
    window: &Window,
) {
    for (k, item) in items.enumerate() {
        let mut state = window.lock();
        while k >= state.next_to_write + window.size && !state.closed {
            state = window
                .advanced
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        let closed = state.closed;
        drop(state);
        if closed || tx.send((k, item)).is_err() {
            return;
        }
    }
}

fn work(
    rx: &Mutex<Receiver<(usize, Item)>>,
    tx: &SyncSender<(usize, String)>,
    request: &CheckRequest,
) {
    loop {
        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((k, item)) = next else { return };
        if tx.send((k, result_line(item, request))).is_err() {
            return;
        }
    }
}

/// Writes results in input order. When stdout closes, it stops the others: the receiver is
/// dropped (workers' sends fail) and the window is closed (the reader stops).
fn write_in_order(rx: Receiver<(usize, String)>, window: &Window) {
    let stdout = std::io::stdout();
    let mut pending: BTreeMap<usize, String> = BTreeMap::new();
    let mut next = 0;
    'results: loop {
        stop_if_interrupted(&stdout);
        let (k, line) = match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(result) => result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        pending.insert(k, line);
        while let Some(line) = pending.remove(&next) {
            stop_if_interrupted(&stdout);
            let mut out = stdout.lock();
            // One write per line, flushed: an interrupted batch leaves complete lines only.
            if out
                .write_all(format!("{line}\n").as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                break 'results;
            }
            next += 1;
            window.lock().next_to_write = next;
            window.advanced.notify_all();
        }
    }
    window.lock().closed = true;
    window.advanced.notify_all();
    drop(rx);
}
