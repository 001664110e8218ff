//! The API's OpenAPI 3.1 document, generated from the handlers and types themselves (utoipa), served
//! at `/openapi.json` and committed as `docs/openapi.json` (a test keeps the two the same).

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;

use super::{cluster, elections, error, jobs, links, reassignments, topic_edits, topics};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "adminwire REST API",
        description = "Kafka administration in Kafka Connect's REST conventions, served by the \
                       adminwire sidecar (docs/rest.md). Requests run as their HTTP Basic user, \
                       logged in to the brokers with SASL; errors are always JSON."
    ),
    paths(
        crate::http::health,
        cluster::root,
        cluster::cluster,
        cluster::brokers,
        topics::list,
        topics::describe,
        topic_edits::put,
        topic_edits::patch_configs,
        topic_edits::delete,
        reassignments::seed,
        reassignments::submit,
        reassignments::estimate,
        reassignments::plan,
        reassignments::in_motion,
        jobs::list,
        jobs::describe,
        jobs::delete,
        jobs::status,
        jobs::pause,
        jobs::resume,
        jobs::stop,
        jobs::restart,
        links::list,
        links::describe,
        links::status,
        links::put_link,
        links::pause,
        links::resume,
        links::promote,
        links::unpromote,
        links::hand_over,
        links::hand_back,
        links::delete,
        elections::needed,
        elections::elect,
    ),
    components(schemas(error::ErrorBody, error::KafkaError))
)]
pub struct ApiDoc;

/// The document, as served and committed.
pub fn document() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
        format!("{{\"error\": \"the OpenAPI document could not be written: {e}\"}}")
    });
    json.push('\n');
    json
}

/// `GET /openapi.json`.
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

#[cfg(test)]
mod tests {
    /// docs/openapi.json is the document the code generates. `ADMINWIRE_WRITE_OPENAPI=1 cargo
    /// test -p adminwire-sidecar openapi` writes it anew after a change to the API.
    #[test]
    fn the_committed_openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let generated = super::document();
        if std::env::var_os("ADMINWIRE_WRITE_OPENAPI").is_some() {
            std::fs::write(path, &generated).expect("write docs/openapi.json");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json is not what the code generates; run \
             ADMINWIRE_WRITE_OPENAPI=1 cargo test -p adminwire-sidecar openapi and commit it"
        );
        let document: serde_json::Value = serde_json::from_str(&generated).expect("JSON");
        assert_eq!(document["openapi"], "3.1.0");
        assert!(
            document["paths"]["/v2/kafka/{project_id}/instances/{instance_id}/reassign"]
                .is_object()
        );
    }
}
