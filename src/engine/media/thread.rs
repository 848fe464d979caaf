//! The media thread: a 20 ms clock that, while any call or tone needs it, reads a frame from the
//! microphone, sends each call's RTP, plays each call's jitter-buffered audio mixed with the
//! tones, and sends RTCP. Each tick first reads what every call received since the last one,
//! with the times it arrived (see `datagrams`).
//!
//! The clock stops when nothing needs it, so an idle phone costs no CPU.

use std::collections::HashMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

use super::datagrams::{self, MAX_PACKET};

use crate::config::Audio;
use crate::core::notice::Notice;
use crate::core::phone::{CallId, Event, LineState};
use crate::core::sdp::Negotiated;
use crate::media::cues::Cues;
use crate::media::device::{self, Sink, Source};
use crate::media::mixer::Mix;
use crate::media::session::Session;
use crate::media::{Frame, FRAME_MS, FRAME_SAMPLES};

/// How often a call's figures are reported.
const STATS_EVERY: Duration = Duration::from_secs(5);
/// How long after a failed attempt a real audio device is tried again.
const DEVICE_RETRY: Duration = Duration::from_secs(10);

/// What the engine asks of the media thread.
pub(super) enum Request {
    Open {
        call: CallId,
        rtp: UdpSocket,
        rtcp: UdpSocket,
    },
    Start {
        call: CallId,
        line: usize,
        stream: Negotiated,
    },
    Dtmf {
        call: CallId,
        digits: String,
    },
    Conference {
        calls: Vec<CallId>,
    },
    Close {
        call: CallId,
    },
    Mute {
        muted: bool,
    },
    /// New device settings: the devices whose names changed are reopened.
    Audio(Audio),
    Line {
        line: usize,
        state: LineState,
        reason: Option<String>,
    },
    Finish,
}

/// The media thread's body: runs until `Finish` or until the engine goes away.
pub(super) fn run(
    audio: Audio,
    cname: String,
    requests: mpsc::UnboundedReceiver<Request>,
    events: mpsc::UnboundedSender<Event>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = events.send(Event::error(Notice::AudioCannotStart {
                reason: e.to_string(),
            }));
            return;
        }
    };
    runtime.block_on(MediaLoop::new(audio, cname, events).run(requests));
}

/// One call's sockets and media.
struct Call {
    rtp: UdpSocket,
    rtcp: UdpSocket,
    session: Option<Session>,
    next_stats: Instant,
    /// What the far end said this tick (silence when nothing is received), kept for the
    /// other conference leg.
    heard: Frame,
}

struct MediaLoop {
    cname: String,
    events: mpsc::UnboundedSender<Event>,
    devices: Devices,
    calls: HashMap<CallId, Call>,
    /// Where each datagram is read into.
    datagram: Box<[u8; MAX_PACKET]>,
    cues: Cues,
    clock: Option<Interval>,
    microphone: Frame,
    /// Calls are sent silence instead of the microphone (still a packet every 20 ms).
    muted: bool,
    speaker: Frame,
    mix: Mix,
    /// The joined calls of a local conference; empty when there is none.
    conference: Vec<CallId>,
    /// This tick's audio of each conference leg, in `conference` order.
    legs: Vec<Frame>,
    /// What one conference leg is sent this tick.
    outgoing: Frame,
    rtcp_out: Vec<u8>,
}

impl MediaLoop {
    fn new(audio: Audio, cname: String, events: mpsc::UnboundedSender<Event>) -> MediaLoop {
        MediaLoop {
            cname,
            events,
            devices: Devices::new(audio),
            calls: HashMap::new(),
            datagram: Box::new([0; MAX_PACKET]),
            cues: Cues::default(),
            clock: None,
            microphone: [0; FRAME_SAMPLES],
            muted: false,
            speaker: [0; FRAME_SAMPLES],
            mix: Mix::default(),
            conference: Vec::new(),
            legs: Vec::new(),
            outgoing: [0; FRAME_SAMPLES],
            rtcp_out: Vec::with_capacity(512),
        }
    }

