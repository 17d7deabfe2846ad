//! Unit tests of `edit.rs`.

use super::*;
use serde_json::json;

fn all(t: &str) -> Range<usize> {
    0..t.len()
}

#[test]
fn paths_split_into_keys_and_named_elements() {
    assert_eq!(
        segments("taskDefinition.containerDefinitions[api].image"),
        vec![
            Seg::Key("taskDefinition".into()),
            Seg::Key("containerDefinitions".into()),
            Seg::Named("api".into()),
            Seg::Key("image".into())
        ]
    );
}

#[test]
fn a_yaml_scalar_is_replaced_and_nothing_else_moves() {
    let y = "kind: ecs_service  # the api\nserviceName: api\ntaskDefinition:\n  containerDefinitions:\n    - name: web\n      image: nginx:1.0\n    - name: api\n      image: \"nginx:1.25\"   # pinned\n      cpu: 128\n";
    let out = set_value(
        y,
        &all(y),
        &segments("taskDefinition.containerDefinitions[api].image"),
        &json!("nginx:1.26"),
    )
    .unwrap();
    assert_eq!(out, y.replace("\"nginx:1.25\"", "\"nginx:1.26\""));
    let out = set_value(
        y,
        &all(y),
        &segments("taskDefinition.containerDefinitions[api].cpu"),
        &json!(256),
    )
    .unwrap();
    assert_eq!(out, y.replace("cpu: 128", "cpu: 256"));
    let out = set_value(y, &all(y), &segments("serviceName"), &json!("true")).unwrap();
    assert!(out.contains("serviceName: \"true\"\n"), "{out}");
}

#[test]
fn json_and_flow_values() {
    let j = "{\n  \"family\": \"api\",\n  \"containerDefinitions\": [\n    {\"name\": \"api\", \"image\": \"a:1\", \"essential\": true}\n  ]\n}\n";
    let out = set_value(
        j,
        &all(j),
        &segments("containerDefinitions[api].image"),
        &json!("a:2"),
    )
    .unwrap();
    assert_eq!(out, j.replace("\"a:1\"", "\"a:2\""));
    let out = remove_key(j, &all(j), &segments("containerDefinitions[api].essential")).unwrap();
    assert_eq!(out, j.replace(", \"essential\": true", ""));
    let y = "records:\n  - {name: www, type: A, values: [192.0.2.1, 192.0.2.2]}\n  - {name: api, type: A, value: 192.0.2.9}\n";
    let item = item_span(y, 3).unwrap();
    let out = set_value(
        y,
        &item,
        &segments("value"),
        &json!(["192.0.2.9", "192.0.2.10"]),
    )
    .unwrap();
    let out = rename_key(
        &out,
        &item_span(&out, 3).unwrap(),
        &segments("value"),
        "values",
    )
    .unwrap();
    assert_eq!(
        out,
        y.replace("value: 192.0.2.9", "values: [192.0.2.9, 192.0.2.10]")
    );
    let out = insert_key(y, &item_span(y, 2).unwrap(), "ttl", &json!(60)).unwrap();
    assert_eq!(out, y.replace("192.0.2.2]}", "192.0.2.2], ttl: 60}"));
}

#[test]
fn block_values_become_flow_and_keys_come_and_go() {
    let y = "a: 1\nvalues:\n  - x\n  - y\nb: 2\n";
    let out = set_value(y, &all(y), &segments("values"), &json!(["x", "z"])).unwrap();
    assert_eq!(out, "a: 1\nvalues: [x, z]\nb: 2\n");
    let out = remove_key(y, &all(y), &segments("values")).unwrap();
    assert_eq!(out, "a: 1\nb: 2\n");
    let out = insert_key(y, &all(y), "c", &json!("3")).unwrap();
    assert_eq!(out, "a: 1\nvalues:\n  - x\n  - y\nb: 2\nc: \"3\"\n");
    let j = "{\n  \"a\": 1\n}\n";
    assert_eq!(
        insert_key(j, &all(j), "b", &json!([1])).unwrap(),
        "{\n  \"a\": 1,\n  \"b\": [1]\n}\n"
    );
}

