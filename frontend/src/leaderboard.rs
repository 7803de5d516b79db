//! The round's leaderboard (admin): ranked final scores with their spread and stars, the
//! distribution of scores, moderation of one nomination's score with a justification, and the
//! lock of the recommendation list, after which nothing is moderated.

use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::commodity::CommodityCatalog;
use ovop_core::moderation::MIN_JUSTIFICATION;
use ovop_core::stars::Score;
use ovop_core::Lang;

use crate::api::{self, ApiFailure};
use crate::i18n::{t, tr};
use crate::resource::load;
use crate::session::AppCtx;
use crate::ui::{
    alert_of, at, commodity_name, dyn_opt, dyn_text, focus_by_id, html, html_with_actions, items,
    n, on_click, on_submit, on_value, outcome, s, score, show, text_field, two_decimals, Html,
    Label, Value,
};

const HEADS: [Label; 11] = [
    ("Peringkat", "Rank"),
    ("IKM", "IKM"),
    ("Komoditas", "Commodity"),
    ("Nilai akhir", "Final score"),
    ("Rata-rata", "Mean"),
    ("Median", "Median"),
    ("Simpangan baku", "SD"),
    ("Terendah – tertinggi", "Lowest – highest"),
    ("Sebaran", "Spread"),
    ("Bintang", "Stars"),
    ("Moderasi", "Moderation"),
];

/// A result being moderated: from a [`ovop_core::moderation::NominationResult`].
#[derive(Clone, PartialEq)]
struct Moderated {
    id: String,
    name: String,
    /// The result's version, for `If-Match`.
    version: u64,
    mean: String,
    final_score: String,
}

/// The page's state: what is shown, and what is being moderated.
#[derive(Clone, Copy)]
struct Board {
    lang: RwSignal<Lang>,
    round: StoredValue<String>,
    reload: RwSignal<u32>,
    moderating: RwSignal<Option<Moderated>>,
    failure: RwSignal<Option<String>>,
    /// One key per intended lock; a new one after the server refused one.
    lock_key: StoredValue<String>,
}

impl Board {
    fn lock(self) {
        let lang = self.lang.get_untracked();
        let locking =
            api::lock_recommendation(&self.round.get_value(), self.lock_key.get_value(), lang);
        self.failure.set(None);
        spawn_local(async move {
            match locking.await {
                Ok(_) => {
                    self.moderating.set(None);
                    self.reload.update(|n| *n += 1);
                }
                Err(e) => {
                    if matches!(e, ApiFailure::Problem(_)) {
                        self.lock_key.try_set_value(api::new_idempotency_key());
                    }
                    self.failure.set(Some(e.details(lang)));
                }
            }
        });
    }
}

pub fn leaderboard(round: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let commodity = RwSignal::new(String::new());
    let board = Board {
        lang,
        round: StoredValue::new(round),
        reload: RwSignal::new(0),
        moderating: RwSignal::new(None),
        failure: RwSignal::new(None),
        lock_key: StoredValue::new(api::new_idempotency_key()),
    };
    let loaded = load(move || {
        board.reload.track();
        commodity.with(|c| api::leaderboard_path(&board.round.get_value(), c))
    });
    let groups = CommodityCatalog::default()
        .groups
        .into_iter()
        .filter(|c| c.active)
        .map(|c| {
            let (id, en) = (c.name_id, c.name_en);
            let name = dyn_text(move || {
                if lang.get() == Lang::Id {
                    id.clone()
                } else {
                    en.clone()
                }
            });
            view! { <option value=c.code>{name}</option> }
        });
    view! {
        <section class="leaderboard" aria-labelledby="board-title">
            <h2 id="board-title">{tr("Peringkat", "Leaderboard")}</h2>
            <div class="field">
                <label for="board-commodity">{tr("Kelompok komoditas", "Commodity group")}</label>
                <select id="board-commodity" on:change=on_value(move |v| commodity.set(v))>
                    <option value="">{tr("Semua kelompok", "All groups")}</option>
                    {groups.collect_view()}
                </select>
            </div>
            {alert_of(board.failure)}
            {show(loaded, move |json, lang| Ok(board_view(board, api::read(json)?, lang)))}
            {dyn_opt(move || board.moderating.get().map(|r| moderate(board, r)))}
        </section>
    }
    .into_any()
}

