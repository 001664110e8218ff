//! The generated parts of `docs/protocol.md`: each message's schema per version, in the notation
//! of Kafka's protocol guide, and the error-code table. They sit between marker comments so that
//! the hand-written prose around them stays as written.

use std::fmt::Write;

use crate::spec::{ErrorsFile, FieldSpec, MessageSpec, Type};

pub const MESSAGES_BEGIN: &str =
    "<!-- BEGIN GENERATED: messages (cargo run -p adminwire-codegen) -->";
pub const MESSAGES_END: &str = "<!-- END GENERATED: messages -->";
pub const ERRORS_BEGIN: &str = "<!-- BEGIN GENERATED: errors (cargo run -p adminwire-codegen) -->";
pub const ERRORS_END: &str = "<!-- END GENERATED: errors -->";

fn wire_type(ty: &Type, nullable: bool, flexible: bool) -> String {
    let compact = if flexible { "COMPACT_" } else { "" };
    let null = if nullable { "NULLABLE_" } else { "" };
    match ty {
        Type::Bool => "BOOLEAN".into(),
        Type::Int8 => "INT8".into(),
        Type::Int16 => "INT16".into(),
        Type::Int32 => "INT32".into(),
        Type::Int64 => "INT64".into(),
        Type::String => format!("{compact}{null}STRING"),
        Type::Array(inner) => match **inner {
            Type::Struct(_) => format!("{compact}{null}ARRAY of struct"),
            ref element => {
                format!("{compact}{null}ARRAY of {}", wire_type(element, false, flexible))
            }
        },
        Type::Struct(_) if nullable => "NULLABLE struct (INT8 presence: -1 null, 1 present)".into(),
        Type::Struct(_) => "struct".into(),
    }
}

fn struct_fields<'a>(spec: &'a MessageSpec, field: &'a FieldSpec) -> Option<&'a [FieldSpec]> {
    let name = match &field.ty {
        Type::Struct(n) => n,
        Type::Array(inner) => match &**inner {
            Type::Struct(n) => n,
            _ => return None,
        },
        _ => return None,
    };
    field.fields.as_deref().or_else(|| {
        spec.common_structs.iter().find(|c| &c.name == name).map(|c| c.fields.as_slice())
    })
}

fn field_label(f: &FieldSpec) -> String {
    match f.ty {
        Type::Array(_) => format!("[{}]", f.name),
        _ => f.name.clone(),
    }
}

/// What is being written for one version of one message.
struct Description {
    version: i16,
    flexible: bool,
    /// The `Name => A [B] C` grammar lines.
    grammar: String,
    /// The field table's rows.
    rows: String,
}

/// Adds a struct's grammar line and table rows, and its inner structs', to `out`.
fn describe(
    spec: &MessageSpec,
    fields: &[FieldSpec],
    depth: usize,
    owner: &str,
    out: &mut Description,
) {
    let (version, flexible) = (out.version, out.flexible);
    let present: Vec<&FieldSpec> = fields.iter().filter(|f| f.versions.contains(version)).collect();
    let regular: Vec<String> = present
        .iter()
        .filter(|f| !f.tagged_versions.contains(version))
        .map(|f| field_label(f))
        .collect();
    let mut line = format!("{}{owner} =>", "  ".repeat(depth));
    for label in &regular {
        write!(line, " {label}").unwrap();
    }
    if flexible {
        line.push_str(" _tagged_fields");
    }
    out.grammar.push_str(line.trim_end());
    out.grammar.push('\n');
    for f in &present {
        let tagged = f.tagged_versions.contains(version);
        let ty = wire_type(&f.ty, f.nullable_versions.contains(version), flexible || tagged);
        let mut notes = Vec::new();
        if tagged {
            notes.push(format!("tagged field, tag {}", f.tag.unwrap_or_default()));
        }
        if f.ignorable {
            notes.push("ignorable".to_owned());
        }
        if let Some(d) = &f.default
            && d != "null"
            && !matches!(f.ty, Type::Array(_))
        {
            notes.push(format!("default {}", if d.is_empty() { "\"\"".into() } else { d.clone() }));
        }
        let notes =
            if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
        writeln!(
            out.rows,
            "| {}{} | {ty} | {}{notes} |",
            "&nbsp;&nbsp;".repeat(depth),
            f.name,
            f.about.replace('|', "\\|")
        )
        .unwrap();
        if let Some(inner) = struct_fields(spec, f) {
            describe(spec, inner, depth + 1, &f.name, out);
        }
    }
}

pub fn messages_section(specs: &[MessageSpec]) -> String {
    let mut out = String::new();
    out.push('\n');
    for spec in specs {
        let (lo, hi) = spec.valid_versions.range.unwrap_or((0, -1));
        writeln!(out, "### {} (key {})\n\n{}\n", spec.name, spec.api_key, spec.about).unwrap();
        match spec.read_only {
            Some(true) => out.push_str(
                "Read-only: yes. It changes nothing, so it is safe to send again when a \
                 connection broke before the answer.\n\n",
            ),
            Some(false) => out.push_str(
                "Read-only: no. It changes the cluster: after a connection broke before the \
                 answer, check the cluster before sending it again.\n\n",
            ),
            None => {}
        }
        for version in lo..=hi {
            let flexible = spec.flexible_versions.contains(version);
            let mut d =
                Description { version, flexible, grammar: String::new(), rows: String::new() };
            describe(spec, &spec.fields, 0, &format!("{} v{version}", spec.name), &mut d);
            let encoding = if flexible { "flexible" } else { "classic" };
            writeln!(out, "**Version {version}** ({encoding}):\n\n```\n{}```\n", d.grammar)
                .unwrap();
            if !d.rows.is_empty() {
                writeln!(out, "| Field | Type | Meaning |\n|---|---|---|\n{}", d.rows).unwrap();
            }
        }
    }
    out
}

pub fn errors_section(errors: &ErrorsFile) -> String {
    let mut out = String::from(
        "\n| Code | Name | Retriable | Meaning | Returned by |\n|---|---|---|---|---|\n",
    );
    for e in errors.extension.iter().chain(&errors.kafka) {
        let by =
            if e.requests.is_empty() { "any request".to_owned() } else { e.requests.join(", ") };
        writeln!(
            out,
            "| {} | {} | {} | {} | {by} |",
            e.code,
            e.name,
            if e.retriable { "yes" } else { "no" },
            e.message
        )
        .unwrap();
    }
    out.push('\n');
    out
}

/// Replaces what stands between `begin` and `end` in `doc` with `content`.
pub fn splice(doc: &str, begin: &str, end: &str, content: &str) -> Result<String, String> {
    let start =
        doc.find(begin).ok_or_else(|| format!("docs/protocol.md lacks the marker {begin}"))?
            + begin.len();
    let stop =
        doc[start..].find(end).ok_or_else(|| format!("docs/protocol.md lacks the marker {end}"))?
            + start;
    Ok(format!("{}{content}{}", &doc[..start], &doc[stop..]))
}
