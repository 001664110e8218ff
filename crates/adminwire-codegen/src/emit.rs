//! Turns specs into Rust source. The output is formatted by rustfmt afterwards, so this writes
//! plain lines and cares only about what they say.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::spec::{ErrorSpec, ErrorsFile, FieldSpec, MessageKind, MessageSpec, Type, Versions};

/// `CreateTopicRequest` → `create_topic_request`, `Isr` → `isr`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let after_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let acronym_end = i > 0
                && chars[i - 1].is_ascii_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if after_lower || acronym_end {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn doc(text: &str) -> String {
    // Square brackets in JSON examples would read as intra-doc links.
    text.lines().map(|l| format!("/// {}\n", l.replace('[', "\\[").replace(']', "\\]"))).collect()
}

/// A struct to generate: the message itself, an inline struct of one of its fields, or a common
/// struct it uses.
struct StructDef<'a> {
    name: &'a str,
    about: String,
    /// The versions in which the struct can appear.
    versions: Versions,
    fields: &'a [FieldSpec],
}

fn intersect(a: Versions, b: Versions) -> Versions {
    match (a.range, b.range) {
        (Some((alo, ahi)), Some((blo, bhi))) if alo.max(blo) <= ahi.min(bhi) => {
            Versions { range: Some((alo.max(blo), ahi.min(bhi))) }
        }
        _ => Versions { range: None },
    }
}

fn struct_name(ty: &Type) -> Option<&str> {
    match ty {
        Type::Struct(name) => Some(name),
        Type::Array(inner) => struct_name(inner),
        _ => None,
    }
}

fn collect_structs<'a>(spec: &'a MessageSpec) -> Result<Vec<StructDef<'a>>, String> {
    let mut out = vec![StructDef {
        name: &spec.name,
        about: spec.about.clone(),
        versions: spec.valid_versions,
        fields: &spec.fields,
    }];
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut i = 0;
    while i < out.len() {
        let (parent_versions, fields) = (out[i].versions, out[i].fields);
        for field in fields {
            let Some(name) = struct_name(&field.ty) else {
                if field.fields.is_some() {
                    return Err(format!(
                        "{}.{}: fields given for a non-struct type",
                        spec.name, field.name
                    ));
                }
                continue;
            };
            if !seen.insert(name) {
                if field.fields.is_some() {
                    return Err(format!("{}: struct {name} is defined twice", spec.name));
                }
                continue;
            }
            let versions = intersect(parent_versions, field.versions);
            match &field.fields {
                Some(fields) => {
                    out.push(StructDef { name, about: field.about.clone(), versions, fields })
                }
                None => {
                    let common =
                        spec.common_structs.iter().find(|s| s.name == name).ok_or_else(|| {
                            format!("{}.{}: unknown struct type {name}", spec.name, field.name)
                        })?;
                    out.push(StructDef {
                        name,
                        about: format!(
                            "{} (shared by several fields of {}.)",
                            field.about.trim_end_matches('.'),
                            spec.name
                        ),
                        versions: intersect(spec.valid_versions, common.versions),
                        fields: &common.fields,
                    });
                }
            }
        }
        i += 1;
    }
    for common in &spec.common_structs {
        if !seen.contains(common.name.as_str()) {
            return Err(format!("{}: common struct {} is never used", spec.name, common.name));
        }
    }
    Ok(out)
}

/// What the generator needs to know of a field within the versions its struct appears in.
struct FieldPlan<'a> {
    spec: &'a FieldSpec,
    rust_name: String,
    /// `None` when present in every version of the struct, else a condition on `version`.
    present: Option<String>,
    nullable: Nullability,
    tagged: bool,
}

enum Nullability {
    Never,
    Always,
    When(String),
}

impl FieldPlan<'_> {
    fn is_option(&self) -> bool {
        !matches!(self.nullable, Nullability::Never)
    }
}

fn plan<'a>(msg: &str, def: &StructDef<'a>, field: &'a FieldSpec) -> Result<FieldPlan<'a>, String> {
    let here = intersect(def.versions, field.versions);
    if here.is_none() {
        return Err(format!("{msg}.{}: field exists in no version of {}", field.name, def.name));
    }
    let nullable = if field.nullable_versions.is_none() {
        Nullability::Never
    } else if field.nullable_versions.covers(here) {
        Nullability::Always
    } else {
        Nullability::When(field.nullable_versions.condition())
    };
    if !matches!(nullable, Nullability::Never)
        && matches!(field.ty, Type::Bool | Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64)
    {
        return Err(format!(
            "{msg}.{}: numbers cannot be nullable; use a marker default such as -1",
            field.name
        ));
    }
    let tagged = match field.tag {
        None if field.tagged_versions.is_none() => false,
        Some(_)
            if field.tagged_versions.covers(here)
                && field.versions.covers(field.tagged_versions) =>
        {
            true
        }
        _ => {
            return Err(format!(
                "{msg}.{}: a tagged field must have a tag and be tagged in all its versions",
                field.name
            ));
        }
    };
    Ok(FieldPlan {
        spec: field,
        rust_name: snake_case(&field.name),
        present: if field.versions.covers(def.versions) {
            None
        } else {
            Some(field.versions.condition())
        },
        nullable,
        tagged,
    })
}

