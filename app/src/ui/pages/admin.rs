//! Administrators' page of the agency's people: invite, change role, disable and enable, and
//! what each role allows. Served in islands mode: the server renders the page, whose forms
//! [`PostForm`] sends (the role and permission controls save as soon as they change).

use crate::api::users::{list_users, ChangeUserRole, InviteUser, SetRolePermission, SetUserActive};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{Directory, RoleSummary, UserSummary};
use crate::ui::forms::LoadError;
use crate::ui::post_form::{FieldSlot, PostForm};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let directory = resource(|| (), |_| list_users());
    let content = move || {
        Suspend::new(async move {
            match directory.await {
                Ok(d) => view! { <Directory directory=d/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading users…"</p> }>{content}</Transition>
    }
}

#[component]
fn Directory(directory: Directory) -> impl IntoView {
    let role_options = directory
        .roles
        .iter()
        .map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> })
        .collect_view();
    let roles = directory.roles.clone();
    view! {
        <DirectoryTable directory/>
        <section class="panel" aria-labelledby="roles-heading">
            <h2 id="roles-heading">"Roles"</h2>
            <p class="hint">"What each role allows. Changes apply to everyone with the role at once."</p>
            <RolesTable roles/>
        </section>
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite a colleague"</h2>
            // Said: the server's answer (to whom the invitation went).
            <PostForm action=InviteUser::url().to_string() done=String::new()
                class="stack-form".to_string()>
                <label for="invite-name">"Name"</label>
                <input id="invite-name" name="name" required aria-describedby="invite-name-error"/>
                <FieldSlot id="invite-name-error" field="name"/>
                <label for="invite-email">"Email"</label>
                <input id="invite-email" name="email" type="email" required aria-describedby="invite-email-error"/>
                <FieldSlot id="invite-email-error" field="email"/>
                <label for="invite-role">"Role"</label>
                <select id="invite-role" name="role_id">{role_options}</select>
                <button type="submit" class="primary">"Send invitation"</button>
            </PostForm>
        </section>
    }
}

fn kind_label(user: &UserSummary) -> String {
    match user.kind {
        UserKind::Agent => user.role_name.clone().unwrap_or_default(),
        UserKind::Contractor => format!(
            "Contractor office · {}",
            user.company_name.clone().unwrap_or_default()
        ),
        UserKind::Technician => format!(
            "Technician · {}",
            user.company_name.clone().unwrap_or_default()
        ),
    }
}

#[component]
fn DirectoryTable(directory: Directory) -> impl IntoView {
    if directory.users.is_empty() {
        return view! { <div class="empty-state"><p>"Nobody yet. Invite a colleague below."</p></div> }
            .into_any();
    }
    let roles = directory.roles.clone();
    let rows = directory
        .users
        .into_iter()
        .map(|user| {
            let role_cell = if user.kind == UserKind::Agent {
                role_select(&user, &roles).into_any()
            } else {
                view! { <span>{kind_label(&user)}</span> }.into_any()
            };
            let (id, name, active) = (user.id, user.name.clone(), user.active);
            let label = if active { "Disable" } else { "Enable" };
            let question = if active {
                format!("Disable {name}? They are signed out at once and cannot sign in until enabled again.")
            } else {
                format!("Enable {name} again?")
            };
            let done = if active {
                format!("{name} is disabled.")
            } else {
                format!("{name} is enabled again.")
            };
            view! {
                <tr class:inactive=!active>
                    <td>{user.name.clone()}</td>
                    <td>{user.email.clone()}</td>
                    <td>{role_cell}</td>
                    <td>{if active { "Active" } else { "Disabled" }}</td>
                    <td>
                        <PostForm action=SetUserActive::url().to_string() done confirm=question
                            key=id.to_string() class="inline-form".to_string()>
                            <input type="hidden" name="user_id" value=id.to_string()/>
                            <input type="hidden" name="active" value=(!active).to_string()/>
                            <button type="submit" class:danger=active
                                aria-label=format!("{label} {name}")>{label}</button>
                        </PostForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"People of the agency and its contractors"</caption>
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Action"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The person's role: saved as soon as another is chosen.
fn role_select(user: &UserSummary, roles: &[RoleSummary]) -> impl IntoView {
    let current = user.role_id;
    let done = format!("{}'s role is changed.", user.name);
    let label = format!("Role of {}", user.name);
    let user_id = user.id.to_string();
    let options = roles
        .iter()
        .map(|r| {
            view! { <option value=r.id.to_string() selected=current == Some(r.id)>{r.name.clone()}</option> }
        })
        .collect_view();
    view! {
        <PostForm action=ChangeUserRole::url().to_string()
            done auto=true key=user_id.clone() class="inline-form".to_string()>
            <input type="hidden" name="user_id" value=user_id/>
            <select name="role_id" aria-label=label>{options}</select>
        </PostForm>
    }
}

fn permission_title(p: Permission) -> &'static str {
    match p {
        Permission::ManageUsers => "Manage users and settings",
        Permission::ManageCertification => "Manage contractor certification",
        Permission::InstructWork => "Instruct work",
        Permission::OverrideCompliance => "Instruct non-compliant contractors",
    }
}

/// What each role allows: a checkbox per permission, saved as soon as it changes. Its form sends
/// the opposite of what the page shows (the box itself has no name): what the box shows once
/// changed.
#[component]
fn RolesTable(roles: Vec<RoleSummary>) -> impl IntoView {
    let header = Permission::ALL
        .iter()
        .map(|p| view! { <th scope="col">{permission_title(*p)}</th> })
        .collect_view();
    let rows = roles
        .into_iter()
        .map(|role| {
            let cells = Permission::ALL
                .iter()
                .map(|&permission| {
                    let allowed = role.permissions.allows(permission);
                    let what = format!("{}: {}", role.name, permission_title(permission));
                    let done = format!("{what}: {}.", if allowed { "no" } else { "yes" });
                    let permission = serde_json::to_value(permission)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    view! {
                        <td>
                            <PostForm action=SetRolePermission::url().to_string() done auto=true
                                key=format!("{}-{permission}", role.id) class="inline-form".to_string()>
                                <input type="hidden" name="role_id" value=role.id.to_string()/>
                                <input type="hidden" name="permission" value=permission/>
                                <input type="hidden" name="allowed" value=(!allowed).to_string()/>
                                <input type="checkbox" checked=allowed aria-label=what/>
                            </PostForm>
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{role.name.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr><th scope="col">"Role"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
