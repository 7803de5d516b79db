//! The admin's editor of a round's panels: each panel's id, name, scope (the ministry's, or
//! one province's nominations) and members, one per line — user id, name, and the office
//! region of an assessor who works for a regency or province office. Saved as one record.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use ovop_core::panel::{Panel, PanelMember, PanelScope, PanelsForm};
use ovop_core::region::{provinces, ProvinceCode};
use ovop_core::Lang;

use crate::api::{self, ApiFailure};
use crate::i18n::{t, tr};
use crate::session::AppCtx;
use crate::ui::{
    alert_of, dyn_text, dynamic, items, notice_of, on_click, on_submit, on_value, s, text_field,
    Value,
};

/// A panel as the form holds it.
#[derive(Clone, Copy)]
struct Draft {
    id: RwSignal<String>,
    name: RwSignal<String>,
    /// The province's code; empty for the ministry's panel.
    province: RwSignal<String>,
    /// One member a line: `user id; name; region` (region optional).
    members: RwSignal<String>,
}

impl Draft {
    /// A [`Panel`] as the server sent it.
    fn of(p: &Value) -> Draft {
        let members = items(&p["members"]).iter().map(|m| {
            let line = format!("{}; {}", s(&m["user_id"]), s(&m["name"]));
            match s(&m["region"]) {
                "" => line,
                region => format!("{line}; {region}"),
            }
        });
        Draft {
            id: RwSignal::new(s(&p["id"]).to_owned()),
            name: RwSignal::new(s(&p["name"]).to_owned()),
            province: RwSignal::new(s(&p["scope"]["province"]).to_owned()),
            members: RwSignal::new(members.collect::<Vec<_>>().join("\n")),
        }
    }

    fn panel(self) -> Panel {
        let members = self.members.with_untracked(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|line| {
                    let mut part = line.split(';').map(|p| p.trim().to_owned());
                    PanelMember {
                        user_id: part.next().unwrap_or_default(),
                        name: part.next().unwrap_or_default(),
                        region: part.next().filter(|r| !r.is_empty()),
                    }
                })
                .collect()
        });
        Panel {
            id: self.id.get_untracked().trim().to_owned(),
            name: self.name.get_untracked(),
            scope: match ProvinceCode::parse(&self.province.get_untracked()) {
                Ok(province) => PanelScope::Province { province },
                Err(_) => PanelScope::Ministry,
            },
            members,
        }
    }
}

/// The editor of the round's panels.
pub fn panels_editor(round: String) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let round = StoredValue::new(round);
    let drafts = RwSignal::new(None::<Vec<Draft>>);
    let version = StoredValue::new(0u64);
    let failure = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    // Shows the panels as the server holds them (`answer`: to a read or a save); true if so.
    let apply = move |answer: api::Answer, lang: Lang| match answer.and_then(api::read::<Value>) {
        Ok(p) => {
            version.try_set_value(p["version"].as_u64().unwrap_or(0));
            drafts.set(Some(items(&p["panels"]).iter().map(Draft::of).collect()));
            true
        }
        Err(e) => {
            // A problem names fields as `panels[0].members[1].user_id`: listed with it.
            let mut message = e.message(lang);
            if let ApiFailure::Problem(p) = &e {
                for (field, text) in &p.errors {
                    message.push_str(&format!(" {field}: {text}"));
                }
            }
            failure.set(Some(message));
            false
        }
    };
    let reload = move || {
        let (path, lang) = (
            api::round_path(&round.get_value(), "panels"),
            lang.get_untracked(),
        );
        spawn_local(async move {
            apply(
                api::fetch(Method::GET, path, lang, Vec::new(), None).await,
                lang,
            );
        });
    };
    reload();
    let save = move || {
        let lang = lang.get_untracked();
        let panels = drafts.with_untracked(|d| d.iter().flatten().map(|d| d.panel()).collect());
        let saving = api::save_panels(
            &round.get_value(),
            version.get_value(),
            &PanelsForm { panels },
            lang,
        );
        failure.set(None);
        notice.set(None);
        spawn_local(async move {
            let answer = saving.await;
            let stale = matches!(&answer, Err(e) if e.status() == 412);
            if apply(answer, lang) {
                notice.set(Some(t(lang, "Panel tersimpan.", "Panels saved.").into()));
            } else if stale {
                reload();
            }
        });
    };
    let add = move || {
        drafts.update(|d| d.get_or_insert_with(Vec::new).push(Draft::of(&Value::Null)));
    };
    let editor = move || match drafts.get() {
        None => ().into_any(),
        Some(d) if d.is_empty() => {
            view! { <p class="list-status">{tr("Belum ada panel.", "No panels yet.")}</p> }
                .into_any()
        }
        Some(d) => d
            .into_iter()
            .enumerate()
            .map(|(i, d)| panel_view(drafts, i, d))
            .collect_view()
            .into_any(),
    };
    view! {
        <form class="panels" on:submit=on_submit(save) novalidate aria-labelledby="panels-title">
            <h2 id="panels-title">{tr("Panel penilai", "Assessment panels")}</h2>
            <p class="hint">{tr("Wilayah kantor (mis. 33 atau 33.74): penilai tidak menilai usulan dari daerahnya sendiri.",
                "Office region (e.g. 33 or 33.74): an assessor does not assess their own region.")}</p>
            {notice_of(notice)}
            {alert_of(failure)}
            {dynamic(editor)}
            <div class="actions">
                <button type="button" on:click=on_click(add)>{tr("+ Panel", "+ Panel")}</button>
                <button type="submit" class="primary">{tr("Simpan panel", "Save the panels")}</button>
            </div>
        </form>
    }
    .into_any()
}

fn panel_view(drafts: RwSignal<Option<Vec<Draft>>>, i: usize, d: Draft) -> AnyView {
    let lang = AppCtx::use_ctx().lang;
    let dom = format!("panel-{i}");
    let number = i + 1;
    let chosen = d.province.get_untracked();
    let remove = move || {
        drafts.update(|d| {
            d.iter_mut().for_each(|d| {
                d.remove(i);
            })
        })
    };
    let options = provinces().iter().map(|pr| {
        let code = pr.code.as_str();
        view! { <option value=code selected=chosen == code>{format!("{} ({code})", pr.name)}</option> }
    });
    let remove_label = move || format!("{} {number}", t(lang.get(), "Hapus panel", "Remove panel"));
    view! {
        <fieldset class="panel" data-panel=number>
            <legend>{format!("Panel {number}")}</legend>
            {text_field(format!("{dom}-id"), ("Id panel (huruf kecil, angka, tanda hubung)", "Panel id (lowercase letters, digits, hyphens)"), d.id, 0)}
            {text_field(format!("{dom}-name"), ("Nama panel", "Panel name"), d.name, 0)}
            <div class="field">
                <label for=format!("{dom}-scope")>{tr("Cakupan", "Scope")}</label>
                <select id=format!("{dom}-scope") on:change=on_value(move |v| d.province.set(v))>
                    <option value="" selected=chosen.is_empty()>{tr("Kementerian (semua usulan)", "Ministry (all nominations)")}</option>
                    {options.collect_view()}
                </select>
            </div>
            {text_field(format!("{dom}-members"), ("Anggota: satu per baris — id pengguna; nama; wilayah kantor (bila ada)",
                "Members, one a line: user id; name; office region (if any)"), d.members, 4)}
            <div class="actions">
                <button type="button" class="danger" on:click=on_click(remove)>{dyn_text(remove_label)}</button>
            </div>
        </fieldset>
    }
    .into_any()
}
