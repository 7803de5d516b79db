//! What is public: every determined round and its awards that are not revoked.

use chrono::Datelike;
use ovop_core::award::{Award, Determination};
use ovop_core::round::Round;
use ovop_platform::store::{entities, Store, StoreError};

use super::render::{PublicRound, PREFIX};

/// A product photo's thumbnail to copy from the uploads bucket into the gallery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    /// Its key in the uploads bucket (`thumbnails/…`).
    pub from: String,
    /// Its key in the public bucket (`galeri/foto/{award}/{name}.jpg`).
    pub to: String,
}

/// The rounds to publish and the photos their pages show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Publication {
    pub rounds: Vec<PublicRound>,
    pub photos: Vec<Photo>,
}

/// Every determined round with its awards that are not revoked. An award past its validity
/// stays: the gallery is also the programme's history, and each page states the validity
/// period rather than a status that would go stale on a static page.
pub async fn load(store: &Store) -> Result<Publication, StoreError> {
    let determinations = store
        .list_all::<Determination>("determination", &entities::determinations())
        .await?;
    let mut publication = Publication::default();
    for d in determinations {
        let round = store.get::<Round>(&d.round_id).await?;
        let awards = store
            .list_all::<Award>("award", &entities::awards_of_round(&d.round_id))
            .await?;
        publication
            .rounds
            .push(public_round(&d, round.as_ref(), &awards));
        publication.photos.extend(
            awards
                .iter()
                .filter(|a| a.revocation.is_none())
                .filter_map(photo),
        );
    }
    Ok(publication)
}

/// The public view of a determined round: its name (the round's, else `OVOP {year}`), year,
/// decree, and its awards that are not revoked.
pub fn public_round(d: &Determination, round: Option<&Round>, awards: &[Award]) -> PublicRound {
    let year = round
        .map(|r| r.year)
        .or_else(|| awards.first().map(|a| a.year))
        .unwrap_or_else(|| d.decree.date.year());
    let name = round
        .map(|r| r.name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("OVOP {year}"));
    PublicRound {
        round_id: d.round_id.clone(),
        name,
        year,
        decree_number: d.decree.number.clone(),
        decree_date: d.decree.date,
        awards: awards
            .iter()
            .filter(|a| a.revocation.is_none())
            .map(Award::public)
            .collect(),
    }
}

/// The award's photo to copy, if it has one.
pub fn photo(award: &Award) -> Option<Photo> {
    let from = award.photo_key.clone()?;
    let to = format!("{PREFIX}{}", award.public().photo?);
    Some(Photo { from, to })
}
