//! Calls we place (RFC 3261 §13.2): INVITE with an SDP offer, provisional responses (and the
//! early media some of them bring) and final ones, ACK, CANCEL on hang-up or ring timeout, and
//! the handling of 4xx/5xx/6xx (seed flows S1, S14–S16).

use std::net::SocketAddr;
use std::time::Instant;

use super::api::LineState;
use super::call::{new_call_id, new_tag, Call, CallId, Role};
use super::failover::PrimaryFailure;
use super::hold::Hold;
use super::outbound::Purpose;
use super::{MediaCommand, Phone, ALLOWED};
use crate::core::dialplan::{Route, UserParam};
use crate::core::notice::Notice;
use crate::core::sdp::{self, Direction, LocalMedia, RemoteMedia};
use crate::core::sip::dialog::Dialog;
use crate::core::sip::message::{CSeq, Method, Request, Response};
use crate::core::sip::transaction::TxId;
use crate::core::sip::uri::{NameAddr, Uri};

/// Warning code for "incompatible media format" (RFC 3261 §20.43), as Cisco phones send it.
const WARNING_INCOMPATIBLE_MEDIA: u16 = 304;

impl Phone {
    /// Turns what the user typed into a request URI and a route: URIs and `user@host` as they
    /// are, dial strings (digits, user names) through the dial plan.
    pub(super) fn dial_target(&self, target: &str) -> Result<(Uri, Route), Notice> {
        let target = target.trim();
        if target.is_empty() {
            return Err(Notice::NothingToDial {});
        }
        match address_text(target) {
            Some(text) => {
                let uri = Uri::parse(&text).map_err(|e| cannot_dial(target, e.reason))?;
                Ok((uri, Route::Default))
            }
            None => self.dial_string(target),
        }
    }

    /// A dial string through the dial plan: `Rewrite`, `User=Phone` and `Route` applied.
    fn dial_string(&self, typed: &str) -> Result<(Uri, Route), Notice> {
        let dialed = self
            .settings
            .dial_plan
            .resolve(typed)
            .ok_or_else(|| Notice::NoPlanMatch {
                typed: format!("{typed:?}"),
            })?;
        let text = format!("sip:{}@{}", dialed.user, self.settings.domain);
        let mut uri = Uri::parse(&text).map_err(|e| cannot_dial(typed, e.reason))?;
        match dialed.user_param {
            UserParam::None => {}
            UserParam::Phone => uri.params.push(("user".into(), Some("phone".into()))),
            UserParam::Ip => uri.params.push(("user".into(), Some("ip".into()))),
        }
        Ok((uri, dialed.route))
    }

    /// Where a new call's INVITE goes, following the dial plan's route.
    pub(super) fn call_first_hop(&self, uri: &Uri, route: &Route) -> Result<SocketAddr, Notice> {
        // `which` picks the proxy's name in each language.
        let named = |setting: &Option<String>, which: &str| match setting {
            Some(hp) => self
                .resolve_setting(hp)
                .ok_or_else(|| Notice::ProxyUnresolved {
                    which: which.to_owned(),
                    proxy: hp.clone(),
                }),
            None => Err(Notice::ProxyUnset {
                which: which.to_owned(),
            }),
        };
        match route {
            Route::Default => self.first_hop(uri),
            Route::Primary => named(&self.settings.primary_proxy, "primary"),
            Route::Backup => named(&self.settings.backup_proxy, "backup"),
            Route::Emergency => named(&self.settings.emergency_proxy, "emergency"),
            Route::Proxy(hp) => named(&Some(hp.clone()), "dialplan"),
        }
    }