fn element_rust_type(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Int8 => "i8".into(),
        Type::Int16 => "i16".into(),
        Type::Int32 => "i32".into(),
        Type::Int64 => "i64".into(),
        Type::String => "String".into(),
        Type::Array(inner) => format!("Vec<{}>", element_rust_type(inner)),
        Type::Struct(name) => name.clone(),
    }
}

fn rust_type(f: &FieldPlan) -> String {
    let base = element_rust_type(&f.spec.ty);
    if f.is_option() { format!("Option<{base}>") } else { base }
}

fn default_expr(msg: &str, f: &FieldPlan) -> Result<String, String> {
    let d = f.spec.default.as_deref();
    if f.is_option() {
        return match d {
            None | Some("null") => Ok("None".into()),
            Some(other) => Err(format!(
                "{msg}.{}: a nullable field's default must be null, not {other:?}",
                f.spec.name
            )),
        };
    }
    Ok(match &f.spec.ty {
        Type::Bool => match d.unwrap_or("false") {
            b @ ("true" | "false") => b.into(),
            other => return Err(format!("{msg}.{}: bad bool default {other:?}", f.spec.name)),
        },
        Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64 => {
            let v = d.unwrap_or("0");
            v.parse::<i64>()
                .map_err(|_| format!("{msg}.{}: bad integer default {v:?}", f.spec.name))?;
            v.into()
        }
        Type::String => match d.unwrap_or("") {
            "" => "String::new()".into(),
            s => format!("String::from({s:?})"),
        },
        Type::Array(_) | Type::Struct(_) => match d {
            None => "Default::default()".into(),
            Some(other) => {
                return Err(format!(
                    "{msg}.{}: arrays and structs take no default ({other:?})",
                    f.spec.name
                ));
            }
        },
    })
}

/// A condition true when the field holds something other than its default.
fn differs_from_default(msg: &str, f: &FieldPlan) -> Result<String, String> {
    let this = format!("self.{}", f.rust_name);
    if f.is_option() {
        return Ok(format!("{this}.is_some()"));
    }
    Ok(match &f.spec.ty {
        Type::Bool => {
            if default_expr(msg, f)? == "true" {
                format!("!{this}")
            } else {
                this
            }
        }
        Type::String => match f.spec.default.as_deref().unwrap_or("") {
            "" => format!("!{this}.is_empty()"),
            d => format!("{this} != {d:?}"),
        },
        Type::Array(_) => format!("!{this}.is_empty()"),
        Type::Struct(name) => format!("{this} != {name}::default()"),
        _ => format!("{this} != {}", default_expr(msg, f)?),
    })
}

/// An expression writing one value of type `ty` held in the place `p`, as a `Result`.
fn write_value(ty: &Type, p: &str, nullable: bool, flexible: &str) -> String {
    match (ty, nullable) {
        (Type::Bool | Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64, _) => {
            format!("{{ {}; Ok(()) }}", write_copy(ty, p))
        }
        (Type::String, false) => format!("put_string(buf, &{p}, {flexible})"),
        (Type::String, true) => format!("put_nullable_string(buf, {p}.as_deref(), {flexible})"),
        (Type::Array(inner), n) => {
            let element = match **inner {
                // `item` is already a reference.
                Type::String => format!("put_string(buf, item, {flexible})"),
                _ => write_value(
                    inner,
                    if is_copy(inner) { "*item" } else { "item" },
                    false,
                    flexible,
                ),
            };
            if n {
                format!(
                    "put_nullable_array(buf, {p}.as_deref(), {flexible}, |buf, item| {element})"
                )
            } else {
                format!("put_array(buf, &{p}, {flexible}, |buf, item| {element})")
            }
        }
        (Type::Struct(_), false) => format!("{p}.write(buf, version)"),
        (Type::Struct(_), true) => {
            format!("put_nullable_struct(buf, {p}.as_ref(), |buf, v| v.write(buf, version))")
        }
    }
}

/// A statement writing a fixed-width value, which cannot fail.
fn write_copy(ty: &Type, p: &str) -> String {
    let put = match ty {
        Type::Bool => "put_bool",
        Type::Int8 => "put_int8",
        Type::Int16 => "put_int16",
        Type::Int32 => "put_int32",
        _ => "put_int64",
    };
    format!("{put}(buf, {p})")
}

fn is_copy(ty: &Type) -> bool {
    matches!(ty, Type::Bool | Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64)
}

