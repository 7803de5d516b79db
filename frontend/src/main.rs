//! The OVOP single-page app: Leptos, rendered in the browser, talking to `/api/v1`.

mod api;
mod app;
mod assess;
mod assign;
mod audit;
mod auth;
mod determination;
mod documents;
#[cfg(test)]
mod fixtures;
mod form;
mod i18n;
mod leaderboard;
mod nomination;
mod pages;
mod panels;
mod resource;
mod rounds;
mod scores;
mod selection;
mod session;
mod ui;
mod upload;
mod verification;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
