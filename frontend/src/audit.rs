//! A nomination's audit trail (admin): its status history and every selection record
//! (verification, assignment, override, conflict, submitted score, moderation) in one table,
//! oldest first — when, who, what, before → after.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use ovop_core::status::NominationStatus;
use ovop_core::Lang;

use crate::api;
use crate::i18n::{t, tr};
use crate::resource::load;
use crate::ui::{html, items, s, show, when, Html, Value};

/// The audit trail of nomination `id`.
pub fn audit_trail(id: &str) -> AnyView {
    let path = api::nomination_path(id, "audit");
    let trail = show(load(move || path.clone()), |json, lang| {
        Ok(html(trail_view(&api::read(json)?, lang)))
    });
    view! {
        <section class="audit" aria-labelledby="audit-title">
            <h2 id="audit-title">{tr("Jejak audit", "Audit trail")}</h2>
            {trail}
        </section>
    }
    .into_any()
}

/// What a record of the selection ([`ovop_core::audit::AuditAction`]) did.
fn action_label(action: &str, lang: Lang) -> &'static str {
    match action {
        "verification" => t(lang, "Seleksi administrasi", "Administrative selection"),
        "assignment" => t(lang, "Penugasan penilai", "Assessor assigned"),
        "override" => t(lang, "Konflik dikesampingkan", "Conflict overridden"),
        "conflict" => t(lang, "Konflik kepentingan", "Conflict of interest"),
        "relation" => t(lang, "Hubungan dengan penilai", "Relation to an assessor"),
        "score_submitted" => t(lang, "Nilai dikirim", "Scores submitted"),
        "moderation" => t(lang, "Moderasi nilai", "Score moderated"),
        "revocation" => t(lang, "Penghargaan dicabut", "Award revoked"),
        _ => "",
    }
}

/// A status's name in `lang`, from its stable name (`SUBMITTED`).
fn status(v: &Value, lang: Lang) -> String {
    NominationStatus::parse(s(v)).map_or_else(String::new, |st| st.label().get(lang).to_owned())
}

/// One line of the table.
struct Line<'a> {
    at: Option<DateTime<Utc>>,
    who: &'a str,
    what: String,
    before: String,
    after: String,
}

/// An [`ovop_core::dto::selection::AuditTrail`]: history lines and records, merged by time.
fn trail_view(trail: &Value, lang: Lang) -> Html {
    let time = |v: &Value| s(v).parse::<DateTime<Utc>>().ok();
    let mut lines: Vec<Line> = items(&trail["history"])
        .iter()
        .map(|h| Line {
            at: time(&h["at"]),
            who: s(&h["actor"]),
            what: s(&h["action"]).to_owned(),
            before: status(&h["from_status"], lang),
            after: status(&h["to_status"], lang),
        })
        .collect();
    // Both lists come oldest first: each record goes after the history lines before it.
    for r in items(&trail["records"]) {
        let at = time(&r["at"]);
        let place = lines.partition_point(|l| l.at <= at);
        lines.insert(
            place,
            Line {
                at,
                who: s(&r["actor"]),
                what: action_label(s(&r["action"]), lang).to_owned(),
                before: s(&r["before"]).to_owned(),
                after: s(&r["after"]).to_owned(),
            },
        );
    }
    let rows = lines
        .into_iter()
        .map(|l| {
            let change = if l.before.is_empty() {
                l.after
            } else {
                format!("{} → {}", l.before, l.after)
            };
            let at = l.at.map(when).unwrap_or_default();
            vec![
                Html::text(&at),
                Html::text(l.who),
                Html::text(&l.what),
                Html::text(&change),
            ]
        })
        .collect();
    Html::table(
        "audit",
        ("Jejak audit usulan", "The nomination's audit trail"),
        &[
            ("Waktu", "When"),
            ("Oleh", "By"),
            ("Tindakan", "Action"),
            ("Sebelum → sesudah", "Before → after"),
        ],
        rows,
        lang,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_and_records_are_one_table_oldest_first() {
        let html = format!("{:?}", trail_view(&crate::fixtures::audit(), Lang::Id));
        let verify = html.find("Diajukan → Lolos administrasi").expect(&html);
        let assigned = html.find("Penugasan penilai").expect(&html);
        let assessing = html
            .find("Lolos administrasi → Dalam penilaian")
            .expect(&html);
        assert!(verify < assigned && assigned < assessing, "{html}");
        assert!(
            html.contains("29-11-2026 08:45 WIB</th><td>admin</td>"),
            "{html}"
        );
    }

    #[test]
    fn a_revocation_says_so() {
        let mut trail = crate::fixtures::audit();
        trail["records"] = serde_json::json!([crate::fixtures::revocation_record()]);
        let html = format!("{:?}", trail_view(&trail, Lang::En));
        assert!(html.contains("Award revoked"), "{html}");
    }
}