/// A parser expression for one value of type `ty`.
fn read_value(ty: &Type, nullable: bool, flexible: &str) -> String {
    match (ty, nullable) {
        (Type::Bool, _) => "boolean".into(),
        (Type::Int8, _) => "int8".into(),
        (Type::Int16, _) => "int16".into(),
        (Type::Int32, _) => "int32".into(),
        (Type::Int64, _) => "int64".into(),
        (Type::String, false) => format!("string({flexible})"),
        (Type::String, true) => format!("nullable_string({flexible})"),
        (Type::Array(inner), false) => {
            format!("array({flexible}, {})", read_value(inner, false, flexible))
        }
        (Type::Array(inner), true) => {
            format!("nullable_array({flexible}, {})", read_value(inner, false, flexible))
        }
        (Type::Struct(name), false) => format!("|i| {name}::read(i, version)"),
        (Type::Struct(name), true) => format!("nullable_struct(|i| {name}::read(i, version))"),
    }
}

fn flexible_condition(spec: &MessageSpec) -> String {
    if spec.flexible_versions.covers(spec.valid_versions) {
        "true".into()
    } else {
        spec.flexible_versions.condition()
    }
}

fn emit_struct(out: &mut String, spec: &MessageSpec, def: &StructDef) -> Result<(), String> {
    let msg = spec.name.as_str();
    let plans = def.fields.iter().map(|f| plan(msg, def, f)).collect::<Result<Vec<_>, _>>()?;
    let has_flexible = !intersect(spec.flexible_versions, def.versions).is_none();
    let all_classic_empty = def.fields.is_empty() && !spec.flexible_versions.covers(def.versions);
    if all_classic_empty && def.name != msg {
        return Err(format!(
            "{msg}: struct {} encodes to zero bytes in classic versions",
            def.name
        ));
    }

    let defaults = plans.iter().map(|f| default_expr(msg, f)).collect::<Result<Vec<_>, _>>()?;
    let derive_default = defaults.iter().all(|d| {
        matches!(d.as_str(), "0" | "false" | "String::new()" | "None" | "Default::default()")
    });

    // The type.
    out.push_str(&doc(&def.about));
    let default = if derive_default { "Default, " } else { "" };
    writeln!(out, "#[derive(Debug, Clone, {default}PartialEq, Eq, Serialize, Deserialize)]")
        .unwrap();
    writeln!(out, "#[serde(default, deny_unknown_fields)]").unwrap();
    writeln!(out, "pub struct {} {{", def.name).unwrap();
    for f in &plans {
        out.push_str(&doc(&format!(
            "{} (versions {}{})",
            f.spec.about,
            f.spec.versions,
            match (&f.nullable, f.tagged) {
                (Nullability::Never, false) => String::new(),
                (Nullability::Never, true) => format!("; tag {}", f.spec.tag.unwrap_or_default()),
                (_, tagged) => format!(
                    "; nullable {}{}",
                    f.spec.nullable_versions,
                    if tagged {
                        format!("; tag {}", f.spec.tag.unwrap_or_default())
                    } else {
                        String::new()
                    }
                ),
            }
        )));
        writeln!(out, "#[serde(rename = {:?})]", f.spec.name).unwrap();
        writeln!(out, "pub {}: {},", f.rust_name, rust_type(f)).unwrap();
    }
    if has_flexible {
        out.push_str("/// Tagged fields this codec does not know, kept so that re-encoding preserves them.\n");
        out.push_str("#[serde(skip)]\npub unknown_tagged_fields: UnknownTaggedFields,\n");
    }
    out.push_str("}\n\n");

    // Default: the spec's defaults, which are the seed's markers for unused options.
    if !derive_default {
        writeln!(out, "impl Default for {} {{\nfn default() -> Self {{\nSelf {{", def.name)
            .unwrap();
        for (f, d) in plans.iter().zip(&defaults) {
            writeln!(out, "{}: {d},", f.rust_name).unwrap();
        }
        if has_flexible {
            out.push_str("unknown_tagged_fields: UnknownTaggedFields::new(),\n");
        }
        out.push_str("}\n}\n}\n\n");
    }

    writeln!(out, "impl {} {{", def.name).unwrap();
    emit_write(out, spec, def, &plans, has_flexible)?;
    emit_read(out, spec, &plans, has_flexible);
    emit_strategy(out, def, &plans);
    out.push_str("}\n\n");
    Ok(())
}

