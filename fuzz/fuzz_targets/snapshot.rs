//! A live snapshot (`driftgate snapshot -o`) as bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("live.json");
    std::fs::write(&p, data).unwrap();
    let _ = driftgate::pipeline::read_snapshot(&p);
});
