//! The golden vectors in `protocol-specs/vectors/`: each gives a message's value (exactly the
//! fields of its version, by their spec names) and its bytes, body alone and as a whole frame.
//! Other implementations test against the same files.
//!
//! `UPDATE_VECTORS=1 cargo test -p adminwire-protocol --test vectors` recomputes the hex from the
//! values after a deliberate change; the normal run checks both directions.

use std::path::{Path, PathBuf};

use adminwire_protocol::*;
use bytes::BytesMut;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../protocol-specs")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn in_versions(range: &str, version: i64) -> bool {
    match range {
        "none" => false,
        r if r.ends_with('+') => version >= r.trim_end_matches('+').parse::<i64>().unwrap(),
        r => match r.split_once('-') {
            Some((lo, hi)) => (lo.parse().unwrap()..=hi.parse().unwrap()).contains(&version),
            None => r.parse::<i64>().unwrap() == version,
        },
    }
}

/// Keeps only the fields `version` has, recursing into structs, as the spec describes them.
fn project(value: &Value, fields: &[Value], common: &[Value], version: i64) -> Value {
    let Value::Object(map) = value else { return value.clone() };
    let mut out = Map::new();
    for field in fields {
        let name = field["name"].as_str().unwrap();
        if !in_versions(field["versions"].as_str().unwrap(), version) {
            continue;
        }
        let Some(v) = map.get(name) else { continue };
        let ty = field["type"].as_str().unwrap().trim_start_matches("[]");
        let inner = field["fields"].as_array().cloned().or_else(|| {
            common.iter().find(|c| c["name"] == ty).and_then(|c| c["fields"].as_array().cloned())
        });
        let projected = match (inner, v) {
            (Some(inner), Value::Array(items)) => {
                Value::Array(items.iter().map(|i| project(i, &inner, common, version)).collect())
            }
            (Some(inner), v) => project(v, &inner, common, version),
            (None, v) => v.clone(),
        };
        out.insert(name.to_owned(), projected);
    }
    Value::Object(out)
}

struct Outcome {
    body_hex: String,
    frame_hex: String,
}

/// Checks one vector of a request type; returns its bytes.
fn request<M>(vector: &Value, project_value: &dyn Fn(&Value) -> Value) -> Result<Outcome, String>
where
    M: Message + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    AdminRequest: From<M>,
{
    let version = vector["version"].as_i64().unwrap() as i16;
    let message: M =
        serde_json::from_value(vector["value"].clone()).map_err(|e| format!("value: {e}"))?;
    let mut body = BytesMut::new();
    message.encode(&mut body, version).map_err(|e| format!("encode: {e}"))?;
    let mut frame = BytesMut::new();
    let correlation_id = vector["correlationId"].as_i64().unwrap() as i32;
    let client_id = vector["clientId"].as_str();
    encode_request(
        &AdminRequest::from(message.clone()),
        version,
        correlation_id,
        client_id,
        &mut frame,
    )
    .map_err(|e| format!("encode frame: {e}"))?;
    // Decode what the file says, not what was just encoded.
    let file_frame = hex::decode(vector["frameHex"].as_str().unwrap()).unwrap_or_default();
    if !file_frame.is_empty() {
        let (header, decoded) =
            decode_request(&file_frame[4..]).map_err(|e| format!("decode frame: {e}"))?;
        if (header.correlation_id, header.client_id.as_deref()) != (correlation_id, client_id) {
            return Err(format!("decoded header {header:?}"));
        }
        if decoded != AdminRequest::from(message.clone()) {
            return Err(format!("decoded {decoded:?}"));
        }
        let file_body = hex::decode(vector["bodyHex"].as_str().unwrap()).unwrap_or_default();
        let decoded = M::decode(&file_body, version).map_err(|e| format!("decode body: {e}"))?;
        let as_json = project_value(&serde_json::to_value(&decoded).unwrap());
        if as_json != vector["value"] {
            return Err(format!("decoded body reads as {as_json}"));
        }
    }
    Ok(Outcome { body_hex: hex::encode(&body), frame_hex: hex::encode(&frame) })
}

