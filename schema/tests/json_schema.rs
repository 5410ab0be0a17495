//! The committed JSON Schema files under `schema/json/` are generated from the types.
//! Regenerate them with `SAYSO_UPDATE_SCHEMAS=1 cargo test -p sayso-schema --test json_schema`.

use std::path::Path;

#[test]
fn committed_json_schemas_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("json");
    let update = std::env::var_os("SAYSO_UPDATE_SCHEMAS").is_some();
    for (name, generated) in sayso_schema::json_schema::documents() {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is out of date with the types: run SAYSO_UPDATE_SCHEMAS=1 cargo test -p sayso-schema --test json_schema",
            path.display()
        );
    }
}

#[test]
fn schemas_describe_every_question_kind() {
    let docs = sayso_schema::json_schema::documents();
    let definition = &docs[0].1;
    for kind in [
        "nps",
        "csat",
        "ces",
        "rating",
        "single_choice",
        "multi_choice",
        "text",
        "definition",
        "likert",
        "contact",
        "consent",
    ] {
        assert!(
            definition.contains(&format!("\"{kind}\"")),
            "{kind} missing from the definition schema"
        );
    }
}
