//! The engine: the tokio actor that owns the SIP socket, the clock and the media sockets, and
//! drives the sans-IO [`Phone`] with them. Front ends talk to it only through two channels:
//! [`Intent`]s in, [`Event`]s out.

mod configure;
mod media;
#[cfg(target_os = "linux")]
mod socket_option;
mod unreachable;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket as StdUdpSocket};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::core::notice::Notice;
use crate::core::phone::{address_text, Event, Input, Intent, Output, Phone, Settings};
use crate::core::sip::uri::{parse_host_port, Uri};
use media::Media;

/// How long `Quit` may take to hang up calls and unregister before the engine stops anyway.
const QUIT_GRACE: Duration = Duration::from_secs(4);
/// How long a name lookup may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest datagram we read.
const MAX_DATAGRAM: usize = 65_535;

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The SIP socket could not be bound.
    #[error("cannot listen for SIP on {addr}: {source}")]
    Bind {
        /// The address in the settings.
        addr: SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// Runs the phone until `Intent::Quit` (or until the intent channel closes, which means the same).
pub async fn run(
    config: Config,
    mut intents: mpsc::UnboundedReceiver<Intent>,
    events: mpsc::UnboundedSender<Event>,
) -> Result<(), EngineError> {
    let bind = config.bind_addr();
    let bind_error = |source| EngineError::Bind { addr: bind, source };
    let socket = UdpSocket::bind(bind).await.map_err(bind_error)?;
    let bound = socket.local_addr().map_err(bind_error)?;
    unreachable::report_errors(&socket);
    let local = SocketAddr::new(advertised_ip(bound.ip(), &config), bound.port());

    // `ready` comes first: front ends wait for it before anything else.
    let _ = events.send(Event::Ready {
        sip: local.to_string(),
    });
    let mut settings = Settings::from_config(&config);
    match config.load_dial_plan() {
        Ok(plan) => settings.dial_plan = plan,
        Err(message) => {
            let _ = events.send(Event::error(Notice::DialPlanNone { reason: message }));
        }
    }
    let mut phone = Phone::new(settings, local, Instant::now());
    let media = Media::start(
        local.ip(),
        config.network.rtp_ports,
        config.audio.clone(),
        format!("{}@{}", config.account.user, local.ip()),
        events.clone(),
    );
    // What is in effect, for `Intent::Configure` to compare with.
    let mut config = config;
    let mut driver = Driver {
        socket,
        events,
        media,
        sip_trace: config.log.sip_trace,
    };
    // Inputs produced off the main loop (name lookups) come back through this channel.
    let (deferred_tx, mut deferred) = mpsc::unbounded_channel::<Input>();
    resolve_in_background(configured_host_names(&config), None, deferred_tx.clone());
    driver.flush(&mut phone).await;

    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut quit_deadline: Option<tokio::time::Instant> = None;
    while !phone.is_finished() {
        let deadline = phone.next_deadline().map(tokio::time::Instant::from_std);
        let wake = [deadline, quit_deadline].into_iter().flatten().min();
        let sleep = async {
            match wake {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            received = driver.socket.recv_from(&mut buf) => match received {
                Ok((len, source)) => {
                    driver.trace("received from", source, &buf[..len]);
                    phone.handle(Instant::now(), Input::Datagram { source, data: buf[..len].to_vec() });
                }
                // ICMP errors from earlier sends surface here; each names where the datagram went.
                Err(e) => {
                    tracing::debug!("SIP socket: {e}");
                    for dest in unreachable::take(&driver.socket) {
                        phone.handle(Instant::now(), Input::Unreachable { dest });
                    }
                }
            },
            intent = intents.recv(), if quit_deadline.is_none() => {
                let intent = intent.unwrap_or(Intent::Quit);
                if intent == Intent::Quit {
                    quit_deadline = Some(tokio::time::Instant::now() + QUIT_GRACE);
                }
                let host = host_to_resolve(&intent);
                match (intent, host) {
                    (Intent::Configure { config: new }, _) => configure::apply(
                        &mut config, *new, &mut phone, &driver.media, &driver.events, &deferred_tx,
                    ),
                    (intent, Some(host)) => resolve_in_background(vec![host], Some(intent), deferred_tx.clone()),
                    (intent, None) => phone.handle(Instant::now(), Input::Intent(intent)),
                }
            },
            Some(input) = deferred.recv() => phone.handle(Instant::now(), input),
            () = sleep => {
                if quit_deadline.is_some_and(|d| d <= tokio::time::Instant::now()) {
                    break;
                }
                phone.handle(Instant::now(), Input::Timeout);
            }
        }
        driver.flush(&mut phone).await;
    }
    driver.media.shutdown();
    Ok(())
}

/// The log target of the SIP trace (setting `log.sip_trace`): every datagram in and out.
pub const SIP_TRACE_TARGET: &str = "linekey::sip_trace";

/// What carries out the phone's outputs.
struct Driver {
    socket: UdpSocket,
    events: mpsc::UnboundedSender<Event>,
    media: Media,
    sip_trace: bool,
}

impl Driver {
    /// Logs one datagram in full when the SIP trace is on.
    fn trace(&self, direction: &str, peer: SocketAddr, data: &[u8]) {
        if self.sip_trace {
            tracing::info!(
                target: SIP_TRACE_TARGET,
                "{direction} {peer} ({} bytes)\n{}",
                data.len(),
                String::from_utf8_lossy(data)
            );
        }
    }

    /// Carries out everything the phone has to say, including what its answers to media
    /// commands make it say next.
    async fn flush(&mut self, phone: &mut Phone) {
        while let Some(output) = phone.poll_output() {
            match output {
                Output::Transmit { dest, data } => {
                    self.trace("sent to", dest, &data);
                    if let Err(e) = self.socket.send_to(&data, dest).await {
                        tracing::warn!("cannot send to {dest}: {e}");
                    }
                }
                Output::Event(event) => {
                    self.media.observe(&event);
                    let _ = self.events.send(event);
                }
                Output::Media(command) => {
                    if let Some(input) = self.media.apply(command) {
                        phone.handle(Instant::now(), input);
                    }
                }
            }
        }
    }
}

/// The IP to put in Via, Contact and SDP: the bound one, or when bound to every interface, the
/// one the system would use to reach our servers (found without sending anything).
fn advertised_ip(bound: IpAddr, config: &Config) -> IpAddr {
    if !bound.is_unspecified() {
        return bound;
    }
    let target = [
        config.proxy.primary.as_deref(),
        Some(config.account.registrar_target()),
    ]
    .into_iter()
    .flatten()
    .filter_map(parse_host_port)
    .find_map(|(host, port)| {
        host.parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, port.unwrap_or(5060)))
    });
    let probe = |target: SocketAddr| {
        let socket = StdUdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
        socket.connect(target).ok()?;
        socket.local_addr().ok().map(|a| a.ip())
    };
    target
        .and_then(probe)
        .or_else(|| probe(SocketAddr::from(([192, 0, 2, 1], 9))))
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// Host names (not IP literals) in the settings, looked up at start.
fn configured_host_names(config: &Config) -> Vec<String> {
    [
        config.proxy.primary.as_deref(),
        config.proxy.backup.as_deref(),
        config.proxy.emergency.as_deref(),
        Some(config.account.registrar_target()),
    ]
    .into_iter()
    .flatten()
    .filter_map(parse_host_port)
    .map(|(host, _)| host)
    .filter(|host| needs_lookup(host))
    .collect()
}

/// The host of a dialled URI when it is a name that must be looked up first.
fn host_to_resolve(intent: &Intent) -> Option<String> {
    let Intent::Dial { target } = intent else {
        return None;
    };
    let uri = Uri::parse(&address_text(target)?).ok()?;
    (uri.is_sip() && needs_lookup(&uri.host)).then_some(uri.host)
}

fn needs_lookup(host: &str) -> bool {
    host.parse::<IpAddr>().is_err() && !host.eq_ignore_ascii_case("localhost")
}

/// Looks names up off the main loop, one after the other, then hands the phone each address
/// and, if given, the intent that was waiting for them. A failed lookup still hands over the
/// intent, so the phone can say plainly that the host could not be resolved.
fn resolve_in_background(
    hosts: Vec<String>,
    then: Option<Intent>,
    inputs: mpsc::UnboundedSender<Input>,
) {
    tokio::spawn(async move {
        for host in hosts {
            let query = (host.clone(), 5060);
            let lookup =
                tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host(query)).await;
            match lookup {
                Ok(Ok(addrs)) => {
                    let addrs: Vec<SocketAddr> = addrs.collect();
                    let best = addrs.iter().find(|a| a.is_ipv4()).or(addrs.first());
                    if let Some(addr) = best {
                        let _ = inputs.send(Input::Resolved {
                            host,
                            addr: addr.ip(),
                        });
                    }
                }
                Ok(Err(e)) => tracing::info!("cannot resolve {host}: {e}"),
                Err(_) => tracing::info!("cannot resolve {host}: timed out"),
            }
        }
        if let Some(intent) = then {
            let _ = inputs.send(Input::Intent(intent));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_of_ip_needs_no_lookup() {
        let dial = |t: &str| Intent::Dial { target: t.into() };
        assert_eq!(host_to_resolve(&dial("sip:bob@127.0.0.1:5062")), None);
        assert_eq!(host_to_resolve(&dial("sip:bob@localhost")), None);
        assert_eq!(host_to_resolve(&dial("1234")), None);
        assert_eq!(
            host_to_resolve(&dial("bob@pbx.example.com")),
            Some("pbx.example.com".into())
        );
        assert_eq!(
            host_to_resolve(&dial("sip:bob@pbx.example.com")),
            Some("pbx.example.com".into())
        );
    }
}
