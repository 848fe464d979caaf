//! Registration with the registrar (RFC 3261 §10): REGISTER, refresh before expiry, removal on
//! quit, and a plain-language reason when it fails.

use std::time::{Duration, Instant};

use super::api::{Event, RegistrationState};
use super::call::{new_call_id, new_tag};
use super::outbound::Purpose;
use super::Phone;
use crate::core::sip::message::{CSeq, Method, Request, Response};
use crate::core::sip::uri::{parse_host_port, NameAddr, Uri};

/// How long to wait before trying again after the registrar did not answer or failed.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

/// Where the registration stands.
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

/// The phone's registration: one Call-ID for all refreshes (RFC 3261 §10.2.4).
#[derive(Debug, Default)]
pub struct Registration {
    phase: Phase,
    call_id: Option<String>,
    from_tag: String,
    /// The last CSeq sent.
    pub cseq: u32,
    /// When to refresh or try again.
    next_attempt: Option<Instant>,
}

impl Registration {
    /// The next registration timer.
    pub fn deadline(&self) -> Option<Instant> {
        self.next_attempt
    }

    /// Whether a REGISTER is outstanding.
    pub fn busy(&self) -> bool {
        matches!(self.phase, Phase::Registering | Phase::Unregistering)
    }

    /// Whether the registrar has, or is about to have, our binding.
    pub fn is_registered(&self) -> bool {
        matches!(self.phase, Phase::Registered | Phase::Registering)
    }
}

impl Phone {
    /// Sends REGISTER (a new registration or a refresh).
    pub(super) fn register(&mut self, now: Instant) {
        let expires = self.settings.register_expires;
        // A refresh keeps us registered until the registrar says otherwise.
        if self.send_register(now, expires, Purpose::Register)
            && self.registration.phase != Phase::Registered
        {
            self.registration.phase = Phase::Registering;
        }
    }

    /// Removes our binding (Expires: 0).
    pub(super) fn unregister(&mut self, now: Instant) {
        self.registration.next_attempt = None;
        if self.registration.phase == Phase::Idle {
            return self.emit(Event::Registration {
                state: RegistrationState::Unregistered,
                reason: None,
            });
        }
        if self.send_register(now, 0, Purpose::Register) {
            self.registration.phase = Phase::Unregistering;
        }
    }

    /// The account changed while registered: removes the old binding (its answer changes
    /// nothing) and forgets it, so the next `register` starts a new one with the new settings.
    /// Call it before the settings change, since the removal must name the old account.
    pub(super) fn unbind(&mut self, now: Instant) {
        if self.registration.phase != Phase::Idle {
            self.send_register(now, 0, Purpose::Unbind);
        }
        self.registration = Registration::default();
    }

    /// Whether the registration is doing anything: registered, or a REGISTER under way.
    pub(super) fn registration_active(&self) -> bool {
        self.registration.phase != Phase::Idle
    }

    fn send_register(&mut self, now: Instant, expires: u32, purpose: Purpose) -> bool {
        let registrar = self.settings.registrar.clone();
        let Some(dest) = self.resolve_setting(&registrar) else {
            self.registration_failed(
                now,
                format!("the registrar address {registrar} could not be resolved"),
                true,
            );
            return false;
        };
        let (host, port) = parse_host_port(&registrar).unwrap_or((registrar.clone(), None));
        let reg = &mut self.registration;
        let call_id = reg
            .call_id
            .get_or_insert_with(|| new_call_id(&self.local.ip().to_string()))
            .clone();
        if reg.from_tag.is_empty() {
            reg.from_tag = new_tag();
        }
        reg.cseq += 1;
        reg.next_attempt = None;
        let mut req = Request::new(Method::Register, Uri::sip(None, &host, port));
        let aor = self.local_identity();
        let mut from = aor.clone();
        from.set_param("tag", Some(&self.registration.from_tag));
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
                seq: self.registration.cseq,
                method: Method::Register,
            }
            .to_string(),
        );
        h.push("Contact", self.contact());
        h.push("Expires", expires.to_string());
        self.send_request(now, req, dest, purpose, 0);
        true
    }

    pub(super) fn on_register_response(&mut self, now: Instant, request: &Request, resp: Response) {
        if resp.status < 200 {
            return;
        }
        let removing = request.headers.expires() == Some(0);
        match resp.status {
            200..=299 if removing => {
                self.registration.phase = Phase::Idle;
                self.emit(Event::Registration {
                    state: RegistrationState::Unregistered,
                    reason: None,
                });
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
                self.registration.next_attempt = Some(now + refresh);
                if self.registration.phase != Phase::Registered {
                    self.registration.phase = Phase::Registered;
                    self.emit(Event::Registration {
                        state: RegistrationState::Registered,
                        reason: None,
                    });
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
                        self.register(now);
                    }
                    _ => self.registration_failed(
                        now,
                        format!("the registrar refused: {}", resp.status_line()),
                        false,
                    ),
                }
            }
            401 | 407 => self.registration_failed(
                now,
                format!(
                    "wrong user name or password ({}): check the account settings",
                    resp.status_line()
                ),
                false,
            ),
            403 => self.registration_failed(
                now,
                format!(
                    "the registrar refused this account ({}): check the user name and domain",
                    resp.status_line()
                ),
                false,
            ),
            status => self.registration_failed(
                now,
                format!("the registrar answered {}", resp.status_line()),
                status >= 500,
            ),
        }
    }

    pub(super) fn on_register_timeout(&mut self, now: Instant) {
        let registrar = self.settings.registrar.clone();
        if self.registration.phase == Phase::Unregistering {
            self.registration.phase = Phase::Idle;
            return self.emit(Event::Registration {
                state: RegistrationState::Unregistered,
                reason: Some(format!("no answer from the registrar {registrar}")),
            });
        }
        self.registration_failed(
            now,
            format!("no answer from the registrar {registrar}: check the address and the network"),
            true,
        );
    }

    fn registration_failed(&mut self, now: Instant, reason: String, retry: bool) {
        self.registration.phase = Phase::Idle;
        // Retry later only when the cause may go away by itself; a wrong password will not.
        self.registration.next_attempt = retry.then(|| now + RETRY_AFTER_FAILURE);
        self.emit(Event::Registration {
            state: RegistrationState::Failed,
            reason: Some(reason),
        });
    }

    /// Refreshes or retries the registration when its timer is due.
    pub(super) fn registration_timers(&mut self, now: Instant) {
        if self.registration.next_attempt.is_some_and(|t| t <= now) && !self.quitting {
            self.registration.next_attempt = None;
            self.register(now);
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
