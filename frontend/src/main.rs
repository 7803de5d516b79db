//! The OVOP single-page app: Leptos, rendered in the browser, talking to `/api/v1`.

mod api;
mod app;
mod auth;
mod documents;
mod form;
mod i18n;
mod pages;
mod resource;
mod rounds;
mod session;
mod upload;
mod verification;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
