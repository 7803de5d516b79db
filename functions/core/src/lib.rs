//! OVOP domain core: pure rules shared by the Lambda functions, the local app and the SPA.
//!
//! No I/O and no AWS types live here. Values are parsed at the edge into newtypes
//! (`RegencyCode`, `Nib`, …) so that an invalid value cannot travel further in.

pub mod aggregate;
pub mod audit;
pub mod authz;
pub mod award;
pub mod commodity;
pub mod document;
pub mod dto;
pub mod errors;
pub mod export;
pub mod gallery;
pub mod i18n;
pub mod ikm;
pub mod import;
pub mod moderation;
pub mod nomination;
pub mod panel;
pub mod pkce;
pub mod policy;
pub mod reevaluation;
pub mod region;
pub mod round;
pub mod rubric;
pub mod scoring;
pub mod stars;
pub mod status;
pub mod text;
pub mod verification;

pub use errors::FieldErrors;
pub use i18n::{Lang, Text};
