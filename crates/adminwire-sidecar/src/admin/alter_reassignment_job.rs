//! AlterReassignmentJob → pause, resume or cancel a job of the reassignment service. Authorized as
//! ALTER on the cluster, which moving (and reverting) partitions needs.

use adminwire_jobs::service::ServiceError;
use adminwire_protocol::{AlterReassignmentJobRequest, AlterReassignmentJobResponse, ErrorCode};
use tokio::time::Instant;

use super::{Failure, authorize, service};
use crate::upstream::{Transport, Upstream};

/// The request's `Action`s.
const PAUSE: i8 = 0;
const RESUME: i8 = 1;
const CANCEL: i8 = 2;

pub async fn run(
    request: &AlterReassignmentJobRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<AlterReassignmentJobResponse, Failure> {
    let service = service(upstream)?;
    if !(PAUSE..=CANCEL).contains(&request.action) {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            format!("action {} is not 0 (pause), 1 (resume) or 2 (cancel)", request.action),
        ));
    }
    authorize::may_alter_cluster(upstream, deadline).await?;
    let id = request.job_id.as_str();
    let taken = match request.action {
        PAUSE => service.pause(id).await,
        RESUME => service.resume(id).await,
        _ => service.cancel(id).await,
    };
    match taken {
        Ok(()) => {
            let state = service.describe(id)?.state;
            Ok(AlterReassignmentJobResponse { state: state.name().into(), ..Default::default() })
        }
        // The answer says where the job ended, so the client need not ask.
        Err(ended @ ServiceError::Ended { state, .. }) => Ok(AlterReassignmentJobResponse {
            error_code: ErrorCode::NO_REASSIGNMENT_IN_PROGRESS.0,
            error_message: Some(ended.to_string()),
            state: state.name().into(),
            ..Default::default()
        }),
        Err(e) => Err(e.into()),
    }
}
