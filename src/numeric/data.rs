//! Data for the symbols of a numeric statement: the values of `with A = …` bindings and of
//! matrices read from CSV or `.npy` files, the dimension sizes they fix (`A = [1 2; 3 4; 5 6]`
//! makes m = 3, n = 2), and clear errors naming the symbol when something is missing or does not
//! fit.

use super::dense::Dense;
use super::error::EvalError;
use super::eval::{evaluate, Instance};
use crate::expr::{Dim, Id, Number, Pool, SymbolId};
use std::collections::BTreeMap;
use std::fmt;

/// Why the data of a statement is unusable (bad input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// The symbol concerned, if one is.
    pub symbol: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl DataError {
    fn new(symbol: Option<&str>, message: String) -> DataError {
        DataError {
            symbol: symbol.map(str::to_string),
            message,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {}

/// The values of a statement's symbols, in floating point and (where they are rational)
/// exactly, with the sizes of the dimensions.
#[derive(Clone, Debug, Default)]
pub struct Data {
    /// Floating-point values and dimension sizes.
    pub float: Instance<f64>,
    /// Exact values (those that are rational), same dimension sizes.
    pub exact: Instance<Number>,
}

/// Resolves `bindings` (from `from`/`at`/`with`, in order) and `files` (name → matrix, from
/// `--data`; a binding of the same symbol wins) into values; every symbol of `needed` must end
/// with a value.
pub fn resolve(
    pool: &Pool,
    bindings: &[(SymbolId, Id)],
    files: &BTreeMap<String, Dense<f64>>,
    needed: &[SymbolId],
) -> Result<Data, DataError> {
    let mut data = Data::default();
    let bound: Vec<SymbolId> = bindings.iter().map(|(s, _)| *s).collect();
    for (name, value) in files {
        let s = pool.lookup(name).ok_or_else(|| {
            DataError::new(
                Some(name),
                format!("data was given for {name}, which is not a symbol of the file"),
            )
        })?;
        if bound.contains(&s) {
            continue;
        }
        fit(pool, s, value.shape(), &mut data)?;
        data.float.values.insert(s, value.clone());
        if let Ok(exact) = value.try_map(|a| Number::from_f64(*a).ok_or(())) {
            data.exact.values.insert(s, exact);
        }
    }
    if let Some(&s) = needed
        .iter()
        .find(|s| !bound.contains(s) && !data.float.values.contains_key(s))
    {
        return Err(missing(pool, s));
    }
    // Values whose size depends on dimensions fixed by later bindings wait for them.
    let mut pending: Vec<(SymbolId, Id)> = bindings.to_vec();
    while !pending.is_empty() {
        let mut waiting = Vec::new();
        let mut missing = None;
        for &(s, v) in &pending {
            match value_of(pool, v, &data) {
                Ok((float, exact)) => {
                    fit(pool, s, float.shape(), &mut data)?;
                    data.float.values.insert(s, float);
                    if let Some(e) = exact {
                        data.exact.values.insert(s, e);
                    }
                }
                Err(EvalError::MissingDimension { name }) => {
                    missing = Some(name);
                    waiting.push((s, v));
                }
                Err(e) => {
                    let name = &pool.symbol(s).name;
                    return Err(DataError::new(
                        Some(name),
                        format!("the value given for {name} cannot be computed: {e}"),
                    ));
                }
            }
        }
        if let (true, Some(&(s, _))) = (waiting.len() == pending.len(), waiting.first()) {
            let name = &pool.symbol(s).name;
            let dim = missing.unwrap_or_default();
            return Err(DataError::new(
                Some(name),
                format!(
                    "the size {dim} of {name} ({}) is not fixed by any data: give a value of that size for a symbol that has it",
                    pool.symbol(s).shape
                ),
            ));
        }
        pending = waiting;
    }
    if let Some(&s) = needed.iter().find(|s| !data.float.values.contains_key(s)) {
        return Err(missing(pool, s));
    }
    Ok(data)
}

/// The error for a needed symbol without data.
fn missing(pool: &Pool, s: SymbolId) -> DataError {
    let sym = pool.symbol(s);
    DataError::new(
        Some(&sym.name),
        format!(
            "no data for {} ({}): give it with `with {} = …` or --data {}=FILE.csv",
            sym.name, sym.shape, sym.name, sym.name
        ),
    )
}

/// The value of a binding's expression, in floating point and exactly when rational.
fn value_of(
    pool: &Pool,
    v: Id,
    data: &Data,
) -> Result<(Dense<f64>, Option<Dense<Number>>), EvalError> {
    match evaluate(pool, v, &data.exact) {
        Ok(e) => Ok((e.map(|a| a.to_f64()), Some(e))),
        Err(EvalError::NotRational | EvalError::TooLarge | EvalError::MissingValue { .. }) => {
            evaluate(pool, v, &data.float).map(|f| (f, None))
        }
        Err(e) => Err(e),
    }
}

/// Checks that a value of size `rows × cols` fits symbol `s`, fixing its symbolic dimensions.
fn fit(
    pool: &Pool,
    s: SymbolId,
    (rows, cols): (usize, usize),
    data: &mut Data,
) -> Result<(), DataError> {
    let sym = pool.symbol(s);
    let ok = unify(&sym.shape.rows, rows, data) && unify(&sym.shape.cols, cols, data);
    if ok {
        return Ok(());
    }
    let dims = &data.float.dims;
    let fixed: Vec<String> = sym
        .shape
        .rows
        .symbols
        .iter()
        .chain(&sym.shape.cols.symbols)
        .filter_map(|d| dims.get(d).map(|v| format!("{d} = {v}")))
        .collect();
    let because = if fixed.is_empty() {
        String::new()
    } else {
        format!(" (with {} from other data)", fixed.join(", "))
    };
    Err(DataError::new(
        Some(&sym.name),
        format!(
            "the data for {} is {rows}×{cols}, but {} is {}{because}",
            sym.name, sym.name, sym.shape
        ),
    ))
}

/// Matches a declared dimension with a concrete size, fixing a lone dimension symbol.
fn unify(d: &Dim, size: usize, data: &mut Data) -> bool {
    let size = size as u64;
    let dims = &data.float.dims;
    if let Some(v) = d.evaluate(&|s| dims.get(s).copied()) {
        return v == size;
    }
    match d.symbols.as_slice() {
        [name] if d.coeff == 1 => {
            data.float.dims.insert(name.clone(), size);
            data.exact.dims.insert(name.clone(), size);
            true
        }
        _ => false,
    }
}

/// Reads a matrix from a CSV file (`,`, `;`, tab or space separated; `#` comments) or a `.npy`
/// file (float64, little-endian, C order; 0-, 1- or 2-dimensional).
pub fn load(path: &str) -> Result<Dense<f64>, DataError> {
    let bytes = std::fs::read(path)
        .map_err(|e| DataError::new(None, format!("cannot read {path}: {e}")))?;
    if path.ends_with(".npy") {
        parse_npy(&bytes).map_err(|m| DataError::new(None, format!("{path}: {m}")))
    } else {
        let text = String::from_utf8(bytes)
            .map_err(|_| DataError::new(None, format!("{path} is not text (UTF-8)")))?;
        parse_csv(&text).map_err(|m| DataError::new(None, format!("{path}: {m}")))
    }
}

/// Parses CSV text into a matrix.
pub fn parse_csv(text: &str) -> Result<Dense<f64>, String> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let row = line
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(|t| {
                t.replace('−', "-")
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("line {}: `{t}` is not a finite number", i + 1))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if let Some(first) = rows.first() {
            if first.len() != row.len() {
                return Err(format!(
                    "line {} has {} entries, the first row has {}",
                    i + 1,
                    row.len(),
                    first.len()
                ));
            }
        }
        rows.push(row);
    }
    let cols = rows.first().map_or(0, Vec::len);
    if cols == 0 {
        return Err("no numbers".to_string());
    }
    let n = rows.len();
    Dense::from_vec(n, cols, rows.concat()).ok_or_else(|| "inconsistent rows".to_string())
}

/// Parses the bytes of a `.npy` file holding float64 little-endian data in C order.
pub fn parse_npy(bytes: &[u8]) -> Result<Dense<f64>, String> {
    if bytes.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        return Err("not a .npy file (bad magic)".to_string());
    }
    let major = *bytes.get(6).ok_or("truncated header")?;
    let (len, start) = match major {
        1 => (u16::from_le_bytes(header_bytes(bytes)?) as usize, 10),
        2 | 3 => (u32::from_le_bytes(header_bytes(bytes)?) as usize, 12),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = bytes
        .get(start..start + len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated or non-text header")?;
    let descr = dict_value(header, "descr").ok_or("no descr in the header")?;
    if !matches!(descr.trim_matches(['\'', '"']), "<f8" | "float64") {
        return Err(format!(
            "data type {descr}: only float64 little-endian (<f8) is read"
        ));
    }
    if dict_value(header, "fortran_order").is_some_and(|v| v.starts_with("True")) {
        return Err("Fortran-order arrays are not read (save with C order)".to_string());
    }
    let shape_text = dict_value(header, "shape").ok_or("no shape in the header")?;
    let inner = shape_text
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or("malformed shape")?;
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>()
                .map_err(|_| format!("malformed shape {shape_text}"))
        })
        .collect::<Result<_, _>>()?;
    let (rows, cols) = match dims.as_slice() {
        [] => (1, 1),
        [n] => (*n, 1),
        [r, c] => (*r, *c),
        _ => return Err(format!("{}-dimensional arrays are not read", dims.len())),
    };
    let count = rows
        .checked_mul(cols)
        .filter(|&n| n <= super::MAX_ENTRIES)
        .ok_or("too large")?;
    let body = bytes.get(start + len..).unwrap_or(&[]);
    if body.len() != count * 8 {
        return Err(format!(
            "expected {count} float64 values, found {} bytes",
            body.len()
        ));
    }
    let data: Vec<f64> = body
        .chunks_exact(8)
        .filter_map(|c| c.try_into().ok().map(f64::from_le_bytes))
        .collect();
    if data.iter().any(|x| !x.is_finite()) {
        return Err("the array holds a non-finite value".to_string());
    }
    Dense::from_vec(rows, cols, data).ok_or_else(|| "inconsistent size".to_string())
}

/// The `N` bytes of the header length, after the magic and the version (bytes 8..8 + N).
fn header_bytes<const N: usize>(bytes: &[u8]) -> Result<[u8; N], String> {
    bytes
        .get(8..8 + N)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "truncated header".to_string())
}

/// The text after `'key':` in a Python dict literal, up to the next top-level comma.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))?;
    let rest = header
        .get(at + key.len() + 2..)?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' | '}' if depth == 0 => return rest.get(..i),
            _ => {}
        }
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_and_errors() {
        let m = parse_csv("# A\n1, 2\n3, −4\n\n5 6\n").expect("valid");
        assert_eq!(m.shape(), (3, 2));
        assert_eq!(m.data, vec![1.0, 2.0, 3.0, -4.0, 5.0, 6.0]);
        assert!(parse_csv("1,2\n3\n").unwrap_err().contains("line 2"));
        assert!(parse_csv("1,x\n").unwrap_err().contains("`x`"));
    }

    #[test]
    fn npy_version_1() {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
        let mut h = header.to_string();
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((h.len() as u16).to_le_bytes());
        bytes.extend(h.as_bytes());
        for x in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
            bytes.extend(x.to_le_bytes());
        }
        let m = parse_npy(&bytes).expect("valid");
        assert_eq!(m.shape(), (3, 2));
        assert_eq!(m.data[5], 6.0);
        bytes.pop();
        assert!(parse_npy(&bytes).is_err());
    }
}
