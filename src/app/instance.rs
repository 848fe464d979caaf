//! Requests from later `linekey` processes (a clicked `sip:` link, or "show the window"), which
//! the single-instance socket in `crate::ipc` receives, as a subscription.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use iced::futures::stream::{self, Stream, StreamExt};
use iced::Subscription;
use tokio::sync::mpsc;

use crate::ipc::Request;

/// The receiving end, shareable so the subscription can take it once.
#[derive(Debug, Clone, Default)]
pub struct Requests(Arc<Mutex<Option<mpsc::UnboundedReceiver<Request>>>>);

impl Requests {
    /// Wraps the channel `ipc::claim` returned.
    pub fn new(receiver: Option<mpsc::UnboundedReceiver<Request>>) -> Requests {
        Requests(Arc::new(Mutex::new(receiver)))
    }
}

// There is one such channel per process, so every value is the same subscription.
impl Hash for Requests {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "linekey-requests".hash(state);
    }
}

/// The requests, in arrival order.
pub fn subscription(requests: Requests) -> Subscription<Request> {
    Subscription::run_with(requests, listen)
}

fn listen(requests: &Requests) -> impl Stream<Item = Request> {
    let receiver = requests.0.lock().ok().and_then(|mut r| r.take());
    stream::iter(receiver)
        .flat_map(|rx| stream::unfold(rx, |mut rx| async { rx.recv().await.map(|r| (r, rx)) }))
}