/// A [`ovop_core::dto::selection::Leaderboard`]: the ranked table (with a moderation button per
/// row until the lock), the distribution, and the lock or the locked list.
/// The ranked table (with a moderation button per row until the lock), the distribution, and
/// the locked list once there is one.
fn board_html(b: &Value, lang: Lang) -> Html {
    let ranked = items(&b["items"]);
    if ranked.is_empty() {
        let none = t(
            lang,
            "Belum ada usulan yang dinilai.",
            "No nomination is scored yet.",
        );
        return Html::status("list-status", none);
    }
    let rec = &b["recommendation"];
    let locked = !rec.is_null();
    let rows = ranked
        .iter()
        .map(|r| {
            let (res, a) = (&r["result"], &r["result"]["aggregate"]);
            let mut shown = score(&r["final_score"]);
            if !res["moderation"].is_null() {
                shown.push_str(t(lang, " (dimoderasi)", " (moderated)"));
            }
            let spread = if a["disagreement"].as_bool() == Some(true) {
                t(lang, "Berbeda jauh", "Wide spread")
            } else {
                ""
            };
            let mut cells = vec![
                Html::text(&n(&r["rank"])),
                Html::link(
                    &format!("/usulan/{}", s(&res["nomination_id"])),
                    s(&res["ikm_name"]),
                ),
                Html::text(&commodity_name(s(&res["commodity"]), lang)),
                Html::text(&shown),
                Html::text(&score(&a["mean"])),
                Html::text(&score(&a["median"])),
                Html::text(&two_decimals(a["sd"].as_f64().unwrap_or_default())),
                Html::text(&format!("{} – {}", score(&a["min"]), score(&a["max"]))),
                Html::text(spread),
                Html::outcome(outcome(&r["outcome"]), lang),
            ];
            if !locked {
                cells.push(Html::button(
                    "moderate",
                    s(&res["nomination_id"]),
                    t(lang, "Moderasi", "Moderate"),
                    s(&res["ikm_name"]),
                ));
            }
            cells
        })
        .collect();
    let heads: &[Label] = if locked { &HEADS[..10] } else { &HEADS };
    let table = Html::table(
        "ranked",
        ("Usulan menurut nilai akhir", "Nominations by final score"),
        heads,
        rows,
        lang,
    );
    let width = b["bucket_width"].as_u64().unwrap_or(10) as u32;
    let counts: Vec<u32> = items(&b["distribution"])
        .iter()
        .map(|c| c.as_u64().unwrap_or(0) as u32)
        .collect();
    let drawn = table.and(distribution(&counts, width, lang));
    if locked {
        let next = Html::link(
            &crate::determination::page_path(s(&rec["round_id"])),
            t(lang, "Lanjut ke penetapan", "On to the determination"),
        );
        return drawn
            .and(recommendation(rec, lang))
            .and(Html::el("p", "next", next));
    }
    drawn
}

/// The result of nomination `id` on the board, to moderate.
fn moderated(b: &Value, id: &str) -> Option<Moderated> {
    let r = items(&b["items"])
        .iter()
        .find(|r| s(&r["result"]["nomination_id"]) == id)?;
    Some(Moderated {
        id: id.to_owned(),
        name: s(&r["result"]["ikm_name"]).to_owned(),
        version: r["result"]["version"].as_u64().unwrap_or(0),
        mean: score(&r["result"]["aggregate"]["mean"]),
        final_score: score(&r["final_score"]),
    })
}

fn board_view(board: Board, b: Value, lang: Lang) -> AnyView {
    let drawn = board_html(&b, lang);
    if !b["recommendation"].is_null() || items(&b["items"]).is_empty() {
        return html(drawn);
    }
    let open = move |_, id: String| {
        let picked = moderated(&b, &id);
        board.moderating.set(picked);
        focus_by_id("moderate-title");
    };
    view! {
        {html_with_actions(drawn, open)}
        <div class="lock">
            <p class="hint">{t(lang, "Setelah dikunci, nilai tidak dapat dimoderasi lagi.",
                "Once locked, scores can no longer be moderated.")}</p>
            <button type="button" class="primary" on:click=on_click(move || board.lock())>{t(lang, "Kunci daftar rekomendasi", "Lock the recommendation list")}</button>
        </div>
    }
    .into_any()
}

