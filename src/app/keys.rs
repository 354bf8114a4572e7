//! What each key does, depending on what is on screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::input::{Edit, LineInput};
use super::keymap::{action_of, Action};
use super::{App, Effect, Modal, Purpose};

pub(super) fn handle(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    if app.modal.is_some() {
        return modal_key(app, key);
    }
    if let Some(b) = &app.browser {
        if key.code == KeyCode::Char('?') && b.mode == super::s3::Mode::Browse {
            app.modal = Some(Modal::Help);
            return Vec::new();
        }
        return app.browser_key(key);
    }
    if app.list.filtering {
        filter_key(app, key);
        return Vec::new();
    }
    match action_of(key.code) {
        Some(action) => list_action(app, action),
        None => Vec::new(),
    }
}

/// A key in the IAM Identity Center window: `y` copies the page (the window stays), Esc or `q`
/// cancels the sign-in and the authentication waiting for it.
fn sso_login_key(app: &mut App, key: KeyEvent, req: super::RequestId, url: String) -> Vec<Effect> {
    match key.code {
        KeyCode::Char('y') => vec![Effect::Copy(crate::domain::text::SecretText::new(
            url.as_str(),
        ))],
        KeyCode::Esc | KeyCode::Char('q') => {
            app.modal = None;
            app.pending = None;
            app.status = Some(super::Status::Info("sign-in cancelled".into()));
            vec![Effect::Cancel(req)]
        }
        _ => Vec::new(),
    }
}

/// The answer to a question that starts `purpose` on `target` when it is yes.
fn confirmed(
    app: &mut App,
    yes: bool,
    target: std::sync::Arc<crate::domain::Target>,
    purpose: Purpose,
) -> Vec<Effect> {
    app.modal = None;
    if yes {
        app.authenticate(target, purpose, None)
    } else {
        Vec::new()
    }
}

/// A key while a window is open: it answers the window.
fn modal_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
    match &mut app.modal {
        Some(Modal::Help | Modal::Log) | None => {
            app.modal = None;
            Vec::new()
        }
        Some(Modal::Portal(_)) => super::portal::key(app, key),
        Some(Modal::ConfirmPopulate { target, .. }) => {
            let target = std::sync::Arc::clone(target);
            confirmed(app, yes, target, Purpose::Populate)
        }
        Some(Modal::ConfirmRevoke { target, .. }) => {
            let target = std::sync::Arc::clone(target);
            confirmed(app, yes, target, Purpose::Revoke)
        }
        Some(Modal::SsoLogin { req, url, .. }) => {
            let (req, url) = (*req, url.clone());
            sso_login_key(app, key, req, url)
        }
        Some(Modal::Link { url, .. }) => {
            let url = url.clone();
            app.modal = None;
            if matches!(key.code, KeyCode::Char('y')) {
                vec![Effect::Copy(url)]
            } else {
                Vec::new()
            }
        }
        Some(Modal::ConfirmForget { target, .. }) => {
            let target = std::sync::Arc::clone(target);
            app.modal = None;
            if yes {
                app.forget(target)
            } else {
                Vec::new()
            }
        }
        Some(Modal::ConfirmForgetAll) => {
            app.modal = None;
            if !yes {
                return Vec::new();
            }
            app.status = Some(super::Status::Info("forgetting every session…".into()));
            vec![Effect::Forget(None)]
        }
        Some(Modal::ConfirmProd { target, purpose }) => {
            let (target, purpose) = (std::sync::Arc::clone(target), *purpose);
            app.modal = None;
            if yes {
                return app.authenticate(target, purpose, None);
            }
            app.run_for = None; // the long run was not started
            Vec::new()
        }
        Some(Modal::RunFor { input, error }) => {
            match input.key(key) {
                Edit::Cancel => app.modal = None,
                Edit::Submit => {
                    let text = input.text().to_owned();
                    return app.submit_run_for(&text);
                }
                Edit::Changed => *error = None,
                Edit::Refused | Edit::Other => {}
            }
            Vec::new()
        }
        Some(Modal::Mfa(prompt)) => {
            // The last message (e.g. "code rejected") stays until the next code is sent.
            match prompt.input.key(key) {
                Edit::Cancel => return app.abandon(),
                Edit::Submit => return app.submit_mfa(),
                Edit::Refused => prompt.error = Some("an MFA code is exactly 6 digits".into()),
                Edit::Changed | Edit::Other => {}
            }
            Vec::new()
        }
    }
}

/// A key while the filter is typed: it edits the filter; Up and Down still move.
fn filter_key(app: &mut App, key: KeyEvent) {
    let mut field = LineInput::with_text(&app.list.filter);
    match field.key(key) {
        Edit::Cancel => {
            app.list.filtering = false;
            app.list.set_filter(String::new());
        }
        Edit::Submit => app.list.filtering = false,
        Edit::Changed => app.list.set_filter(field.text().to_owned()),
        Edit::Other if key.code == KeyCode::Up => app.list.move_by(-1),
        Edit::Other if key.code == KeyCode::Down => app.list.move_by(1),
        Edit::Other | Edit::Refused => {}
    }
}

/// An action of the profile list.
fn list_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Help => open(app, Modal::Help),
        Action::Messages => open(app, Modal::Log),
        Action::ForgetAll => open(app, Modal::ConfirmForgetAll),
        Action::Quit => vec![Effect::Quit],
        Action::Escape if app.pending.is_some() => app.abandon(),
        // `pick`: Esc leaves the calling shell as it was.
        Action::Escape if app.picking && app.list.filter.is_empty() => vec![Effect::Quit],
        Action::Escape => {
            if !app.list.filter.is_empty() {
                app.list.set_filter(String::new());
            }
            Vec::new()
        }
        Action::Filter => {
            app.list.filtering = true;
            Vec::new()
        }
        Action::Move(delta) => move_by(app, delta),
        Action::Shell if app.picking => app.start(Purpose::Pick, false),
        Action::Shell => app.start(Purpose::Shell, false),
        Action::Identify => app.start(Purpose::Identify, false),
        Action::S3 => app.start(Purpose::S3, false),
        Action::Console => app.start(Purpose::Console, false),
        Action::Revoke => app.ask_revoke(),
        Action::Populate => app.ask_populate(),
        Action::Portal => app.ask_portal(),
        Action::LongRun => app.ask_run_for(),
        Action::Forget => app.forget_selected(),
        Action::ToggleOrder => {
            let said = if !app.list.toggle_order() {
                "no profile used yet: the list is grouped by account"
            } else if app.list.recent_first {
                "recent first (t: grouped by account)"
            } else {
                "grouped by account (t: recent first)"
            };
            app.status = Some(super::Status::Info(said.into()));
            Vec::new()
        }
        Action::ToggleDetail if app.width >= super::WIDE => {
            let said = "Tab: at this width the plan is already beside the list";
            app.status = Some(super::Status::Info(said.into()));
            Vec::new()
        }
        Action::ToggleDetail => {
            app.show_detail = !app.show_detail;
            Vec::new()
        }
    }
}

fn open(app: &mut App, modal: Modal) -> Vec<Effect> {
    app.modal = Some(modal);
    Vec::new()
}

/// Moving on clears the last message, so the key hints come back (an error of the profile the
/// user is still on stays until they move).
fn move_by(app: &mut App, delta: isize) -> Vec<Effect> {
    let before = app.list.selected().map(|r| r.index);
    app.list.move_by(delta);
    if app.list.selected().map(|r| r.index) != before && app.pending.is_none() {
        app.status = None;
    }
    Vec::new()
}