/// Checks one vector of a response type; returns its bytes.
fn response<M>(vector: &Value, project_value: &dyn Fn(&Value) -> Value) -> Result<Outcome, String>
where
    M: Message + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone,
    AdminResponse: From<M>,
{
    let version = vector["version"].as_i64().unwrap() as i16;
    let message: M =
        serde_json::from_value(vector["value"].clone()).map_err(|e| format!("value: {e}"))?;
    let mut body = BytesMut::new();
    message.encode(&mut body, version).map_err(|e| format!("encode: {e}"))?;
    let mut frame = BytesMut::new();
    let correlation_id = vector["correlationId"].as_i64().unwrap() as i32;
    let response = AdminResponse::from(message.clone());
    encode_response(&response, version, correlation_id, &mut frame)
        .map_err(|e| format!("encode frame: {e}"))?;
    let file_frame = hex::decode(vector["frameHex"].as_str().unwrap()).unwrap_or_default();
    if !file_frame.is_empty() {
        let (header, decoded) = decode_response(response.api_key(), version, &file_frame[4..])
            .map_err(|e| format!("decode frame: {e}"))?;
        if header.correlation_id != correlation_id || decoded != response {
            return Err(format!("decoded {header:?} {decoded:?}"));
        }
        let file_body = hex::decode(vector["bodyHex"].as_str().unwrap()).unwrap_or_default();
        let decoded = M::decode(&file_body, version).map_err(|e| format!("decode body: {e}"))?;
        let as_json = project_value(&serde_json::to_value(&decoded).unwrap());
        if as_json != vector["value"] {
            return Err(format!("decoded body reads as {as_json}"));
        }
    }
    Ok(Outcome { body_hex: hex::encode(&body), frame_hex: hex::encode(&frame) })
}

fn check(
    name: &str,
    vector: &Value,
    project_value: &dyn Fn(&Value) -> Value,
) -> Result<Outcome, String> {
    macro_rules! dispatch {
        ($($req:ident / $resp:ident),* $(,)?) => {
            match name {
                $(stringify!($req) => request::<$req>(vector, project_value),
                  stringify!($resp) => response::<$resp>(vector, project_value),)*
                other => Err(format!("no Rust type for {other}")),
            }
        };
    }
    dispatch!(
        ClusterMetadataRequest / ClusterMetadataResponse,
        CreateTopicRequest / CreateTopicResponse,
        AlterTopicRequest / AlterTopicResponse,
        DeleteTopicRequest / DeleteTopicResponse,
        DescribeTopicRequest / DescribeTopicResponse,
        ListTopicsRequest / ListTopicsResponse,
        ReassignPartitionsRequest / ReassignPartitionsResponse,
        VerifyReassignPartitionsRequest / VerifyReassignPartitionsResponse,
        PreferredReplicaLeaderElectionRequest / PreferredReplicaLeaderElectionResponse,
        VerifyPreferredReplicaLeaderElectionRequest / VerifyPreferredReplicaLeaderElectionResponse,
        SubmitReassignmentRequest / SubmitReassignmentResponse,
        DescribeReassignmentJobsRequest / DescribeReassignmentJobsResponse,
        AlterReassignmentJobRequest / AlterReassignmentJobResponse,
        CreateLinkRequest / CreateLinkResponse,
        DescribeLinksRequest / DescribeLinksResponse,
        AlterLinkRequest / AlterLinkResponse,
        PromoteMirrorRequest / PromoteMirrorResponse,
        DeleteLinkRequest / DeleteLinkResponse,
    )
}