    pub(super) fn dial(&mut self, _now: Instant, target: &str) {
        let (uri, route) = match self.dial_target(target) {
            Ok(found) => found,
            Err(e) => return self.error(e),
        };
        let dest = match self.call_first_hop(&uri, &route) {
            Ok(dest) => dest,
            Err(reason) => {
                return self.error(Notice::CannotCall {
                    uri: uri.to_string(),
                    reason: Box::new(reason),
                })
            }
        };
        let Some(line) = self.free_line() else {
            return self.error(Notice::AllLinesBusy {});
        };
        let id = self.new_call_id();
        let invite = self.build_invite(&uri);
        let call = Call {
            id,
            line: Some(line),
            role: Role::Caller,
            route,
            state: LineState::Idle,
            peer: uri.to_string(),
            invite,
            invite_dest: Some(dest),
            invite_tx: None,
            dialog: None,
            local_media: None,
            remote_offer: None,
            negotiated: None,
            last_sdp: None,
            hold: Hold::default(),
            provisional: false,
            cancel_when_possible: false,
            answer_when_ready: false,
            answered: false,
            ack: None,
            ring_deadline: None,
            auth_attempts: 0,
            redirect: Default::default(),
        };
        self.calls.insert(id, call);
        self.lines[line - 1] = Some(id);
        self.show(id, LineState::Dialing, None);
        self.media(MediaCommand::Open { call: id });
    }

    fn build_invite(&self, uri: &Uri) -> Request {
        let mut req = Request::new(Method::Invite, uri.clone());
        let h = &mut req.headers;
        h.push("Max-Forwards", "70");
        let mut from = self.local_identity();
        from.set_param("tag", Some(&new_tag()));
        h.push("From", from.to_string());
        h.push("To", NameAddr::new(uri.without_params()).to_string());
        h.push("Call-ID", new_call_id(&self.local.ip().to_string()));
        h.push(
            "CSeq",
            CSeq {
                seq: 1,
                method: Method::Invite,
            }
            .to_string(),
        );
        h.push("Contact", self.contact());
        h.push("Allow", ALLOWED);
        req
    }

    /// The local media description for a newly bound RTP port.
    pub(super) fn local_media(&self, port: u16) -> LocalMedia {
        LocalMedia {
            addr: self.local.ip(),
            port,
            codecs: self.settings.codecs.clone(),
            session_id: rand::random::<u32>() as u64,
            version: 1,
            username: self.settings.user.clone(),
        }
    }