fn emit_write(
    out: &mut String,
    spec: &MessageSpec,
    def: &StructDef,
    plans: &[FieldPlan],
    has_flexible: bool,
) -> Result<(), String> {
    let msg = spec.name.as_str();
    let start = out.len();
    let buf = if plans.is_empty() && !has_flexible { "_buf" } else { "buf" };
    writeln!(out, "pub(crate) fn write(&self, {buf}: &mut BytesMut, version: i16) -> Result<(), EncodeError> {{").unwrap();
    let any_string_or_array =
        plans.iter().any(|f| matches!(f.spec.ty, Type::String | Type::Array(_)));
    if any_string_or_array {
        writeln!(out, "let flexible = {};", flexible_condition(spec)).unwrap();
    }
    // A tagged field set outside its versions cannot be sent.
    for f in plans.iter().filter(|f| f.tagged && !f.spec.ignorable) {
        if let Some(cond) = &f.present {
            writeln!(
                out,
                "if !({cond}) && {} {{ return Err(not_in_version({:?}, version)); }}",
                differs_from_default(msg, f)?,
                f.spec.name
            )
            .unwrap();
        }
    }
    for f in plans.iter().filter(|f| !f.tagged) {
        let name = &f.spec.name;
        let value = format!("self.{}", f.rust_name);
        let body = match &f.nullable {
            Nullability::Never if is_copy(&f.spec.ty) => {
                format!("{};\n", write_copy(&f.spec.ty, &value))
            }
            Nullability::Never | Nullability::Always => {
                format!(
                    "encode_field({name:?}, {})?;\n",
                    write_value(&f.spec.ty, &value, f.is_option(), "flexible")
                )
            }
            Nullability::When(cond) => format!(
                "if !({cond}) && self.{r}.is_none() {{ return Err(null_not_allowed({name:?}, version)); }}\nencode_field({name:?}, {})?;\n",
                write_value(&f.spec.ty, &value, true, "flexible"),
                r = f.rust_name
            ),
        };
        match &f.present {
            None => out.push_str(&body),
            Some(cond) => {
                let absent_check = if f.spec.ignorable {
                    String::new()
                } else {
                    format!(
                        " else if {} {{ return Err(not_in_version({name:?}, version)); }}",
                        differs_from_default(msg, f)?
                    )
                };
                writeln!(out, "if {cond} {{\n{body}}}{absent_check}").unwrap();
            }
        }
    }
    if has_flexible {
        let flex = flexible_condition(spec);
        let tagged: Vec<&FieldPlan> = plans.iter().filter(|f| f.tagged).collect();
        let classic_check = if flex == "true" {
            String::new()
        } else {
            " else if !self.unknown_tagged_fields.is_empty() { return Err(not_in_version(\"_tagged_fields\", version)); }".into()
        };
        let mut section = String::new();
        if tagged.is_empty() {
            section.push_str("put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);\n");
        } else {
            section.push_str("let mut known = Vec::new();\n");
            for f in &tagged {
                let tag = f.spec.tag.unwrap_or_default();
                let value = format!("self.{}", f.rust_name);
                let cond = match &f.present {
                    None => differs_from_default(msg, f)?,
                    Some(c) => format!("{c} && {}", differs_from_default(msg, f)?),
                };
                writeln!(
                    section,
                    "if {cond} {{ known.push(tagged({tag}, |buf| {}).map_err(|e| e.in_field({:?}))?); }}",
                    write_value(&f.spec.ty, &value, f.is_option(), "true"),
                    f.spec.name
                )
                .unwrap();
            }
            section.push_str("put_tagged_fields(buf, known, &self.unknown_tagged_fields);\n");
        }
        if flex == "true" {
            out.push_str(&section);
        } else {
            writeln!(out, "if {flex} {{\n{section}}}{classic_check}").unwrap();
        }
    }
    let _ = def;
    out.push_str("Ok(())\n}\n\n");
    mark_unused_version(out, start);
    Ok(())
}

/// Renames the `version` parameter of the function emitted from `start` on to `_version` when
/// its body never reads it (a message of one version whose fields all exist in it).
fn mark_unused_version(out: &mut String, start: usize) {
    let Some(body) = out[start..].find('{').map(|at| start + at + 1) else { return };
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let reads = out[body..].match_indices("version").any(|(at, _)| {
        let (before, after) = (&out[..body + at], &out[body + at + "version".len()..]);
        !before.ends_with(is_ident) && !after.starts_with(is_ident)
    });
    if !reads {
        let signature = out[start..body].replacen(" version: i16", " _version: i16", 1);
        out.replace_range(start..body, &signature);
    }
}

