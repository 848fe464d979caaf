//! The desktop window (iced).

pub mod settings;
