//! Administrative verification: the secretariat decides a submitted nomination (pass, fail, or
//! back to the regency office for revision), document by document; every decision is kept and
//! readable by whoever reads the nomination.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ovop_core::audit::AuditRecord;
use ovop_core::authz::Action;
use ovop_core::dto::PageParams;
use ovop_core::nomination::{Nomination, NominationError};
use ovop_core::verification::{Decided, Verification, VerificationForm, VerificationPage};
use ovop_platform::auth::Caller;
use ovop_platform::extract::{ApiPath, ApiQuery};
use ovop_platform::http::{idempotency_key, optional_if_match};
use ovop_platform::idempotency::{Answer, Idempotency};
use ovop_platform::ids::new_id;
use ovop_platform::json::ApiJson;
use ovop_platform::nominations::{bundle_of, nomination_for, round_of};
use ovop_platform::paging::{refused_cursor, seal, PageRequest};
use ovop_platform::store::{entities, Tx};
use ovop_platform::ApiError;

use crate::AppState;

/// Most decisions on one nomination: each needs a resubmission, bounded by the revision
/// deadlines; the number keeps the sequence key short.
const MAX_DECISIONS: u32 = 1_000;

fn refused(e: NominationError) -> ApiError {
    match e {
        NominationError::Stale { current } => ApiError::VersionMismatch { current },
        e => ApiError::Conflict {
            code: e.code(),
            message: e.message(),
        },
    }
}

/// The secretariat's decision: per-document findings, then pass, fail or revise (with reasons
/// and a revision deadline). Needs `Idempotency-Key`; `If-Match` is honoured if sent. Two
/// secretariat members deciding at once: one wins, the other gets 412.
#[utoipa::path(post, path = "/api/v1/nominations/{id}/verification", tag = "selection", request_body = VerificationForm,
    params(("id" = String, Path, description = "Nomination id"), ("Idempotency-Key" = String, Header, description = "Unique per intended decision"),
           ("If-Match" = Option<String>, Header, description = "Version read, e.g. \"4\"")),
    responses((status = 201, body = Decided, description = "Decided, or the replay of the decision with this key"),
              (status = 403, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem),
              (status = 409, body = ovop_core::errors::Problem, description = "Not awaiting a decision (already decided, or not submitted)"),
              (status = 412, body = ovop_core::errors::Problem), (status = 422, body = ovop_core::errors::Problem),
              (status = 428, body = ovop_core::errors::Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(form): ApiJson<VerificationForm>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let expected = optional_if_match(&headers)?;
    let idempotency = Idempotency::new(
        &caller.user_id,
        Some(key),
        &format!("POST /api/v1/nominations/{id}/verification"),
        &(expected, &form),
    );
    idempotency
        .once(&state.store, async {
        let n: Nomination =
            nomination_for(&state.store, &caller, &id, Action::VerifyNomination).await?;
        let round = round_of(&state.store, &n).await?;
        let (checklist, _) = bundle_of(&state.store, &state.commodities, &n, &round).await?;
        let now = state.clock.now();
        let valid = form
            .validate(&checklist, now)
            .map_err(ApiError::Validation)?;
        let earlier = state
            .store
            .list::<Verification>(
                "verification",
                &entities::verifications_of(&n.id),
                MAX_DECISIONS as usize,
                None,
                |_| true,
            )
            .await?;
        let sequence = earlier.items.len() as u32 + 1;
        let (change, verification) = n
            .verify(expected, valid, sequence, &caller, now)
            .map_err(refused)?;
        let decided = Decided {
            nomination: change.nomination.clone(),
            verification: verification.clone(),
        };
        let answer = Answer::json(
            StatusCode::CREATED,
            Some(decided.nomination.version),
            &decided,
        )?;
        let mut tx = Tx::new();
        tx.update(&change.nomination, n.version)?;
        tx.create(&change.audit)?;
        tx.create(&verification)?;
        tx.create(&AuditRecord::verification(
            new_id(),
            &verification,
            n.status.as_str(),
            change.nomination.status.as_str(),
        ))?;
        let answer = idempotency
            .commit(&state.store, tx, answer, now, ApiError::from)
            .await?;
        tracing::info!(nomination = %n.id, decision = ?verification.decision, sequence, status = decided.nomination.status.as_str(), "verification decided");
        Ok(answer.into_response())
        })
        .await
}

/// A nomination's administrative-selection decisions, oldest first, for whoever reads it.
#[utoipa::path(get, path = "/api/v1/nominations/{id}/verifications", tag = "selection",
    params(("id" = String, Path, description = "Nomination id"), PageParams),
    responses((status = 200, body = VerificationPage), (status = 400, body = ovop_core::errors::Problem), (status = 404, body = ovop_core::errors::Problem)))]
pub async fn history(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<VerificationPage>, ApiError> {
    nomination_for(&state.store, &caller, &id, Action::ReadNominationHistory).await?;
    let scope = format!("verifications|{id}");
    let page = PageRequest::parse(params.limit, params.cursor.as_deref(), &scope)?;
    let listed = state
        .store
        .list::<Verification>(
            "verification",
            &entities::verifications_of(&id),
            page.limit,
            page.cursor,
            |_| true,
        )
        .await
        .map_err(refused_cursor)?;
    Ok(Json(VerificationPage {
        items: listed.items,
        next: listed.next.map(|c| seal(&c, &scope)).transpose()?,
    }))
}
