//! Desktop notifications for calls: an incoming call (with Answer and Decline buttons where the
//! notification server offers actions) and a missed one.
//!
//! Notifications are a courtesy, never a requirement: a machine without a notification server
//! (a headless box, a bare window manager) only gets a log line, and the phone goes on. Each
//! notification lives on a thread of its own, since the freedesktop calls block and the GUI's
//! update loop must not.
//!
//! What is shown comes partly from the network (the caller's display name), and servers may read
//! the body as markup, so it is cleaned and escaped first.

use tokio::sync::{mpsc, oneshot};

use crate::core::sip::uri::{NameAddr, Scheme};

/// The application id, which servers use to find linekey's icon and settings.
const APP_ID: &str = "io.github.linekey.Linekey";

/// Longest caller text shown; display names from the network can be any length.
const MAX_CALLER: usize = 80;

/// What the user chose in an incoming call's notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The Answer button.
    Answer,
    /// The Decline button.
    Decline,
    /// The notification itself was clicked: bring the window forward.
    Show,
}

/// An incoming call's notification. Dropping it (or `close`) withdraws the notification, which
/// is what to do when the call is answered here or elsewhere, or ends.
#[derive(Debug)]
pub struct Incoming {
    /// The user's choice, at most one; ends without one when the notification goes away.
    pub actions: mpsc::UnboundedReceiver<Action>,
    // Dropping the sender is the signal to withdraw the notification.
    _close: oneshot::Sender<()>,
}

impl Incoming {
    /// Withdraws the notification.
    pub fn close(self) {}
}

/// Shows that `caller` (a From header value or URI) is calling on line `line`; the returned
/// handle delivers the user's choice.
pub fn incoming(caller: &str, line: u32) -> Incoming {
    let (summary, body) = incoming_text(caller, line);
    let (action_tx, actions) = mpsc::unbounded_channel();
    let (close, close_rx) = oneshot::channel();
    spawn("incoming", move || {
        backend::incoming(&summary, &body, action_tx, close_rx)
    });
    Incoming {
        actions,
        _close: close,
    }
}

/// Shows that a call from `caller` was missed.
pub fn missed(caller: &str) {
    let (summary, body) = missed_text(caller);
    spawn("missed", move || backend::missed(&summary, &body));
}

/// Summary and body for an incoming call.
pub fn incoming_text(caller: &str, line: u32) -> (String, String) {
    let summary = crate::i18n::tr_with("notify-incoming", &[("line", line.into())]);
    (summary, caller_text(caller))
}

/// Summary and body for a missed call.
pub fn missed_text(caller: &str) -> (String, String) {
    (crate::i18n::tr("notify-missed"), caller_text(caller))
}

/// The caller as a person reads it: `Bob (bob@example.com)` for `"Bob" <sip:bob@example.com>`,
/// the number for `tel:`, the text itself (cleaned) when it is not an address; markup escaped.
pub fn caller_text(caller: &str) -> String {
    let text = match NameAddr::parse(caller) {
        Ok(addr) => {
            let uri = &addr.uri;
            let address = match (uri.scheme, &uri.user) {
                (Scheme::Tel, Some(number)) => number.clone(),
                (_, Some(user)) => format!("{user}@{}", uri.host),
                (_, None) => uri.host.clone(),
            };
            match addr.display_name.as_deref().map(str::trim) {
                Some(name) if !name.is_empty() && name != address => {
                    format!("{name} ({address})")
                }
                _ => address,
            }
        }
        Err(_) => caller.to_owned(),
    };
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    let clean = if clean.is_empty() {
        crate::i18n::tr("notify-unknown-caller")
    } else if clean.chars().count() > MAX_CALLER {
        format!("{}…", clean.chars().take(MAX_CALLER).collect::<String>())
    } else {
        clean.to_owned()
    };
    escape_markup(&clean)
}

