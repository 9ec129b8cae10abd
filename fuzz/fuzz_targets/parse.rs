//! The parser on any text (see `nabla_fuzz::parse_target`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nabla_fuzz::parse_target(data);
});
