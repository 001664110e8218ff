//! What the tests that run `tests/java-clients` with Maven share: the command line, and reading
//! surefire's reports for the totals and the clients' output.
//!
//! Each test binary uses part of this; the rest would be dead code there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use adminwire_test_support::repo_root;

/// Maven's first run downloads the plugins and kafka-clients (`scripts/setup` fetches them ahead).
pub const MAVEN_TIMEOUT: Duration = Duration::from_secs(900);

/// Totals of the surefire reports of one run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub tests: u32,
    pub failures: u32,
    pub errors: u32,
    pub skipped: u32,
}

fn attribute(tag: &str, name: &str) -> u32 {
    let key = format!(" {name}=\"");
    tag.split_once(&key)
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
}

fn report_files(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name.starts_with(prefix) && name.ends_with(suffix)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The totals of every surefire report in `reports`.
pub fn totals(reports: &Path) -> Totals {
    let mut totals = Totals::default();
    for file in report_files(reports, "TEST-", ".xml") {
        let xml = std::fs::read_to_string(&file).expect("a readable surefire report");
        let start = xml.find("<testsuite ").expect("a testsuite element");
        let tag = &xml[start..start + xml[start..].find('>').expect("a closed tag")];
        totals.tests += attribute(tag, "tests");
        totals.failures += attribute(tag, "failures");
        totals.errors += attribute(tag, "errors");
        totals.skipped += attribute(tag, "skipped");
    }
    totals
}

/// The last `lines` lines of every test's captured client output, for a failure message.
pub fn client_output(reports: &Path, lines: usize) -> String {
    let mut text = String::new();
    for file in report_files(reports, "", "-output.txt") {
        let content = std::fs::read_to_string(&file).unwrap_or_default();
        let all: Vec<&str> = content.lines().collect();
        let tail = &all[all.len().saturating_sub(lines)..];
        text.push_str(&format!(
            "--- {} (last {} lines)\n{}\n",
            file.display(),
            tail.len(),
            tail.join("\n")
        ));
    }
    text
}

/// Where a run of the JUnit tests tagged `group` builds and reports, under this binary's scratch
/// dir; `name` tells runs of one group apart.
pub fn build_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("java-clients").join(name)
}

/// `mvn test` of the JUnit tests tagged `group`, building in `build_dir`, with `properties` as
/// system properties (`adminwire.bootstrap` and the like, see tests/java-clients/README.md).
pub fn maven(group: &str, build_dir: &Path, properties: &[(&str, String)]) -> Command {
    let pom = repo_root().join("tests/java-clients/pom.xml");
    let mut mvn = Command::new("mvn");
    mvn.args(["-q", "-B", "-Dstyle.color=never", "-f"])
        .arg(&pom)
        .arg("test")
        .arg(format!("-Dgroups={group}"))
        .arg(format!("-Dadminwire.buildDir={}", build_dir.display()));
    for (key, value) in properties {
        mvn.arg(format!("-D{key}={value}"));
    }
    if std::env::var_os("MAVEN_OPTS").is_none() {
        // Maven itself only compiles a few classes and forks the tests: a quick-starting JVM.
        mvn.env("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m");
    }
    mvn
}