/// Escapes what freedesktop body markup would interpret.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Runs `work` on its own thread; a notification that cannot even get a thread is logged.
fn spawn(what: &str, work: impl FnOnce() -> Result<(), String> + Send + 'static) {
    let what = what.to_owned();
    let spawned = std::thread::Builder::new()
        .name(format!("linekey-notify-{what}"))
        .spawn(move || {
            if let Err(e) = work() {
                tracing::warn!("no {what} call notification: {e}");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("no call notification: {e}");
    }
}

/// The freedesktop notification server over D-Bus (pure Rust zbus), with actions.
#[cfg(all(unix, not(target_os = "macos")))]
mod backend {
    use futures_lite::future;
    use notify_rust::{Hint, Notification, NotificationResponse, Timeout, Urgency};
    use tokio::sync::{mpsc, oneshot};

    use super::{Action, APP_ID};

    fn base(summary: &str, body: &str, category: &str) -> Notification {
        let mut n = Notification::new();
        n.appname("linekey")
            .summary(summary)
            .body(body)
            .icon(APP_ID)
            .hint(Hint::DesktopEntry(APP_ID.to_owned()))
            .hint(Hint::Category(category.to_owned()));
        n
    }

    pub fn incoming(
        summary: &str,
        body: &str,
        actions: mpsc::UnboundedSender<Action>,
        close: oneshot::Receiver<()>,
    ) -> Result<(), String> {
        let mut n = base(summary, body, "call.incoming");
        n.urgency(Urgency::Critical).timeout(Timeout::Never);
        // Buttons only where the server draws them; elsewhere the window has its own.
        let capabilities = notify_rust::get_capabilities().map_err(|e| e.to_string())?;
        if capabilities.iter().any(|c| c == "actions") {
            n.action("default", "Show")
                .action("answer", "Answer")
                .action("decline", "Decline");
        }
        let handle = n.show().map_err(|e| e.to_string())?;
        future::block_on(future::or(
            handle.wait_for_action_async(|response| {
                let action = match response {
                    NotificationResponse::Action(a) if a == "answer" => Some(Action::Answer),
                    NotificationResponse::Action(a) if a == "decline" => Some(Action::Decline),
                    NotificationResponse::Default => Some(Action::Show),
                    NotificationResponse::Action(a) if a == "default" => Some(Action::Show),
                    _ => None,
                };
                if let Some(action) = action {
                    let _ = actions.send(action);
                }
            }),
            async {
                // Sent or dropped alike: the call no longer rings here.
                let _ = close.await;
            },
        ));
        // A choice was made or the call stopped ringing: either way the notification goes, on
        // servers that keep it after an action too.
        handle.close();
        Ok(())
    }

    pub fn missed(summary: &str, body: &str) -> Result<(), String> {
        base(summary, body, "call.unanswered")
            .show()
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// macOS and Windows: a plain notification, without buttons (the window has them).
#[cfg(not(all(unix, not(target_os = "macos"))))]
mod backend {
    use tokio::sync::{mpsc, oneshot};

    use super::Action;

    pub fn incoming(
        summary: &str,
        body: &str,
        _actions: mpsc::UnboundedSender<Action>,
        _close: oneshot::Receiver<()>,
    ) -> Result<(), String> {
        missed(summary, body)
    }

    pub fn missed(summary: &str, body: &str) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("linekey")
            .summary(summary)
            .body(body)
            .show()
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_read_like_people() {
        assert_eq!(
            caller_text("\"Bob Smith\" <sip:bob@example.com>;tag=1"),
            "Bob Smith (bob@example.com)"
        );
        assert_eq!(
            caller_text("sip:555-0002@companyb.com;user=phone"),
            "555-0002@companyb.com"
        );
        assert_eq!(caller_text("<tel:+15550100>"), "+15550100");
        assert_eq!(
            caller_text("\"bob@example.com\" <sip:bob@example.com>"),
            "bob@example.com"
        );
        assert_eq!(caller_text("Front Desk"), "Front Desk");
        assert_eq!(caller_text("  "), "Unknown caller");
    }

    #[test]
    fn network_text_cannot_inject_markup_or_flood() {
        assert_eq!(
            caller_text("\"<b>Boss</b> & co\" <sip:x@example.com>"),
            "&lt;b&gt;Boss&lt;/b&gt; &amp; co (x@example.com)"
        );
        assert_eq!(caller_text("a\nb\u{7}c"), "a b c");
        let long = format!("\"{}\" <sip:x@example.com>", "A".repeat(500));
        let shown = caller_text(&long);
        assert_eq!(shown.chars().count(), MAX_CALLER + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn texts() {
        assert_eq!(
            incoming_text("\"Bob\" <sip:bob@example.com>", 2),
            (
                "Incoming call on line 2".to_owned(),
                "Bob (bob@example.com)".to_owned()
            )
        );
        assert_eq!(
            missed_text("sip:bob@example.com"),
            ("Missed call".to_owned(), "bob@example.com".to_owned())
        );
    }
}
