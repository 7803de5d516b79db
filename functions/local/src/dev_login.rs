//! Dev login: pick a seeded user, get a signed, expiring token. Local app only.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use ovop_core::dto::{DevLoginRequest, DevUser, Session};
use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_core::Text;
use ovop_platform::auth::DevTokens;
use ovop_platform::json::ApiJson;
use ovop_platform::ApiError;

/// The seeded accounts: regency offices in three regencies of two provinces, a province
/// office, the secretariat, two assessors and an admin.
pub fn demo_users() -> Vec<DevUser> {
    let user = |id: &str, name: &str, role: Role, region: Option<&str>| DevUser {
        user_id: id.into(),
        name: name.into(),
        role,
        region: region.map(Into::into),
    };
    vec![
        user(
            "dinas-pekalongan",
            "Dinas Perindustrian Kab. Pekalongan",
            Role::Pengusul,
            Some("33.26"),
        ),
        user(
            "dinas-semarang",
            "Dinas Perindustrian Kota Semarang",
            Role::Pengusul,
            Some("33.74"),
        ),
        user(
            "dinas-sidoarjo",
            "Dinas Perindustrian Kab. Sidoarjo",
            Role::Pengusul,
            Some("35.15"),
        ),
        user(
            "disperin-jateng",
            "Dinas Perindustrian Prov. Jawa Tengah",
            Role::Provinsi,
            Some("33"),
        ),
        user(
            "sekretariat",
            "Sekretariat OVOP Ditjen IKMA",
            Role::Verifikator,
            None,
        ),
        user("penilai-1", "Dr. Ratna (akademisi)", Role::Penilai, None),
        user(
            "penilai-2",
            "Bambang (Yayasan Batik Indonesia)",
            Role::Penilai,
            None,
        ),
        user("admin", "Admin Ditjen IKMA", Role::Admin, None),
    ]
}

/// The principal of a demo user.
pub fn principal_of(user: &DevUser) -> Principal {
    Principal {
        user_id: user.user_id.clone(),
        name: user.name.clone(),
        role: user.role,
        region: user
            .region
            .as_deref()
            .map(|r| RegionScope::parse(r).expect("demo users have valid regions")),
    }
}

/// `GET /api/v1/auth/dev-users`, `POST /api/v1/auth/dev-login`.
pub fn routes(tokens: Arc<DevTokens>) -> Router {
    Router::new()
        .route("/api/v1/auth/dev-users", get(list_users))
        .route("/api/v1/auth/dev-login", post(login))
        .with_state(tokens)
}

async fn list_users() -> Json<Vec<DevUser>> {
    Json(demo_users())
}

async fn login(
    State(tokens): State<Arc<DevTokens>>,
    ApiJson(request): ApiJson<DevLoginRequest>,
) -> Result<Json<Session>, ApiError> {
    let user = demo_users()
        .into_iter()
        .find(|u| u.user_id == request.user_id)
        .ok_or_else(|| {
            ApiError::field(
                "user_id",
                Text::new("Akun demo tidak dikenal.", "Unknown demo account."),
            )
        })?;
    Ok(Json(tokens.issue(&principal_of(&user))?))
}