/// Final scores per bucket, as a table with a bar of the count in each row.
fn distribution(counts: &[u32], width: u32, lang: Lang) -> Html {
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let rows = counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let low = i as u32 * width;
            let range = if i + 1 == counts.len() {
                format!("{low}–100")
            } else {
                format!("{low}–<{}", low + width)
            };
            let bar = Html::bar((n * 20).div_ceil(most) as usize);
            vec![
                Html::text(&range),
                Html::text(&n.to_string()).and(Html::text(" ")).and(bar),
            ]
        })
        .collect();
    Html::el(
        "h3",
        "",
        Html::text(t(
            lang,
            "Sebaran nilai akhir",
            "Distribution of final scores",
        )),
    )
    .and(Html::table(
        "distribution",
        (
            "Jumlah usulan per rentang nilai akhir",
            "Nominations per range of final scores",
        ),
        &[
            ("Rentang nilai", "Score range"),
            ("Jumlah usulan", "Nominations"),
        ],
        rows,
        lang,
    ))
}

/// The locked [`ovop_core::moderation::Recommendation`].
pub fn recommendation(rec: &Value, lang: Lang) -> Html {
    let rows = items(&rec["items"])
        .iter()
        .map(|r| {
            vec![
                Html::link(
                    &format!("/usulan/{}", s(&r["nomination_id"])),
                    s(&r["ikm_name"]),
                ),
                Html::text(&commodity_name(s(&r["commodity"]), lang)),
                Html::text(&score(&r["final_score"])),
                Html::outcome(outcome(&r["outcome"]), lang),
            ]
        })
        .collect();
    let by = format!(
        "{} {} · {}",
        t(lang, "Dikunci oleh", "Locked by"),
        s(&rec["locked_by"]),
        at(&rec["locked_at"])
    );
    Html::el(
        "h3",
        "",
        Html::text(t(
            lang,
            "Daftar rekomendasi (dikunci)",
            "Recommendation list (locked)",
        )),
    )
    .and(Html::status("notice", &by))
    .and(Html::table(
        "recommended",
        ("Usulan yang direkomendasikan", "Recommended nominations"),
        &[
            ("IKM", "IKM"),
            ("Komoditas", "Commodity"),
            ("Nilai akhir", "Final score"),
            ("Bintang", "Stars"),
        ],
        rows,
        lang,
    ))
}