#[test]
fn every_spec_version_has_vectors_and_they_hold() {
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut spec_files: Vec<PathBuf> = std::fs::read_dir(specs_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("errors.json"))
        .collect();
    spec_files.sort();
    assert_eq!(spec_files.len(), 36, "18 request and 18 response specs");

    for spec_path in spec_files {
        let spec = read_json(&spec_path);
        let name = spec["name"].as_str().unwrap();
        let vector_path = specs_dir().join("vectors").join(format!("{name}.json"));
        let mut file = read_json(&vector_path);
        assert_eq!(file["message"], spec["name"]);
        assert_eq!(file["apiKey"], spec["apiKey"]);
        let fields = spec["fields"].as_array().unwrap().clone();
        let common = spec["commonStructs"].as_array().cloned().unwrap_or_default();
        let mut versions_seen = std::collections::BTreeSet::new();
        for vector in file["vectors"].as_array_mut().unwrap() {
            let version = vector["version"].as_i64().unwrap();
            versions_seen.insert(version);
            let project_value = |v: &Value| project(v, &fields, &common, version);
            let label = format!("{name} v{version} ({})", vector["description"]);
            if project_value(&vector["value"]) != vector["value"] {
                problems.push(format!("{label}: value has fields that version {version} lacks"));
                continue;
            }
            if update {
                // Rewritten in spec order, so that a reader sees the fields as the spec lists them.
                vector["value"] = project_value(&vector["value"]);
                vector["bodyHex"] = Value::String(String::new());
                vector["frameHex"] = Value::String(String::new());
            }
            match check(name, vector, &project_value) {
                Ok(outcome) => {
                    if update {
                        vector["bodyHex"] = Value::String(outcome.body_hex);
                        vector["frameHex"] = Value::String(outcome.frame_hex);
                    } else if vector["bodyHex"] != outcome.body_hex.as_str()
                        || vector["frameHex"] != outcome.frame_hex.as_str()
                    {
                        problems.push(format!(
                            "{label}: encodes to {} / {}",
                            outcome.body_hex, outcome.frame_hex
                        ));
                    }
                    // A value that omits a field of its version would silently take the default.
                    let complete = project_value(
                        &serde_json::to_value(check_roundtrip_value(name, vector)).unwrap(),
                    );
                    if complete != vector["value"] {
                        problems.push(format!(
                            "{label}: value must list every field of its version: {complete}"
                        ));
                    }
                    checked += 1;
                }
                Err(e) => problems.push(format!("{label}: {e}")),
            }
        }
        let versions = spec["validVersions"].as_str().unwrap();
        let (lo, hi) = versions.split_once('-').unwrap_or((versions, versions));
        for v in lo.parse::<i64>().unwrap()..=hi.parse().unwrap() {
            if !versions_seen.contains(&v) {
                problems.push(format!("{name}: no vector for version {v}"));
            }
        }
        if update {
            std::fs::write(&vector_path, serde_json::to_string_pretty(&file).unwrap() + "\n")
                .unwrap();
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(checked >= 40, "only {checked} vectors checked");
}

/// The vector's value read into its Rust type and written back as JSON, defaults filled in.
fn check_roundtrip_value(name: &str, vector: &Value) -> Value {
    macro_rules! to_json {
        ($($t:ident),*) => {
            match name {
                $(stringify!($t) => serde_json::to_value(serde_json::from_value::<$t>(vector["value"].clone()).unwrap()).unwrap(),)*
                other => panic!("no Rust type for {other}"),
            }
        };
    }
    to_json!(
        ClusterMetadataRequest,
        ClusterMetadataResponse,
        CreateTopicRequest,
        CreateTopicResponse,
        AlterTopicRequest,
        AlterTopicResponse,
        DeleteTopicRequest,
        DeleteTopicResponse,
        DescribeTopicRequest,
        DescribeTopicResponse,
        ListTopicsRequest,
        ListTopicsResponse,
        ReassignPartitionsRequest,
        ReassignPartitionsResponse,
        VerifyReassignPartitionsRequest,
        VerifyReassignPartitionsResponse,
        PreferredReplicaLeaderElectionRequest,
        PreferredReplicaLeaderElectionResponse,
        VerifyPreferredReplicaLeaderElectionRequest,
        VerifyPreferredReplicaLeaderElectionResponse,
        SubmitReassignmentRequest,
        SubmitReassignmentResponse,
        DescribeReassignmentJobsRequest,
        DescribeReassignmentJobsResponse,
        AlterReassignmentJobRequest,
        AlterReassignmentJobResponse,
        CreateLinkRequest,
        CreateLinkResponse,
        DescribeLinksRequest,
        DescribeLinksResponse,
        AlterLinkRequest,
        AlterLinkResponse,
        PromoteMirrorRequest,
        PromoteMirrorResponse,
        DeleteLinkRequest,
        DeleteLinkResponse
    )
}
