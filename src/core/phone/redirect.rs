//! Redirects to our INVITE (seed flows S10, S11, S16; RFC 3261 §8.1.3.4): a `300`, `301` or
//! `302` adds its Contacts to the call's target set, highest `q` first (equal `q` in the order
//! given), and the call goes on to the best target not yet tried.
//!
//! Each target gets a new INVITE transaction (new branch) with the same Call-ID, From and To and
//! the next CSeq, like every retry of a request outside a dialog. Any later failure but a 6xx
//! moves on to the next target, so a busy first choice falls through to the second (B-11); a 6xx
//! stops the whole search. Contacts of a nested redirect are tried before the older ones, since
//! they say where the user moved from the target that redirected. A target already tried is
//! skipped, which ends redirect loops, and at most [`MAX_REDIRECTS`] redirects are followed per
//! call. When nothing is left, the last failure stands and the line goes idle with it.

use std::collections::VecDeque;
use std::time::Instant;

use super::api::LineState;
use super::call::CallId;
use super::Phone;
use crate::core::notice::Notice;
use crate::core::sip::message::Response;
use crate::core::sip::uri::{NameAddr, Uri};

/// How many redirects one call follows before it gives up (a safety net beyond loop detection:
/// a chain of ever new targets).
pub const MAX_REDIRECTS: u32 = 5;

/// A call's target set, once a redirect has made one.
#[derive(Debug, Default)]
pub struct Redirect {
    /// Targets still to try, best first.
    pub targets: VecDeque<Uri>,
    /// Every target the call was sent to, as [`target_key`]s.
    pub tried: Vec<String>,
    /// Redirect responses followed so far.
    pub hops: u32,
}

impl Phone {
    /// Goes on to the next target after a final failure of our INVITE. Returns false when the
    /// failure stands: nothing left to try, a 6xx, too many redirects, or the user hung up.
    pub(super) fn follow_redirect(&mut self, now: Instant, id: CallId, resp: &Response) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        if call.line.is_none() || call.cancel_when_possible || call.is_established() {
            return false;
        }
        let redirect = &mut call.redirect;
        if redirect.tried.is_empty() {
            redirect.tried.push(target_key(&call.invite.uri));
        }
        match resp.status {
            // "Global failure": the user is not to be reached anywhere (RFC 3261 §21.6).
            600..=699 => return false,
            300..=302 if redirect.hops >= MAX_REDIRECTS => {
                self.status(Notice::TooManyRedirects {});
                return false;
            }
            300..=302 => {
                redirect.hops += 1;
                let fresh: Vec<Uri> = by_preference(resp.headers.contacts())
                    .into_iter()
                    .filter(|uri| {
                        let key = target_key(uri);
                        !redirect.tried.contains(&key)
                            && !redirect.targets.iter().any(|t| target_key(t) == key)
                    })
                    .collect();
                for uri in fresh.into_iter().rev() {
                    redirect.targets.push_front(uri);
                }
            }
            _ => {}
        }
        self.try_next_target(now, id)
    }

    /// Sends the call's INVITE to the best untried target it can reach. Targets whose address
    /// is unknown (a host name the driver has not resolved, `tel:` without a proxy) are skipped.
    fn try_next_target(&mut self, now: Instant, id: CallId) -> bool {
        loop {
            let Some(call) = self.calls.get_mut(&id) else {
                return false;
            };
            let Some(target) = call.redirect.targets.pop_front() else {
                return false;
            };
            call.redirect.tried.push(target_key(&target));
            let route = call.route.clone();
            match self.call_first_hop(&target, &route) {
                Ok(dest) => {
                    self.invite_target(now, id, target, dest);
                    return true;
                }
                Err(e) => tracing::info!("redirect target {target} skipped: {e}"),
            }
        }
    }

    /// A new INVITE transaction for the call towards `target`; the line shows the new peer.
    fn invite_target(&mut self, now: Instant, id: CallId, target: Uri, dest: std::net::SocketAddr) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.invite.uri = target.clone();
        call.peer = target.to_string();
        self.resend_invite(now, id, dest);
        self.status(Notice::Redirected {
            target: target.to_string(),
        });
        self.show(id, LineState::Dialing, None);
    }
}

/// The Contacts' URIs, highest `q` first; equal (or missing, meaning 1) `q` keep their order.
fn by_preference(contacts: Vec<NameAddr>) -> Vec<Uri> {
    let mut ranked: Vec<(f32, Uri)> = contacts
        .into_iter()
        .map(|c| {
            let q = c
                .param("q")
                .flatten()
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q, c.uri)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().map(|(_, uri)| uri).collect()
}

/// What makes two targets the same for loop detection: the URI without its parameters,
/// case-insensitively.
fn target_key(uri: &Uri) -> String {
    uri.without_params().to_string().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts(values: &[&str]) -> Vec<NameAddr> {
        values.iter().map(|v| NameAddr::parse(v).unwrap()).collect()
    }

    #[test]
    fn contacts_go_by_q_and_keep_their_order_on_ties() {
        let ranked = by_preference(contacts(&[
            "<sip:b@h1>;q=0.5",
            "<sip:c@h2>",
            "<sip:d@h3>;q=0.9",
            "<sip:e@h4>;q=1.0",
            "<sip:f@h5>;q=0.5",
        ]));
        let users: Vec<_> = ranked.iter().map(|u| u.user.clone().unwrap()).collect();
        assert_eq!(users, ["c", "e", "d", "b", "f"]);
    }

    #[test]
    fn targets_match_without_parameters_or_case() {
        let a = Uri::parse("sip:Carol@10.0.0.3;transport=udp").unwrap();
        let b = Uri::parse("sip:carol@10.0.0.3").unwrap();
        assert_eq!(target_key(&a), target_key(&b));
    }
}
