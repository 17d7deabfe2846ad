//! driftgate.toml as bytes: read as text, then parsed and validated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = driftgate::input::text_of(data.to_vec(), Path::new("driftgate.toml")) {
        let _ = driftgate::config::Config::parse(Path::new("driftgate.toml"), &text, (2026, 1, 1));
    }
});
