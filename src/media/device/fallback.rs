//! Keeping a sound card: the one asked for while it is there, the default one when it vanishes.
//!
//! A USB headset can be pulled out mid-call. The call should carry on through the default card,
//! the user should be told once, and the next call should go back to the headset if it is back.
//! That policy lives here, apart from cpal, so it can be tested with pretend cards.

use super::{DeviceError, Direction};
use crate::core::notice::Notice;

/// One open card in one direction, as the fallback logic of [`Link`] sees it.
pub(super) trait Endpoint: Sized {
    /// Which way the card is used, for messages.
    const DIRECTION: Direction;
    /// Opens the card `name` (`None`: the default one) and starts its stream.
    fn open(name: Option<&str>) -> Result<Self, DeviceError>;
    /// The label of the card.
    fn label(&self) -> &str;
    /// Whether the card has gone away.
    fn is_lost(&self) -> bool;
}

/// A card chosen by name: open while active, replaced by the default card when it vanishes, and
/// tried again at the next activation.
pub(super) struct Link<E> {
    /// The card asked for; `None` for the default.
    wanted: Option<String>,
    /// The open card; `None` while inactive or when none could be opened.
    current: Option<E>,
    /// Whether the user has been told that the wanted card is not the one in use.
    degraded: bool,
    /// A message for the status line, not yet shown.
    notice: Option<Notice>,
}

impl<E: Endpoint> Link<E> {
    /// Opens the wanted card (`None`: the default one), or the default one with a notice; an
    /// error only when neither opens.
    pub(super) fn open(wanted: Option<&str>) -> Result<Link<E>, DeviceError> {
        let mut link = Link {
            wanted: wanted.map(str::to_owned),
            current: None,
            degraded: false,
            notice: None,
        };
        link.current = Some(link.connect()?);
        Ok(link)
    }

    /// Opens the wanted card, else the default one, and says so when that changes which card
    /// plays.
    fn connect(&mut self) -> Result<E, DeviceError> {
        let Some(wanted) = self.wanted.as_deref() else {
            return E::open(None);
        };
        match E::open(Some(wanted)) {
            Ok(endpoint) => {
                if std::mem::take(&mut self.degraded) {
                    self.notice = Some(Notice::DeviceBack {
                        name: wanted.to_owned(),
                    });
                }
                Ok(endpoint)
            }
            Err(error) => {
                let endpoint = E::open(None).map_err(|default_error| DeviceError::Unavailable {
                    direction: E::DIRECTION,
                    name: wanted.to_owned(),
                    reason: format!(
                        "{}, and the default {} failed too: {}",
                        reason(&error),
                        E::DIRECTION,
                        reason(&default_error)
                    ),
                })?;
                if !std::mem::replace(&mut self.degraded, true) {
                    self.notice = Some(Notice::DeviceFallback {
                        error: Box::new(error.notice()),
                        direction: E::DIRECTION.to_string(),
                    });
                }
                Ok(endpoint)
            }
        }
    }

    /// Closes the card when inactive; when active, opens one if none is open (after the last
    /// call closed it, or when none could be opened before).
    pub(super) fn set_active(&mut self, active: bool) {
        if !active {
            self.current = None;
        } else if self.current.is_none() {
            match self.connect() {
                Ok(endpoint) => self.current = Some(endpoint),
                Err(error) => self.notice = Some(error.notice()),
            }
        }
    }

    /// The card to use now, after replacing one that vanished by the default card.
    pub(super) fn current(&mut self) -> Option<&mut E> {
        if let Some(lost) = self.current.take_if(|endpoint| endpoint.is_lost()) {
            // The named card's label, or none when the default card went.
            let name = self.wanted.as_ref().map(|_| lost.label().to_owned());
            drop(lost);
            let direction = E::DIRECTION.to_string();
            match E::open(None) {
                Ok(endpoint) => {
                    self.degraded = self.wanted.is_some();
                    self.notice = Some(match name {
                        Some(name) => Notice::DeviceGone { name, direction },
                        None => Notice::DefaultDeviceGone { direction },
                    });
                    self.current = Some(endpoint);
                }
                Err(error) => {
                    let reason = reason(&error);
                    self.notice = Some(match name {
                        Some(name) => Notice::DeviceGoneNoOther {
                            name,
                            direction,
                            reason,
                        },
                        None => Notice::DefaultDeviceGoneNoOther { direction, reason },
                    });
                }
            }
        }
        self.current.as_mut()
    }

    /// The message for the status line, if something changed since the last call.
    pub(super) fn take_notice(&mut self) -> Option<Notice> {
        self.notice.take()
    }
}

