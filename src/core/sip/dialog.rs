//! SIP dialogs (RFC 3261 §12): the state two user agents share for one call — identifiers, route
//! set, remote target and sequence numbers — and the building of in-dialog requests.

use super::message::{CSeq, Method, Request, Response};
use super::uri::{NameAddr, Uri};

/// One side's view of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
    /// Our address of record, as in our From (UAC) or To (UAS).
    pub local: NameAddr,
    /// The peer's address of record.
    pub remote: NameAddr,
    /// Where in-dialog requests go: the peer's Contact, refreshed by target-refresh requests.
    pub remote_target: Uri,
    /// Proxies that asked to stay on the path (Record-Route), in the order requests traverse them.
    pub route_set: Vec<NameAddr>,
    /// Our last CSeq number.
    pub local_cseq: u32,
    /// The peer's last CSeq number, once it sent a request.
    pub remote_cseq: Option<u32>,
    /// Whether the dialog is still early (only a 1xx so far).
    pub early: bool,
}

/// Ways an in-dialog request from the peer can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteRequestError {
    /// The CSeq went backwards: answer `500` (RFC 3261 §12.2.2).
    CSeqOutOfOrder,
}

impl Dialog {
    /// The dialog a UAC gets from a response with a To tag (1xx or 2xx) to its INVITE.
    pub fn for_uac(invite: &Request, response: &Response) -> Option<Dialog> {
        let to = response.headers.to().ok()?;
        let remote_tag = to.tag()?.to_owned();
        let from = invite.headers.from().ok()?;
        let remote_target = response
            .headers
            .contacts()
            .into_iter()
            .next()
            .map(|c| c.uri)?;
        let mut route_set = response.headers.record_routes();
        route_set.reverse();
        Some(Dialog {
            call_id: invite.headers.call_id().ok()?.to_owned(),
            local_tag: from.tag()?.to_owned(),
            remote_tag,
            local: without_tag(from),
            remote: without_tag(to),
            remote_target,
            route_set,
            local_cseq: invite.headers.cseq().ok()?.seq,
            remote_cseq: None,
            early: response.status < 200,
        })
    }

    /// The dialog a UAS gets from an INVITE it answers with `local_tag`.
    pub fn for_uas(invite: &Request, local_tag: &str) -> Option<Dialog> {
        let from = invite.headers.from().ok()?;
        let to = invite.headers.to().ok()?;
        let remote_target = invite
            .headers
            .contacts()
            .into_iter()
            .next()
            .map(|c| c.uri)?;
        Some(Dialog {
            call_id: invite.headers.call_id().ok()?.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: from.tag()?.to_owned(),
            local: without_tag(to),
            remote: without_tag(from),
            remote_target,
            route_set: invite.headers.record_routes(),
            local_cseq: 0,
            remote_cseq: Some(invite.headers.cseq().ok()?.seq),
            early: true,
        })
    }

    /// Whether a request from the peer belongs to this dialog (Call-ID and both tags).
    pub fn matches_request(&self, request: &Request) -> bool {
        let h = &request.headers;
        h.call_id().is_ok_and(|c| c == self.call_id)
            && h.to()
                .is_ok_and(|t| t.tag() == Some(self.local_tag.as_str()))
            && h.from()
                .is_ok_and(|f| f.tag() == Some(self.remote_tag.as_str()))
    }

    /// Whether a response to our request belongs to this dialog.
    pub fn matches_response(&self, response: &Response) -> bool {
        let h = &response.headers;
        h.call_id().is_ok_and(|c| c == self.call_id)
            && h.from()
                .is_ok_and(|f| f.tag() == Some(self.local_tag.as_str()))
            && h.to()
                .is_ok_and(|t| t.tag() == Some(self.remote_tag.as_str()))
    }

    /// Checks a request from the peer and takes its CSeq and, for target-refresh requests, its
    /// Contact (RFC 3261 §12.2.2).
    pub fn on_remote_request(&mut self, request: &Request) -> Result<(), RemoteRequestError> {
        let Ok(cseq) = request.headers.cseq() else {
            return Err(RemoteRequestError::CSeqOutOfOrder);
        };
        if request.method != Method::Ack && request.method != Method::Cancel {
            if self.remote_cseq.is_some_and(|last| cseq.seq <= last) {
                return Err(RemoteRequestError::CSeqOutOfOrder);
            }
            self.remote_cseq = Some(cseq.seq);
        }
        if matches!(request.method, Method::Invite | Method::Update) {
            if let Some(contact) = request.headers.contacts().into_iter().next() {
                self.remote_target = contact.uri;
            }
        }
        Ok(())
    }

    /// Takes the final state from a 2xx to our INVITE (the target may change from the 1xx).
    pub fn confirm(&mut self, response: &Response) {
        self.early = false;
        if let Some(contact) = response.headers.contacts().into_iter().next() {
            self.remote_target = contact.uri;
        }
        let mut routes = response.headers.record_routes();
        if !routes.is_empty() {
            routes.reverse();
            self.route_set = routes;
        }
    }

