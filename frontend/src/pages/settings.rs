//! `/settings` (ADMIN): users and roles, WhatsApp configuration (secrets write-only), WhatsApp
//! templates, data retention. Other roles see a read-only notice.

use atlas_shared_types::whatsapp_config::{
    WhatsappSettingsDto, WhatsappSettingsRequest, WhatsappTemplateDto, WhatsappTemplateRequest,
};
use atlas_shared_types::{CreateUserRequest, FieldError, MemberDto, Page, Role, UpdateUserRequest};
use leptos::prelude::*;

use crate::api::{self, ApiError, Method};
use crate::auth::use_session;
use crate::components::{EmptyState, ErrorBox, Loading};
use crate::format::date_time;
use crate::labels::{field_error_line, role_label};
use crate::layout::use_role;

const ROLES: [Role; 4] = [Role::Admin, Role::Manager, Role::Agent, Role::Viewer];

fn role_from_code(s: &str) -> Option<Role> {
    ROLES.iter().copied().find(|r| r.as_str() == s)
}

/// Number of distinct `{{n}}` placeholders in a template body (what a send must give).
pub fn placeholder_count(body: &str) -> u32 {
    let mut max = 0u32;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                if let Ok(n) = after[..end].trim().parse::<u32>() {
                    max = max.max(n);
                }
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    max
}

