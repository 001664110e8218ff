//! The message-spec format of Apache Kafka's `clients/src/main/resources/common/message/*.json`,
//! as far as the extension uses it, read strictly: an unknown attribute is an error, not ignored.
//!
//! One attribute is the extension's own: `readOnly` on a request, which says whether the request
//! only reads the cluster (so a client may send it again when it cannot tell whether the first
//! one arrived). Kafka's specs have no such attribute; its clients keep that knowledge in code.

use std::fmt;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageSpec {
    pub api_key: i16,
    #[serde(rename = "type")]
    pub kind: MessageKind,
    pub name: String,
    pub about: String,
    /// Requests only: whether the request leaves the cluster as it was. Required on every
    /// request and refused on responses (see [`MessageSpec::check`]).
    pub read_only: Option<bool>,
    pub valid_versions: Versions,
    pub flexible_versions: Versions,
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub common_structs: Vec<StructSpec>,
}

impl MessageSpec {
    /// Checks what the JSON shape alone cannot: the attributes that depend on the message's kind.
    pub fn check(&self) -> Result<(), String> {
        match (self.kind, self.read_only) {
            (MessageKind::Request, None) => Err(format!(
                "{}: a request must say whether it only reads (\"readOnly\": true or false)",
                self.name
            )),
            (MessageKind::Response, Some(_)) => {
                Err(format!("{}: \"readOnly\" belongs on the request, not the response", self.name))
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Request,
    Response,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub versions: Versions,
    #[serde(default)]
    pub nullable_versions: Versions,
    pub default: Option<String>,
    pub about: String,
    pub fields: Option<Vec<FieldSpec>>,
    pub tag: Option<u32>,
    #[serde(default)]
    pub tagged_versions: Versions,
    #[serde(default)]
    pub ignorable: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StructSpec {
    pub name: String,
    pub versions: Versions,
    pub fields: Vec<FieldSpec>,
}

/// A field's wire type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Type {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    String,
    Array(Box<Type>),
    Struct(String),
}

impl TryFrom<String> for Type {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Ok(match s.as_str() {
            "bool" => Type::Bool,
            "int8" => Type::Int8,
            "int16" => Type::Int16,
            "int32" => Type::Int32,
            "int64" => Type::Int64,
            "string" => Type::String,
            other => match other.strip_prefix("[]") {
                Some(inner) => Type::Array(Box::new(Type::try_from(inner.to_owned())?)),
                None if other.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    Type::Struct(other.to_owned())
                }
                None => return Err(format!("unsupported type {other:?}")),
            },
        })
    }
}

/// A version range as the specs write it: `none`, `3`, `3+` or `1-3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(try_from = "String")]
pub struct Versions {
    /// `None` for `none`.
    pub range: Option<(i16, i16)>,
}

impl Versions {
    pub fn contains(self, version: i16) -> bool {
        self.range.is_some_and(|(lo, hi)| lo <= version && version <= hi)
    }

    pub fn is_none(self) -> bool {
        self.range.is_none()
    }

    /// True when every version of `within` is in `self`.
    pub fn covers(self, within: Versions) -> bool {
        match (self.range, within.range) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some((lo, hi)), Some((wlo, whi))) => lo <= wlo && whi <= hi,
        }
    }

    /// A Rust condition on `version` that is true inside the range.
    pub fn condition(self) -> String {
        match self.range {
            None => "false".to_owned(),
            Some((lo, i16::MAX)) => format!("version >= {lo}"),
            Some((lo, hi)) if lo == hi => format!("version == {lo}"),
            Some((lo, hi)) => format!("({lo}..={hi}).contains(&version)"),
        }
    }
}

impl TryFrom<String> for Versions {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let parse = |v: &str| v.parse::<i16>().map_err(|e| format!("bad version {v:?}: {e}"));
        let range = if s == "none" {
            None
        } else if let Some(lo) = s.strip_suffix('+') {
            Some((parse(lo)?, i16::MAX))
        } else if let Some((lo, hi)) = s.split_once('-') {
            Some((parse(lo)?, parse(hi)?))
        } else {
            let v = parse(&s)?;
            Some((v, v))
        };
        Ok(Versions { range })
    }
}

impl fmt::Display for Versions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.range {
            None => write!(f, "none"),
            Some((lo, i16::MAX)) => write!(f, "{lo}+"),
            Some((lo, hi)) if lo == hi => write!(f, "{lo}"),
            Some((lo, hi)) => write!(f, "{lo}-{hi}"),
        }
    }
}

/// One entry of `errors.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    pub code: i16,
    pub name: String,
    pub retriable: bool,
    pub message: String,
    #[serde(default)]
    pub requests: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    pub about: String,
    pub extension: Vec<ErrorSpec>,
    pub kafka: Vec<ErrorSpec>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: &str, read_only: Option<bool>) -> Result<MessageSpec, String> {
        let read_only = read_only.map_or(String::new(), |r| format!("\"readOnly\": {r},"));
        let json = format!(
            r#"{{"apiKey": 30005, "type": "{kind}", "name": "X", "about": "x", {read_only}
                "validVersions": "0-1", "flexibleVersions": "1+", "fields": []}}"#
        );
        let spec: MessageSpec = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        spec.check()?;
        Ok(spec)
    }

    #[test]
    fn a_request_must_say_whether_it_only_reads() {
        assert_eq!(spec("request", Some(true)).unwrap().read_only, Some(true));
        assert_eq!(spec("request", Some(false)).unwrap().read_only, Some(false));
        let missing = spec("request", None).unwrap_err();
        assert!(missing.contains("readOnly"), "{missing}");
    }

    #[test]
    fn a_response_may_not_say_whether_it_only_reads() {
        assert!(spec("response", None).is_ok());
        let refused = spec("response", Some(true)).unwrap_err();
        assert!(refused.contains("belongs on the request"), "{refused}");
    }

    #[test]
    fn read_only_must_be_a_boolean() {
        let json = r#"{"apiKey": 30005, "type": "request", "name": "X", "about": "x",
            "readOnly": "yes", "validVersions": "0", "flexibleVersions": "none", "fields": []}"#;
        assert!(serde_json::from_str::<MessageSpec>(json).is_err());
    }
}
