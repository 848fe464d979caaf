//! Registration with the registrar (RFC 3261 §10): REGISTER, refresh before expiry, removal on
//! quit, and a plain-language reason when it fails.
//!
//! With `account.register_backup` the phone keeps a second binding at the backup proxy, for a
//! backup that routes calls only to phones registered with it (a survivable branch gateway, say):
//! the same REGISTER, refresh and retry, with a Call-ID of its own, reported as
//! `backup_registration` events so the main registration's state stays as it was.

use std::time::{Duration, Instant};

use super::api::{Event, RegistrationState};
use super::call::{new_call_id, new_tag};
use super::outbound::Purpose;
use super::{Phone, Settings};
use crate::core::notice::Notice;
use crate::core::sip::message::{CSeq, Method, Request, Response};
use crate::core::sip::uri::{parse_host_port, NameAddr, Uri};

/// How long to wait before trying again after the registrar did not answer or failed.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

/// Which server a binding is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrar {
    /// The registrar (`account.registrar`, or the domain).
    Primary,
    /// The backup proxy (`proxy.backup`), when `account.register_backup` is set.
    Backup,
}

impl Registrar {
    pub(super) const BOTH: [Registrar; 2] = [Registrar::Primary, Registrar::Backup];

    /// Whether these settings want a binding with this server.
    pub(super) fn wanted(self, settings: &Settings) -> bool {
        match self {
            Registrar::Primary => settings.register,
            Registrar::Backup => {
                settings.register && settings.register_backup && settings.backup_proxy.is_some()
            }
        }
    }

    /// The server's `host[:port]` setting.
    pub(super) fn setting(self, settings: &Settings) -> Option<&String> {
        match self {
            Registrar::Primary => Some(&settings.registrar),
            Registrar::Backup => settings.backup_proxy.as_ref(),
        }
    }

    /// What the user calls it, in messages.
    /// Which one, for messages: the `$which` their sentences choose the words by.
    fn name(self) -> &'static str {
        match self {
            Registrar::Primary => "registrar",
            Registrar::Backup => "backup",
        }
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    /// Not registered and not trying.
    #[default]
    Idle,
    /// A REGISTER is on its way.
    Registering,
    /// The registrar accepted us.
    Registered,
    /// A REGISTER with Expires: 0 is on its way.
    Unregistering,
}

/// One binding: one Call-ID for all refreshes (RFC 3261 §10.2.4).
#[derive(Debug, Default)]
struct Registration {
    phase: Phase,
    call_id: Option<String>,
    from_tag: String,
    /// The last CSeq sent.
    cseq: u32,
    /// When to refresh or try again.
    next_attempt: Option<Instant>,
}

/// The phone's bindings: with the registrar, and with the backup proxy.
#[derive(Debug, Default)]
pub struct Registrations {
    primary: Registration,
    backup: Registration,
}

impl Registrations {
    fn get(&self, which: Registrar) -> &Registration {
        match which {
            Registrar::Primary => &self.primary,
            Registrar::Backup => &self.backup,
        }
    }

    fn get_mut(&mut self, which: Registrar) -> &mut Registration {
        match which {
            Registrar::Primary => &mut self.primary,
            Registrar::Backup => &mut self.backup,
        }
    }

    /// The next registration timer.
    pub fn deadline(&self) -> Option<Instant> {
        [self.primary.next_attempt, self.backup.next_attempt]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether a REGISTER is outstanding.
    pub fn busy(&self) -> bool {
        [&self.primary, &self.backup]
            .iter()
            .any(|r| matches!(r.phase, Phase::Registering | Phase::Unregistering))
    }

    /// Whether the server has, or is about to have, this binding.
    fn is_registered(&self, which: Registrar) -> bool {
        matches!(
            self.get(which).phase,
            Phase::Registered | Phase::Registering
        )
    }
}

impl Phone {
    /// Registers (again) with the registrar, and with the backup proxy when so set.
    pub(super) fn register(&mut self, now: Instant) {
        self.register_at(now, Registrar::Primary);
        if Registrar::Backup.wanted(&self.settings) {
            self.register_at(now, Registrar::Backup);
        }
    }

    /// Removes our bindings (Expires: 0). Says "unregistered" even when there was none, since
    /// the user asked.
    pub(super) fn unregister(&mut self, now: Instant) {
        self.unregister_at(now, Registrar::Primary);
        if self.registration_active(Registrar::Backup) {
            self.unregister_at(now, Registrar::Backup);
        }
    }

