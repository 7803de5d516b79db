//! The local issuer's pages: the account chooser and its refusals. Plain HTML forms, no
//! script and no inline style (the Content-Security-Policy allows neither), in Bahasa
//! Indonesia or English.

use ovop_core::{Lang, Text};

use crate::accounts::DemoAccount;

/// The pages' stylesheet (`GET /oidc/style.css`), in the web app's colours.
pub const STYLE: &str = r#":root { --ink: #1b2430; --muted: #55606e; --brand: #8a1c1c; --bad: #a12020; --line: #d9dee5; --bg: #f7f8fa; font-family: system-ui, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
body { margin: 0; line-height: 1.5; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.5rem; background: #fff; border-bottom: 3px solid var(--brand); }
.brand { font-size: 1.4rem; letter-spacing: .05em; color: var(--brand); }
a { color: var(--brand); }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { margin-top: 0; }
.context { color: var(--muted); }
fieldset { border: 1px solid var(--line); border-radius: 8px; background: #fff; margin: 1rem 0; padding: 1rem 1.25rem; }
legend { font-weight: 600; padding: 0 .4rem; }
.accounts { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
button { font: inherit; padding: .45rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
button:hover { border-color: var(--brand); }
button:focus-visible, a:focus-visible { outline: 3px solid #2b6cb0; outline-offset: 2px; }
.accounts li { display: flex; }
.account { flex: 1; text-align: left; display: flex; flex-direction: column; justify-content: flex-start; }
.account .name { font-weight: 600; }
.account .role { color: var(--muted); font-size: .9rem; }
.alert { background: #fdecec; color: var(--bad); padding: .6rem .9rem; border-radius: 6px; }
@media (max-width: 40rem) { header { padding: .75rem 1rem; } main { padding: 1rem; } }
"#;

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn t(lang: Lang, id: &str, en: &str) -> String {
    Text::new(id, en).get(lang).to_owned()
}

/// The page frame: language, title, the header with the other language's link.
fn frame(lang: Lang, title: &str, other_lang_href: Option<&str>, body: &str) -> String {
    let switch = match other_lang_href {
        Some(href) => {
            let (code, label) = match lang {
                Lang::Id => ("en", "English"),
                Lang::En => ("id", "Bahasa Indonesia"),
            };
            format!(
                r#"<a href="{}" hreflang="{code}" lang="{code}">{label}</a>"#,
                escape(href)
            )
        }
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} — OVOP</title>
<link rel="stylesheet" href="/oidc/style.css">
</head>
<body>
<header><span class="brand">OVOP</span>{switch}</header>
<main>
{body}
</main>
</body>
</html>
"#,
        lang = lang.code(),
        title = escape(title),
    )
}

/// The account chooser: one submit button per account (its accessible name is the account's
/// name, role and region), the authorization request carried in hidden fields.
pub fn accounts(
    lang: Lang,
    accounts: &[DemoAccount],
    hidden: &[(&str, &str)],
    other_lang_href: &str,
    error: Option<&Text>,
) -> String {
    let title = t(lang, "Masuk ke OVOP", "Sign in to OVOP");
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"context\">{}</p>\n",
        escape(&title),
        escape(&t(
            lang,
            "Penerbit masuk lokal untuk pengembangan: pilih akun demo untuk masuk.",
            "Local sign-in issuer for development: choose a demo account to sign in.",
        )),
    );
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"alert\" role=\"alert\">{}</p>\n",
            escape(error.get(lang))
        ));
    }
    body.push_str("<form method=\"post\" action=\"/oidc/authorize\">\n");
    for (name, value) in hidden {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    body.push_str(&format!(
        "<fieldset>\n<legend>{}</legend>\n<ul class=\"accounts\">\n",
        escape(&t(lang, "Akun demo", "Demo accounts"))
    ));
    for account in accounts {
        let mut role = account.role().label().get(lang).to_owned();
        if let Some(region) = account.region() {
            role.push_str(&format!(" · {} {region}", t(lang, "wilayah", "region")));
        }
        body.push_str(&format!(
            "<li><button type=\"submit\" class=\"account\" name=\"username\" value=\"{}\">\
             <span class=\"name\">{}</span> <span class=\"role\">{} · {}</span></button></li>\n",
            escape(&account.username),
            escape(&account.name),
            escape(&role),
            escape(&account.username),
        ));
    }
    body.push_str("</ul>\n</fieldset>\n</form>");
    frame(lang, &title, Some(other_lang_href), &body)
}

/// A refused request, told on the issuer's own page (never at an unchecked redirect URI).
pub fn refusal(lang: Lang, message: &Text) -> String {
    let title = t(lang, "Permintaan masuk ditolak", "Sign-in request refused");
    let body = format!(
        "<h1>{}</h1>\n<p class=\"alert\" role=\"alert\">{}</p>",
        escape(&title),
        escape(message.get(lang))
    );
    frame(lang, &title, None, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let page = accounts(
            Lang::En,
            &crate::accounts::demo_accounts(),
            &[("state", "\"><script>alert(1)</script>")],
            "/oidc/authorize?lang=id",
            None,
        );
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("<html lang=\"en\">"));
        assert!(!page.contains("style=") && !page.contains("<style"));
    }
}