/// "81.25" as a score (0–100, at most two decimals), read without the float parser.
fn parse_score(s: &str) -> Option<Score> {
    let s = s.trim().replace(',', ".");
    let (whole, part) = s.split_once('.').unwrap_or((&s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || part.len() > 2 || !digits(whole) || !digits(part) {
        return None;
    }
    let cents: u32 = format!("{part:0<2}").parse().ok()?;
    Score::from_hundredths(whole.parse::<u32>().ok()?.checked_mul(100)? + cents)
}

/// Moderating one nomination's final score: the new score and why.
fn moderate(board: Board, result: Moderated) -> AnyView {
    let lang = board.lang;
    let score = RwSignal::new(result.final_score.clone());
    let why = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let stale = RwSignal::new(false);
    let (id, version) = (result.id.clone(), result.version);
    let save = move || {
        let lang = lang.get_untracked();
        let Some(value) = parse_score(&score.get_untracked()) else {
            let (id, en) = (
                "Nilai 0 sampai 100, paling banyak dua desimal.",
                "A score from 0 to 100 with at most two decimals.",
            );
            failure.set(Some(t(lang, id, en).into()));
            return;
        };
        let justification = why.get_untracked();
        if justification.trim().chars().count() < MIN_JUSTIFICATION {
            let (id, en) = (
                "Tuliskan alasan, minimal",
                "Give the justification, at least",
            );
            failure.set(Some(format!(
                "{} {MIN_JUSTIFICATION} {}",
                t(lang, id, en),
                t(lang, "karakter.", "characters.")
            )));
            return;
        }
        let moderating = api::moderate(&id, version, value, &justification, lang);
        failure.set(None);
        spawn_local(async move {
            match moderating.await {
                Ok(_) => {
                    board.moderating.set(None);
                    board.reload.update(|n| *n += 1);
                }
                Err(e) if e.status() == 412 => {
                    stale.set(true);
                    let (id, en) = ("Nilai ini baru saja diubah orang lain. Muat ulang peringkat, lalu ulangi.",
                        "Someone changed this score meanwhile. Reload the leaderboard, then try again.");
                    failure.set(Some(t(lang, id, en).into()));
                }
                Err(e) => failure.set(Some(e.details(lang))),
            }
        });
    };
    let again = move || {
        board.moderating.set(None);
        board.reload.update(|n| *n += 1);
    };
    let primary = move || {
        Some(if stale.get() {
            view! { <button type="button" class="primary" on:click=on_click(again)>{tr("Muat ulang peringkat", "Reload the leaderboard")}</button> }.into_any()
        } else {
            view! { <button type="submit" class="primary">{tr("Simpan moderasi", "Save the moderation")}</button> }.into_any()
        })
    };
    view! {
        <form class="moderate" on:submit=on_submit(save) novalidate aria-labelledby="moderate-title">
            <h3 id="moderate-title" tabindex="-1">{tr("Moderasi: ", "Moderation: ")} {result.name.clone()}</h3>
            <p class="context">{tr("Rata-rata para penilai: ", "The assessors' mean: ")} {result.mean.clone()}</p>
            {text_field("moderate-score".into(), ("Nilai akhir setelah moderasi (0–100)", "Final score after moderation (0–100)"), score, 0)}
            {text_field("moderate-why".into(), ("Alasan (minimal 20 karakter)", "Justification (at least 20 characters)"), why, 3)}
            {alert_of(failure)}
            <div class="actions">
                {dyn_opt(primary)}
                <button type="button" on:click=on_click(move || board.moderating.set(None))>{tr("Batal", "Cancel")}</button>
            </div>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::leaderboard;

    #[test]
    fn the_board_ranks_with_spread_stars_and_a_moderation_button_until_the_lock() {
        let open = format!("{:?}", board_html(&leaderboard(false), Lang::Id));
        for part in [
            r#"<th scope=\"row\">1</th><td><a href=\"/usulan/N1\">Anyaman &lt;Jaya&gt; &amp; Co</a></td><td>Anyaman</td><td>91.50 (dimoderasi)</td><td>83.33</td><td>83.33</td><td>16.67</td><td>66.67 – 100.00</td><td>Berbeda jauh</td>"#,
            "★★★</span> Bintang 3",
            r#"data-act=\"moderate\" data-arg=\"N1\">Moderasi"#,
            "80–&lt;85</th><td>1 <span class=\\\"bar\\\" aria-hidden=\\\"true\\\">████████████████████</span>",
            "95–100</th><td>0 <span class=\\\"bar\\\" aria-hidden=\\\"true\\\"></span>",
        ] {
            assert!(open.contains(part), "{part} in {open}");
        }
        assert!(!open.contains("dikunci"), "{open}");
        let m = moderated(&leaderboard(false), "N1").unwrap();
        assert_eq!(
            (m.version, m.mean.as_str(), m.final_score.as_str()),
            (3, "83.33", "91.50")
        );

        let locked = format!("{:?}", board_html(&leaderboard(true), Lang::Id));
        assert!(
            !locked.contains("data-act"),
            "no moderation after the lock: {locked}"
        );
        assert!(locked.contains("Daftar rekomendasi (dikunci)"), "{locked}");
        assert!(
            locked.contains(r#"<a href=\"/penetapan?periode=ovop-2026\">Lanjut ke penetapan</a>"#),
            "{locked}"
        );
        assert!(
            locked.contains("Dikunci oleh admin · 29-11-2026 08:30 WIB"),
            "{locked}"
        );
    }

    #[test]
    fn a_score_is_read_with_at_most_two_decimals() {
        assert_eq!(
            parse_score("91,5").map(|s| s.to_string()),
            Some("91.50".into())
        );
        assert_eq!(
            parse_score(" 100 ").map(|s| s.to_string()),
            Some("100.00".into())
        );
        for bad in ["100.01", "9.999", "", "a", "-1", "1e2"] {
            assert_eq!(parse_score(bad), None, "{bad}");
        }
    }
}