    async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        loop {
            let ticking = self.clock.is_some();
            tokio::select! {
                request = requests.recv() => match request {
                    None | Some(Request::Finish) => break,
                    Some(request) => self.apply(request),
                },
                _ = tick(&mut self.clock), if ticking => self.tick(),
            }
            self.run_clock_if_needed();
        }
        self.devices.finish(&self.events);
    }

    fn apply(&mut self, request: Request) {
        match request {
            Request::Open { call, rtp, rtcp } => self.open(call, rtp, rtcp),
            Request::Start { call, line, stream } => self.start(call, line, stream),
            Request::Dtmf { call, digits } => {
                let result = match self.calls.get_mut(&call).and_then(|c| c.session.as_mut()) {
                    Some(session) => session.send_digits(&digits).map_err(|e| e.to_string()),
                    None => Err("the call has no audio yet".to_owned()),
                };
                if let Err(reason) = result {
                    self.error(Notice::DtmfNotSent {
                        digits: format!("{digits:?}"),
                        reason,
                    });
                }
            }
            Request::Conference { calls } => self.conference = calls,
            Request::Mute { muted } => self.muted = muted,
            Request::Audio(audio) => {
                self.devices.replace(audio, &self.events);
                if self.clock.is_some() {
                    self.devices.activate(&self.events);
                }
            }
            Request::Close { call } => {
                self.conference.retain(|c| *c != call);
                if let Some(call) = self.calls.remove(&call) {
                    if let Some(mut session) = call.session {
                        if let Some(to) = session.rtcp_destination() {
                            session.rtcp_bye(Instant::now(), SystemTime::now(), &mut self.rtcp_out);
                            let _ = call.rtcp.send_to(&self.rtcp_out, to);
                        }
                        // The last figures of a call, so its quality is known after it ends.
                        self.report(Event::Media {
                            line: session.line(),
                            stats: session.stats(),
                        });
                    }
                }
            }
            Request::Line {
                line,
                state,
                reason,
            } => self
                .cues
                .line_changed(line, state, reason.as_deref(), Instant::now()),
            Request::Finish => {}
        }
    }

    fn open(&mut self, call: CallId, rtp: UdpSocket, rtcp: UdpSocket) {
        // Read without waiting at each tick, and sent to without waiting: a full send buffer
        // drops a packet rather than holding every call's audio.
        if let Err(e) = rtp.set_nonblocking(true).and(rtcp.set_nonblocking(true)) {
            return self.error(Notice::CallAudioCannotStart {
                reason: e.to_string(),
            });
        }
        datagrams::stamp_arrivals(&rtp);
        datagrams::stamp_arrivals(&rtcp);
        self.calls.insert(
            call,
            Call {
                rtp,
                rtcp,
                session: None,
                next_stats: Instant::now() + STATS_EVERY,
                heard: [0; FRAME_SAMPLES],
            },
        );
    }

    fn start(&mut self, call: CallId, line: usize, stream: Negotiated) {
        let Some(slot) = self.calls.get_mut(&call) else {
            return tracing::warn!("media for an unknown call {call:?}");
        };
        let result = match &mut slot.session {
            Some(session) => session.update(line, stream),
            None => Session::new(line, stream, self.cname.clone()).map(|session| {
                // What came before the call had media is not part of it.
                datagrams::discard(&slot.rtp, &mut self.datagram[..]);
                datagrams::discard(&slot.rtcp, &mut self.datagram[..]);
                slot.session = Some(session);
            }),
        };
        if let Err(e) = result {
            self.error(Notice::NoAudioOnLine {
                line,
                reason: e.to_string(),
            });
        }
    }

    /// Reads what each call received since the last tick: RTP into its jitter buffer (digits
    /// reported), RTCP into its reports.
    fn read_datagrams(&mut self) {
        let now = datagrams::Now::read();
        let mut digits = Vec::new();
        for call in self.calls.values_mut() {
            let Some(session) = call.session.as_mut() else {
                continue;
            };
            datagrams::drain(&call.rtp, &mut self.datagram[..], now, |data, at| {
                if let Some(digit) = session.on_rtp(data, at) {
                    digits.push(Event::Dtmf {
                        line: session.line(),
                        digit: digit.to_string(),
                    });
                }
            });
            datagrams::drain(&call.rtcp, &mut self.datagram[..], now, |data, at| {
                session.on_rtcp(data, at)
            });
        }
        for event in digits {
            self.report(event);
        }
    }

    /// One 20 ms frame for every call and the tones.
    fn tick(&mut self) {
        self.read_datagrams();
        let now = Instant::now();
        let wallclock = SystemTime::now();
        self.devices.read(&mut self.microphone);
        if self.muted {
            self.microphone.fill(0);
        }
        self.receive(now);
        self.mix.render(&mut self.speaker);
        self.collect_legs();
        let mut reports = Vec::new();
        for (id, call) in self.calls.iter_mut() {
            let Some(session) = call.session.as_mut() else {
                continue;
            };
            // A conference leg hears us and the other leg; any other call hears us only.
            let frame = match self.conference.iter().position(|c| c == id) {
                Some(own) => {
                    self.mix
                        .mix_minus(&self.microphone, &self.legs, own, &mut self.outgoing);
                    &self.outgoing
                }
                None => &self.microphone,
            };
            let destination = session.rtp_destination();
            let rtp = &call.rtp;
            session.send_tick(frame, &mut |packet| {
                if let Some(to) = destination {
                    if let Err(e) = rtp.send_to(packet, to) {
                        tracing::debug!("RTP to {to}: {e}");
                    }
                }
            });
            if session.rtcp_tick(now, wallclock, &mut self.rtcp_out) {
                if let Some(to) = session.rtcp_destination() {
                    let _ = call.rtcp.send_to(&self.rtcp_out, to);
                }
            }
            if now >= call.next_stats {
                call.next_stats = now + STATS_EVERY;
                reports.push(Event::Media {
                    line: session.line(),
                    stats: session.stats(),
                });
            }
        }
        let calls = &self.calls;
        let early_media = |line| {
            calls
                .values()
                .filter_map(|c| c.session.as_ref())
                .any(|s| s.receives() && s.heard() && s.line() == line)
        };
        self.cues.mix_earpiece(now, &early_media, &mut self.speaker);
        let mut ring = [0; FRAME_SAMPLES];
        if self.cues.ring(&mut ring) && !self.devices.ring(&ring) {
            for (out, r) in self.speaker.iter_mut().zip(ring) {
                *out = out.saturating_add(r);
            }
        }
        self.devices.write(&self.speaker);
        for event in reports {
            self.report(event);
        }
        for notice in self.devices.notices() {
            self.report(Event::status(notice));
        }
    }

    /// Takes this tick's audio from every call into its `heard` frame, and mixes what the calls
    /// receive for the speaker: the local user hears every far end, conference or not.
    fn receive(&mut self, now: Instant) {
        self.mix.clear();
        for call in self.calls.values_mut() {
            match call.session.as_mut() {
                Some(session) if session.receives() => {
                    session.receive_tick(now, &mut call.heard);
                    self.mix.add(&call.heard);
                }
                _ => call.heard.fill(0),
            }
        }
    }

    /// Copies the conference legs' audio side by side for mixing (silence for a leg already
    /// closed), so each leg's frame can be mixed while the calls are borrowed for sending.
    fn collect_legs(&mut self) {
        self.legs.clear();
        for id in &self.conference {
            let heard = self.calls.get(id).map_or([0; FRAME_SAMPLES], |c| c.heard);
            self.legs.push(heard);
        }
    }

    /// Starts the clock when a call or a tone needs it, stops it when nothing does.
    fn run_clock_if_needed(&mut self) {
        let needed =
            self.calls.values().any(|c| c.session.is_some()) || self.cues.active(Instant::now());
        match (needed, self.clock.is_some()) {
            (true, false) => {
                let mut clock = tokio::time::interval(Duration::from_millis(FRAME_MS.into()));
                // After a stall, catch up: the far end expects a packet per 20 ms of RTP time.
                clock.set_missed_tick_behavior(MissedTickBehavior::Burst);
                self.clock = Some(clock);
                self.devices.activate(&self.events);
            }
            (false, true) => {
                self.clock = None;
                self.devices.deactivate();
            }
            _ => {}
        }
    }

    fn report(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn error(&self, notice: Notice) {
        self.report(Event::error(notice));
    }
}

