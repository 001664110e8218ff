//! Rewrites `crates/adminwire-protocol/src/generated/` from `protocol-specs/`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = adminwire_codegen::repo_root();
    let files = match adminwire_codegen::generate(&root) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("adminwire-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = adminwire_codegen::output_dir(&root);
    if let Err(e) = std::fs::remove_dir_all(&out).or_else(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Ok(()),
        _ => Err(e),
    }) {
        eprintln!("adminwire-codegen: clearing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    std::fs::create_dir_all(&out).expect("create output dir");
    for (name, code) in &files {
        std::fs::write(out.join(name), code).expect("write generated file");
    }
    println!("wrote {} files to {}", files.len(), out.display());
    match adminwire_codegen::generate_protocol_doc(&root) {
        Ok(doc) => {
            let path = adminwire_codegen::protocol_doc_path(&root);
            std::fs::write(&path, doc).expect("write docs/protocol.md");
            println!("updated {}", path.display());
        }
        Err(e) => {
            eprintln!("adminwire-codegen: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