#[test]
fn list_items_are_removed_and_appended() {
    let y = "kind: dns_zone\nrecords:\n  - name: www\n    type: A\n    value: 192.0.2.1\n  - {name: mx, type: MX, value: 10 mail}\n";
    let span = item_span(y, 3).unwrap();
    assert_eq!(
        &y[span.clone()],
        "  - name: www\n    type: A\n    value: 192.0.2.1"
    );
    assert_eq!(
        remove_span_lines(y, &span),
        "kind: dns_zone\nrecords:\n  - {name: mx, type: MX, value: 10 mail}\n"
    );
    assert_eq!(
        append_item(y, "records", "{name: new, type: A}").unwrap(),
        format!("{y}  - {{name: new, type: A}}\n")
    );
    assert!(append_item("records:\n  - a\nzone: x\n", "records", "b").is_err());
}

#[test]
fn entries_and_their_values() {
    let y = "ingress:\n  - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0, \"::/0\"]}\n  - protocol: tcp\n    cidrs:\n      - 10.0.0.0/8\n      - 10.1.0.0/16\negress: []\n";
    let e1 = entry_span(y, 2).unwrap();
    let e2 = entry_span(y, 3).unwrap();
    assert_eq!(
        entry_span(y, 4),
        Some(e2.clone()),
        "a line inside the entry"
    );
    assert_eq!(
        &y[e2.clone()],
        "  - protocol: tcp\n    cidrs:\n      - 10.0.0.0/8\n      - 10.1.0.0/16"
    );
    assert_eq!(
        replace_value(y, &e1, "::/0", "2001:db8::/32").unwrap(),
        y.replace("\"::/0\"", "\"2001:db8::/32\"")
    );
    assert_eq!(
        remove_value(y, &e1, "0.0.0.0/0").unwrap(),
        y.replace("0.0.0.0/0, ", "")
    );
    assert_eq!(
        remove_value(y, &e2, "10.0.0.0/8").unwrap(),
        y.replace("      - 10.0.0.0/8\n", "")
    );
    assert_eq!(
        remove_entry(y, &e1),
        y.replace(
            "  - {protocol: tcp, ports: 443, cidrs: [0.0.0.0/0, \"::/0\"]}\n",
            ""
        )
    );
    let out = append_to_list(y, "ingress", "{protocol: udp}").unwrap();
    assert!(
        out.contains("      - 10.1.0.0/16\n  - {protocol: udp}\negress: []\n"),
        "{out}"
    );
    assert!(append_to_list(y, "egress", "x").is_err());
    assert_eq!(
        append_to_list("a: 1", "rules", "x").unwrap(),
        "a: 1\nrules:\n  - x\n"
    );
    let j = "[\n  {\"name\": \"a\", \"x\": 1},\n  {\n    \"name\": \"b\"\n  }\n]\n";
    let b = entry_span(j, 4).unwrap();
    assert_eq!(&j[b.clone()], "{\n    \"name\": \"b\"\n  }");
    assert_eq!(remove_entry(j, &b), "[\n  {\"name\": \"a\", \"x\": 1}\n]\n");
    let a = entry_span(j, 2).unwrap();
    assert_eq!(remove_entry(j, &a), "[\n  {\n    \"name\": \"b\"\n  }\n]\n");
}

#[test]
fn strings_keep_their_quoting_and_stay_strings() {
    assert_eq!(render(&json!("a:b"), true, false, ""), "a:b");
    assert_eq!(render(&json!("a: b"), true, false, ""), "\"a: b\"");
    assert_eq!(render(&json!("256"), true, false, ""), "\"256\"");
    assert_eq!(render(&json!("it's"), true, false, "'x'"), "'it''s'");
    assert_eq!(render(&json!("a,b"), true, true, ""), "\"a,b\"");
    assert_eq!(
        render(&json!({"k": [1, "no"]}), true, false, ""),
        "{k: [1, \"no\"]}"
    );
}
