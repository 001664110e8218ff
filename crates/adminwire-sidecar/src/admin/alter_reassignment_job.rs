//! AlterReassignmentJob → pause, resume, cancel, re-time, delete or restart a job of the
//! reassignment service.
//! Authorized as ALTER on the cluster, which moving (and reverting) partitions needs.

use adminwire_jobs::service::{Retry, ServiceError};
use adminwire_protocol::{AlterReassignmentJobRequest, AlterReassignmentJobResponse, ErrorCode};
use tokio::time::Instant;

use super::{Failure, authorize, service, within};
use crate::upstream::{Transport, Upstream};

/// The request's `Action`s.
const PAUSE: i8 = 0;
const RESUME: i8 = 1;
const CANCEL: i8 = 2;
const RETIME: i8 = 3;
const DELETE: i8 = 4;
const RESTART: i8 = 5;

pub async fn run(
    request: &AlterReassignmentJobRequest,
    upstream: &mut Upstream<'_, impl Transport>,
    deadline: Instant,
) -> Result<AlterReassignmentJobResponse, Failure> {
    let service = service(upstream)?;
    if !(PAUSE..=RESTART).contains(&request.action) {
        return Err(Failure(
            ErrorCode::INVALID_REQUEST,
            format!(
                "action {} is not 0 (pause), 1 (resume), 2 (cancel), 3 (re-time), 4 (delete) or \
                 5 (restart)",
                request.action
            ),
        ));
    }
    let retime_to = match (request.action, u64::try_from(request.execute_at)) {
        (RETIME, Ok(at)) => Some(at),
        (RETIME, Err(_)) => {
            return Err(Failure(
                ErrorCode::INVALID_REQUEST,
                format!(
                    "re-timing a job needs ExecuteAt, in milliseconds since the Unix epoch (got {})",
                    request.execute_at
                ),
            ));
        }
        _ => None,
    };
    authorize::may_alter_cluster(upstream, deadline).await?;
    let id = request.job_id.as_str();
    if request.action == DELETE {
        // The answer is the state the job had ended in.
        let ended = service.delete(id).await?;
        return Ok(AlterReassignmentJobResponse {
            state: ended.name().into(),
            ..Default::default()
        });
    }
    if request.action == RESTART {
        let retry = if request.only_failed { Retry::Failed } else { Retry::NotDone };
        let retried = within(deadline, service.restart(id, retry)).await?;
        let state = service.describe(id)?.state;
        return Ok(AlterReassignmentJobResponse {
            state: state.name().into(),
            retried: i32::try_from(retried).unwrap_or(i32::MAX),
            ..Default::default()
        });
    }
    let taken = match request.action {
        PAUSE => service.pause(id).await,
        RESUME => service.resume(id).await,
        CANCEL => service.cancel(id).await,
        _ => match retime_to {
            Some(at) => service.reschedule(id, at).await,
            None => Ok(()),
        },
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
