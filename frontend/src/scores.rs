//! A nomination's submitted scores: the aggregate (mean, median, spread, star) and each
//! assessor's sheet — for the admin, and for an assessor once their own sheet is in.

use leptos::prelude::*;
use ovop_core::Lang;

use crate::api;
use crate::i18n::{t, tr};
use crate::resource::load;
use crate::session::AppCtx;
use crate::ui::{at, dynamic, html, items, n, outcome, s, score, two_decimals, Html, Label, Value};

/// The scores of nomination `id`.
pub fn scores(id: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let path = api::nomination_path(&id, "scores");
    let loaded = load(move || path.clone());
    let drawn = move || {
        let l = lang.get();
        html(match loaded.get().map(|a| a.and_then(api::read::<Value>)) {
            None => Html::status("list-status", t(l, "Memuat…", "Loading…")),
            Some(Ok(v)) => scores_view(&v, l),
            // An assessor before their own submit: the others' scores show afterwards.
            Some(Err(e)) if e.code() == "own_score_first" => Html::status("hint", &e.message(l)),
            Some(Err(e)) => Html::el("p", "alert", Html::text(&e.message(l))),
        })
    };
    view! {
        <section class="scores" aria-labelledby="scores-title">
            <h2 id="scores-title">{tr("Nilai para penilai", "The assessors' scores")}</h2>
            {dynamic(drawn)}
        </section>
    }
    .into_any()
}

/// The aggregate and the sheets of a [`ovop_core::dto::selection::ScoresView`].
fn scores_view(v: &Value, lang: Lang) -> Html {
    let a = &v["aggregate"];
    if a.is_null() {
        return Html::status(
            "hint",
            t(
                lang,
                "Belum ada nilai yang dikirim.",
                "No scores submitted yet.",
            ),
        );
    }
    let line = |label: Label, value: Html| vec![Html::text(t(lang, label.0, label.1)), value];
    let summary = vec![
        line(
            ("Jumlah penilai", "Assessors"),
            Html::text(&n(&a["assessors"])),
        ),
        line(
            ("Rata-rata (nilai akhir)", "Mean (final score)"),
            Html::text(&score(&a["mean"])),
        ),
        line(("Median", "Median"), Html::text(&score(&a["median"]))),
        line(
            ("Simpangan baku", "Standard deviation"),
            Html::text(&two_decimals(a["sd"].as_f64().unwrap_or_default())),
        ),
        line(
            ("Terendah – tertinggi", "Lowest – highest"),
            Html::text(&format!("{} – {}", score(&a["min"]), score(&a["max"]))),
        ),
        line(
            ("Bintang", "Stars"),
            Html::outcome(outcome(&a["outcome"]), lang),
        ),
    ];
    let mut out = Html::table(
        "aggregate",
        ("Ringkasan nilai", "Summary of the scores"),
        &[("Ukuran", "Measure"), ("Nilai", "Value")],
        summary,
        lang,
    );
    if a["disagreement"].as_bool() == Some(true) {
        let spread = t(
            lang,
            "Nilai para penilai berbeda jauh (selisih lebih dari 15 poin).",
            "The assessors disagree (more than 15 points apart).",
        );
        out = out.and(Html::el("p", "alert spread", Html::text(spread)));
    }
    let m = &v["result"]["moderation"];
    if m.is_object() {
        let what = t(lang, "Nilai setelah moderasi:", "Moderated score:");
        let line = format!("{what} {} — {}", score(&m["score"]), s(&m["justification"]));
        out = out.and(Html::el("p", "notice", Html::text(&line)));
    }
    let sheets = items(&v["sheets"])
        .iter()
        .map(|sheet| {
            vec![
                Html::text(s(&sheet["assessor"])),
                Html::text(&score(&sheet["score"])),
                Html::text(&at(&sheet["submitted_at"])),
            ]
        })
        .collect();
    out.and(Html::table(
        "sheets",
        ("Lembar nilai yang dikirim", "Submitted sheets"),
        &[
            ("Penilai", "Assessor"),
            ("Nilai", "Score"),
            ("Dikirim", "Submitted"),
        ],
        sheets,
        lang,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scores_show_the_aggregate_its_spread_the_moderation_and_each_sheet() {
        let html = format!("{:?}", scores_view(&crate::fixtures::scores(), Lang::Id));
        for part in [
            "Rata-rata (nilai akhir)</th><td>83.33",
            "Simpangan baku</th><td>16.67",
            "Terendah – tertinggi</th><td>66.67 – 100.00",
            "aria-hidden=\\\"true\\\">★★☆</span> Bintang 2",
            "berbeda jauh",
            "Nilai setelah moderasi: 91.50 — Mutu sampel di atas penilaian awal.",
            "penilai-1</th><td>100.00</td><td>29-11-2026 08:30 WIB",
        ] {
            assert!(html.contains(part), "{part} in {html}");
        }
    }
}
