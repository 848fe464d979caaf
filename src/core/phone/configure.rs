//! New settings while the phone runs (`Intent::Configure`): the settings dialog, and the Do Not
//! Disturb and Forward keys. Calls in progress go on with what they negotiated; new settings
//! apply to what happens next.
//!
//! Most settings are read where they are used (auto answer, DND, forwarding, hold style, codecs,
//! ring timeout), so replacing `Settings` is enough for them. What holds state of its own is
//! brought in line here: the registrations (a different account or server is unbound and bound
//! anew), the
//! transaction timers, the failover state of a replaced proxy, and the number of line keys.
//! The dial plan comes separately (`Input::DialPlan`), because reading its file is the driver's
//! work; the plan in use stays until a good one arrives.

use std::time::Instant;

use super::api::Event;
use super::registration::Registrar;
use super::{failover, Phone, Settings};
use crate::config::Config;

impl Phone {
    /// Applies a new configuration (validated by the driver).
    pub(super) fn configure(&mut self, now: Instant, config: &Config) {
        let mut new = Settings::from_config(config);
        new.dial_plan = std::mem::take(&mut self.settings.dial_plan);

        let rebind: Vec<Registrar> = Registrar::BOTH
            .into_iter()
            .filter(|which| binding_differs(&self.settings, &new, *which))
            .collect();
        // A removal must name the old account and server, so it goes out before the change.
        for &which in &rebind {
            if !self.registration_active(which) {
                continue;
            }
            if which.wanted(&new) {
                self.unbind(now, which);
            } else {
                self.unregister_at(now, which);
            }
        }
        let proxies_changed = (&self.settings.primary_proxy, &self.settings.backup_proxy)
            != (&new.primary_proxy, &new.backup_proxy);
        self.transactions.set_timers(new.timers);
        self.settings = new;

        if proxies_changed {
            // What was learnt about the old primary says nothing about the new one.
            self.proxies = failover::ProxyState::default();
        }
        for which in rebind {
            if which.wanted(&self.settings) {
                self.register_at(now, which);
            }
        }
        self.grow_lines();
        self.emit(Event::Configured);
    }

    /// Adds line keys up to the configured count. Extra keys go in `trim_lines`, once idle.
    fn grow_lines(&mut self) {
        let wanted = self.settings.lines.max(1);
        if self.lines.len() < wanted {
            self.lines.resize(wanted, None);
        }
    }

    /// Drops line keys beyond the configured count from the end, as far as they are idle: a
    /// call on a removed key goes on until it ends, and only then does its key go away.
    pub(super) fn trim_lines(&mut self) {
        let wanted = self.settings.lines.max(1);
        while self.lines.len() > wanted && self.lines.last() == Some(&None) {
            self.lines.pop();
        }
    }
}

/// Whether a binding must start over: a different identity, credentials or server, or it is
/// switched on or off. (A new `register_expires` is simply used at the next refresh.)
fn binding_differs(old: &Settings, new: &Settings, which: Registrar) -> bool {
    let key = |s: &Settings| {
        (
            s.user.clone(),
            s.domain.clone(),
            s.display_name.clone(),
            s.auth_user.clone(),
            s.password.clone(),
            which.setting(s).cloned(),
            which.wanted(s),
        )
    };
    key(old) != key(new)
}
