//! Request bodies: JSON, read with serde, whose every refusal (not JSON, a missing or unknown
//! field, a wrong type) is a 400 in the API's error form, naming what is wrong.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body of type `T`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(refused(&rejection)),
        }
    }
}

fn refused(rejection: &JsonRejection) -> ApiError {
    let status = rejection.status();
    let message = format!("the request body: {}", rejection.body_text());
    if status == axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return ApiError::new(
            status,
            "the request body must be JSON (Content-Type: application/json)",
        );
    }
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(status, message);
    }
    ApiError::bad_request(message)
}
