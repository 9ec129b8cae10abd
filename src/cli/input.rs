//! Reading the input argument: a file, standard input (`-`), or the text itself.

use std::io::Read;

/// Where the input came from, for messages (`hw.nabla`, `<stdin>`, `<expression>`).
pub struct Input {
    /// The text.
    pub text: String,
    /// Its name.
    pub origin: String,
}

/// Largest input read (bytes); the parser also refuses more than 1 MiB.
const MAX_READ: u64 = 8 << 20;

/// Reads a file (or `-`); unlike [`read`], never takes the argument as text.
pub fn read_file(arg: &str) -> Result<Input, String> {
    if arg != "-" && !std::path::Path::new(arg).is_file() {
        return Err(format!("cannot read {arg}: no such file"));
    }
    read(arg)
}

/// Reads a path, `-`, or takes the argument as the text itself.
pub fn read(arg: &str) -> Result<Input, String> {
    if arg == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_READ)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Input {
            text: decode(bytes, "<stdin>")?,
            origin: "<stdin>".into(),
        });
    }
    let path = std::path::Path::new(arg);
    let looks_like_file = arg.len() < 4096 && !arg.contains('\n') && path.is_file();
    if looks_like_file {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_READ).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read {arg}: {e}"))?;
        return Ok(Input {
            text: decode(bytes, arg)?,
            origin: arg.to_string(),
        });
    }
    Ok(Input {
        text: arg.to_string(),
        origin: "<expression>".into(),
    })
}

fn decode(bytes: Vec<u8>, origin: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{origin} is not valid UTF-8 (byte {} cannot be decoded)",
            e.utf8_error().valid_up_to()
        )
    })
}