    /// Removes the bindings that are there, at quit.
    pub(super) fn unregister_all(&mut self, now: Instant) {
        for which in Registrar::BOTH {
            if self.registration.is_registered(which) {
                self.unregister_at(now, which);
            }
        }
    }

    /// Sends REGISTER to one server (a new registration or a refresh).
    pub(super) fn register_at(&mut self, now: Instant, which: Registrar) {
        let expires = self.settings.register_expires;
        // A refresh keeps us registered until the registrar says otherwise.
        if self.send_register(now, which, expires, Purpose::Register(which))
            && self.registration.get(which).phase != Phase::Registered
        {
            self.registration.get_mut(which).phase = Phase::Registering;
        }
    }

    /// Removes one binding (Expires: 0).
    pub(super) fn unregister_at(&mut self, now: Instant, which: Registrar) {
        self.registration.get_mut(which).next_attempt = None;
        if self.registration.get(which).phase == Phase::Idle {
            return self.registration_event(which, RegistrationState::Unregistered, None);
        }
        if self.send_register(now, which, 0, Purpose::Register(which)) {
            self.registration.get_mut(which).phase = Phase::Unregistering;
        }
    }

    /// The account or the server changed while registered: removes the old binding and forgets
    /// it, so the next `register_at` starts a new one (a new Call-ID) with the new settings;
    /// answers about the old one are then ignored (see `is_current`). Call it before the
    /// settings change, since the removal must name the old account and server.
    pub(super) fn unbind(&mut self, now: Instant, which: Registrar) {
        if self.registration_active(which) {
            self.send_register(now, which, 0, Purpose::Register(which));
        }
        *self.registration.get_mut(which) = Registration::default();
    }

    /// Whether a REGISTER belongs to the binding we keep now, not one `unbind` forgot.
    fn is_current(&self, which: Registrar, request: &Request) -> bool {
        let ours = self.registration.get(which).call_id.as_deref();
        ours.is_some() && request.headers.call_id().ok() == ours
    }

    /// Whether a binding is doing anything: registered, or a REGISTER under way.
    pub(super) fn registration_active(&self, which: Registrar) -> bool {
        self.registration.get(which).phase != Phase::Idle
    }

    fn registrar_setting(&self, which: Registrar) -> String {
        which.setting(&self.settings).cloned().unwrap_or_default()
    }

    fn send_register(
        &mut self,
        now: Instant,
        which: Registrar,
        expires: u32,
        purpose: Purpose,
    ) -> bool {
        let registrar = self.registrar_setting(which);
        let Some(dest) = self.resolve_setting(&registrar) else {
            self.registration_failed(
                now,
                which,
                Notice::RegistrarUnresolved {
                    which: which.name().to_owned(),
                    registrar,
                },
                true,
            );
            return false;
        };
        let (host, port) = parse_host_port(&registrar).unwrap_or((registrar.clone(), None));
        let local_ip = self.local.ip().to_string();
        let reg = self.registration.get_mut(which);
        let call_id = reg
            .call_id
            .get_or_insert_with(|| new_call_id(&local_ip))
            .clone();
        if reg.from_tag.is_empty() {
            reg.from_tag = new_tag();
        }
        reg.cseq += 1;
        reg.next_attempt = None;
        let (cseq, from_tag) = (reg.cseq, reg.from_tag.clone());
        let mut req = Request::new(Method::Register, Uri::sip(None, &host, port));
        let aor = self.local_identity();
        let mut from = aor.clone();
        from.set_param("tag", Some(&from_tag));
        let h = &mut req.headers;
        h.push("Max-Forwards", "70");
        h.push("From", from.to_string());
        h.push(
            "To",
            NameAddr {
                params: Vec::new(),
                ..aor
            }
            .to_string(),
        );
        h.push("Call-ID", call_id);
        h.push(
            "CSeq",
            CSeq {
                seq: cseq,
                method: Method::Register,
            }
            .to_string(),
        );
        h.push("Contact", self.contact());
        h.push("Expires", expires.to_string());
        self.send_request(now, req, dest, purpose, 0);
        true
    }

    /// Keeps a binding's CSeq in step with a REGISTER sent again with credentials.
    pub(super) fn register_retried(&mut self, which: Registrar, request: &Request, seq: u32) {
        if self.is_current(which, request) {
            self.registration.get_mut(which).cseq = seq;
        }
    }

