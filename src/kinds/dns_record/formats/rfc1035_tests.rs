//! Unit tests of `bind.rs`.

use super::*;

fn read_text(text: &str, zone: &str) -> Result<Read, InputError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(format!("{zone}.zone"));
    std::fs::write(&p, text).unwrap();
    read(&p, &format!("{zone}.zone"), zone, dir.path())
}

#[test]
fn includes_stay_inside_the_repository() {
    let top = tempfile::tempdir().unwrap();
    let repo = top.path().join("repo");
    std::fs::create_dir_all(repo.join("zones/parts")).unwrap();
    std::fs::write(
        top.path().join("outside.zone"),
        "topsecret-value IN TXT \"stolen\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("zones/parts/www.inc"), "www 300 IN A 192.0.2.7\n").unwrap();
    let main = repo.join("zones/example.com.zone");
    let read_with = |include: &str| {
        std::fs::write(
            &main,
            format!("$ORIGIN example.com.\n$INCLUDE {include}\n$TTL 300\n"),
        )
        .unwrap();
        read(&main, "zones/example.com.zone", "example.com", &repo)
    };
    let ok = read_with("parts/www.inc").unwrap();
    assert_eq!(
        values(&ok, "example.com/www.example.com/A"),
        json!(["192.0.2.7"])
    );
    for bad in ["../../outside.zone", "/etc/hostname"] {
        let e = read_with(bad).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("zones/example.com.zone:2:1: "), "{text}");
        assert!(
            text.contains("outside the repository") || text.contains("absolute path"),
            "{text}"
        );
        assert!(
            !text.contains("topsecret") && !text.contains("stolen"),
            "{text}"
        );
    }
    // A symlink out of the repository is followed to where it really is.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(top.path().join("outside.zone"), repo.join("zones/link.inc"))
            .unwrap();
        let e = read_with("link.inc").unwrap_err().to_string();
        assert!(e.contains("outside the repository"), "{e}");
    }
}

#[test]
fn record_lines_cover_parentheses() {
    let text = "$ORIGIN example.com.\n$TTL 300\nwww IN A 192.0.2.1\n    IN A 192.0.2.2\ntxt IN TXT ( \"a\"\n  \"b\" )\nwww IN AAAA ::1\n";
    let l = record_lines(text, "example.com").unwrap();
    assert_eq!(
        l[&("www.example.com".to_owned(), "A".to_owned())],
        vec![(3, 3), (4, 4)]
    );
    assert_eq!(
        l[&("txt.example.com".to_owned(), "TXT".to_owned())],
        vec![(5, 6)]
    );
    assert_eq!(
        l[&("www.example.com".to_owned(), "AAAA".to_owned())],
        vec![(7, 7)]
    );
}

#[test]
fn ttls_with_units() {
    assert_eq!(parse_ttl("3600"), Some(3600));
    assert_eq!(parse_ttl("1h30m"), Some(5400));
    assert_eq!(parse_ttl("3D"), Some(259_200));
    assert_eq!(parse_ttl("1w"), Some(604_800));
    assert_eq!(parse_ttl("h"), None);
    assert_eq!(parse_ttl("10x"), None);
}

#[test]
fn origin_ttl_blank_owners_parentheses_and_at_in_data() {
    let r = read_text(
        "$TTL 1h\n@ IN SOA ns root ( 1 2h 1h 14d\n  1h ) ; comment\n  IN NS ns1\n  NS @\nwww 60 IN A 192.0.2.1\n    IN A 192.0.2.2\nmail MX 10 @\ntxt TXT \"a; b\" \"c\"\n",
        "example.com",
    )
    .unwrap();
    assert_eq!(
        values(&r, "example.com/example.com/NS"),
        json!(["ns1.example.com.", "example.com."])
    );
    assert_eq!(
        values(&r, "example.com/www.example.com/A"),
        json!(["192.0.2.1", "192.0.2.2"])
    );
    assert_eq!(
        values(&r, "example.com/mail.example.com/MX"),
        json!(["10 example.com."])
    );
    assert_eq!(
        values(&r, "example.com/txt.example.com/TXT"),
        json!(["\"a; b\" \"c\""])
    );
    let www = r
        .records
        .iter()
        .find(|d| d.resource.id.ends_with("www.example.com/A"))
        .unwrap();
    assert_eq!(www.resource.spec["ttl"], 60);
    assert_eq!(www.at, "example.com.zone:6");
    assert!(r.notes.iter().any(|n| n.contains("SOA")));
}

#[test]
fn errors_name_their_line() {
    let e = read_text("$TTL 1h\nwww IN A 192.0.2.1\nbad IN FOO 1\n", "example.com").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "`FOO` is not a record type")
    );
    let e = read_text("$TTL 1h\nwww IN TXT \"open\n", "example.com").unwrap_err();
    assert_eq!(e.line, 2);
    let e = read_text("www IN A 192.0.2.1\n", "example.com").unwrap_err();
    assert!(e.message.contains("no TTL"), "{e}");
    let e = read_text("$TTL 1h\nwww.other.org. IN A 192.0.2.1\n", "example.com").unwrap_err();
    assert!(e.message.contains("outside the zone"), "{e}");
    let e = read_text("$TTL 1h\n@ IN SOA a b (1 2 3 4 5\n", "example.com").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (2, "`(` is never closed"));
    let e = read_text("$TTL 1h\nwww IN A 192.0.2.300\n", "example.com").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn an_included_file_is_shown_at_its_own_normal_path() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("zones")).unwrap();
    std::fs::write(repo.path().join("db.ocf"), "www 300 IN A 192.0.2.1\n").unwrap();
    let zone = repo.path().join("zones/example.com.zone");
    std::fs::write(&zone, "$ORIGIN example.com.\n$INCLUDE ../db.ocf\n").unwrap();
    let r = read(&zone, "zones/example.com.zone", "example.com", repo.path()).unwrap();
    assert_eq!(r.records[0].at, "db.ocf:1", "not zones/../db.ocf:1");
}
