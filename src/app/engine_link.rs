//! The window's connection to the engine: a subscription that starts the engine on a thread of
//! its own (with its own current-thread tokio runtime, as the agent does), hands back the intent
//! sender as its first item, then passes on every event, and finally says how the engine ended.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::SystemTime;

use iced::futures::{SinkExt, Stream};
use iced::Subscription;
use tokio::sync::{mpsc, oneshot};

use crate::config::Config;
use crate::core::phone::{Event, Intent};
use crate::engine;

/// What the engine link reports to the window.
#[derive(Debug, Clone)]
pub enum Report {
    /// The engine runs; intents go here.
    Connected(mpsc::UnboundedSender<Intent>),
    /// Something happened, stamped with when it arrived (the call timer and history need it).
    Event(Event, SystemTime),
    /// The engine is gone: after `Quit`, or with the reason it failed (e.g. the SIP port is taken).
    Stopped(Result<(), String>),
}

/// What the engine starts with. Only `generation` makes the subscription's identity, so changing
/// settings later (sent as intents) never restarts the engine; a new generation does.
#[derive(Debug, Clone)]
pub struct Start {
    /// The settings the engine starts with.
    pub config: Arc<Config>,
    /// Bumped to start a fresh engine after one stopped.
    pub generation: u64,
}

impl Hash for Start {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.generation.hash(state);
    }
}

/// The engine, as a subscription.
pub fn subscription(start: Start) -> Subscription<Report> {
    Subscription::run_with(start, |start| run((*start.config).clone()))
}

fn run(config: Config) -> impl Stream<Item = Report> {
    iced::stream::channel(64, async move |mut output| {
        let (intent_tx, intent_rx) = mpsc::unbounded_channel();
        let (event_tx, mut event_rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || {
                let result = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime
                        .block_on(engine::run(config, intent_rx, event_tx))
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                let _ = done_tx.send(result);
            });
        if let Err(e) = thread {
            let _ = output.send(Report::Stopped(Err(e.to_string()))).await;
            return;
        }
        if output.send(Report::Connected(intent_tx)).await.is_err() {
            return;
        }
        while let Some(event) = event_rx.recv().await {
            if output
                .send(Report::Event(event, SystemTime::now()))
                .await
                .is_err()
            {
                return;
            }
        }
        // The event channel closes when the engine returns; its result follows at once.
        let result = done_rx
            .await
            .unwrap_or_else(|_| Err("the engine thread stopped unexpectedly".to_owned()));
        let _ = output.send(Report::Stopped(result)).await;
    })
}
