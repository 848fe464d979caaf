//! The engine's media side: binds RTP ports for the phone, and runs the media thread that
//! carries every call's audio between the sockets and the audio devices.
//!
//! Media runs on its own thread so that SIP work (a burst of requests, a slow name lookup) never
//! delays a 20 ms audio frame, and audio work never delays SIP.

mod datagrams;
mod ports;
mod thread;

use std::net::IpAddr;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use crate::config::Audio;
use crate::core::phone::{Event, Input, MediaCommand};
use ports::MediaPorts;
use thread::Request;

/// The media side of the engine.
pub struct Media {
    ports: MediaPorts,
    requests: mpsc::UnboundedSender<Request>,
    thread: Option<JoinHandle<()>>,
}

impl Media {
    /// Starts the media thread. It reports digits, statistics and device trouble as `events`.
    pub fn start(
        ip: IpAddr,
        rtp_ports: [u16; 2],
        audio: Audio,
        cname: String,
        events: mpsc::UnboundedSender<Event>,
    ) -> Media {
        let (requests, inbox) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("linekey-media".into())
            .spawn(move || thread::run(audio, cname, inbox, events))
            .map_err(|e| tracing::error!("cannot start the media thread: {e}"))
            .ok();
        Media {
            ports: MediaPorts::new(ip, rtp_ports),
            requests,
            thread,
        }
    }

    /// Carries out a media command; `Open` answers with the phone's next input.
    pub fn apply(&mut self, command: MediaCommand) -> Option<Input> {
        match command {
            MediaCommand::Open { call } => {
                let (input, sockets) = self.ports.open(call);
                if let Some((rtp, rtcp)) = sockets {
                    self.send(Request::Open { call, rtp, rtcp });
                }
                Some(input)
            }
            MediaCommand::Start { call, line, stream } => {
                self.send(Request::Start { call, line, stream });
                None
            }
            MediaCommand::Dtmf { call, digits } => {
                self.send(Request::Dtmf { call, digits });
                None
            }
            MediaCommand::Conference { calls } => {
                self.send(Request::Conference { calls });
                None
            }
            MediaCommand::Close { call } => {
                self.send(Request::Close { call });
                None
            }
            MediaCommand::Mute { muted } => {
                self.send(Request::Mute { muted });
                None
            }
        }
    }

    /// Switches to other audio devices; a live call carries on with the new ones.
    pub fn set_audio(&self, audio: Audio) {
        self.send(Request::Audio(audio));
    }

    /// Tells the media thread about an event the phone reported: line changes choose the tones.
    pub fn observe(&self, event: &Event) {
        if let Event::Line {
            line,
            state,
            reason,
            ..
        } = event
        {
            self.send(Request::Line {
                line: *line,
                state: *state,
                reason: reason.clone(),
            });
        }
    }

    fn send(&self, request: Request) {
        if self.requests.send(request).is_err() {
            tracing::warn!("the media thread has stopped");
        }
    }

    /// Stops the media thread after it has written what must be kept (WAV files).
    pub fn shutdown(mut self) {
        self.send(Request::Finish);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the media thread failed");
            }
        }
    }
}