fn emit_read(out: &mut String, spec: &MessageSpec, plans: &[FieldPlan], has_flexible: bool) {
    let start = out.len();
    writeln!(out, "pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {{")
        .unwrap();
    if plans.is_empty() && !has_flexible {
        out.push_str("Ok((input, Self::default()))\n}\n\n");
        mark_unused_version(out, start);
        return;
    }
    if plans.iter().any(|f| matches!(f.spec.ty, Type::String | Type::Array(_))) {
        writeln!(out, "let flexible = {};", flexible_condition(spec)).unwrap();
    }
    out.push_str("let mut this = Self::default();\nlet mut input = input;\n");
    for f in plans.iter().filter(|f| !f.tagged) {
        let name = &f.spec.name;
        let parser = match &f.nullable {
            Nullability::Never => read_value(&f.spec.ty, false, "flexible"),
            Nullability::Always => read_value(&f.spec.ty, true, "flexible"),
            Nullability::When(cond) => {
                format!("non_null_unless({cond}, {})", read_value(&f.spec.ty, true, "flexible"))
            }
        };
        let call = match (&f.spec.ty, &f.nullable) {
            (Type::Struct(s), Nullability::Never) => format!("{s}::read(input, version)"),
            _ if parser.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                format!("{parser}(input)")
            }
            _ => format!("({parser})(input)"),
        };
        let parse = format!("(input, this.{}) = in_field({name:?}, {call})?;\n", f.rust_name);
        match &f.present {
            None => out.push_str(&parse),
            Some(cond) => writeln!(out, "if {cond} {{\n{parse}}}").unwrap(),
        }
    }
    if has_flexible {
        let flex = flexible_condition(spec);
        let tagged: Vec<&FieldPlan> = plans.iter().filter(|f| f.tagged).collect();
        let mut section = String::new();
        if tagged.is_empty() {
            section.push_str(
                "(input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;\n",
            );
        } else {
            section.push_str("let mut known = Self::default();\n");
            section
                .push_str("let (rest, unknown) = tagged_fields(input, |tag, value| match tag {\n");
            for f in &tagged {
                let tag = f.spec.tag.unwrap_or_default();
                let guard = f.present.as_ref().map(|c| format!(" if {c}")).unwrap_or_default();
                writeln!(
                    section,
                    "{tag}{guard} => {{ known.{r} = in_tagged_field({:?}, tagged_value({tag}, value, {}))?; Ok(true) }}",
                    f.spec.name,
                    read_value(&f.spec.ty, f.is_option(), "true"),
                    r = f.rust_name
                )
                .unwrap();
            }
            section.push_str("_ => Ok(false),\n})?;\n");
            for f in &tagged {
                writeln!(section, "this.{r} = known.{r};", r = f.rust_name).unwrap();
            }
            section.push_str("this.unknown_tagged_fields = unknown;\ninput = rest;\n");
        }
        if flex == "true" {
            out.push_str(&section);
        } else {
            writeln!(out, "if {flex} {{\n{section}}}").unwrap();
        }
    }
    out.push_str("Ok((input, this))\n}\n\n");
    mark_unused_version(out, start);
}

/// A proptest strategy for one value of type `ty`.
fn strategy_value(ty: &Type, nullable: bool) -> String {
    let base = match ty {
        Type::Bool => "any::<bool>()".to_owned(),
        Type::Int8 => "any::<i8>()".to_owned(),
        Type::Int16 => "any::<i16>()".to_owned(),
        Type::Int32 => "any::<i32>()".to_owned(),
        Type::Int64 => "any::<i64>()".to_owned(),
        Type::String => "crate::testing::any_string()".to_owned(),
        Type::Array(inner) => {
            format!("proptest::collection::vec({}, 0..4)", strategy_value(inner, false))
        }
        Type::Struct(name) => format!("{name}::arbitrary(version)"),
    };
    if nullable { format!("proptest::option::of({base})") } else { base }
}

fn emit_strategy(out: &mut String, def: &StructDef, plans: &[FieldPlan]) {
    out.push_str("/// Any value that `version` can carry, for property tests.\n");
    out.push_str("#[cfg(any(test, feature = \"proptest\"))]\n");
    let version = if plans.is_empty() { "_version" } else { "version" };
    writeln!(out, "pub fn arbitrary({version}: i16) -> proptest::strategy::BoxedStrategy<Self> {{")
        .unwrap();
    out.push_str("use proptest::prelude::*;\n");
    if !plans.is_empty() {
        // Not every struct's strategy depends on the version; say so once rather than per struct.
        out.push_str("let _ = version;\n");
    }
    if plans.is_empty() {
        out.push_str("Just(Self::default()).boxed()\n}\n");
        return;
    }
    let mut values = Vec::with_capacity(plans.len());
    for f in plans {
        let value = match &f.nullable {
            Nullability::Never => strategy_value(&f.spec.ty, false),
            Nullability::Always => strategy_value(&f.spec.ty, true),
            Nullability::When(cond) => format!(
                "(if {cond} {{ {}.boxed() }} else {{ {}.prop_map(Some).boxed() }})",
                strategy_value(&f.spec.ty, true),
                strategy_value(&f.spec.ty, false)
            ),
        };
        let value = match &f.present {
            None => format!("{value}.boxed()"),
            Some(cond) => format!(
                "(if {cond} {{ {value}.boxed() }} else {{ Just(Self::default().{}).boxed() }})",
                f.rust_name
            ),
        };
        values.push(value);
    }
    let names: Vec<&str> = plans.iter().map(|f| f.rust_name.as_str()).collect();
    // proptest takes tuples of at most 12 strategies: more fields are grouped in tuples of tuples.
    const TUPLE: usize = 12;
    let (strategies, pattern) = if values.len() <= TUPLE {
        (format!("({},)", values.join(",\n")), format!("({},)", names.join(", ")))
    } else {
        let group = |items: &[String]| format!("({},)", items.join(",\n"));
        let values: Vec<String> = values.chunks(TUPLE).map(group).collect();
        let names: Vec<String> =
            names.chunks(TUPLE).map(|c| format!("({},)", c.join(", "))).collect();
        (format!("({},)", values.join(",\n")), format!("({},)", names.join(", ")))
    };
    writeln!(
        out,
        "{strategies}.prop_map(|{pattern}| Self {{ {}, ..Self::default() }}).boxed()\n}}",
        names.join(", ")
    )
    .unwrap();
    let _ = def;
}

