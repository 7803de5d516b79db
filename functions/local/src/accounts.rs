//! The demo accounts of the local issuer: regency offices in three regencies of two provinces,
//! a province office, the secretariat, two assessors and an admin. Role and region are
//! Cognito groups, as an administrator sets them in the user pool (docs/sign-in.md).

use ovop_core::policy::{Principal, RegionScope, Role};
use ovop_platform::auth::{region_group, role_group};

/// A user of the local issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAccount {
    /// The user name, also the `sub` of its tokens (stable across restarts).
    pub username: String,
    /// Display name (the ID token's `name`).
    pub name: String,
    pub email: String,
    /// `cognito:groups`: one role group and, for regional roles, one region group.
    pub groups: Vec<String>,
}

impl DemoAccount {
    fn new(username: &str, name: &str, role: Role, region: Option<&str>) -> Self {
        let mut groups = vec![role_group(role).to_owned()];
        if let Some(code) = region {
            let scope = RegionScope::parse(code).expect("demo accounts have valid regions");
            groups.push(region_group(&scope));
        }
        DemoAccount {
            username: username.into(),
            name: name.into(),
            email: format!("{username}@ovop.example"),
            groups,
        }
    }

    /// The role its groups give.
    pub fn role(&self) -> Role {
        self.groups
            .iter()
            .find_map(|g| Role::parse(g))
            .expect("demo accounts have a role group")
    }

    /// `PP` or `PP.KK`, when a region group gives one.
    pub fn region(&self) -> Option<&str> {
        self.groups.iter().find_map(|g| g.strip_prefix("region-"))
    }

    /// The principal the API makes of its access token (`name` is the user name, as there).
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.username.clone(),
            name: self.username.clone(),
            role: self.role(),
            region: self
                .region()
                .map(|r| RegionScope::parse(r).expect("demo accounts have valid regions")),
        }
    }
}

/// Every demo account.
pub fn demo_accounts() -> Vec<DemoAccount> {
    let a = DemoAccount::new;
    vec![
        a(
            "dinas-pekalongan",
            "Dinas Perindustrian Kab. Pekalongan",
            Role::Pengusul,
            Some("33.26"),
        ),
        a(
            "dinas-semarang",
            "Dinas Perindustrian Kota Semarang",
            Role::Pengusul,
            Some("33.74"),
        ),
        a(
            "dinas-sidoarjo",
            "Dinas Perindustrian Kab. Sidoarjo",
            Role::Pengusul,
            Some("35.15"),
        ),
        a(
            "disperin-jateng",
            "Dinas Perindustrian Prov. Jawa Tengah",
            Role::Provinsi,
            Some("33"),
        ),
        a(
            "sekretariat",
            "Sekretariat OVOP Ditjen IKMA",
            Role::Verifikator,
            None,
        ),
        a("penilai-1", "Dr. Ratna (akademisi)", Role::Penilai, None),
        a(
            "penilai-2",
            "Bambang (Yayasan Batik Indonesia)",
            Role::Penilai,
            None,
        ),
        a("admin", "Admin Ditjen IKMA", Role::Admin, None),
    ]
}

/// The demo account named `username`.
pub fn demo_account(username: &str) -> Option<DemoAccount> {
    demo_accounts().into_iter().find(|a| a.username == username)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn every_account_s_groups_give_its_principal() {
        for account in demo_accounts() {
            let claims = HashMap::from([
                ("sub".to_owned(), account.username.clone()),
                ("username".to_owned(), account.username.clone()),
                (
                    "cognito:groups".to_owned(),
                    format!("[{}]", account.groups.join(" ")),
                ),
            ]);
            let principal = ovop_platform::auth::principal_from_claims(&claims).unwrap();
            assert_eq!(principal, account.principal(), "{}", account.username);
        }
        assert_eq!(
            demo_account("dinas-semarang").unwrap().groups,
            ["pengusul", "region-33.74"]
        );
    }
}
