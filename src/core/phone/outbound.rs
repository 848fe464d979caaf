//! Requests we send: headers every request carries, where it goes, and the digest retry when a
//! server challenges it (RFC 3261 §22, one answer per challenge).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use super::call::CallId;
use super::failover::PrimaryFailure;
use super::registration::Registrar;
use super::{Phone, USER_AGENT};
use crate::core::notice::Notice;
use crate::core::sip::auth::{authorization, new_cnonce, Challenge, Credentials};
use crate::core::sip::message::{Method, Request, Response};
use crate::core::sip::transaction::{new_branch, TxId};
use crate::core::sip::uri::{parse_host_port, NameAddr, Uri};

/// Why we sent a request, so its response reaches the right handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A call's INVITE.
    Invite(CallId),
    /// A re-INVITE in a call's dialog (hold, resume).
    Reinvite(CallId),
    /// A call's CANCEL.
    Cancel(CallId),
    /// A call's BYE.
    Bye(CallId),
    /// A REFER transferring a call.
    Refer(CallId),
    /// A NOTIFY reporting a transfer's progress (its answer changes nothing).
    Notify,
    /// REGISTER (refresh or removal) with the registrar or the backup proxy.
    Register(Registrar),
    /// OPTIONS asking a failed primary proxy whether it is back.
    Probe,
}

impl Purpose {
    /// Whether this request belongs to the call.
    pub fn concerns(self, id: CallId) -> bool {
        matches!(
            self,
            Purpose::Invite(c)
                | Purpose::Reinvite(c)
                | Purpose::Cancel(c)
                | Purpose::Bye(c)
                | Purpose::Refer(c)
                if c == id
        )
    }
}

/// A client transaction we started.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The request as sent, to retry it with credentials.
    pub request: Request,
    /// Where it went.
    pub dest: SocketAddr,
    /// What it is for.
    pub purpose: Purpose,
    /// How many challenges it has answered.
    pub auth_attempts: u32,
}

/// The default SIP port (RFC 3261 §19.1.2).
const SIP_PORT: u16 = 5060;
/// The most times one request is sent again with credentials.
const MAX_AUTH_RETRIES: u32 = 3;

impl Phone {
    /// Sends a request in a new client transaction, with a fresh top Via.
    pub(super) fn send_request(
        &mut self,
        now: Instant,
        mut req: Request,
        dest: SocketAddr,
        purpose: Purpose,
        auth_attempts: u32,
    ) -> TxId {
        // A CANCEL keeps the INVITE's Via: the server matches it by that branch (RFC 3261 §9.1).
        if req.method != Method::Cancel || !req.headers.has("Via") {
            req.headers.remove("Via");
            req.headers.push_front("Via", self.new_via());
        }
        if !req.headers.has("User-Agent") {
            req.headers.push("User-Agent", USER_AGENT);
        }
        let options = self.client_options(&req, dest);
        let id = self
            .transactions
            .send_request(now, req.clone(), dest, options);
        if req.method != Method::Ack {
            self.pending.insert(
                id,
                Pending {
                    request: req,
                    dest,
                    purpose,
                    auth_attempts,
                },
            );
        }
        id
    }

    /// A top Via for a new request: a fresh branch, and `rport` so answers come back to the
    /// port we sent from (RFC 3581).
    pub(super) fn new_via(&self) -> String {
        format!("SIP/2.0/UDP {};branch={};rport", self.local, new_branch())
    }

    /// Our Contact header value.
    pub(super) fn contact(&self) -> String {
        let uri = Uri::sip(
            Some(&self.settings.user),
            &self.local.ip().to_string(),
            Some(self.local.port()),
        );
        format!("<{uri}>")
    }

    /// Our address of record as a From value (without tag).
    pub(super) fn local_identity(&self) -> NameAddr {
        let (host, port) =
            parse_host_port(&self.settings.domain).unwrap_or((self.settings.domain.clone(), None));
        let mut addr = NameAddr::new(Uri::sip(Some(&self.settings.user), &host, port));
        if !self.settings.display_name.is_empty() {
            addr.display_name = Some(self.settings.display_name.clone());
        }
        addr
    }