/// The message of a failed write: field errors listed, else the problem's text.
fn write_error(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) if p.errors.as_ref().is_some_and(|v| !v.is_empty()) => {
            p.errors.as_deref().unwrap_or_default().iter().map(field_error_line).collect::<Vec<_>>().join(" ; ")
        }
        ApiError::Problem(p) if p.code == "VERSION_CONFLICT" => {
            "Modifié entre-temps par quelqu'un d'autre : rechargez la page puis réessayez.".to_owned()
        }
        ApiError::Problem(p) if p.code == "CONFLICT" => {
            format!("Conflit : {}", p.detail.clone().unwrap_or_else(|| p.title.clone()))
        }
        _ => e.to_string(),
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let role = use_role();
    view! {
        <div class="page settings" data-testid="settings-page">
            <header class="page-header"><h1>"Paramètres"</h1></header>
            {move || match role.get() {
                Role::Admin => view! {
                    <UsersSection />
                    <WhatsappSection />
                    <TemplatesSection />
                    <RetentionSection />
                }.into_any(),
                r => view! {
                    <p class="alert alert--info" data-testid="settings-read-only">
                        {format!("Les paramètres de l'agence (utilisateurs et rôles, WhatsApp, modèles de messages) sont réservés aux administrateurs. Votre rôle : {}.", role_label(r))}
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn UsersSection() -> impl IntoView {
    let session = use_session();
    // A 401 ends the session in the ErrorBox.
    let members = LocalResource::new(move || {
        let _org = session.org_id();
        api::get::<Page<MemberDto>>("/users?size=100")
    });
    let message = RwSignal::new(None::<(bool, String)>);

    let update = move |id: uuid::Uuid, body: UpdateUserRequest, done: String| {
        leptos::task::spawn_local(async move {
            match api::patch::<_, MemberDto>(&format!("/users/{id}"), &body).await {
                Ok(_) => {
                    message.set(Some((true, done)));
                    members.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="users-title" data-testid="settings-users">
            <h2 id="users-title">"Utilisateurs et rôles"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="users-message">{m}</p>
            })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| members.refetch() /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! { <EmptyState title="Aucun membre." /> }.into_any(),
                        Ok(p) => {
                            let rows = p.items.into_iter().map(|m| {
                                let id = m.id;
                                let active = m.active;
                                let name = m.display_name.clone();
                                let name2 = name.clone();
                                let options = ROLES.iter().map(|r| view! {
                                    <option value=r.as_str() selected=*r == m.role>{role_label(*r)}</option>
                                }).collect_view();
                                view! {
                                    <tr data-testid="user-row" data-email=m.email.clone() class:row--inactive=!active>
                                        <td data-label="Nom">{m.display_name.clone()}</td>
                                        <td data-label="E-mail">{m.email.clone()}</td>
                                        <td data-label="Rôle">
                                            <select data-testid="user-role" aria-label=format!("Rôle de {}", m.display_name)
                                                on:change=move |ev| {
                                                    if let Some(role) = role_from_code(&event_target_value(&ev)) {
                                                        update(id, UpdateUserRequest { role: Some(role), active: None },
                                                            format!("Rôle de {name} : {}.", role_label(role)));
                                                    }
                                                }>
                                                {options}
                                            </select>
                                        </td>
                                        <td data-label="État">{if active { "Actif" } else { "Désactivé" }}</td>
                                        <td data-label="Action">
                                            <button type="button" class="button" data-testid="user-toggle-active"
                                                on:click=move |_| update(id, UpdateUserRequest { role: None, active: Some(!active) },
                                                    format!("{name2} : compte {}.", if active { "désactivé" } else { "réactivé" }))>
                                                {if active { "Désactiver" } else { "Réactiver" }}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--stack" data-testid="users-table">
                                        <thead><tr><th>"Nom"</th><th>"E-mail"</th><th>"Rôle"</th><th>"État"</th><th><span class="visually-hidden">"Action"</span></th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <AddUserForm on_added=Callback::new(move |m: MemberDto| {
                message.set(Some((true, format!("{} a été ajouté(e) à l'agence.", m.display_name))));
                members.refetch();
            }) />
        </section>
    }
}

#[component]
fn AddUserForm(on_added: Callback<MemberDto>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("AGENT".to_owned());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if !email.get_untracked().contains('@') {
            problems.push("E-mail : adresse invalide");
        }
        if name.get_untracked().trim().is_empty() {
            problems.push("Nom : obligatoire");
        }
        if password.get_untracked().chars().count() < 8 {
            problems.push("Mot de passe : 8 caractères au moins");
        }
        if !problems.is_empty() {
            error.set(Some(problems.join(" ; ")));
            return;
        }
        let Some(r) = role_from_code(&role.get_untracked()) else { return };
        let body = CreateUserRequest {
            email: email.get_untracked().trim().to_owned(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: r,
        };
        saving.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = api::post::<_, MemberDto>("/users", &body).await;
            saving.set(false);
            match r {
                Ok(m) => {
                    email.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    on_added.run(m);
                }
                Err(e) => error.set(Some(write_error(&e))),
            }
        });
    };
    let options = ROLES.iter().map(|r| view! { <option value=r.as_str()>{role_label(*r)}</option> }).collect_view();
    view! {
        <form class="form inline-form" on:submit=submit data-testid="user-add-form">
            <h3>"Ajouter un membre"</h3>
            <p class="field-hint">"Crée le compte, ou ajoute à l'agence un utilisateur qui existe déjà (son mot de passe reste alors le sien)."</p>
            <div class="field-row field-row--4">
                <div class="field"><label for="user-email">"E-mail"</label>
                    <input id="user-email" type="email" data-testid="user-email" autocomplete="off"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-name">"Nom affiché"</label>
                    <input id="user-name" type="text" data-testid="user-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-password">"Mot de passe initial"</label>
                    <input id="user-password" type="password" data-testid="user-password" autocomplete="new-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="user-role">"Rôle"</label>
                    <select id="user-role" data-testid="user-new-role" prop:value=move || role.get()
                        on:change=move |ev| role.set(event_target_value(&ev))>{options}</select></div>
            </div>
            {move || error.get().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="user-add-error">{e}</p> })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" data-testid="user-add" disabled=move || saving.get()>"Ajouter"</button>
            </div>
        </form>
    }
}

#[component]
fn WhatsappSection() -> impl IntoView {
    let settings = LocalResource::new(move || api::get::<WhatsappSettingsDto>("/settings/whatsapp"));
    let phone = RwSignal::new(String::new());
    let access = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let verify = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WhatsappSettingsRequest {
            phone_number_id: phone.get_untracked().trim().to_owned(),
            access_token: access.get_untracked().trim().to_owned(),
            app_secret: secret.get_untracked().trim().to_owned(),
            verify_token: verify.get_untracked().trim().to_owned(),
        };
        if body.phone_number_id.is_empty()
            || body.access_token.is_empty()
            || body.app_secret.is_empty()
            || body.verify_token.is_empty()
        {
            message.set(Some((false, "Les quatre champs sont obligatoires (les secrets ne sont jamais réaffichés : saisissez-les à nouveau).".to_owned())));
            return;
        }
        saving.set(true);
        leptos::task::spawn_local(async move {
            let r = api::write::<_, WhatsappSettingsDto>(Method::Put, "/settings/whatsapp", &body, None).await;
            saving.set(false);
            match r {
                Ok(_) => {
                    access.set(String::new());
                    secret.set(String::new());
                    verify.set(String::new());
                    message.set(Some((true, "Configuration WhatsApp enregistrée.".to_owned())));
                    settings.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };
    let secret_field = move |id: &'static str, label: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field"><label for=id>{label}</label>
                <input id=id type="password" data-testid=id autocomplete="off" placeholder="••••••• (non réaffiché)"
                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /></div>
        }
    };
    view! {
        <section class="card" aria-labelledby="wa-title" data-testid="settings-whatsapp">
            <h2 id="wa-title">"WhatsApp"</h2>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                        Ok(s) => {
                            if let Some(p) = &s.phone_number_id {
                                if phone.get_untracked().is_empty() { phone.set(p.clone()); }
                            }
                            view! {
                                <p data-testid="wa-state" class=if s.configured { "status status--published" } else { "status status--draft" }>
                                    {if s.configured { "Configuré" } else { "Non configuré" }}
                                </p>
                                {s.updated_at.map(|t| view! { <p class="muted">{format!("Dernière mise à jour : {}", date_time(&t))}</p> })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <form class="form" on:submit=submit data-testid="wa-form">
                <p class="field-hint">"Les secrets sont conservés chiffrés et ne sont jamais réaffichés ; pour modifier la configuration, saisissez les quatre valeurs."</p>
                <div class="field-row">
                    <div class="field"><label for="wa-phone">"Identifiant du numéro (phone_number_id)"</label>
                        <input id="wa-phone" type="text" data-testid="wa-phone" prop:value=move || phone.get()
                            on:input=move |ev| phone.set(event_target_value(&ev)) /></div>
                    {secret_field("wa-access-token", "Jeton d'accès", access)}
                </div>
                <div class="field-row">
                    {secret_field("wa-app-secret", "Secret de l'application", secret)}
                    {secret_field("wa-verify-token", "Jeton de vérification du webhook", verify)}
                </div>
                {move || message.get().map(|(ok, m)| view! {
                    <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="wa-message">{m}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-testid="wa-save" disabled=move || saving.get()>"Enregistrer"</button>
                </div>
            </form>
        </section>
    }
}

const CATEGORIES: [(&str, &str); 3] =
    [("UTILITY", "Utilitaire"), ("MARKETING", "Marketing"), ("AUTHENTICATION", "Authentification")];

fn category_label(c: &str) -> &str {
    CATEGORIES.iter().find(|(k, _)| *k == c).map(|(_, l)| *l).unwrap_or(c)
}

#[component]
fn TemplatesSection() -> impl IntoView {
    let templates =
        LocalResource::new(move || api::get::<Page<WhatsappTemplateDto>>("/whatsapp/templates?size=100&sort=code,asc"));
    // The template being edited (None = creating a new one).
    let editing = RwSignal::new(None::<WhatsappTemplateDto>);
    let form_key = RwSignal::new(0u32);
    let message = RwSignal::new(None::<(bool, String)>);

    let remove = move |code: String| {
        let ok = web_sys::window()
            .and_then(|w| w.confirm_with_message(&format!("Supprimer le modèle « {code} » ?")).ok())
            .unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&code))).await {
                Ok(()) => {
                    message.set(Some((true, format!("Modèle « {code} » supprimé."))));
                    templates.refetch();
                }
                Err(e) => message.set(Some((false, write_error(&e)))),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="tpl-title" data-testid="settings-templates">
            <h2 id="tpl-title">"Modèles de messages WhatsApp"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="tpl-message">{m}</p>
            })}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match templates.await {
                        Err(error) => view! { <ErrorBox error on_retry=move |_| templates.refetch() /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <EmptyState title="Aucun modèle pour l'instant." attr:data-testid="tpl-empty" />
                        }.into_any(),
                        Ok(p) => {
                            let rows = p.items.into_iter().map(|t| {
                                let code = t.code.clone();
                                let t2 = t.clone();
                                view! {
                                    <tr data-testid="tpl-row" data-code=t.code.clone()>
                                        <td data-label="Code" class="mono">{t.code.clone()}</td>
                                        <td data-label="Langue">{t.language.clone()}</td>
                                        <td data-label="Catégorie">{category_label(&t.category).to_owned()}</td>
                                        <td data-label="Texte" class="prewrap">{t.body.clone()}</td>
                                        <td data-label="Paramètres" data-testid="tpl-params">{format!("{} paramètre{}", t.param_count, if t.param_count > 1 { "s" } else { "" })}</td>
                                        <td data-label="Actif">{if t.active { "Oui" } else { "Non" }}</td>
                                        <td data-label="Actions" class="row-actions">
                                            <button type="button" class="button" data-testid="tpl-edit"
                                                on:click=move |_| { editing.set(Some(t2.clone())); form_key.update(|k| *k += 1); }>"Modifier"</button>
                                            <button type="button" class="button button--danger" data-testid="tpl-delete"
                                                on:click=move |_| remove(code.clone())>"Supprimer"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="table table--stack" data-testid="tpl-table">
                                        <thead><tr><th>"Code"</th><th>"Langue"</th><th>"Catégorie"</th><th>"Texte"</th><th>"Paramètres"</th><th>"Actif"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || {
                let _ = form_key.get();
                view! {
                    <TemplateForm existing=editing.get_untracked()
                        on_saved=Callback::new(move |t: WhatsappTemplateDto| {
                            message.set(Some((true, format!("Modèle « {} » enregistré.", t.code))));
                            editing.set(None);
                            form_key.update(|k| *k += 1);
                            templates.refetch();
                        })
                        on_cancel=Callback::new(move |_| { editing.set(None); form_key.update(|k| *k += 1); }) />
                }
            }}
        </section>
    }
}

#[component]
fn TemplateForm(
    existing: Option<WhatsappTemplateDto>,
    on_saved: Callback<WhatsappTemplateDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let is_edit = existing.is_some();
    let version = existing.as_ref().map(|t| t.version);
    let code = RwSignal::new(existing.as_ref().map(|t| t.code.clone()).unwrap_or_default());
    let language = RwSignal::new(existing.as_ref().map(|t| t.language.clone()).unwrap_or_else(|| "fr".to_owned()));
    let category = RwSignal::new(existing.as_ref().map(|t| t.category.clone()).unwrap_or_else(|| "UTILITY".to_owned()));
    let body = RwSignal::new(existing.as_ref().map(|t| t.body.clone()).unwrap_or_default());
    let active = RwSignal::new(existing.as_ref().map(|t| t.active).unwrap_or(true));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked().trim().to_owned();
        let b = body.get_untracked();
        if c.is_empty() || b.trim().is_empty() || language.get_untracked().trim().is_empty() {
            error.set(Some("Code, langue et texte sont obligatoires.".to_owned()));
            return;
        }
        let req = WhatsappTemplateRequest {
            code: Some(c.clone()),
            language: language.get_untracked().trim().to_owned(),
            category: category.get_untracked(),
            body: b,
            active: Some(active.get_untracked()),
            version: None,
        };
        saving.set(true);
        error.set(None);
        errors.set(Vec::new());
        leptos::task::spawn_local(async move {
            let r = if is_edit {
                api::write::<_, WhatsappTemplateDto>(
                    Method::Put,
                    &format!("/whatsapp/templates/{}", js_sys::encode_uri_component(&c)),
                    &req,
                    version,
                )
                .await
                .map(|w| w.body)
            } else {
                api::post::<_, WhatsappTemplateDto>("/whatsapp/templates", &req).await
            };
            saving.set(false);
            match r {
                Ok(t) => on_saved.run(t),
                Err(e) => error.set(Some(write_error(&e))),
            }
        });
    };
    let options = CATEGORIES
        .iter()
        .map(|(k, l)| view! { <option value=*k selected=move || category.get() == *k>{*l}</option> })
        .collect_view();
    view! {
        <form class="form inline-form" on:submit=submit data-testid="tpl-form">
            <h3>{if is_edit { "Modifier le modèle" } else { "Nouveau modèle" }}</h3>
            <div class="field-row field-row--3">
                <div class="field"><label for="tpl-code">"Code"</label>
                    <input id="tpl-code" type="text" data-testid="tpl-code" disabled=is_edit
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-language">"Langue"</label>
                    <input id="tpl-language" type="text" data-testid="tpl-language"
                        prop:value=move || language.get() on:input=move |ev| language.set(event_target_value(&ev)) /></div>
                <div class="field"><label for="tpl-category">"Catégorie"</label>
                    <select id="tpl-category" data-testid="tpl-category" prop:value=move || category.get()
                        on:change=move |ev| category.set(event_target_value(&ev))>{options}</select></div>
            </div>
            <div class="field"><label for="tpl-body">"Texte"</label>
                <textarea id="tpl-body" rows="3" data-testid="tpl-body" placeholder="Bonjour {{1}}, votre rendez-vous est confirmé le {{2}}."
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p class="field-hint" data-testid="tpl-placeholder-count">
                    {move || { let n = placeholder_count(&body.get()); format!("{n} paramètre{} ({{{{1}}}} … {{{{n}}}})", if n > 1 { "s" } else { "" }) }}
                </p>
            </div>
            <label class="checkbox"><input type="checkbox" data-testid="tpl-active" prop:checked=move || active.get()
                on:change=move |ev| active.set(event_target_checked(&ev)) />" Actif"</label>
            {move || error.get().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="tpl-error">{e}</p> })}
            <div class="form-actions">
                {is_edit.then(|| view! { <button type="button" class="button button--ghost" on:click=move |_| on_cancel.run(())>"Annuler"</button> })}
                <button type="submit" class="button button--primary" data-testid="tpl-save" disabled=move || saving.get()>"Enregistrer"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_counted_by_their_highest_number() {
        assert_eq!(placeholder_count("Bonjour"), 0);
        assert_eq!(placeholder_count("Bonjour {{1}}, rdv le {{2}} à {{3}}"), 3);
        assert_eq!(placeholder_count("{{1}} et encore {{1}}"), 1);
        assert_eq!(placeholder_count("{{2}} {{ 1 }} {{x}} {{"), 2);
    }

    #[test]
    fn roles_parse_from_wire_names() {
        assert_eq!(role_from_code("MANAGER"), Some(Role::Manager));
        assert_eq!(role_from_code("nope"), None);
    }
}

// ---------------------------------------------------------------------------------------------
// Retention (PRODUCT.md §12): « Conservation des données ». Self-contained: its own imports, state
// and validation, shown by the one line `<RetentionSection />` above.

mod retention_ui {
    use atlas_shared_types::retention::{
        RetentionSettingsDto, ANONYMISE_DAYS_MIN, AUDIT_DAYS_MIN, DAYS_MAX, MESSAGE_CONTENT_DAYS_MIN,
    };
    use leptos::prelude::*;

    use crate::api::{self, ApiError, Method};
    use crate::components::{use_toasts, ErrorBox, Loading};
    use crate::labels::api_field_message as field_message;

    /// (API field, input id / data-testid, label, minimum, hint)
    const FIELDS: [(&str, &str, &str, i64, &str); 3] = [
        (
            "messageContentDays",
            "retention-message-days",
            "Contenu des messages (jours)",
            MESSAGE_CONTENT_DAYS_MIN,
            "Au-delà, le texte des messages est remplacé par « [contenu supprimé — conservation] » ; la trace du message (canal, sens, date) reste.",
        ),
        (
            "auditDays",
            "retention-audit-days",
            "Journal d'audit (jours)",
            AUDIT_DAYS_MIN,
            "Les événements d'audit plus anciens sont supprimés (30 jours minimum).",
        ),
        (
            "closedDossierAnonymiseDays",
            "retention-anonymise-days",
            "Anonymisation des dossiers clos (jours)",
            ANONYMISE_DAYS_MIN,
            "Dossiers gagnés ou perdus depuis plus longtemps : nom, téléphone, e-mail, notes, parties prenantes et messages effacés ; statuts et dates conservés.",
        ),
    ];

    /// An input's value: empty = keep forever (`None`); otherwise a whole number of days within
    /// the server's bounds (the same as `atlas-domain`'s).
    pub fn parse_days(raw: &str, min: i64) -> Result<Option<i64>, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<i64>() {
            Ok(n) if (min..=DAYS_MAX).contains(&n) => Ok(Some(n)),
            _ => {
                Err(format!("un nombre entier de jours entre {min} et {DAYS_MAX}, ou vide pour conserver indéfiniment"))
            }
        }
    }

    fn shown(v: Option<i64>) -> String {
        v.map(|n| n.to_string()).unwrap_or_default()
    }

    #[component]
    pub fn RetentionSection() -> impl IntoView {
        let toasts = use_toasts();
        // A 401 here ends the session through the ErrorBox below.
        let settings = LocalResource::new(|| api::get::<RetentionSettingsDto>("/settings/retention"));
        // type="text" (not "number"): a browser gives "" for a malformed number, which would read as
        // "keep forever"; the raw text is validated here instead.
        let values: [RwSignal<String>; 3] = std::array::from_fn(|_| RwSignal::new(String::new()));
        let errors: [RwSignal<Option<String>>; 3] = std::array::from_fn(|_| RwSignal::new(None));
        let general = RwSignal::new(None::<String>);
        let saving = RwSignal::new(false);
        let loaded = RwSignal::new(false);
        let fill = move |s: &RetentionSettingsDto| {
            values[0].set(shown(s.message_content_days));
            values[1].set(shown(s.audit_days));
            values[2].set(shown(s.closed_dossier_anonymise_days));
        };
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            general.set(None);
            let mut parsed = [None; 3];
            let mut ok = true;
            for (i, (_, _, _, min, _)) in FIELDS.iter().enumerate() {
                match parse_days(&values[i].get_untracked(), *min) {
                    Ok(v) => {
                        parsed[i] = v;
                        errors[i].set(None);
                    }
                    Err(m) => {
                        ok = false;
                        errors[i].set(Some(m));
                    }
                }
            }
            if !ok {
                return;
            }
            let body = RetentionSettingsDto {
                message_content_days: parsed[0],
                audit_days: parsed[1],
                closed_dossier_anonymise_days: parsed[2],
            };
            saving.set(true);
            leptos::task::spawn_local(async move {
                let r = api::write::<_, RetentionSettingsDto>(Method::Put, "/settings/retention", &body, None).await;
                saving.set(false);
                match r {
                    Ok(w) => {
                        fill(&w.body);
                        toasts.success("Règles de conservation enregistrées.");
                    }
                    Err(ApiError::Problem(p)) if p.errors.as_ref().is_some_and(|v| !v.is_empty()) => {
                        let mut other = Vec::new();
                        for e in p.errors.as_deref().unwrap_or_default() {
                            match FIELDS.iter().position(|f| f.0 == e.field) {
                                Some(i) => errors[i].set(Some(field_message(&e.message))),
                                None => other.push(format!("{} : {}", e.field, field_message(&e.message))),
                            }
                        }
                        if !other.is_empty() {
                            general.set(Some(other.join(" ; ")));
                        }
                        toasts.error("Règles de conservation non enregistrées : vérifiez les champs.");
                    }
                    Err(e) => {
                        general.set(Some(e.to_string()));
                        toasts.error(format!("Échec de l'enregistrement : {e}"));
                    }
                }
            });
        };
        view! {
            <section class="card" aria-labelledby="retention-title" data-testid="settings-retention">
                <h2 id="retention-title">"Conservation des données"</h2>
                <p class="field-hint">
                    "Appliquées chaque jour par le serveur. Laissez un champ vide pour conserver indéfiniment. \
                     Chaque purge est tracée dans le journal d'audit (RETENTION_PURGE)."
                </p>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match settings.await {
                            Err(error) => view! { <ErrorBox error on_retry=move |_| settings.refetch() /> }.into_any(),
                            Ok(s) => {
                                if !loaded.get_untracked() {
                                    loaded.set(true);
                                    fill(&s);
                                }
                                view! {
                                    <form class="form" on:submit=submit data-testid="retention-form" novalidate=true>
                                        {FIELDS.iter().enumerate().map(|(i, (_, id, label, _, hint))| {
                                            let (value, error) = (values[i], errors[i]);
                                            let hint_id = format!("{id}-hint");
                                            let error_id = format!("{id}-error");
                                            view! {
                                                <div class="field">
                                                    <label for=*id>{*label}</label>
                                                    <input id=*id type="text" inputmode="numeric" autocomplete="off"
                                                        data-testid=*id placeholder="Conserver indéfiniment"
                                                        aria-describedby=format!("{hint_id} {error_id}")
                                                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                                                        prop:value=move || value.get()
                                                        on:input=move |ev| { value.set(event_target_value(&ev)); error.set(None); } />
                                                    <p class="field-hint" id=hint_id>{*hint}</p>
                                                    {move || error.get().map(|m| view! {
                                                        <p class="field-error" role="alert" id=error_id.clone()
                                                            data-testid=format!("{id}-error")>{m}</p>
                                                    })}
                                                </div>
                                            }
                                        }).collect_view()}
                                        {move || general.get().map(|m| view! {
                                            <p class="alert alert--error" role="alert" data-testid="retention-error">{m}</p>
                                        })}
                                        <div class="form-actions">
                                            <button type="submit" class="button button--primary" data-testid="retention-save"
                                                disabled=move || saving.get()>
                                                {move || if saving.get() { "Enregistrement…" } else { "Enregistrer" }}
                                            </button>
                                        </div>
                                    </form>
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </section>
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn days_mirror_the_server_bounds() {
            assert_eq!(parse_days("", 1), Ok(None));
            assert_eq!(parse_days("  ", 30), Ok(None));
            assert_eq!(parse_days("30", 30), Ok(Some(30)));
            assert!(parse_days("29", 30).is_err());
            assert!(parse_days("0", 1).is_err());
            assert!(parse_days("-1", 1).is_err());
            assert!(parse_days("1.5", 1).is_err());
            assert!(parse_days("abc", 1).is_err());
            assert!(parse_days("36501", 1).is_err());
        }
    }
}

use retention_ui::RetentionSection;