async fn tick(clock: &mut Option<Interval>) {
    match clock {
        Some(clock) => {
            clock.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The microphone, the speaker and the ringer, opened when a call first needs them.
struct Devices {
    audio: Audio,
    input: Option<Box<dyn Source>>,
    output: Option<Box<dyn Sink>>,
    /// None when the ring plays on the output device (same device named, or none usable).
    ringer: Option<Box<dyn Sink>>,
    /// When opening real devices last failed, to retry later rather than on every call.
    failed_at: Option<Instant>,
}

impl Devices {
    fn new(audio: Audio) -> Devices {
        Devices {
            audio,
            input: None,
            output: None,
            ringer: None,
            failed_at: None,
        }
    }

    /// Opens what is not open yet (real devices that failed are retried after a while), and
    /// starts them. What cannot be opened is said on the status line; calls go on without it.
    fn activate(&mut self, events: &mpsc::UnboundedSender<Event>) {
        let retry = self.failed_at.is_none_or(|at| at.elapsed() >= DEVICE_RETRY);
        let mut failed = Vec::new();
        if self.input.is_none() && retry {
            match device::open_input(&self.audio.input) {
                Ok(input) => self.input = Some(input),
                Err(e) => failed.push(Notice::InputFailed {
                    error: without_full_stop(e),
                }),
            }
        }
        if self.output.is_none() && retry {
            match device::open_output(&self.audio.output) {
                Ok(output) => self.output = Some(output),
                Err(e) => failed.push(Notice::OutputFailed {
                    error: without_full_stop(e),
                }),
            }
        }
        if self.ringer.is_none() && retry && self.audio.ringer != self.audio.output {
            match device::open_output(&self.audio.ringer) {
                Ok(ringer) => self.ringer = Some(ringer),
                Err(e) => failed.push(Notice::RingerFailed {
                    error: without_full_stop(e),
                }),
            }
        }
        if !failed.is_empty() {
            self.failed_at = Some(Instant::now());
            for notice in failed {
                let _ = events.send(Event::status(notice));
            }
        }
        self.set_active(true);
    }

    fn deactivate(&mut self) {
        self.set_active(false);
    }

    /// Takes new device settings: closes the devices whose names changed (writing out a WAV
    /// output first), so `activate` opens the new ones at once.
    fn replace(&mut self, audio: Audio, events: &mpsc::UnboundedSender<Event>) {
        if audio.input != self.audio.input {
            self.input = None;
        }
        let output_changed = audio.output != self.audio.output;
        let ringer_changed = audio.ringer != self.audio.ringer || output_changed;
        let mut closing = Vec::new();
        if output_changed {
            closing.extend(self.output.take());
        }
        if ringer_changed {
            closing.extend(self.ringer.take());
        }
        for mut sink in closing {
            finish_sink(sink.as_mut(), events);
        }
        self.audio = audio;
        self.failed_at = None;
    }

    fn set_active(&mut self, active: bool) {
        if let Some(input) = &mut self.input {
            input.set_active(active);
        }
        for sink in [&mut self.output, &mut self.ringer].into_iter().flatten() {
            sink.set_active(active);
        }
    }

    fn read(&mut self, frame: &mut Frame) {
        match &mut self.input {
            Some(input) => input.read(frame),
            None => frame.fill(0),
        }
    }

    fn write(&mut self, frame: &Frame) {
        if let Some(output) = &mut self.output {
            output.write(frame);
        }
    }

    /// Plays the ring on the ringer device; false when there is none (the ring then goes to
    /// the speaker).
    fn ring(&mut self, frame: &Frame) -> bool {
        match &mut self.ringer {
            Some(ringer) => {
                ringer.write(frame);
                true
            }
            None => false,
        }
    }

    /// Device messages for the status line.
    fn notices(&mut self) -> Vec<Notice> {
        let input = self.input.as_mut().and_then(|d| d.notice());
        let sinks = [&mut self.output, &mut self.ringer]
            .into_iter()
            .flatten()
            .filter_map(|sink| sink.notice());
        input.into_iter().chain(sinks).collect()
    }

    /// Writes out what must be kept (WAV files) before the thread ends.
    fn finish(&mut self, events: &mpsc::UnboundedSender<Event>) {
        for sink in [&mut self.output, &mut self.ringer].into_iter().flatten() {
            finish_sink(sink.as_mut(), events);
        }
    }
}

/// Writes out what a sink must keep (a WAV file); a failure is an `error` event.
fn finish_sink(sink: &mut dyn Sink, events: &mpsc::UnboundedSender<Event>) {
    if let Err(e) = sink.finish() {
        let _ = events.send(Event::error(e.notice()));
    }
}

/// A device error to be followed by what it means for calls: its own full stop goes, since the
/// sentence around it puts one after it.
fn without_full_stop(error: device::DeviceError) -> Box<Notice> {
    Box::new(error.trimmed().notice())
}