    pub(super) fn on_register_response(
        &mut self,
        now: Instant,
        which: Registrar,
        request: &Request,
        resp: Response,
    ) {
        if resp.status < 200 || !self.is_current(which, request) {
            return;
        }
        let removing = request.headers.expires() == Some(0);
        let what = which.name();
        match resp.status {
            200..=299 if removing => {
                self.registration.get_mut(which).phase = Phase::Idle;
                self.registration_event(which, RegistrationState::Unregistered, None);
            }
            200..=299 => {
                let granted = self
                    .granted_expires(&resp)
                    .unwrap_or(self.settings.register_expires)
                    .max(1);
                // Refresh well before expiry, like most phones (RFC 3261 leaves the margin open).
                let refresh = Duration::from_secs(u64::from(granted))
                    .mul_f32(0.85)
                    .max(Duration::from_secs(1));
                let reg = self.registration.get_mut(which);
                reg.next_attempt = Some(now + refresh);
                if reg.phase != Phase::Registered {
                    reg.phase = Phase::Registered;
                    self.registration_event(which, RegistrationState::Registered, None);
                }
            }
            423 => {
                // Interval too brief: ask again with the registrar's minimum.
                let min = resp
                    .headers
                    .get("Min-Expires")
                    .and_then(|v| v.trim().parse().ok());
                match min {
                    Some(min) if min > self.settings.register_expires => {
                        self.settings.register_expires = min;
                        self.register_at(now, which);
                    }
                    _ => self.registration_failed(
                        now,
                        which,
                        Notice::RegistrationRefused {
                            which: what.to_owned(),
                            status: resp.status_line(),
                        },
                        false,
                    ),
                }
            }
            401 | 407 => self.registration_failed(
                now,
                which,
                Notice::WrongPassword {
                    status: resp.status_line(),
                },
                false,
            ),
            403 => self.registration_failed(
                now,
                which,
                Notice::AccountRefused {
                    which: what.to_owned(),
                    status: resp.status_line(),
                },
                false,
            ),
            status => self.registration_failed(
                now,
                which,
                Notice::RegistrarAnswered {
                    which: what.to_owned(),
                    status: resp.status_line(),
                },
                status >= 500,
            ),
        }
    }

    pub(super) fn on_register_timeout(
        &mut self,
        now: Instant,
        which: Registrar,
        request: &Request,
    ) {
        if !self.is_current(which, request) {
            return;
        }
        let registrar = self.registrar_setting(which);
        let what = which.name();
        if self.registration.get(which).phase == Phase::Unregistering {
            self.registration.get_mut(which).phase = Phase::Idle;
            let reason = Notice::NotUnregistered {
                which: what.to_owned(),
                registrar,
            };
            return self.registration_event(which, RegistrationState::Unregistered, Some(reason));
        }
        self.registration_failed(
            now,
            which,
            Notice::RegistrarSilent {
                which: what.to_owned(),
                registrar,
            },
            true,
        );
    }

    fn registration_failed(&mut self, now: Instant, which: Registrar, reason: Notice, retry: bool) {
        let reg = self.registration.get_mut(which);
        reg.phase = Phase::Idle;
        // Retry later only when the cause may go away by itself; a wrong password will not.
        reg.next_attempt = retry.then(|| now + RETRY_AFTER_FAILURE);
        self.registration_event(which, RegistrationState::Failed, Some(reason));
    }

    /// Tells the front end: `registration` for the registrar, `backup_registration` for the
    /// backup proxy.
    fn registration_event(
        &mut self,
        which: Registrar,
        state: RegistrationState,
        notice: Option<Notice>,
    ) {
        let reason = notice.as_ref().map(Notice::english);
        self.emit(match which {
            Registrar::Primary => Event::Registration {
                state,
                reason,
                notice,
            },
            Registrar::Backup => Event::BackupRegistration {
                state,
                reason,
                notice,
            },
        });
    }

    /// Refreshes or retries the registrations whose timer is due.
    pub(super) fn registration_timers(&mut self, now: Instant) {
        for which in Registrar::BOTH {
            let reg = self.registration.get_mut(which);
            if reg.next_attempt.is_some_and(|t| t <= now) && !self.quitting {
                reg.next_attempt = None;
                self.register_at(now, which);
            }
        }
    }

    /// The lifetime the registrar granted our Contact.
    fn granted_expires(&self, resp: &Response) -> Option<u32> {
        let ours = resp.headers.contacts().into_iter().find(|c| {
            c.uri.user.as_deref() == Some(self.settings.user.as_str())
                && c.uri.port.unwrap_or(5060) == self.local.port()
        });
        ours.and_then(|c| c.param("expires").flatten().and_then(|e| e.parse().ok()))
            .or_else(|| resp.headers.expires())
    }
}
