//! One declared file, its name chosen by the first byte (YAML, JSON, an
//! octoDNS zone, an RFC 1035 zone), read the way `check` reads it:
//! recognised, read, normalized strictly. Errors are fine; panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "svc.yaml",
    "ecs-task-def.json",
    "example.com.yaml",
    "example.com.zone",
    "db.example.com",
    "rules.json",
];

const CONFIG: &str = "[[scope]]\nname = \"s\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\
[scope.aws]\nregion = \"us-east-1\"\necs_clusters = [\"prod\"]\n\
route53_zones = [\"example.com\"]\nsecurity_group_vpcs = [\"vpc-1\"]\n\
[scope.gcp]\nproject = \"p\"\nfirewall_networks = [\"default\"]\n";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftgate.toml"), CONFIG).unwrap();
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    let name = NAMES[usize::from(pick) % NAMES.len()];
    std::fs::write(dir.path().join("infra").join(name), body).unwrap();
    let config = driftgate::config::Config::load(&dir.path().join("driftgate.toml")).unwrap();
    if let Ok(declared) = driftgate::pipeline::load_declared(&config, false) {
        let _ = driftgate::pipeline::check(
            &config,
            declared.resources,
            driftgate_model::ScanResult::default(),
        );
    }
});
