//! Unit tests of `schema.rs`.

use super::*;
use serde_json::json;

#[test]
fn cpu_and_memory_units() {
    assert_eq!(cpu_units(&json!("1 vCPU")), Some(1024));
    assert_eq!(cpu_units(&json!("0.25 vcpu")), Some(256));
    assert_eq!(cpu_units(&json!("512")), Some(512));
    assert_eq!(cpu_units(&json!(2048)), Some(2048));
    assert_eq!(cpu_units(&json!("lots")), None);
    assert_eq!(memory_mib(&json!("0.5 GB")), Some(512));
    assert_eq!(memory_mib(&json!("2GB")), Some(2048));
    assert_eq!(memory_mib(&json!("3 GiB")), Some(3072));
    assert_eq!(memory_mib(&json!("512 MiB")), Some(512));
    assert_eq!(memory_mib(&json!("2048")), Some(2048));
    assert_eq!(memory_mib(&json!("0.3 GB")), None);
}

#[test]
fn suggestions_for_typos() {
    assert_eq!(
        suggestion("imagee", &["image", "cpu"]),
        " (did you mean `image`?)"
    );
    assert_eq!(suggestion("zzzzzz", &["image"]), "");
    // A hostile 8 MB name: no search, and the message stays short.
    let huge = "x".repeat(8_000_000);
    assert_eq!(suggestion(&huge, &["image"]), "");
    assert_eq!(
        shown(&huge),
        format!("{}... (8000000 bytes)", "x".repeat(40))
    );
    assert_eq!(shown("imagee"), "imagee");
}

static FIELDS: &[Field] = &[
    f("name", Rule::Str),
    d("essential", Rule::Bool, Default::Bool(true)),
    f("tags", Rule::Set(&Rule::Str)),
];

#[test]
fn defaults_and_empty_values_count_as_absent() {
    let mut w = Walker::new(Mode::Strict);
    let a = w
        .object(&json!({"name": "x", "essential": true, "tags": []}), FIELDS)
        .unwrap();
    let b = w.object(&json!({"name": "x"}), FIELDS).unwrap();
    assert_eq!(a, b);
}

#[test]
fn sets_ignore_order_and_strict_mode_names_unknown_fields() {
    let mut w = Walker::new(Mode::Strict);
    let a = w.object(&json!({"tags": ["b", "a"]}), FIELDS).unwrap();
    let b = w.object(&json!({"tags": ["a", "b"]}), FIELDS).unwrap();
    assert_eq!(a.as_ref().map(canon_json), b.as_ref().map(canon_json));
    let e = w.object(&json!({"nmae": "x"}), FIELDS).unwrap_err();
    assert_eq!(e.keys, vec!["nmae"]);
    assert!(e.message.contains("did you mean `name`"), "{}", e.message);
    let mut lenient = Walker::new(Mode::Lenient);
    assert!(
        lenient
            .object(&json!({"nmae": "x"}), FIELDS)
            .unwrap()
            .is_none()
    );
}

#[test]
fn pascal_case_keys_are_accepted() {
    let mut w = Walker::new(Mode::Strict);
    let a = w.object(&json!({"Name": "x"}), FIELDS).unwrap();
    let b = w.object(&json!({"name": "x"}), FIELDS).unwrap();
    assert_eq!(a, b);
}

#[test]
fn wrong_types_are_named() {
    let mut w = Walker::new(Mode::Strict);
    let e = w.object(&json!({"tags": {"a": 1}}), FIELDS).unwrap_err();
    assert_eq!(e.message, "expected a list, found an object");
    assert_eq!(e.keys, vec!["tags"]);
}
