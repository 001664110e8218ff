//! Generates the message code of `adminwire-protocol` from `protocol-specs/`, so that the specs
//! other languages implement and the Rust codec cannot drift apart.
//!
//! `cargo run -p adminwire-codegen` rewrites `crates/adminwire-protocol/src/generated/`; a test
//! fails when the committed files differ from what the specs generate.

mod docs;
mod emit;
mod spec;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use spec::{ErrorsFile, MessageKind, MessageSpec};

/// The repository's root, found from this crate's manifest.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Where the generated files live.
pub fn output_dir(root: &Path) -> PathBuf {
    root.join("crates/adminwire-protocol/src/generated")
}

/// Reads every message spec in `specs_dir`, sorted by API key, requests before responses.
pub fn read_specs(specs_dir: &Path) -> Result<Vec<MessageSpec>, String> {
    let mut specs = Vec::new();
    let entries =
        std::fs::read_dir(specs_dir).map_err(|e| format!("{}: {e}", specs_dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let is_message = path.extension().is_some_and(|e| e == "json")
            && path.file_stem().is_some_and(|s| {
                s.to_string_lossy().ends_with("Request")
                    || s.to_string_lossy().ends_with("Response")
            });
        if !is_message {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spec: MessageSpec =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        spec.check().map_err(|e| format!("{}: {e}", path.display()))?;
        if path.file_stem().is_none_or(|s| s.to_string_lossy() != spec.name) {
            return Err(format!(
                "{}: file name does not match message name {}",
                path.display(),
                spec.name
            ));
        }
        specs.push(spec);
    }
    specs.sort_by_key(|s| (s.api_key, s.kind == MessageKind::Response));
    Ok(specs)
}

/// Reads `errors.json`.
pub fn read_errors(specs_dir: &Path) -> Result<ErrorsFile, String> {
    let path = specs_dir.join("errors.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The path of the protocol reference whose generated sections this crate maintains.
pub fn protocol_doc_path(root: &Path) -> PathBuf {
    root.join("docs/protocol.md")
}

/// `docs/protocol.md` with its generated sections (message schemas, error codes) brought up to
/// date from the specs.
pub fn generate_protocol_doc(root: &Path) -> Result<String, String> {
    let specs_dir = root.join("protocol-specs");
    let path = protocol_doc_path(root);
    let doc = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = docs::splice(
        &doc,
        docs::MESSAGES_BEGIN,
        docs::MESSAGES_END,
        &docs::messages_section(&read_specs(&specs_dir)?),
    )?;
    docs::splice(
        &doc,
        docs::ERRORS_BEGIN,
        docs::ERRORS_END,
        &docs::errors_section(&read_errors(&specs_dir)?),
    )
}

/// Every generated file, by name, formatted with rustfmt.
pub fn generate(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let specs_dir = root.join("protocol-specs");
    let specs = read_specs(&specs_dir)?;
    let errors = read_errors(&specs_dir)?;
    let mut files = BTreeMap::new();
    for spec in &specs {
        files.insert(format!("{}.rs", emit::snake_case(&spec.name)), emit::message_file(spec)?);
    }
    files.insert("error_code.rs".to_owned(), emit::error_code_file(&errors)?);
    files.insert("mod.rs".to_owned(), emit::mod_file(&specs)?);
    files.into_iter().map(|(name, code)| Ok((name, rustfmt(root, &code)?))).collect()
}

fn rustfmt(root: &Path, code: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--config-path"])
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(code.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt failed:\n{}\n--- code ---\n{code}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}
