//! The sans-IO core: SIP messages, transactions, dialogs, authentication, SDP and the `Phone`
//! state machine. Nothing here touches a socket, a thread, a file or the clock.

pub mod dialplan;
pub mod notice;
pub mod phone;
pub mod sdp;
pub mod sip;
