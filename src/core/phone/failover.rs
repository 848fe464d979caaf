//! Primary → backup proxy failover (seed figures B-20 and B-21) and failback.
//!
//! An INVITE to the primary proxy is sent at most `invite_attempts` times (Cisco's
//! `sip_invite_retx`); if none of them is answered at all, or the primary answers 5xx, the phone
//! says "Network Delay, Trying Backup" and sends the INVITE to the backup, which then serves the
//! whole call. Later calls go straight to the backup, so nobody waits 32 seconds twice, while
//! OPTIONS probes the primary in the background; when it answers, calls go back to it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::call::{new_call_id, new_tag, CallId};
use super::outbound::Purpose;
use super::Phone;
use crate::core::dialplan::Route;
use crate::core::notice::Notice;
use crate::core::sip::message::{CSeq, Method, Request, Response};
use crate::core::sip::transaction::ClientOptions;
use crate::core::sip::uri::{parse_host_port, NameAddr, Uri};

/// How often a failed primary is asked whether it is back.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(30);

/// Why the primary proxy is given up for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryFailure {
    /// No response at all to `invite_attempts` transmissions.
    Silent,
    /// It answered 5xx.
    ServerError,
}

/// Which proxy new calls use, and the probe of a failed primary.
#[derive(Debug, Default)]
pub struct ProxyState {
    /// The primary failed: new calls go to the backup.
    on_backup: bool,
    /// When to probe the primary next (none while a probe is in flight).
    probe_at: Option<Instant>,
}

impl ProxyState {
    /// The probe timer.
    pub fn deadline(&self) -> Option<Instant> {
        self.probe_at
    }
}

impl Phone {
    fn proxy_addr(&self, setting: Option<&String>) -> Option<SocketAddr> {
        setting.and_then(|p| self.resolve_setting(p))
    }

    /// The primary proxy's address, when one is set and resolved.
    pub(super) fn primary_addr(&self) -> Option<SocketAddr> {
        self.proxy_addr(self.settings.primary_proxy.as_ref())
    }

    /// The backup proxy's address, when one is set, resolved and different from the primary.
    pub(super) fn backup_addr(&self) -> Option<SocketAddr> {
        self.proxy_addr(self.settings.backup_proxy.as_ref())
            .filter(|b| Some(*b) != self.primary_addr())
    }

    /// The proxy for a new call: the backup while the primary is known to be down.
    pub(super) fn call_proxy(&self) -> Option<Result<SocketAddr, Notice>> {
        let primary = self.settings.primary_proxy.as_ref()?;
        if self.proxies.on_backup {
            if let Some(backup) = self.backup_addr() {
                return Some(Ok(backup));
            }
        }
        Some(
            self.resolve_setting(primary)
                .ok_or_else(|| Notice::ProxyAddressUnresolved {
                    proxy: primary.clone(),
                }),
        )
    }

    /// Limits an INVITE to the primary to `invite_attempts` transmissions when a backup waits.
    pub(super) fn client_options(&self, req: &Request, dest: SocketAddr) -> ClientOptions {
        let to_primary_with_backup = req.method == Method::Invite
            && Some(dest) == self.primary_addr()
            && self.backup_addr().is_some();
        ClientOptions {
            max_transmissions: to_primary_with_backup.then_some(self.settings.invite_attempts),
        }
    }

    /// Moves a call whose INVITE the primary did not take to the backup. Returns false when
    /// there is nothing to fail over to (then the failure stands).
    pub(super) fn fail_over(&mut self, now: Instant, id: CallId, why: PrimaryFailure) -> bool {
        let (Some(primary), Some(backup)) = (self.primary_addr(), self.backup_addr()) else {
            return false;
        };
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        // Emergency and other dial-plan routes go where the plan says, and nowhere else.
        let movable = call.route == Route::Default && call.invite_dest == Some(primary);
        if !movable || call.line.is_none() || call.is_established() {
            return false;
        }
        self.status(match why {
            PrimaryFailure::Silent => Notice::NetworkDelay {},
            PrimaryFailure::ServerError => Notice::ProxyError {},
        });
        self.proxies.on_backup = true;
        self.proxies.probe_at.get_or_insert(now + PROBE_INTERVAL);
        self.resend_invite(now, id, backup);
        true
    }

    /// Probes the failed primary when it is time.
    pub(super) fn probe_timer(&mut self, now: Instant) {
        if self.proxies.probe_at.is_none_or(|t| t > now) {
            return;
        }
        self.proxies.probe_at = None;
        let (Some(primary), Some(setting)) =
            (self.primary_addr(), self.settings.primary_proxy.clone())
        else {
            return;
        };
        let (host, port) = parse_host_port(&setting).unwrap_or((setting.clone(), None));
        let target = Uri::sip(None, &host, port);
        let mut options = Request::new(Method::Options, target.clone());
        let mut from = self.local_identity();
        from.set_param("tag", Some(&new_tag()));
        let h = &mut options.headers;
        h.push("Max-Forwards", "70");
        h.push("From", from.to_string());
        h.push("To", NameAddr::new(target).to_string());
        h.push("Call-ID", new_call_id(&self.local.ip().to_string()));
        h.push(
            "CSeq",
            CSeq {
                seq: 1,
                method: Method::Options,
            }
            .to_string(),
        );
        h.push("Accept", "application/sdp");
        self.send_request(now, options, primary, Purpose::Probe, 0);
    }

    /// Any answer from the primary but 503 means it is back (RFC 3263 treats 503 as "try
    /// elsewhere").
    pub(super) fn on_probe_response(&mut self, now: Instant, resp: &Response) {
        if resp.status < 200 {
            return;
        }
        if resp.status == 503 {
            self.proxies.probe_at = Some(now + PROBE_INTERVAL);
            return;
        }
        if self.proxies.on_backup {
            self.proxies.on_backup = false;
            let primary = self.settings.primary_proxy.clone().unwrap_or_default();
            self.status(Notice::PrimaryBack { proxy: primary });
        }
    }

    /// The probe went unanswered: stay on the backup and ask again later.
    pub(super) fn on_probe_timeout(&mut self, now: Instant) {
        self.proxies.probe_at = Some(now + PROBE_INTERVAL);
    }
}
