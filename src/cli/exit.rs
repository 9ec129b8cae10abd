//! Exit codes, one per kind of outcome.

/// Everything worked and every claim holds.
pub const OK: u8 = 0;
/// A claim is wrong or ill-formed.
pub const CLAIM_FAILED: u8 = 1;
/// The input could not be read: syntax, shapes, names, limits, files.
pub const BAD_INPUT: u8 = 2;
/// A well-formed request nabla cannot answer (no matrix form, unsupported construct).
pub const CANNOT_ANSWER: u8 = 3;
/// nabla itself failed (a bug).
pub const INTERNAL: u8 = 70;
