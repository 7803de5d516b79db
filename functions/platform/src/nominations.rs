//! Steps every function takes with a nomination: load it for an action the one authorization
//! decision allows, read its document bundle, read its round's locked recommendation.

use ovop_core::authz::{decide, Action, NominationFacts, Resource, Standing};
use ovop_core::commodity::CommodityCatalog;
use ovop_core::document::{Checklist, Document, ProductSample};
use ovop_core::moderation::{Recommendation, RecommendationLock, Recommended};
use ovop_core::nomination::Nomination;
use ovop_core::panel::Assignment;
use ovop_core::policy::Principal;
use ovop_core::policy::Role;
use ovop_core::round::Round;

use crate::problem::{require, ApiError};
use crate::store::{entities, Store};

/// The nomination `id`, if `caller` may do `action` to it; 404 when it may not even see it.
pub async fn nomination_for(
    store: &Store,
    caller: &Principal,
    id: &str,
    action: Action,
) -> Result<Nomination, ApiError> {
    let n = store
        .get::<Nomination>(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // An assessor's standing comes from their assignment (and its conflict, if any).
    let standing = if caller.role == Role::Penilai {
        store
            .get::<Assignment>(&(n.id.clone(), caller.user_id.clone()))
            .await?
            .map_or(Standing::Unassigned, |a| a.standing())
    } else {
        Standing::Unassigned
    };
    let facts = NominationFacts {
        regency: &n.regency_code,
        standing,
    };
    require(decide(caller, action, &Resource::Nomination(facts)))?;
    Ok(n)
}

/// The round a stored nomination belongs to (it always exists: rounds are never deleted).
pub async fn round_of(store: &Store, n: &Nomination) -> Result<Round, ApiError> {
    store
        .get::<Round>(&n.round_id)
        .await?
        .ok_or_else(|| ApiError::internal(std::io::Error::other("the nomination's round is gone")))
}

/// The nomination's current documents (at most one per type).
pub async fn documents_of(store: &Store, id: &str) -> Result<Vec<Document>, ApiError> {
    Ok(store
        .list_all::<Document>("document", &entities::documents_of(id))
        .await?)
}

/// The nomination's bundle as its round's checklist, with its product sample.
pub async fn bundle_of(
    store: &Store,
    commodities: &CommodityCatalog,
    n: &Nomination,
    round: &Round,
) -> Result<(Checklist, Option<ProductSample>), ApiError> {
    let documents = documents_of(store, &n.id).await?;
    let sample = store.get::<ProductSample>(&n.id).await?;
    let checklist = Checklist::build(
        &n.commodity_in(commodities),
        &round.document_limits,
        &documents,
        sample.as_ref(),
    );
    Ok((checklist, sample))
}

/// The round's locked recommendation list, in the leaderboard's order (best first), or `None`
/// before the lock.
pub async fn locked_recommendation(
    store: &Store,
    round_id: &str,
) -> Result<Option<Recommendation>, ApiError> {
    let Some(lock) = store.get::<RecommendationLock>(round_id).await? else {
        return Ok(None);
    };
    let mut items = store
        .list_all::<Recommended>(
            "recommended nomination",
            &entities::recommended_of(round_id),
        )
        .await?;
    items.sort_by(|a, b| {
        b.final_score
            .cmp(&a.final_score)
            .then_with(|| a.nomination_id.cmp(&b.nomination_id))
    });
    Ok(Some(Recommendation::of(lock, items)))
}
