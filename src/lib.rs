//! linekey: a desktop SIP softphone that behaves like a Cisco SIP IP phone.
//!
//! `core` is the sans-IO protocol core, `engine` the tokio actor that drives it with real sockets
//! and a real clock, `agent` the headless JSON-lines front end. See `docs/architecture.md`.

pub mod agent;
pub mod app;
pub mod config;
pub mod core;
pub mod engine;
pub mod i18n;
pub mod ipc;
pub mod link;
pub mod logging;
pub mod media;
pub mod notify;