/// The file of one message: its structs and, for the top-level one, the `Message` impl.
pub fn message_file(spec: &MessageSpec) -> Result<String, String> {
    let structs = collect_structs(spec)?;
    let mut out = String::new();
    writeln!(
        out,
        "//! `{}` (API key {}), generated from `protocol-specs/{}.json`: do not edit.\n",
        spec.name, spec.api_key, spec.name
    )
    .unwrap();
    out.push_str("#![allow(unused_imports)]\n\n");
    out.push_str("use bytes::BytesMut;\nuse serde::{Deserialize, Serialize};\n\n");
    out.push_str("use crate::error::{DecodeError, EncodeError};\nuse crate::wire::*;\n\n");
    for def in &structs {
        emit_struct(&mut out, spec, def)?;
    }
    let (lo, hi) = spec.valid_versions.range.ok_or("validVersions is none")?;
    let flex = match spec.flexible_versions.range {
        None => "None".to_owned(),
        Some((v, _)) => format!("Some({v})"),
    };
    writeln!(
        out,
        "impl crate::Message for {n} {{\nconst API_KEY: i16 = {k};\nconst NAME: &'static str = {n:?};\nconst MIN_VERSION: i16 = {lo};\nconst MAX_VERSION: i16 = {hi};\nconst FIRST_FLEXIBLE_VERSION: Option<i16> = {flex};\n\nfn write_fields(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {{ self.write(buf, version) }}\n\nfn read_fields(input: &[u8], version: i16) -> PResult<'_, Self> {{ Self::read(input, version) }}\n}}",
        n = spec.name,
        k = spec.api_key
    )
    .unwrap();
    Ok(out)
}

fn api_name(spec: &MessageSpec) -> &str {
    spec.name
        .strip_suffix("Request")
        .or_else(|| spec.name.strip_suffix("Response"))
        .unwrap_or(&spec.name)
}