    pub(super) fn on_media_ready(&mut self, now: Instant, id: CallId, port: u16) {
        let media = self.local_media(port);
        let Some(call) = self.calls.get_mut(&id) else {
            // The call ended while the port was being bound.
            self.media(MediaCommand::Close { call: id });
            return;
        };
        call.local_media = Some(media.clone());
        match call.role {
            Role::Caller if call.invite_tx.is_none() => {
                if call.line.is_none() {
                    // Hung up before anything was sent.
                    self.forget_call(id);
                    return;
                }
                let offer = call.stamp_sdp(sdp::offer(&media, None, false));
                call.invite.body = offer.into_bytes();
                call.invite.headers.set("Content-Type", "application/sdp");
                call.ring_deadline = Some(now + self.settings.ring_timeout);
                let (invite, dest) = (call.invite.clone(), call.invite_dest);
                let Some(dest) = dest else { return };
                let tx = self.send_request(now, invite, dest, Purpose::Invite(id), 0);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.invite_tx = Some(tx);
                }
            }
            Role::Callee if call.answer_when_ready => self.send_answer(now, id),
            _ => {}
        }
    }

    pub(super) fn on_media_failed(&mut self, now: Instant, id: CallId, reason: String) {
        self.error(Notice::NoAudioPort { reason });
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.role == Role::Callee {
            self.respond_to_invite(now, id, 500, |_| {});
        }
        self.show(id, LineState::Idle, Some("failed: no RTP port".into()));
        self.forget_call(id);
    }

    pub(super) fn on_invite_response(
        &mut self,
        now: Instant,
        id: CallId,
        tx: TxId,
        resp: Response,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.invite_tx != Some(tx) {
            return;
        }
        match resp.status {
            100 => {
                if call.state == LineState::Dialing {
                    self.show(id, LineState::Trying, None);
                }
            }
            101..=199 => {
                call.provisional = true;
                if call.dialog.is_none() && resp.headers.to().is_ok_and(|t| t.tag().is_some()) {
                    call.dialog = Dialog::for_uac(&call.invite, &resp);
                }
                if call.cancel_when_possible {
                    self.send_cancel(now, id);
                } else {
                    if matches!(call.state, LineState::Dialing | LineState::Trying) {
                        self.show(id, LineState::Ringing, None);
                    }
                    if !resp.body.is_empty() {
                        self.start_early_media(id, &resp.body);
                    }
                }
            }
            200..=299 => self.on_invite_success(now, id, resp),
            _ => self.on_invite_failure(now, id, &resp),
        }
    }

    fn on_invite_success(&mut self, now: Instant, id: CallId, resp: Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some((ack, dest)) = &call.ack {
            // A retransmitted 2xx: our ACK was lost (RFC 3261 §13.2.2.4).
            let (ack, dest) = (ack.clone(), *dest);
            return self.transmit(ack, dest);
        }
        call.ring_deadline = None;
        let mut dialog = match call.dialog.take().filter(|d| d.matches_response(&resp)) {
            Some(d) => d,
            None => match Dialog::for_uac(&call.invite, &resp) {
                Some(d) => d,
                None => {
                    tracing::warn!("2xx without To tag or Contact; cannot make a dialog");
                    return;
                }
            },
        };
        dialog.confirm(&resp);
        let invite_seq = call.invite.headers.cseq().map(|c| c.seq).unwrap_or(1);
        let mut ack = dialog.request(Method::Ack, Some(invite_seq));
        let next_hop = dialog.next_hop().clone();
        call.dialog = Some(dialog);
        let fallback = call.invite_dest.unwrap_or(self.local);
        let dest = self
            .resolve(&next_hop.host, next_hop.port)
            .unwrap_or(fallback);
        ack.headers.push_front("Via", self.new_via());
        if let Some(call) = self.calls.get_mut(&id) {
            call.ack = Some((ack.clone(), dest));
        }
        self.transmit(ack, dest);

        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.line.is_none() || call.cancel_when_possible {
            // The user hung up while the 200 was on its way: end the call we just got.
            return self.send_bye(now, id);
        }
        let negotiated = match (&call.local_media, resp.body.is_empty()) {
            // The answer came with early media; a 2xx need not repeat it.
            (_, true) => call.negotiated,
            (Some(local), false) => RemoteMedia::parse(&String::from_utf8_lossy(&resp.body))
                .ok()
                .and_then(|remote| sdp::negotiate_answer(&remote, local).ok()),
            (None, false) => None,
        };
        let Some(negotiated) = negotiated else {
            self.status(Notice::IncompatibleMediaEnded {});
            self.show(
                id,
                LineState::Idle,
                Some("failed: incompatible media".into()),
            );
            return self.send_bye(now, id);
        };
        self.start_media(id, negotiated);
        self.show(id, LineState::Connected, None);
    }

    fn on_invite_failure(&mut self, now: Instant, id: CallId, resp: &Response) {
        // 5xx: try the other location, if there is one (seed S16).
        if (500..600).contains(&resp.status) && self.fail_over(now, id, PrimaryFailure::ServerError)
        {
            return;
        }
        // 3xx: the next Contact; any other failure: the next target a redirect left.
        if self.follow_redirect(now, id, resp) {
            return;
        }
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.line.is_some() {
            let reason = match resp.status {
                486 | 600 => "busy".to_owned(),
                603 => "declined".to_owned(),
                487 => "cancelled".to_owned(),
                408 | 480 => "no_answer".to_owned(),
                status => {
                    let incompatible = status == 488
                        || status == 606
                        || (status == 400
                            && resp.headers.warning_code() == Some(WARNING_INCOMPATIBLE_MEDIA));
                    if incompatible {
                        self.status(Notice::IncompatibleMediaFailed {});
                    }
                    format!("failed: {}", resp.status_line())
                }
            };
            self.show(id, LineState::Idle, Some(reason));
        }
        self.forget_call(id);
    }

    /// Our INVITE got no response at all (timer B).
    pub(super) fn on_invite_timeout(&mut self, now: Instant, id: CallId) {
        let _ = now;
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.line.is_some() {
            let dest = call.invite_dest.map(|d| d.to_string()).unwrap_or_default();
            self.status(Notice::NoAnswerFrom { dest });
            self.show(
                id,
                LineState::Idle,
                Some("failed: 408 Request Timeout".into()),
            );
        }
        self.forget_call(id);
    }

    /// An answer in a provisional response (RFC 3261 §13.2.1): the far end's ringback or
    /// announcement. Only its receiving half starts; we send nothing until the call is answered,
    /// whose 2xx then starts the whole stream.
    fn start_early_media(&mut self, id: CallId, body: &[u8]) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(local) = &call.local_media else {
            return;
        };
        let answer = RemoteMedia::parse(&String::from_utf8_lossy(body))
            .and_then(|remote| sdp::negotiate_answer(&remote, local));
        let negotiated = match answer {
            Ok(n) => n,
            Err(e) => return tracing::info!("early media SDP not usable: {e}"),
        };
        if call.negotiated == Some(negotiated) {
            // A repeated 18x: the stream is already playing.
            return;
        }
        let mut early = negotiated;
        early.direction = early.direction.intersect(Direction::RecvOnly);
        self.start_media(id, early);
        if let Some(call) = self.calls.get_mut(&id) {
            call.negotiated = Some(negotiated);
        }
    }

    /// A call's timer: the caller's ring timeout, the callee's no-answer forwarding, or the wait
    /// after re-INVITE glare.
    pub(super) fn on_call_timer(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.ring_deadline.is_some_and(|at| at <= now) {
            call.ring_deadline = None;
            if call.role == Role::Caller && !call.is_established() && call.line.is_some() {
                // Give up with CANCEL (seed flow S15).
                self.show(id, LineState::Idle, Some("no_answer".into()));
                self.cancel_or_defer(now, id);
            } else if call.role == Role::Callee {
                self.forward_unanswered(now, id);
            }
        }
        self.on_glare_timer(now, id);
    }

    /// Cancels our INVITE now if a provisional response allows it, else as soon as one arrives.
    pub(super) fn cancel_or_defer(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.invite_tx.is_none() {
            // Nothing sent yet (the RTP port is still being bound).
            return self.forget_call(id);
        }
        if call.provisional {
            self.send_cancel(now, id);
        } else {
            call.cancel_when_possible = true;
        }
    }

    /// CANCEL per RFC 3261 §9.1: the INVITE's Request-URI, Call-ID, From, To, Route and top Via.
    fn send_cancel(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.cancel_when_possible = false;
        let call = &self.calls[&id];
        // The INVITE as sent, with its Via: the CANCEL must carry the same branch (RFC 3261 §9.1).
        let invite = call
            .invite_tx
            .and_then(|tx| self.transactions.request(tx))
            .unwrap_or(&call.invite);
        let mut cancel = Request::new(Method::Cancel, invite.uri.clone());
        for name in ["Via", "Route", "Max-Forwards", "From", "To", "Call-ID"] {
            for v in invite.headers.all(name) {
                cancel.headers.push(name, v);
            }
        }
        let seq = invite.headers.cseq().map(|c| c.seq).unwrap_or(1);
        cancel.headers.push(
            "CSeq",
            CSeq {
                seq,
                method: Method::Cancel,
            }
            .to_string(),
        );
        let Some(dest) = call.invite_dest else { return };
        self.send_request(now, cancel, dest, Purpose::Cancel(id), 0);
    }

    /// Sends an ACK for a 2xx: it is its own transaction and never retransmitted by itself.
    /// The ACK comes with its Via, made once, so that the copy sent for a retransmitted 2xx is
    /// the same request.
    pub(super) fn transmit(&mut self, req: Request, dest: SocketAddr) {
        self.outputs.push_back(super::Output::Transmit {
            dest,
            data: req.to_bytes(),
        });
    }

    /// Ends an established call with BYE; the call is forgotten when the BYE is answered.
    pub(super) fn send_bye(&mut self, now: Instant, id: CallId) {
        self.send_bye_with(now, id, &[]);
    }

    /// BYE with extra headers (`Also` for the BYE/Also transfer).
    pub(super) fn send_bye_with(&mut self, now: Instant, id: CallId, extra: &[(&str, String)]) {
        let contact = self.contact();
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(dialog) = call.dialog.as_mut() else {
            return self.forget_call(id);
        };
        let mut bye = dialog.request(Method::Bye, None);
        bye.headers.push("Contact", contact);
        for (name, value) in extra {
            bye.headers.push(name, value.clone());
        }
        if call.local_media.take().is_some() {
            self.media(MediaCommand::Close { call: id });
        }
        match self.dialog_dest(id) {
            Some(dest) => {
                self.send_request(now, bye, dest, Purpose::Bye(id), 0);
            }
            None => self.forget_call(id),
        }
    }

    /// Where requests inside a call's dialog go: its first route or remote target, or failing
    /// a usable address there, where the INVITE went.
    pub(super) fn dialog_dest(&self, id: CallId) -> Option<SocketAddr> {
        let call = self.calls.get(&id)?;
        let hop = call.dialog.as_ref()?.next_hop();
        self.resolve(&hop.host, hop.port).or(call.invite_dest)
    }

    /// Starts media after a successful offer/answer.
    /// Sends a call's INVITE again in a new transaction to `dest` (the backup proxy, a redirect
    /// target), with the next CSeq so no proxy takes it for a merged copy of the first
    /// (RFC 3261 §8.2.2.2). What the last attempt learnt (dialog, early media, credentials) is
    /// forgotten.
    pub(super) fn resend_invite(&mut self, now: Instant, id: CallId, dest: SocketAddr) {
        let ring_timeout = self.settings.ring_timeout;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let mut invite = call.invite.clone();
        if let Ok(mut cseq) = invite.headers.cseq() {
            cseq.seq += 1;
            invite.headers.set("CSeq", cseq.to_string());
        }
        invite.headers.remove("Authorization");
        invite.headers.remove("Proxy-Authorization");
        call.invite_dest = Some(dest);
        call.provisional = false;
        call.dialog = None;
        call.negotiated = None;
        call.auth_attempts = 0;
        call.ring_deadline = Some(now + ring_timeout);
        let tx = self.send_request(now, invite, dest, Purpose::Invite(id), 0);
        if let Some(call) = self.calls.get_mut(&id) {
            call.invite_tx = Some(tx);
            if let Some(sent) = self.transactions.request(tx) {
                call.invite = sent.clone();
            }
        }
    }

    pub(super) fn start_media(&mut self, id: CallId, negotiated: sdp::Negotiated) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.negotiated = Some(negotiated);
        let Some(line) = call.line else {
            return;
        };
        let command = MediaCommand::Start {
            call: id,
            line,
            stream: negotiated,
        };
        self.media(command);
    }
}

/// What was typed cannot be read as an address; `reason` comes from the URI parser.
fn cannot_dial(target: &str, reason: &str) -> Notice {
    Notice::CannotDial {
        target: format!("{target:?}"),
        reason: reason.to_owned(),
    }
}

/// The URI text for a dial target that is an address (`sip:…`, `tel:…`, `user@host`,
/// `host:port`); `None` for a dial string, which goes through the dial plan.
pub fn address_text(target: &str) -> Option<String> {
    let target = target.trim();
    let host_and_port = target.split_once(':').is_some_and(|(host, _)| {
        !target.contains('@') && host.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if host_and_port {
        // `127.0.0.1:5062` is a host and port, not a scheme.
        Some(format!("sip:{target}"))
    } else if target.contains(':') {
        Some(target.to_owned())
    } else if target.contains('@') {
        Some(format!("sip:{target}"))
    } else {
        None
    }
}
