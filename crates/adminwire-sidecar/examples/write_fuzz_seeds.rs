//! Writes the seed inputs of the sidecar's fuzz targets — valid encodings of what each parser
//! reads — into `fuzz/corpus/<target>/` (or `$ADMINWIRE_SEED_DIR/<target>/`):
//!
//! ```sh
//! cargo run -p adminwire-sidecar --features fuzzing --example write_fuzz_seeds
//! ```

use std::path::{Path, PathBuf};

fn main() -> std::io::Result<()> {
    let root = std::env::var_os("ADMINWIRE_SEED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus"));
    let seeds = adminwire_sidecar::fuzzing::seeds();
    for (target, name, bytes) in &seeds {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("seed-{name}")), bytes)?;
    }
    println!("wrote {} seeds under {}", seeds.len(), root.display());
    Ok(())
}
