//! The committed generated code must be exactly what the specs generate: editing a spec without
//! regenerating (or editing generated code by hand) fails here.

use std::collections::BTreeMap;

#[test]
fn committed_code_matches_the_specs() {
    let root = adminwire_codegen::repo_root();
    let expected = adminwire_codegen::generate(&root).expect("specs generate");
    let dir = adminwire_codegen::output_dir(&root);
    let mut committed = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("generated dir exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        committed.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&expected),
        "generated file set differs: run `cargo run -p adminwire-codegen`"
    );
    for (name, code) in &expected {
        assert!(committed[name] == *code, "{name} is stale: run `cargo run -p adminwire-codegen`");
    }
}

#[test]
fn protocol_doc_matches_the_specs() {
    let root = adminwire_codegen::repo_root();
    let expected = adminwire_codegen::generate_protocol_doc(&root).expect("doc generates");
    let committed = std::fs::read_to_string(adminwire_codegen::protocol_doc_path(&root)).unwrap();
    assert!(
        committed == expected,
        "docs/protocol.md's generated sections are stale: run `cargo run -p adminwire-codegen`"
    );
}