/// `mod.rs`: the modules, the API keys, and the request and response enums.
pub fn mod_file(specs: &[MessageSpec]) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(
        "//! The extension's messages, generated from `protocol-specs/`: do not edit.\n\n",
    );
    for spec in specs {
        writeln!(out, "pub mod {};", snake_case(&spec.name)).unwrap();
    }
    out.push_str("pub mod error_code;\n\n");
    for spec in specs {
        writeln!(out, "pub use {}::{};", snake_case(&spec.name), spec.name).unwrap();
    }
    let requests: Vec<&MessageSpec> =
        specs.iter().filter(|s| s.kind == MessageKind::Request).collect();
    let mut pairs = Vec::new();
    for req in &requests {
        let api = api_name(req);
        let resp = specs
            .iter()
            .find(|s| s.kind == MessageKind::Response && api_name(s) == api)
            .ok_or_else(|| format!("{} has no response", req.name))?;
        if resp.api_key != req.api_key
            || resp.valid_versions != req.valid_versions
            || resp.flexible_versions != req.flexible_versions
        {
            return Err(format!("{} and {} disagree on key or versions", req.name, resp.name));
        }
        check_top_level_error(resp)?;
        pairs.push((*req, resp));
    }

    out.push_str("\nuse bytes::BytesMut;\n\nuse crate::Message;\nuse crate::error::{DecodeError, DecodeErrorKind, EncodeError};\n\n");
    out.push_str("/// The extension's API keys, one per admin request.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[repr(i16)]\npub enum ApiKey {\n");
    for req in &requests {
        out.push_str(&doc(&req.about));
        writeln!(out, "{} = {},", api_name(req), req.api_key).unwrap();
    }
    out.push_str("}\n\nimpl ApiKey {\n/// Every key, in key order.\npub const ALL: &[ApiKey] = &[");
    for req in &requests {
        write!(out, "ApiKey::{}, ", api_name(req)).unwrap();
    }
    out.push_str("];\n\n/// The key for `value`, if it is one of the extension's.\npub fn from_i16(value: i16) -> Option<Self> {\nmatch value {\n");
    for req in &requests {
        writeln!(out, "{} => Some(ApiKey::{}),", req.api_key, api_name(req)).unwrap();
    }
    out.push_str("_ => None,\n}\n}\n\n/// The API's name, as the seed spells it.\npub fn name(self) -> &'static str {\nmatch self {\n");
    for req in &requests {
        writeln!(out, "ApiKey::{a} => {a:?},", a = api_name(req)).unwrap();
    }
    out.push_str("}\n}\n\n/// The lowest and highest version of this API.\npub fn versions(self) -> (i16, i16) {\nmatch self {\n");
    for req in &requests {
        let (lo, hi) = req.valid_versions.range.ok_or("validVersions is none")?;
        writeln!(out, "ApiKey::{} => ({lo}, {hi}),", api_name(req)).unwrap();
    }
    out.push_str("}\n}\n\n/// Whether `version` of this API uses the flexible encoding (compact strings and arrays, tagged fields, request header v2 and response header v1).\npub fn is_flexible(self, version: i16) -> bool {\nmatch self {\n");
    for req in &requests {
        let cond = match req.flexible_versions.range {
            None => "false".to_owned(),
            Some(_) => req.flexible_versions.condition(),
        };
        writeln!(out, "ApiKey::{} => {cond},", api_name(req)).unwrap();
    }
    out.push_str("}\n}\n}\n\n");

    for (kind, what) in [(MessageKind::Request, "Request"), (MessageKind::Response, "Response")] {
        let members: Vec<&MessageSpec> = specs.iter().filter(|s| s.kind == kind).collect();
        writeln!(out, "/// Any {} of the extension.\n#[derive(Debug, Clone, PartialEq, Eq)]\npub enum Admin{what} {{", what.to_lowercase()).unwrap();
        for m in &members {
            writeln!(out, "{}({}),", api_name(m), m.name).unwrap();
        }
        writeln!(out, "}}\n\nimpl Admin{what} {{\n/// The API key of this {}.\npub fn api_key(&self) -> ApiKey {{\nmatch self {{", what.to_lowercase()).unwrap();
        for m in &members {
            writeln!(out, "Admin{what}::{a}(_) => ApiKey::{a},", a = api_name(m)).unwrap();
        }
        out.push_str("}\n}\n\n/// Encodes the body (no size, no header) in `version`.\npub fn encode(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {\nmatch self {\n");
        for m in &members {
            writeln!(out, "Admin{what}::{}(m) => m.encode(buf, version),", api_name(m)).unwrap();
        }
        out.push_str("}\n}\n\n/// Decodes a whole body (no size, no header) of `api_key` in `version`.\npub fn decode(api_key: ApiKey, body: &[u8], version: i16) -> Result<Self, DecodeError> {\nmatch api_key {\n");
        for m in &members {
            writeln!(
                out,
                "ApiKey::{a} => {}::decode(body, version).map(Admin{what}::{a}),",
                m.name,
                a = api_name(m)
            )
            .unwrap();
        }
        out.push_str("}\n}\n\n/// Decodes a body whose API key is a raw number, as read off the wire.\npub fn decode_raw(api_key: i16, body: &[u8], version: i16) -> Result<Self, DecodeError> {\nlet key = ApiKey::from_i16(api_key).ok_or_else(|| DecodeError::new(DecodeErrorKind::UnknownApiKey(api_key)))?;\nSelf::decode(key, body, version)\n}\n");
        writeln!(out, "\n/// Any {} of `api_key` that `version` can carry, for property tests.\n#[cfg(any(test, feature = \"proptest\"))]\npub fn arbitrary(api_key: ApiKey, version: i16) -> proptest::strategy::BoxedStrategy<Self> {{\nuse proptest::strategy::Strategy;\nmatch api_key {{", what.to_lowercase()).unwrap();
        for m in &members {
            writeln!(
                out,
                "ApiKey::{a} => {}::arbitrary(version).prop_map(Admin{what}::{a}).boxed(),",
                m.name,
                a = api_name(m)
            )
            .unwrap();
        }
        out.push_str("}\n}\n}\n\n");
        for m in &members {
            writeln!(out, "impl From<{n}> for Admin{what} {{\nfn from(m: {n}) -> Self {{ Admin{what}::{}(m) }}\n}}\n", api_name(m), n = m.name).unwrap();
            writeln!(
                out,
                "/// Takes the {n} out of an Admin{what}, or gives the {} back if it holds another message.\nimpl TryFrom<Admin{what}> for {n} {{\ntype Error = Admin{what};\nfn try_from(m: Admin{what}) -> Result<Self, Admin{what}> {{\nmatch m {{\nAdmin{what}::{a}(m) => Ok(m),\nother => Err(other),\n}}\n}}\n}}\n",
                what.to_lowercase(),
                n = m.name,
                a = api_name(m)
            )
            .unwrap();
        }
    }

    for (req, resp) in pairs {
        let read_only =
            req.read_only.ok_or_else(|| format!("{}: readOnly is missing", req.name))?;
        writeln!(
            out,
            "impl crate::RequestMessage for {req} {{\ntype Response = {resp};\nconst KEY: ApiKey = ApiKey::{a};\nconst READ_ONLY: bool = {read_only};\n}}\n",
            req = req.name,
            resp = resp.name,
            a = api_name(req)
        )
        .unwrap();
        writeln!(
            out,
            "impl crate::ResponseMessage for {resp} {{\nconst KEY: ApiKey = ApiKey::{a};\nfn error_code(&self) -> crate::ErrorCode {{ crate::ErrorCode(self.error_code) }}\nfn error_message(&self) -> Option<&str> {{ self.error_message.as_deref() }}\n}}\n",
            resp = resp.name,
            a = api_name(resp)
        )
        .unwrap();
    }
    Ok(out)
}