    /// Builds an in-dialog request. ACK and CANCEL reuse `cseq`; anything else takes the next
    /// number. The caller adds Via, Contact and the body.
    pub fn request(&mut self, method: Method, ack_cseq: Option<u32>) -> Request {
        let seq = match (&method, ack_cseq) {
            (Method::Ack, Some(seq)) => seq,
            _ => {
                self.local_cseq += 1;
                self.local_cseq
            }
        };
        let (uri, routes) = self.request_target();
        let mut req = Request::new(method.clone(), uri);
        let h = &mut req.headers;
        for route in routes {
            h.push("Route", route.to_string());
        }
        h.push("Max-Forwards", "70");
        let mut from = self.local.clone();
        from.set_param("tag", Some(&self.local_tag));
        let mut to = self.remote.clone();
        to.set_param("tag", Some(&self.remote_tag));
        h.push("From", from.to_string());
        h.push("To", to.to_string());
        h.push("Call-ID", self.call_id.clone());
        h.push("CSeq", CSeq { seq, method }.to_string());
        req
    }

    /// The Request-URI and Route headers for the next request: loose routing when the first
    /// route has `lr`, else the strict-routing form of RFC 3261 §12.2.1.1.
    fn request_target(&self) -> (Uri, Vec<NameAddr>) {
        match self.route_set.first() {
            None => (self.remote_target.clone(), Vec::new()),
            Some(first) if first.uri.param("lr").is_some() => {
                (self.remote_target.clone(), self.route_set.clone())
            }
            Some(first) => {
                let mut routes: Vec<NameAddr> = self.route_set[1..].to_vec();
                routes.push(NameAddr::new(self.remote_target.clone()));
                (first.uri.without_params(), routes)
            }
        }
    }

    /// The URI whose host and port an in-dialog request is sent to.
    pub fn next_hop(&self) -> &Uri {
        self.route_set
            .first()
            .map(|r| &r.uri)
            .unwrap_or(&self.remote_target)
    }
}

fn without_tag(mut addr: NameAddr) -> NameAddr {
    addr.params.retain(|(n, _)| !n.eq_ignore_ascii_case("tag"));
    addr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sip::message::Message;

    fn parse(text: &str) -> Message {
        Message::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    fn invite() -> Request {
        let Message::Request(r) = parse(
            "INVITE sip:bob@b.example SIP/2.0\n\
Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\n\
From: <sip:alice@a.example>;tag=a1\n\
To: <sip:bob@b.example>\n\
Call-ID: c1\n\
CSeq: 10 INVITE\n\
Contact: <sip:alice@10.0.0.1:5061>\n\
Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n\n",
        ) else {
            panic!()
        };
        r
    }

    fn ok() -> Response {
        let Message::Response(r) = parse(
            "SIP/2.0 200 OK\n\
Via: SIP/2.0/UDP a.example;branch=z9hG4bK1\n\
From: <sip:alice@a.example>;tag=a1\n\
To: <sip:bob@b.example>;tag=b1\n\
Call-ID: c1\n\
CSeq: 10 INVITE\n\
Contact: <sip:bob@10.0.0.2:5062>\n\
Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\n\n",
        ) else {
            panic!()
        };
        r
    }

    #[test]
    fn uac_dialog_reverses_record_route() {
        let mut d = Dialog::for_uac(&invite(), &ok()).unwrap();
        assert_eq!(d.remote_tag, "b1");
        assert_eq!(d.route_set[0].uri.host, "p1.example");
        let bye = d.request(Method::Bye, None);
        assert_eq!(bye.uri.to_string(), "sip:bob@10.0.0.2:5062");
        assert_eq!(bye.headers.cseq().unwrap().seq, 11);
        assert_eq!(
            bye.headers.list("Route"),
            vec!["<sip:p1.example;lr>", "<sip:p2.example;lr>"]
        );
        assert_eq!(bye.headers.to().unwrap().tag(), Some("b1"));
        assert_eq!(d.next_hop().host, "p1.example");
        let ack = d.request(Method::Ack, Some(10));
        assert_eq!(ack.headers.cseq().unwrap().to_string(), "10 ACK");
    }

    #[test]
    fn uas_dialog_keeps_record_route_order_and_checks_cseq() {
        let inv = invite();
        let mut d = Dialog::for_uas(&inv, "b1").unwrap();
        assert_eq!(d.route_set[0].uri.host, "p2.example");
        assert_eq!(d.remote_target.port, Some(5061));
        let mut bye = d.request(Method::Bye, None);
        assert_eq!(bye.headers.from().unwrap().tag(), Some("b1"));
        assert_eq!(bye.headers.to().unwrap().tag(), Some("a1"));
        // A request from the peer with an old CSeq is refused.
        bye.headers.set("CSeq", "9 BYE");
        assert_eq!(
            d.on_remote_request(&bye),
            Err(RemoteRequestError::CSeqOutOfOrder)
        );
    }

    #[test]
    fn strict_route_puts_first_route_in_request_uri() {
        let mut d = Dialog::for_uac(&invite(), &ok()).unwrap();
        d.route_set = vec![NameAddr::parse("<sip:strict.example>").unwrap()];
        let bye = d.request(Method::Bye, None);
        assert_eq!(bye.uri.to_string(), "sip:strict.example");
        assert_eq!(bye.headers.list("Route"), vec!["<sip:bob@10.0.0.2:5062>"]);
    }
}