    /// The address for `host[:port]`: an IP literal, `localhost`, or a name the driver resolved.
    pub(super) fn resolve(&self, host: &str, port: Option<u16>) -> Option<SocketAddr> {
        let ip = match host.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) if host.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Err(_) => *self.hosts.get(&host.to_ascii_lowercase())?,
        };
        Some(SocketAddr::new(ip, port.unwrap_or(SIP_PORT)))
    }

    /// The address for a `host[:port]` setting.
    pub(super) fn resolve_setting(&self, host_port: &str) -> Option<SocketAddr> {
        let (host, port) = parse_host_port(host_port)?;
        self.resolve(&host, port)
    }

    /// Where a request outside a dialog goes: the outbound proxy if one is set (the backup while
    /// the primary is down), else the URI's
    /// host (RFC 3263's SRV lookup is the driver's job; it hands us resolved names).
    pub(super) fn first_hop(&self, uri: &Uri) -> Result<SocketAddr, Notice> {
        if let Some(proxy) = self.call_proxy() {
            return proxy;
        }
        if !uri.is_sip() {
            return Err(Notice::NeedsProxy {
                uri: uri.to_string(),
            });
        }
        self.resolve(&uri.host, uri.port)
            .ok_or_else(|| Notice::HostUnresolved {
                host: uri.host.clone(),
            })
    }

    /// Answers a 401/407 by sending the request again with credentials. Returns false when it
    /// must not be retried (no usable challenge, or the same credentials were already refused).
    pub(super) fn retry_with_credentials(
        &mut self,
        now: Instant,
        pending: &Pending,
        resp: &Response,
    ) -> Option<TxId> {
        let (challenge_header, answer_header) = match resp.status {
            401 => ("WWW-Authenticate", "Authorization"),
            407 => ("Proxy-Authenticate", "Proxy-Authorization"),
            _ => return None,
        };
        let challenge = resp
            .headers
            .all(challenge_header)
            .filter_map(|v| Challenge::parse(v).ok())
            .find(Challenge::supported)?;
        // A second challenge means the password was wrong, unless the server only says the
        // nonce went stale (RFC 2617 §3.2.1).
        // Even "stale" answers stop after a few tries, so a broken server cannot make us loop.
        if (pending.auth_attempts >= 1 && !challenge.stale)
            || pending.auth_attempts >= MAX_AUTH_RETRIES
        {
            return None;
        }
        let mut req = pending.request.clone();
        let mut cseq = req.headers.cseq().ok()?;
        cseq.seq += 1;
        req.headers.set("CSeq", cseq.to_string());
        let nc = self
            .nonce_counts
            .entry(challenge.nonce.clone())
            .or_insert(0);
        *nc += 1;
        let creds = Credentials {
            username: &self.settings.auth_user,
            password: &self.settings.password,
        };
        let value = authorization(
            &challenge,
            &creds,
            req.method.as_str(),
            &req.uri.to_string(),
            *nc,
            &new_cnonce(),
        );
        req.headers.remove("Authorization");
        req.headers.remove("Proxy-Authorization");
        req.headers.push(answer_header, value);
        let purpose = pending.purpose;
        let id = self.send_request(
            now,
            req.clone(),
            pending.dest,
            purpose,
            pending.auth_attempts + 1,
        );
        self.after_retry(purpose, id, req);
        Some(id)
    }

    /// Keeps the call or registration in step with a request sent again with credentials.
    fn after_retry(&mut self, purpose: Purpose, id: TxId, req: Request) {
        let seq = req.headers.cseq().map(|c| c.seq).unwrap_or(0);
        match purpose {
            Purpose::Invite(call) => {
                if let Some(call) = self.calls.get_mut(&call) {
                    call.invite_tx = Some(id);
                    call.invite = req;
                    call.auth_attempts += 1;
                }
            }
            Purpose::Reinvite(call) => {
                if let Some(call) = self.calls.get_mut(&call) {
                    if let Some(reinvite) = call.hold.ours.as_mut() {
                        reinvite.tx = id;
                    }
                    if let Some(dialog) = call.dialog.as_mut() {
                        dialog.local_cseq = dialog.local_cseq.max(seq);
                    }
                }
            }
            Purpose::Bye(call) | Purpose::Cancel(call) | Purpose::Refer(call) => {
                if let Some(dialog) = self.calls.get_mut(&call).and_then(|c| c.dialog.as_mut()) {
                    dialog.local_cseq = dialog.local_cseq.max(seq);
                }
            }
            Purpose::Register(which) => self.register_retried(which, &req, seq),
            Purpose::Probe | Purpose::Notify => {}
        }
    }

    /// Routes a response of one of our client transactions to its handler.
    pub(super) fn on_response(&mut self, now: Instant, id: TxId, resp: Response) {
        let Some(pending) = self.pending.get(&id).cloned() else {
            return;
        };
        if matches!(resp.status, 401 | 407) {
            self.pending.remove(&id);
            if self.retry_with_credentials(now, &pending, &resp).is_some() {
                return;
            }
        } else if resp.status >= 200
            && !matches!(pending.purpose, Purpose::Invite(_) | Purpose::Reinvite(_))
        {
            // An INVITE's entry stays: every retransmitted 2xx must find its way to the ACK.
            self.pending.remove(&id);
        }
        match pending.purpose {
            Purpose::Invite(call) => {
                self.report_referral(now, call, &resp);
                self.on_invite_response(now, call, id, resp)
            }
            Purpose::Reinvite(call) => self.on_reinvite_response(now, call, id, resp),
            Purpose::Cancel(_) | Purpose::Notify => {}
            Purpose::Refer(call) => self.on_refer_response(now, call, &resp),
            Purpose::Bye(call) => {
                if resp.status >= 200 {
                    self.forget_call(call);
                }
            }
            Purpose::Register(which) => {
                self.on_register_response(now, which, &pending.request, resp)
            }
            Purpose::Probe => self.on_probe_response(now, &resp),
        }
    }

    /// A client transaction ended without a final response (timer B/F).
    pub(super) fn on_no_response(&mut self, now: Instant, id: TxId) {
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        match pending.purpose {
            Purpose::Invite(call) => {
                if !self.fail_over(now, call, PrimaryFailure::Silent) {
                    let timeout = Response::to(&pending.request.headers, 408, None);
                    self.report_referral(now, call, &timeout);
                    self.on_invite_timeout(now, call);
                }
            }
            Purpose::Reinvite(call) => self.on_reinvite_timeout(now, call),
            Purpose::Cancel(_) | Purpose::Notify => {}
            Purpose::Refer(call) => self.on_refer_timeout(call),
            Purpose::Bye(call) => self.forget_call(call),
            Purpose::Register(which) => self.on_register_timeout(now, which, &pending.request),
            Purpose::Probe => self.on_probe_timeout(now),
        }
    }

    /// The network reported `dest` unreachable. RFC 3261 §8.1.3.1 treats a transport error like
    /// a `503 Service Unavailable`: requests to it that have had no answer end now, so an INVITE
    /// to a dead primary moves to the backup at once instead of after 32 seconds of silence.
    pub(super) fn on_unreachable(&mut self, now: Instant, dest: SocketAddr) {
        let unanswered: Vec<TxId> = self
            .pending
            .iter()
            .filter(|(id, p)| p.dest == dest && self.transactions.awaits_first_response(**id))
            .map(|(id, _)| *id)
            .collect();
        for id in unanswered {
            let Some(pending) = self.pending.get(&id) else {
                continue;
            };
            tracing::info!("{dest} is unreachable: {} ends", pending.request.method);
            let unavailable = Response::to(&pending.request.headers, 503, None);
            // Forgotten first: the 503 is ours, so no ACK may go out for it.
            self.transactions.forget(id);
            self.on_response(now, id, unavailable);
            self.pending.remove(&id);
        }
    }
}
