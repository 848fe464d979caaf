//! `Intent::Configure` on the engine's side: the parts of new settings that are I/O — reading
//! the dial plan file, reopening audio devices, looking up new host names — happen here; the
//! phone applies the rest, once the new names are known. The SIP socket and the RTP port range
//! stay as they are: calls in progress use them, so moving them waits for a restart.

use std::time::Instant;

use tokio::sync::mpsc;

use super::media::Media;
use super::{configured_host_names, resolve_in_background};
use crate::config::Config;
use crate::core::notice::Notice;
use crate::core::phone::{Event, Input, Intent, Phone};

/// Applies `new` over `current`, which afterwards holds what is in effect.
pub(super) fn apply(
    current: &mut Config,
    mut new: Config,
    phone: &mut Phone,
    media: &Media,
    events: &mpsc::UnboundedSender<Event>,
    deferred: &mpsc::UnboundedSender<Input>,
) {
    let say = |event: Event| {
        let _ = events.send(event);
    };
    if let Err(e) = new.validate("settings") {
        return say(Event::error(Notice::SettingsNotApplied {
            reason: e.to_string(),
        }));
    }
    if (&new.network.bind, new.network.rtp_ports)
        != (&current.network.bind, current.network.rtp_ports)
    {
        let [low, high] = current.network.rtp_ports;
        say(Event::status(Notice::RestartForNetwork {
            bind: current.network.bind.clone(),
            low,
            high,
        }));
        new.network.bind.clone_from(&current.network.bind);
        new.network.rtp_ports = current.network.rtp_ports;
    }
    if new.audio != current.audio {
        media.set_audio(new.audio.clone());
    }
    // Always read again: the user may have edited the file without renaming it.
    match new.load_dial_plan() {
        Ok(plan) => phone.handle(Instant::now(), Input::DialPlan(plan)),
        Err(reason) => say(Event::error(Notice::DialPlanKept { reason })),
    }
    let known = configured_host_names(current);
    let unknown: Vec<String> = configured_host_names(&new)
        .into_iter()
        .filter(|host| !known.contains(host))
        .collect();
    let intent = Intent::Configure {
        config: Box::new(new.clone()),
    };
    if unknown.is_empty() {
        phone.handle(Instant::now(), Input::Intent(intent));
    } else {
        // A new registrar or proxy by name: registering before it is known would fail.
        resolve_in_background(unknown, Some(intent), deferred.clone());
    }
    *current = new;
}
