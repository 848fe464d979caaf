//! One call: its dialog, its INVITE transaction, its media and what its line key shows.

use std::net::SocketAddr;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::api::LineState;
use super::hold::Hold;
use super::redirect::Redirect;
use crate::core::dialplan::Route;
use crate::core::sdp::{self, LocalMedia, Negotiated, RemoteMedia};
use crate::core::sip::dialog::Dialog;
use crate::core::sip::message::Request;
use crate::core::sip::transaction::TxId;

/// Identifies a call inside the phone and towards the media engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CallId(pub u64);

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We sent the INVITE.
    Caller,
    /// We received it.
    Callee,
}

/// A call in progress or being torn down.
#[derive(Debug)]
pub struct Call {
    /// Its identity.
    pub id: CallId,
    /// The line key it shows on; `None` once the user is done with it but the protocol is not
    /// (a CANCEL or BYE still waiting for its answer).
    pub line: Option<usize>,
    /// Caller or callee.
    pub role: Role,
    /// The proxy the dial plan chose; only calls on the default route fail over.
    pub route: Route,
    /// What the line key shows.
    pub state: LineState,
    /// The other party, for display.
    pub peer: String,
    /// The initial INVITE: ours as caller (to build CANCEL and retries), theirs as callee.
    pub invite: Request,
    /// Where our INVITE went (caller).
    pub invite_dest: Option<SocketAddr>,
    /// The INVITE's transaction, client or server.
    pub invite_tx: Option<TxId>,
    /// The dialog, from the first response with a To tag (caller) or from the INVITE (callee).
    pub dialog: Option<Dialog>,
    /// Our media description, once the RTP port is bound.
    pub local_media: Option<LocalMedia>,
    /// The offer in the peer's INVITE (callee), kept until we answer.
    pub remote_offer: Option<RemoteMedia>,
    /// The agreed codec and addresses (during early media: the 18x's answer, of which only
    /// the receiving half was started).
    pub negotiated: Option<Negotiated>,
    /// The last SDP body we sent, which the next one is versioned against.
    pub last_sdp: Option<String>,
    /// Who holds the call, and the re-INVITEs that change it.
    pub hold: Hold,
    /// Whether a provisional response arrived (a CANCEL may only follow one).
    pub provisional: bool,
    /// The user hung up before a provisional arrived: CANCEL as soon as one does.
    pub cancel_when_possible: bool,
    /// The user answered before the RTP port was ready: answer when it is.
    pub answer_when_ready: bool,
    /// We sent our 2xx (callee).
    pub answered: bool,
    /// Our ACK for the 2xx, sent again for each retransmitted 2xx (caller).
    pub ack: Option<(Request, SocketAddr)>,
    /// As caller, when to give up ringing and CANCEL.
    pub ring_deadline: Option<Instant>,
    /// How many digest challenges this INVITE has answered.
    pub auth_attempts: u32,
    /// The targets a redirect gave the call (caller).
    pub redirect: Redirect,
}

impl Call {
    /// The earliest timer of this call.
    pub fn deadline(&self) -> Option<Instant> {
        [self.ring_deadline, self.hold.retry_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// Notes an SDP body written from `local_media` that is about to be sent, with the `o=`
    /// version moved on if it differs from the last one (RFC 3264 §8).
    pub fn stamp_sdp(&mut self, body: String) -> String {
        let Some(local) = self.local_media.as_mut() else {
            return body;
        };
        let body = sdp::next_version(local, self.last_sdp.as_deref(), body);
        self.last_sdp = Some(body.clone());
        body
    }

    /// Whether the call is established (ACKed or answered).
    pub fn is_established(&self) -> bool {
        matches!(
            self.state,
            LineState::Connected | LineState::Held | LineState::RemoteHeld | LineState::Conference
        )
    }
}

/// A fresh tag for From/To (RFC 3261 §19.3: at least 32 bits of randomness).
pub fn new_tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A fresh Call-ID, unique across the world for practical purposes.
pub fn new_call_id(host: &str) -> String {
    format!(
        "{:016x}{:08x}@{host}",
        rand::random::<u64>(),
        rand::random::<u32>()
    )
}
