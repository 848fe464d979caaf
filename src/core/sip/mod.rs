//! SIP (RFC 3261) building blocks: messages and URIs, digest authentication, transactions, dialogs.

pub mod auth;
pub mod dialog;
pub mod message;
pub mod transaction;
pub mod uri;