/// Every response says at the top whether the request as a whole failed: an `ErrorCode` in all
/// its versions and a nullable `ErrorMessage`, which `ResponseMessage` exposes.
fn check_top_level_error(resp: &MessageSpec) -> Result<(), String> {
    let field = |name: &str| resp.fields.iter().find(|f| f.name == name);
    let code_ok = field("ErrorCode")
        .is_some_and(|f| f.ty == Type::Int16 && f.versions.covers(resp.valid_versions));
    let message_ok = field("ErrorMessage").is_some_and(|f| {
        f.ty == Type::String
            && f.nullable_versions.covers(intersect(resp.valid_versions, f.versions))
    });
    if code_ok && message_ok {
        Ok(())
    } else {
        Err(format!(
            "{}: a response needs a top-level int16 ErrorCode in every version and a nullable string ErrorMessage",
            resp.name
        ))
    }
}

fn const_name(e: &ErrorSpec) -> String {
    if e.name.contains('_') || e.name.chars().all(|c| c.is_ascii_uppercase()) {
        e.name.clone()
    } else {
        snake_case(&e.name).to_ascii_uppercase()
    }
}

/// `error_code.rs`: the `ErrorCode` type and its constants, from `errors.json`.
pub fn error_code_file(errors: &ErrorsFile) -> Result<String, String> {
    let all: Vec<&ErrorSpec> = errors.extension.iter().chain(&errors.kafka).collect();
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for e in &all {
        if !codes.insert(e.code) || !names.insert(const_name(e)) {
            return Err(format!("errors.json: {} ({}) is listed twice", e.name, e.code));
        }
    }
    let mut out = String::new();
    out.push_str("//! Error codes, generated from `protocol-specs/errors.json`: do not edit.\n\n");
    out.push_str("use std::fmt;\n\nuse serde::{Deserialize, Serialize};\n\n");
    out.push_str(&doc(&errors.about));
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]\n#[serde(transparent)]\npub struct ErrorCode(pub i16);\n\n");
    out.push_str("impl ErrorCode {\n");
    for e in &all {
        out.push_str(&doc(&format!("{} ({}): {}", e.name, e.code, e.message)));
        writeln!(out, "pub const {}: ErrorCode = ErrorCode({});", const_name(e), e.code).unwrap();
    }
    out.push_str(
        "\n/// Every code the extension defines or reuses.\npub const ALL: &[ErrorCode] = &[",
    );
    for e in &all {
        write!(out, "ErrorCode::{}, ", const_name(e)).unwrap();
    }
    out.push_str("];\n\n");
    let table = |out: &mut String,
                 doc_line: &str,
                 fn_sig: &str,
                 value: &dyn Fn(&ErrorSpec) -> String,
                 fallback: &str| {
        writeln!(out, "/// {doc_line}\npub fn {fn_sig} {{\nmatch self.0 {{").unwrap();
        for e in &all {
            writeln!(out, "{} => {},", e.code, value(e)).unwrap();
        }
        writeln!(out, "_ => {fallback},\n}}\n}}\n").unwrap();
    };
    table(
        &mut out,
        "The code's name (`TopicAlreadyExists`, `UNKNOWN_TOPIC_OR_PARTITION`), if it is known.",
        "name(self) -> Option<&'static str>",
        &|e| format!("Some({:?})", e.name),
        "None",
    );
    table(
        &mut out,
        "What the code means, if it is known.",
        "message(self) -> Option<&'static str>",
        &|e| format!("Some({:?})", e.message),
        "None",
    );
    table(
        &mut out,
        "Whether sending the same request again may succeed. Unknown codes are not retriable.",
        "is_retriable(self) -> bool",
        &|e| e.retriable.to_string(),
        "false",
    );
    table(
        &mut out,
        "The requests that may answer with this extension code (empty for Kafka's codes, which any request may carry).",
        "requests(self) -> &'static [&'static str]",
        &|e| format!("&{:?}", e.requests),
        "&[]",
    );
    let (lo, hi) = (
        errors.extension.iter().map(|e| e.code).min().unwrap_or(0),
        errors.extension.iter().map(|e| e.code).max().unwrap_or(0),
    );
    writeln!(out, "/// Whether this is one of the extension's own codes ({lo}-{hi}).\npub fn is_extension(self) -> bool {{ ({lo}..={hi}).contains(&self.0) }}\n").unwrap();
    out.push_str("/// Whether this is success.\npub fn is_ok(self) -> bool { self.0 == 0 }\n}\n\n");
    out.push_str(
        "impl From<i16> for ErrorCode {\nfn from(code: i16) -> Self { ErrorCode(code) }\n}\n\n",
    );
    out.push_str(
        "impl From<ErrorCode> for i16 {\nfn from(code: ErrorCode) -> Self { code.0 }\n}\n\n",
    );
    out.push_str("impl fmt::Display for ErrorCode {\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\nmatch (self.name(), self.message()) {\n(Some(name), Some(message)) => write!(f, \"{name} ({}): {message}\", self.0),\n_ => write!(f, \"error code {}\", self.0),\n}\n}\n}\n");
    Ok(out)
}