/// The part of an error after the device's name, to quote it inside another sentence.
fn reason(error: &DeviceError) -> String {
    match error {
        DeviceError::Unavailable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    thread_local! {
        /// The fake cards plugged in, by label, with the flag their error callback would raise.
        static PLUGGED: RefCell<Vec<(String, Arc<AtomicBool>)>> = const { RefCell::new(Vec::new()) };
    }

    fn plug(label: &str) {
        PLUGGED.with(|cards| {
            cards
                .borrow_mut()
                .push((label.to_owned(), Arc::new(AtomicBool::new(false))))
        });
    }

    fn unplug(label: &str) {
        PLUGGED.with(|cards| {
            cards.borrow_mut().retain(|(plugged, lost)| {
                if plugged == label {
                    lost.store(true, Ordering::Relaxed);
                }
                plugged != label
            })
        });
    }

    struct FakeCard {
        label: String,
        lost: Arc<AtomicBool>,
    }

    impl Endpoint for FakeCard {
        const DIRECTION: Direction = Direction::Output;

        fn open(name: Option<&str>) -> Result<FakeCard, DeviceError> {
            let label = name.unwrap_or("default");
            PLUGGED
                .with(|cards| {
                    cards
                        .borrow()
                        .iter()
                        .find(|(plugged, _)| plugged == label)
                        .map(|(label, lost)| FakeCard {
                            label: label.clone(),
                            lost: lost.clone(),
                        })
                })
                .ok_or_else(|| DeviceError::Unavailable {
                    direction: Direction::Output,
                    name: label.to_owned(),
                    reason: "it is not connected".into(),
                })
        }

        fn label(&self) -> &str {
            &self.label
        }

        fn is_lost(&self) -> bool {
            self.lost.load(Ordering::Relaxed)
        }
    }

    fn playing(link: &mut Link<FakeCard>) -> Option<String> {
        link.current().map(|card| card.label.clone())
    }

    #[test]
    fn a_vanished_card_is_replaced_by_the_default_and_comes_back_at_the_next_call() {
        plug("default");
        plug("Headset");
        let mut link = Link::<FakeCard>::open(Some("Headset")).unwrap();
        assert_eq!(playing(&mut link).as_deref(), Some("Headset"));
        assert_eq!(link.take_notice(), None);

        unplug("Headset");
        assert_eq!(playing(&mut link).as_deref(), Some("default"));
        assert_eq!(
            link.take_notice().map(|n| n.english()).as_deref(),
            Some("\"Headset\" disconnected; using the default output")
        );
        assert_eq!(playing(&mut link).as_deref(), Some("default"));
        assert_eq!(link.take_notice(), None);

        link.set_active(false);
        assert_eq!(playing(&mut link), None);
        link.set_active(true);
        assert_eq!(playing(&mut link).as_deref(), Some("default"));
        assert_eq!(link.take_notice(), None, "already told");

        link.set_active(false);
        plug("Headset");
        link.set_active(true);
        assert_eq!(playing(&mut link).as_deref(), Some("Headset"));
        assert_eq!(
            link.take_notice().map(|n| n.english()).as_deref(),
            Some("Using \"Headset\" again")
        );
    }

    #[test]
    fn a_missing_card_at_start_means_the_default_with_a_notice() {
        plug("default");
        let mut link = Link::<FakeCard>::open(Some("Headset")).unwrap();
        assert_eq!(playing(&mut link).as_deref(), Some("default"));
        assert_eq!(
            link.take_notice().map(|n| n.english()).as_deref(),
            Some(
                "No audio output device \"Headset\": it is not connected; using the default output"
            )
        );
    }

    #[test]
    fn no_card_at_all_is_an_error_naming_the_one_asked_for() {
        let error = Link::<FakeCard>::open(Some("Headset")).err().unwrap();
        assert_eq!(
            error.to_string(),
            "No audio output device \"Headset\": it is not connected, and the default output \
             failed too: it is not connected"
        );
        assert!(Link::<FakeCard>::open(None).is_err());
    }

    #[test]
    fn losing_the_last_card_means_silence_until_one_opens_at_activation() {
        plug("default");
        let mut link = Link::<FakeCard>::open(None).unwrap();
        unplug("default");
        assert_eq!(playing(&mut link), None);
        assert_eq!(
            link.take_notice().map(|n| n.english()).as_deref(),
            Some("The default audio output disconnected, and no other audio output works: it is not connected")
        );
        link.set_active(true);
        assert_eq!(playing(&mut link), None);
        assert!(link.take_notice().is_some());
        plug("default");
        link.set_active(true);
        assert_eq!(playing(&mut link).as_deref(), Some("default"));
    }
}
