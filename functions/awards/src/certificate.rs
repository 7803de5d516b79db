//! The certificate (piagam) of an award as a PDF. (Being written.)

use ovop_core::award::Award;

/// A certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("the certificate could not be made: {0}")]
    Pdf(String),
}

/// The certificate of `award` as PDF bytes; its QR code links to `verify_url`.
pub fn render(award: &Award, verify_url: &str) -> Result<Vec<u8>, CertificateError> {
    let _ = (award, verify_url);
    Err(CertificateError::Pdf("not yet".into()))
}
