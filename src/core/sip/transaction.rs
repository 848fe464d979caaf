//! SIP transactions over UDP (RFC 3261 §17, with RFC 6026's Accepted state), client and server,
//! INVITE and non-INVITE, owned by the phone as one [`Transactions`] table.
//!
//! Sans-IO: requests and responses are fed in with the current time, bytes to send and events for
//! the transaction user come out of [`Transactions::poll_output`], and the caller sleeps until
//! [`Transactions::next_deadline`]. Each transaction has one deadline per timer kind (the idea of
//! quinn-proto's timer table), so RFC 3261's timers A to K map onto three slots.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::message::{Headers, Method, Request, Response, Via};
use super::uri::{split_unquoted, Params};

/// The branch prefix that marks an RFC 3261 peer (§8.1.1.7); without it we match like RFC 2543.
const MAGIC_COOKIE: &str = "z9hG4bK";
/// The port of a Via sent-by that names none (RFC 3261 §18.2.2).
const DEFAULT_PORT: u16 = 5060;
/// Timer D's minimum over UDP (RFC 3261 §17.1.1.2).
const TIMER_D_MIN: Duration = Duration::from_secs(32);

/// Timer base values (RFC 3261 §17.1.1.1), configurable like a Cisco phone's timer_t1/timer_t2.
#[derive(Clone, Copy, Debug)]
pub struct Timers {
    /// Round-trip estimate: the first retransmission interval.
    pub t1: Duration,
    /// The longest retransmission interval for non-INVITE requests and INVITE responses.
    pub t2: Duration,
    /// How long a message may stay in the network: timers I and K.
    pub t4: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl Timers {
    /// 64*T1: timers B, F, H, J, and RFC 6026's L and M.
    fn give_up(&self) -> Duration {
        self.t1 * 64
    }

    /// Timer D: 32 s, or longer if our T1 is, since the peer's timer H likely scales the same way.
    fn timer_d(&self) -> Duration {
        self.give_up().max(TIMER_D_MIN)
    }
}

/// Identifies a transaction (or a stateless ACK) for the transaction user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(pub u64);

/// Options of one client transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientOptions {
    /// Give up after this many transmissions instead of waiting for timer B/F (fast failover).
    pub max_transmissions: Option<u32>,
}

/// Something the transaction layer wants done or reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxOutput {
    /// Send these bytes to this address.
    Transmit {
        /// The destination.
        dest: SocketAddr,
        /// One datagram.
        data: Vec<u8>,
    },
    /// A response for the transaction user: each new provisional/final response of a client
    /// transaction (retransmissions of a non-2xx final are absorbed, but every 2xx to an INVITE,
    /// including retransmissions, is passed up so the dialog layer can re-send its ACK).
    Response {
        /// The client transaction.
        id: TxId,
        /// The response as received.
        response: Response,
    },
    /// A client transaction got no final response: timer B or F fired, or `max_transmissions`
    /// were sent and the time the next retransmission would have left has come (whichever is
    /// first). `answered` is true if a provisional response had arrived.
    NoResponse {
        /// The client transaction, now gone.
        id: TxId,
        /// How many times the request was sent.
        transmissions: u32,
        /// Whether a provisional response had arrived.
        answered: bool,
    },
    /// A server INVITE transaction sent a 2xx that was never ACKed within 64*T1: the call should
    /// be ended with BYE.
    AckMissing {
        /// The server INVITE transaction, now gone.
        id: TxId,
    },
}

/// What became of an incoming request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A new request for the TU. For ACK: an ACK that belongs to no Completed transaction, i.e.
    /// the ACK for a 2xx, returned with the INVITE's TxId if one is in Accepted state, else with
    /// a fresh TxId that has no transaction.
    New(TxId, Request),
    /// A retransmission: the layer re-sent the last response itself, or an ACK for a non-2xx
    /// final.
    Absorbed,
}

/// The timer kinds of a transaction; each has one slot in a [`TimerTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timer {
    /// Gives up: B, F, H, and the 64*T1 wait for the ACK of a 2xx (RFC 6026's L).
    GiveUp,
    /// Re-sends the request or the last response: A, E, G, and 2xx retransmission.
    Retransmit,
    /// Ends a finished transaction that stayed to absorb retransmissions: D, I, J, K, M.
    Linger,
}

impl Timer {
    /// Slot order; on a tie the earlier kind fires first, so giving up is never preceded by a
    /// pointless retransmission.
    const ALL: [Timer; 3] = [Timer::GiveUp, Timer::Retransmit, Timer::Linger];
}

/// One deadline per timer kind.
#[derive(Clone, Debug, Default)]
struct TimerTable([Option<Instant>; 3]);

impl TimerTable {
    fn set(&mut self, timer: Timer, at: Instant) {
        self.0[timer as usize] = Some(at);
    }

    fn stop(&mut self, timer: Timer) {
        self.0[timer as usize] = None;
    }

    fn stop_all(&mut self) {
        self.0 = [None; 3];
    }

    /// The earliest running timer (ties in [`Timer::ALL`] order).
    fn next(&self) -> Option<(Instant, Timer)> {
        Timer::ALL
            .iter()
            .filter_map(|&t| Some((self.0[t as usize]?, t)))
            .min_by_key(|(at, _)| *at)
    }
}

/// RFC 3261 §17 states; each machine uses a subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Client INVITE before any response.
    Calling,
    /// Non-INVITE (client or server) before any response.
    Trying,
    /// A provisional response was received or sent.
    Proceeding,
    /// INVITE with a 2xx (RFC 6026): 2xx retransmissions and their ACKs go to the TU.
    Accepted,
    /// A non-2xx final (or, non-INVITE, any final) was received or sent.
    Completed,
    /// Server INVITE: the ACK for a non-2xx final arrived (timer I).
    Confirmed,
}

/// How a transaction is found from a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// Client: top Via branch and CSeq method (RFC 3261 §17.1.3).
    Client { branch: String, method: Method },
    /// Server, RFC 3261 peer: branch, sent-by and method, ACK counted as INVITE (§17.2.3).
    Server {
        branch: String,
        host: String,
        port: Option<u16>,
        method: Method,
    },
    /// Server, RFC 2543 peer whose branch has no magic cookie.
    Legacy {
        call_id: String,
        seq: u32,
        from_tag: Option<String>,
        via: String,
        method: Method,
    },
}

/// What differs between client and server transactions.
#[derive(Clone, Debug)]
enum Role {
    Client {
        transmissions: u32,
        max_transmissions: Option<u32>,
        answered: bool,
        /// The ACK for the non-2xx final, re-sent for each retransmission of it.
        ack: Option<Vec<u8>>,
    },
    Server {
        /// Whether the ACK for a 2xx arrived.
        acked: bool,
    },
}

/// One transaction.
#[derive(Clone, Debug)]
struct Transaction {
    key: Key,
    role: Role,
    state: State,
    /// INVITE runs its own state machines.
    invite: bool,
    /// The request sent (client) or received, with received/rport filled (server).
    request: Request,
    /// Where requests (client) or responses (server) go.
    dest: SocketAddr,
    /// What a retransmission re-sends: the request, or the last response once there is one.
    resend: Option<Vec<u8>>,
    /// The wait before the next retransmission.
    interval: Duration,
    timers: TimerTable,
}

/// What a transaction needs from its owner while it handles an event.
struct Ctx<'a> {
    id: TxId,
    now: Instant,
    timers: Timers,
    out: &'a mut VecDeque<TxOutput>,
}

impl Ctx<'_> {
    fn transmit(&mut self, dest: SocketAddr, data: Vec<u8>) {
        self.out.push_back(TxOutput::Transmit { dest, data });
    }

    fn pass_up(&mut self, response: Response) {
        self.out.push_back(TxOutput::Response {
            id: self.id,
            response,
        });
    }
}

impl Transaction {
    fn is_client(&self) -> bool {
        matches!(self.role, Role::Client { .. })
    }

    fn resend(&self, ctx: &mut Ctx) {
        if let Some(data) = &self.resend {
            ctx.transmit(self.dest, data.clone());
        }
    }

    /// Schedules the next retransmission `interval` after the one due at `at`, however late
    /// that one was sent: a stall must not push the later ones past timer B or F, or an INVITE
    /// would leave six times instead of seven in 64·T1 and the seed's failover would count
    /// wrong. After a stall the overdue ones go out at once; timers fire in deadline order, so
    /// that burst holds at most the few retransmissions due before the give-up timer.
    fn schedule_retransmit(&mut self, at: Instant) {
        self.timers.set(Timer::Retransmit, at + self.interval);
    }

    /// Client INVITE (§17.1.1.2, RFC 6026 §8.4).
    fn invite_client_response(&mut self, response: Response, ctx: &mut Ctx) {
        match (self.state, response.status) {
            (State::Calling | State::Proceeding, 100..=199) => {
                // Timer B only runs in Calling: a ringing call may wait as long as it likes.
                self.state = State::Proceeding;
                self.timers.stop_all();
                self.mark_answered();
                ctx.pass_up(response);
            }
            (State::Calling | State::Proceeding, 200..=299) => {
                self.state = State::Accepted;
                self.timers.stop_all();
                self.timers
                    .set(Timer::Linger, ctx.now + ctx.timers.give_up());
                ctx.pass_up(response);
            }
            // The dialog layer ACKs each 2xx itself, retransmissions and forks included.
            (State::Accepted, 200..=299) => ctx.pass_up(response),
            (State::Calling | State::Proceeding, 300..) => {
                let ack = build_ack(&self.request, &response).to_bytes();
                ctx.transmit(self.dest, ack.clone());
                if let Role::Client { ack: slot, .. } = &mut self.role {
                    *slot = Some(ack);
                }
                self.state = State::Completed;
                self.timers.stop_all();
                self.timers
                    .set(Timer::Linger, ctx.now + ctx.timers.timer_d());
                ctx.pass_up(response);
            }
            (State::Completed, 300..) => {
                // Our ACK was lost: repeat it, but the TU has already seen this response.
                if let Role::Client { ack: Some(ack), .. } = &self.role {
                    ctx.transmit(self.dest, ack.clone());
                }
            }
            _ => {}
        }
    }

    /// Client non-INVITE (§17.1.2.2).
    fn non_invite_client_response(&mut self, response: Response, ctx: &mut Ctx) {
        match (self.state, response.status) {
            (State::Trying | State::Proceeding, 100..=199) => {
                // Timer E keeps running; it switches to T2 intervals when it next fires.
                self.state = State::Proceeding;
                self.mark_answered();
                ctx.pass_up(response);
            }
            (State::Trying | State::Proceeding, _) => {
                self.state = State::Completed;
                self.timers.stop_all();
                self.timers.set(Timer::Linger, ctx.now + ctx.timers.t4);
                ctx.pass_up(response);
            }
            _ => {}
        }
    }

    fn mark_answered(&mut self) {
        if let Role::Client { answered, .. } = &mut self.role {
            *answered = true;
        }
    }

    /// Timer A, E or G (or 2xx retransmission) fired at `at`. Returns true when the
    /// transaction is over.
    fn on_retransmit(&mut self, at: Instant, ctx: &mut Ctx) -> bool {
        if let Role::Client {
            transmissions,
            max_transmissions: Some(max),
            ..
        } = self.role
        {
            if transmissions >= max {
                return self.give_up(ctx);
            }
        }
        self.resend(ctx);
        self.interval = self.next_interval(ctx.timers);
        if let Role::Client { transmissions, .. } = &mut self.role {
            *transmissions += 1;
        }
        self.schedule_retransmit(at);
        false
    }

    /// The retransmission interval after the current one.
    fn next_interval(&self, timers: Timers) -> Duration {
        match (self.is_client(), self.invite, self.state) {
            // Timer A doubles without a cap; timer B ends it after seven sends.
            (true, true, _) => self.interval * 2,
            (true, false, State::Proceeding) => timers.t2,
            // Timer E in Trying, timer G, and 2xx retransmission (§13.3.1.4).
            _ => (self.interval * 2).min(timers.t2),
        }
    }

    /// Timer B, F, H or the 2xx's ACK wait fired. Always ends the transaction.
    fn give_up(&mut self, ctx: &mut Ctx) -> bool {
        match self.role {
            Role::Client {
                transmissions,
                answered,
                ..
            } => ctx.out.push_back(TxOutput::NoResponse {
                id: ctx.id,
                transmissions,
                answered,
            }),
            Role::Server { acked: false } if self.state == State::Accepted => {
                ctx.out.push_back(TxOutput::AckMissing { id: ctx.id });
            }
            // Timer H: the peer never ACKed our non-2xx final; nothing more to do.
            Role::Server { .. } => {}
        }
        true
    }

    /// The state a server transaction moves to when the TU sends `status`, if it may.
    fn server_next_state(&self, status: u16) -> Option<State> {
        match (self.invite, self.state, status) {
            (_, State::Trying | State::Proceeding, 100..=199) => Some(State::Proceeding),
            (true, State::Proceeding | State::Accepted, 200..=299) => Some(State::Accepted),
            (_, State::Trying | State::Proceeding, 200..) => Some(State::Completed),
            _ => None,
        }
    }

    /// Starts the timers of a server state just entered by sending a response.
    fn enter_server_state(&mut self, next: State, now: Instant, timers: Timers) {
        let entering = self.state != next;
        self.state = next;
        if !entering {
            // A further 2xx in Accepted keeps the running ACK wait and retransmission.
            return;
        }
        match (next, self.invite) {
            (State::Accepted, _) | (State::Completed, true) => {
                // 2xx retransmission (§13.3.1.4) or timers G and H (§17.2.1).
                self.interval = timers.t1;
                self.timers.set(Timer::Retransmit, now + timers.t1);
                self.timers.set(Timer::GiveUp, now + timers.give_up());
            }
            // Timer J: answer retransmitted requests for 64*T1.
            (State::Completed, false) => self.timers.set(Timer::Linger, now + timers.give_up()),
            _ => {}
        }
    }
}

/// All SIP transactions of the phone.
#[derive(Debug)]
pub struct Transactions {
    timers: Timers,
    next_id: u64,
    txs: BTreeMap<TxId, Transaction>,
    index: HashMap<Key, TxId>,
    outputs: VecDeque<TxOutput>,
}

impl Transactions {
    /// An empty table using these timer values.
    pub fn new(timers: Timers) -> Self {
        Transactions {
            timers,
            next_id: 0,
            txs: BTreeMap::new(),
            index: HashMap::new(),
            outputs: VecDeque::new(),
        }
    }

    /// Changes the timer values; running timers keep their deadlines, later ones use the new
    /// values.
    pub fn set_timers(&mut self, timers: Timers) {
        self.timers = timers;
    }

    /// Starts a client transaction: sends `req` to `dest` now and retransmits it per timers A/E.
    ///
    /// `req` must carry a top Via with a branch (see [`new_branch`]). An ACK is not a
    /// transaction (§17): it is sent once and gets an id with no transaction behind it.
    pub fn send_request(
        &mut self,
        now: Instant,
        req: Request,
        dest: SocketAddr,
        opts: ClientOptions,
    ) -> TxId {
        let data = req.to_bytes();
        self.outputs.push_back(TxOutput::Transmit {
            dest,
            data: data.clone(),
        });
        if req.method == Method::Ack {
            return self.fresh_id();
        }
        let invite = req.method == Method::Invite;
        let mut timers = TimerTable::default();
        timers.set(Timer::Retransmit, now + self.timers.t1);
        timers.set(Timer::GiveUp, now + self.timers.give_up());
        let tx = Transaction {
            key: client_key(&req.headers, req.method.clone()),
            role: Role::Client {
                transmissions: 1,
                max_transmissions: opts.max_transmissions,
                answered: false,
                ack: None,
            },
            state: if invite {
                State::Calling
            } else {
                State::Trying
            },
            invite,
            request: req,
            dest,
            resend: Some(data),
            interval: self.timers.t1,
            timers,
        };
        self.insert(tx)
    }

    /// Feeds a response that arrived. Responses matching no client transaction are dropped
    /// (returns false).
    pub fn on_response(&mut self, now: Instant, response: Response) -> bool {
        let Ok(cseq) = response.headers.cseq() else {
            return false;
        };
        let key = client_key(&response.headers, cseq.method);
        let Some(&id) = self.index.get(&key) else {
            return false;
        };
        let Some(tx) = self.txs.get_mut(&id) else {
            return false;
        };
        let mut ctx = Ctx {
            id,
            now,
            timers: self.timers,
            out: &mut self.outputs,
        };
        if tx.invite {
            tx.invite_client_response(response, &mut ctx);
        } else {
            tx.non_invite_client_response(response, &mut ctx);
        }
        true
    }

    /// Feeds a request that arrived from `source`. Before handing it up it adds `received=`
    /// (when the Via host differs from the source IP) and fills `rport=` (when the Via has an
    /// empty rport) on the top Via, RFC 3581, so that `Response::to` copies them.
    pub fn on_request(
        &mut self,
        now: Instant,
        mut request: Request,
        source: SocketAddr,
    ) -> Incoming {
        let top = request.headers.via().ok();
        let key = top
            .as_ref()
            .and_then(|top| server_key(&request, top, &request.method));
        let (Some(top), Some(key)) = (top, key) else {
            // Nothing to match or answer it by: the TU sees it statelessly.
            return Incoming::New(self.fresh_id(), request);
        };
        stamp_via(&mut request.headers, source);
        if request.method == Method::Ack {
            return self.on_ack(now, &key, request);
        }
        if let Some(&id) = self.index.get(&key) {
            if let Some(tx) = self.txs.get(&id) {
                let mut ctx = Ctx {
                    id,
                    now,
                    timers: self.timers,
                    out: &mut self.outputs,
                };
                tx.resend(&mut ctx);
            }
            return Incoming::Absorbed;
        }
        let invite = request.method == Method::Invite;
        let tx = Transaction {
            key,
            role: Role::Server { acked: false },
            // The server INVITE machine starts in Proceeding (§17.2.1), non-INVITE in Trying.
            state: if invite {
                State::Proceeding
            } else {
                State::Trying
            },
            invite,
            request: request.clone(),
            dest: response_dest(&top, source),
            resend: None,
            interval: self.timers.t1,
            timers: TimerTable::default(),
        };
        let id = self.insert(tx);
        Incoming::New(id, request)
    }

    /// Sends the TU's response on a server transaction (100..699); 2xx to INVITE is
    /// retransmitted (T1 doubling up to T2) until the matching ACK arrives, for at most 64*T1.
    /// Non-2xx final to INVITE retransmitted per timer G until ACK, timer H 64*T1, then timer I
    /// (T4) absorbing ACKs. Non-INVITE final: Completed for timer J (64*T1) answering
    /// retransmitted requests with the last response.
    pub fn respond(&mut self, now: Instant, id: TxId, response: Response) {
        let timers = self.timers;
        let Some(tx) = self.txs.get_mut(&id).filter(|tx| !tx.is_client()) else {
            tracing::debug!(?id, "response for no server transaction dropped");
            return;
        };
        let next = (100..=699)
            .contains(&response.status)
            .then(|| tx.server_next_state(response.status))
            .flatten();
        let Some(next) = next else {
            tracing::debug!(
                ?id,
                status = response.status,
                "response not allowed now, dropped"
            );
            return;
        };
        let data = response.to_bytes();
        self.outputs.push_back(TxOutput::Transmit {
            dest: tx.dest,
            data: data.clone(),
        });
        tx.resend = Some(data);
        tx.enter_server_state(next, now, timers);
    }

    /// The request a transaction was created for (server: to build responses or match CANCEL).
    pub fn request(&self, id: TxId) -> Option<&Request> {
        self.txs.get(&id).map(|tx| &tx.request)
    }

    /// The server INVITE transaction a CANCEL is for (same branch and sent-by, method INVITE),
    /// whether or not it has sent its final response (RFC 3261 §9.2 answers 200 either way).
    pub fn invite_for_cancel(&self, cancel: &Request) -> Option<TxId> {
        let top = cancel.headers.via().ok()?;
        let key = server_key(cancel, &top, &Method::Invite)?;
        let id = *self.index.get(&key)?;
        let tx = self.txs.get(&id)?;
        (tx.invite && !tx.is_client()).then_some(id)
    }

    /// Whether a server INVITE transaction still waits for its final response.
    pub fn awaits_final(&self, id: TxId) -> bool {
        self.txs
            .get(&id)
            .is_some_and(|tx| tx.invite && !tx.is_client() && tx.state == State::Proceeding)
    }

    /// Whether a client transaction is still waiting for its first response (Calling or
    /// Trying): only then can a transport error be what ends it.
    pub fn awaits_first_response(&self, id: TxId) -> bool {
        self.txs
            .get(&id)
            .is_some_and(|tx| tx.is_client() && matches!(tx.state, State::Calling | State::Trying))
    }

    /// Forgets a transaction at once, without output (a client INVITE still Proceeding after
    /// CANCEL got no 487 within 64*T1, or failover). Returns whether it existed.
    pub fn forget(&mut self, id: TxId) -> bool {
        self.remove(id)
    }

    /// Processes every expired timer, earliest first.
    pub fn on_timeout(&mut self, now: Instant) {
        while let Some((at, id, timer)) = self.earliest_expired(now) {
            self.fire(at, now, id, timer);
        }
    }

    /// The earliest timer, if any transaction has one.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.txs
            .values()
            .filter_map(|tx| tx.timers.next().map(|(at, _)| at))
            .min()
    }

    /// The next output, in order.
    pub fn poll_output(&mut self) -> Option<TxOutput> {
        self.outputs.pop_front()
    }

    /// Number of live transactions (for tests and leak checks).
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    fn fresh_id(&mut self) -> TxId {
        self.next_id += 1;
        TxId(self.next_id)
    }

    fn insert(&mut self, tx: Transaction) -> TxId {
        let id = self.fresh_id();
        // A reused key (a TU bug or a peer reusing a branch) goes to the newest transaction.
        self.index.insert(tx.key.clone(), id);
        self.txs.insert(id, tx);
        id
    }

    fn remove(&mut self, id: TxId) -> bool {
        let Some(tx) = self.txs.remove(&id) else {
            return false;
        };
        if self.index.get(&tx.key) == Some(&id) {
            self.index.remove(&tx.key);
        }
        true
    }

    /// An ACK: ends a non-2xx server INVITE (Confirmed), or is the ACK for a 2xx for the TU.
    fn on_ack(&mut self, now: Instant, key: &Key, ack: Request) -> Incoming {
        let t4 = self.timers.t4;
        let by_key = self.index.get(key).copied();
        if let Some(tx) = by_key.and_then(|id| self.txs.get_mut(&id)) {
            match tx.state {
                State::Completed => {
                    tx.state = State::Confirmed;
                    tx.timers.stop_all();
                    tx.timers.set(Timer::Linger, now + t4);
                    return Incoming::Absorbed;
                }
                State::Accepted => {}
                // A repeated ACK, or one before any final response: nothing for the TU.
                _ => return Incoming::Absorbed,
            }
        }
        // The ACK for a 2xx has its own branch, so it is matched by Call-ID and CSeq number.
        match by_key.or_else(|| self.accepted_invite_for(&ack)) {
            Some(id) => {
                if let Some(tx) = self.txs.get_mut(&id) {
                    tx.role = Role::Server { acked: true };
                    tx.timers.stop(Timer::Retransmit);
                }
                Incoming::New(id, ack)
            }
            None => Incoming::New(self.fresh_id(), ack),
        }
    }

    /// The server INVITE in Accepted state that an ACK for a 2xx belongs to.
    fn accepted_invite_for(&self, ack: &Request) -> Option<TxId> {
        let call_id = ack.headers.call_id().ok()?;
        let seq = ack.headers.cseq().ok()?.seq;
        self.txs
            .iter()
            .find(|(_, tx)| {
                !tx.is_client()
                    && tx.invite
                    && tx.state == State::Accepted
                    && tx.request.headers.call_id().ok() == Some(call_id)
                    && tx.request.headers.cseq().ok().map(|c| c.seq) == Some(seq)
            })
            .map(|(id, _)| *id)
    }

    /// The earliest expired timer over all transactions, ties broken by id for determinism.
    fn earliest_expired(&self, now: Instant) -> Option<(Instant, TxId, Timer)> {
        self.txs
            .iter()
            .filter_map(|(id, tx)| tx.timers.next().map(|(at, t)| (at, *id, t)))
            .filter(|(at, _, _)| *at <= now)
            .min_by_key(|(at, id, _)| (*at, *id))
    }

    fn fire(&mut self, at: Instant, now: Instant, id: TxId, timer: Timer) {
        let timers = self.timers;
        let Some(tx) = self.txs.get_mut(&id) else {
            return;
        };
        tx.timers.stop(timer);
        let mut ctx = Ctx {
            id,
            now,
            timers,
            out: &mut self.outputs,
        };
        let done = match timer {
            Timer::GiveUp => tx.give_up(&mut ctx),
            Timer::Retransmit => tx.on_retransmit(at, &mut ctx),
            Timer::Linger => true,
        };
        if done {
            self.remove(id);
        }
    }
}

/// A fresh RFC 3261 branch (`z9hG4bK` + random), for callers that build requests.
pub fn new_branch() -> String {
    format!("{MAGIC_COOKIE}{:016x}", rand::random::<u64>())
}

/// The client key of a request or response: top Via branch and CSeq method.
fn client_key(headers: &Headers, method: Method) -> Key {
    let branch = headers
        .via()
        .ok()
        .and_then(|v| v.branch().map(str::to_owned))
        .unwrap_or_default();
    Key::Client { branch, method }
}

/// The server key of a request, as if its method were `method` (ACK counts as INVITE).
fn server_key(request: &Request, top: &Via, method: &Method) -> Option<Key> {
    let method = match method {
        Method::Ack => Method::Invite,
        m => m.clone(),
    };
    match top.branch() {
        Some(branch) if branch.starts_with(MAGIC_COOKIE) => Some(Key::Server {
            branch: branch.to_owned(),
            host: top.host.to_ascii_lowercase(),
            port: top.port,
            method,
        }),
        _ => {
            let h = &request.headers;
            Some(Key::Legacy {
                call_id: h.call_id().ok()?.to_owned(),
                seq: h.cseq().ok()?.seq,
                from_tag: h.from().ok()?.tag().map(str::to_owned),
                via: top.to_string(),
                method,
            })
        }
    }
}

/// Where responses go: the source address if the client asked for rport (RFC 3581), else the
/// source IP with the Via's port (RFC 3261 §18.2.2).
fn response_dest(top: &Via, source: SocketAddr) -> SocketAddr {
    if top.param("rport").is_some() {
        source
    } else {
        SocketAddr::new(source.ip(), top.port.unwrap_or(DEFAULT_PORT))
    }
}

/// Adds `received` and fills an empty `rport` on the top Via (RFC 3261 §18.2.1, RFC 3581 §4).
fn stamp_via(headers: &mut Headers, source: SocketAddr) {
    let Ok(mut top) = headers.via() else {
        return;
    };
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; the Via has the plain form.
    let ip = source.ip().to_canonical();
    let fill_rport = top.param("rport") == Some(None);
    let host_differs = top
        .host
        .parse::<IpAddr>()
        .map_or(true, |host| host.to_canonical() != ip);
    if !fill_rport && !host_differs {
        return;
    }
    if fill_rport {
        set_param(&mut top.params, "rport", source.port().to_string());
    }
    // With rport, received is added even when it equals sent-by (RFC 3581 §4).
    set_param(&mut top.params, "received", ip.to_string());
    replace_top_via(headers, &top);
}

/// Replaces the first Via element, keeping the other Via lines and elements as they were.
fn replace_top_via(headers: &mut Headers, top: &Via) {
    let mut lines: Vec<String> = headers.all("Via").map(str::to_owned).collect();
    let Some(first) = lines.first_mut() else {
        return;
    };
    let mut elements: Vec<String> = split_unquoted(first, ',')
        .into_iter()
        .map(|e| e.trim().to_owned())
        .collect();
    elements[0] = top.to_string();
    *first = elements.join(", ");
    // Headers can only edit a line by name, so the Via lines are re-added, in order, on top.
    headers.remove("Via");
    for line in lines.into_iter().rev() {
        headers.push_front("Via", line);
    }
}

/// Sets or replaces a parameter, keeping its position when it exists.
fn set_param(params: &mut Params, name: &str, value: String) {
    match params
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, v)) => *v = Some(value),
        None => params.push((name.to_owned(), Some(value))),
    }
}

/// The ACK for a non-2xx final response (RFC 3261 §17.1.1.3).
fn build_ack(invite: &Request, response: &Response) -> Request {
    let h = &invite.headers;
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    // Only the top Via, so the ACK carries the INVITE's branch and matches its transaction.
    if let Some(top) = h.list("Via").first() {
        ack.headers.push("Via", *top);
    }
    for route in h.all("Route") {
        ack.headers.push("Route", route);
    }
    ack.headers
        .push("Max-Forwards", h.get("Max-Forwards").unwrap_or("70"));
    for (name, source) in [("From", h), ("To", &response.headers), ("Call-ID", h)] {
        if let Some(value) = source.get(name) {
            ack.headers.push(name, value);
        }
    }
    if let Ok(cseq) = h.cseq() {
        ack.headers.push("CSeq", format!("{} ACK", cseq.seq));
    }
    ack
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sip::message::Message;

    const CLIENT_INVITE: &str = "INVITE sip:bob@192.0.2.20 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKclient1;rport\r\n\
Route: <sip:proxy.example.com;lr>\r\n\
Max-Forwards: 70\r\n\
From: <sip:alice@example.com>;tag=a1\r\n\
To: <sip:bob@example.com>\r\n\
Call-ID: call1@192.0.2.1\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:alice@192.0.2.1:5060>\r\n\
Content-Length: 0\r\n\r\n";

    const SERVER_INVITE: &str = "INVITE sip:alice@192.0.2.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKserver1\r\n\
Max-Forwards: 70\r\n\
From: <sip:bob@example.com>;tag=b1\r\n\
To: <sip:alice@example.com>\r\n\
Call-ID: srv1@192.0.2.20\r\n\
CSeq: 7 INVITE\r\n\
Contact: <sip:bob@192.0.2.20:5062>\r\n\
Content-Length: 0\r\n\r\n";

    fn t(t0: Instant, ms: u64) -> Instant {
        t0 + Duration::from_millis(ms)
    }

    fn peer() -> SocketAddr {
        "192.0.2.20:5062".parse().unwrap()
    }

    fn request(text: &str) -> Request {
        match Message::parse(text.as_bytes()) {
            Ok(Message::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    fn client_options() -> Request {
        request(
            &CLIENT_INVITE
                .replace("INVITE sip", "OPTIONS sip")
                .replace("1 INVITE", "1 OPTIONS")
                .replace("client1", "client2"),
        )
    }

    /// A response to `req` as a peer would send it, with a To tag.
    fn response(req: &Request, status: u16) -> Response {
        let mut resp = Response::to(&req.headers, status, None);
        let mut to = resp.headers.to().unwrap();
        to.set_param("tag", Some("b9"));
        resp.headers.set("To", to.to_string());
        resp
    }

    fn drain(txs: &mut Transactions) -> Vec<TxOutput> {
        std::iter::from_fn(|| txs.poll_output()).collect()
    }

    /// Steps the clock deadline by deadline up to `until`, stamping every output with its time
    /// in ms after `t0`.
    fn run(txs: &mut Transactions, t0: Instant, until: Instant) -> Vec<(u64, TxOutput)> {
        let mut out = Vec::new();
        while let Some(at) = txs.next_deadline().filter(|at| *at <= until) {
            txs.on_timeout(at);
            let ms = (at - t0).as_millis() as u64;
            out.extend(drain(txs).into_iter().map(|o| (ms, o)));
        }
        out
    }

    fn transmit_times(out: &[(u64, TxOutput)]) -> Vec<u64> {
        out.iter()
            .filter(|(_, o)| matches!(o, TxOutput::Transmit { .. }))
            .map(|(ms, _)| *ms)
            .collect()
    }

    fn sent_message(out: &TxOutput) -> Message {
        match out {
            TxOutput::Transmit { data, .. } => Message::parse(data).unwrap(),
            other => panic!("not a transmit: {other:?}"),
        }
    }

    fn sent_status(out: &TxOutput) -> u16 {
        match sent_message(out) {
            Message::Response(r) => r.status,
            other => panic!("not a response: {other:?}"),
        }
    }

    fn new_id(incoming: Incoming) -> TxId {
        match incoming {
            Incoming::New(id, _) => id,
            Incoming::Absorbed => panic!("absorbed"),
        }
    }

    fn start_invite(txs: &mut Transactions, t0: Instant, opts: ClientOptions) -> (TxId, Request) {
        let req = request(CLIENT_INVITE);
        let id = txs.send_request(t0, req.clone(), peer(), opts);
        assert_eq!(drain(txs).len(), 1);
        (id, req)
    }

    #[test]
    fn invite_retransmits_on_timer_a_until_timer_b() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let id = txs.send_request(t0, request(CLIENT_INVITE), peer(), ClientOptions::default());
        let mut out: Vec<(u64, TxOutput)> = drain(&mut txs).into_iter().map(|o| (0, o)).collect();
        out.extend(run(&mut txs, t0, t(t0, 100_000)));
        assert_eq!(
            transmit_times(&out),
            [0, 500, 1500, 3500, 7500, 15500, 31500]
        );
        assert_eq!(
            out.last().unwrap(),
            &(
                32_000,
                TxOutput::NoResponse {
                    id,
                    transmissions: 7,
                    answered: false
                }
            )
        );
        assert!(txs.is_empty());
    }

    #[test]
    fn a_stall_does_not_cost_an_invite_transmission() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let opts = ClientOptions {
            max_transmissions: Some(7),
        };
        let (id, _) = start_invite(&mut txs, t0, opts);
        // The phone is busy elsewhere from 0.4 s to 2 s: the retransmissions due at 0.5 and
        // 1.5 s leave late, together.
        txs.on_timeout(t(t0, 2000));
        let mut out: Vec<(u64, TxOutput)> =
            drain(&mut txs).into_iter().map(|o| (2000, o)).collect();
        out.extend(run(&mut txs, t0, t(t0, 100_000)));
        assert_eq!(transmit_times(&out), [2000, 2000, 3500, 7500, 15500, 31500]);
        assert_eq!(
            out.last().unwrap(),
            &(
                32_000,
                TxOutput::NoResponse {
                    id,
                    transmissions: 7,
                    answered: false
                }
            )
        );
    }

    #[test]
    fn max_transmissions_gives_up_when_the_next_would_leave() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let opts = ClientOptions {
            max_transmissions: Some(3),
        };
        let (id, _) = start_invite(&mut txs, t0, opts);
        let out = run(&mut txs, t0, t(t0, 100_000));
        assert_eq!(transmit_times(&out), [500, 1500]);
        assert_eq!(
            out.last().unwrap(),
            &(
                3500,
                TxOutput::NoResponse {
                    id,
                    transmissions: 3,
                    answered: false
                }
            )
        );
        assert!(txs.is_empty());
    }

    #[test]
    fn non_invite_retransmits_capped_at_t2_until_timer_f() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let id = txs.send_request(t0, client_options(), peer(), ClientOptions::default());
        drain(&mut txs);
        let out = run(&mut txs, t0, t(t0, 100_000));
        assert_eq!(
            transmit_times(&out),
            [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
        );
        assert_eq!(
            out.last().unwrap(),
            &(
                32_000,
                TxOutput::NoResponse {
                    id,
                    transmissions: 11,
                    answered: false
                }
            )
        );
        assert!(txs.is_empty());
    }

    #[test]
    fn non_invite_proceeding_retransmits_every_t2() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let req = client_options();
        let id = txs.send_request(t0, req.clone(), peer(), ClientOptions::default());
        drain(&mut txs);
        assert!(txs.on_response(t(t0, 100), response(&req, 100)));
        assert!(matches!(&drain(&mut txs)[..], [TxOutput::Response { .. }]));
        let out = run(&mut txs, t0, t(t0, 100_000));
        assert_eq!(
            transmit_times(&out),
            [500, 4500, 8500, 12500, 16500, 20500, 24500, 28500]
        );
        assert_eq!(
            out.last().unwrap().1,
            TxOutput::NoResponse {
                id,
                transmissions: 9,
                answered: true
            }
        );
    }

    #[test]
    fn non_invite_final_passed_up_once_then_timer_k() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let req = client_options();
        let id = txs.send_request(t0, req.clone(), peer(), ClientOptions::default());
        drain(&mut txs);
        let ok = response(&req, 200);
        assert!(txs.on_response(t(t0, 100), ok.clone()));
        assert_eq!(
            drain(&mut txs),
            [TxOutput::Response {
                id,
                response: ok.clone()
            }]
        );
        assert!(txs.on_response(t(t0, 200), ok));
        assert!(drain(&mut txs).is_empty());
        assert_eq!(txs.next_deadline(), Some(t(t0, 5100)));
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
    }

    #[test]
    fn provisional_stops_invite_retransmission_and_2xx_are_all_passed_up() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let (id, req) = start_invite(&mut txs, t0, ClientOptions::default());
        assert!(txs.on_response(t(t0, 200), response(&req, 180)));
        assert_eq!(drain(&mut txs).len(), 1);
        assert_eq!(txs.next_deadline(), None);
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert_eq!(txs.len(), 1);

        let ok = response(&req, 200);
        for ms in [40_000, 40_500] {
            assert!(txs.on_response(t(t0, ms), ok.clone()));
            assert_eq!(
                drain(&mut txs),
                [TxOutput::Response {
                    id,
                    response: ok.clone()
                }]
            );
        }
        // Accepted lasts 64*T1 (timer M), then the transaction is gone.
        assert_eq!(txs.next_deadline(), Some(t(t0, 72_000)));
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
        assert!(!txs.on_response(t(t0, 100_000), ok));
    }

    #[test]
    fn non_2xx_final_is_acked_in_the_transaction() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let (id, req) = start_invite(&mut txs, t0, ClientOptions::default());
        let busy = response(&req, 486);
        assert!(txs.on_response(t(t0, 300), busy.clone()));
        let out = drain(&mut txs);
        assert_eq!(out.len(), 2);
        let Message::Request(ack) = sent_message(&out[0]) else {
            panic!("not an ACK")
        };
        assert_eq!(
            out[1],
            TxOutput::Response {
                id,
                response: busy.clone()
            }
        );
        assert_eq!(ack.method, Method::Ack);
        assert_eq!(ack.uri, req.uri);
        let vias = ack.headers.vias().unwrap();
        assert_eq!(vias.len(), 1);
        assert_eq!(vias[0].branch(), Some("z9hG4bKclient1"));
        assert_eq!(ack.headers.to().unwrap().tag(), Some("b9"));
        assert_eq!(ack.headers.from().unwrap().tag(), Some("a1"));
        assert_eq!(ack.headers.cseq().unwrap().to_string(), "1 ACK");
        assert_eq!(ack.headers.call_id().unwrap(), "call1@192.0.2.1");
        assert_eq!(ack.headers.get("Route"), Some("<sip:proxy.example.com;lr>"));

        // A retransmitted 486 is ACKed again but not passed up.
        assert!(txs.on_response(t(t0, 800), busy));
        let again = drain(&mut txs);
        assert_eq!(again, [out[0].clone()]);

        // Timer D (32 s) ends it.
        assert_eq!(txs.next_deadline(), Some(t(t0, 32_300)));
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
    }

    #[test]
    fn cancel_response_matches_the_cancel_transaction() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let (invite_id, invite) = start_invite(&mut txs, t0, ClientOptions::default());
        let cancel = request(
            &CLIENT_INVITE
                .replace("INVITE sip", "CANCEL sip")
                .replace("1 INVITE", "1 CANCEL"),
        );
        let cancel_id =
            txs.send_request(t(t0, 100), cancel.clone(), peer(), ClientOptions::default());
        drain(&mut txs);
        assert!(txs.on_response(t(t0, 200), response(&cancel, 200)));
        assert!(matches!(
            &drain(&mut txs)[..],
            [TxOutput::Response { id, response }] if *id == cancel_id && response.status == 200
        ));
        assert!(txs.on_response(t(t0, 300), response(&invite, 487)));
        assert!(matches!(
            &drain(&mut txs)[..],
            [TxOutput::Transmit { .. }, TxOutput::Response { id, .. }] if *id == invite_id
        ));
    }

    #[test]
    fn unmatched_response_is_dropped() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let req = request(CLIENT_INVITE);
        assert!(!txs.on_response(t0, response(&req, 200)));
        assert!(drain(&mut txs).is_empty());
    }

    #[test]
    fn server_invite_retransmission_gets_last_provisional() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let invite = request(SERVER_INVITE);
        let id = new_id(txs.on_request(t0, invite.clone(), peer()));
        // Before any response, a retransmission is absorbed silently.
        assert_eq!(
            txs.on_request(t(t0, 100), invite.clone(), peer()),
            Incoming::Absorbed
        );
        assert!(drain(&mut txs).is_empty());

        let req = txs.request(id).unwrap().clone();
        txs.respond(t(t0, 200), id, Response::to(&req.headers, 180, None));
        let ringing = drain(&mut txs);
        assert!(matches!(&ringing[..], [TxOutput::Transmit { dest, .. }] if *dest == peer()));
        assert_eq!(
            txs.on_request(t(t0, 500), invite, peer()),
            Incoming::Absorbed
        );
        assert_eq!(drain(&mut txs), ringing);
        assert_eq!(txs.next_deadline(), None);
    }

    fn ack_for_2xx(branch: &str) -> Request {
        request(
            &SERVER_INVITE
                .replace("INVITE sip", "ACK sip")
                .replace("7 INVITE", "7 ACK")
                .replace("z9hG4bKserver1", branch),
        )
    }

    #[test]
    fn server_2xx_retransmitted_until_ack_with_new_branch() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let id = new_id(txs.on_request(t0, request(SERVER_INVITE), peer()));
        let req = txs.request(id).unwrap().clone();
        txs.respond(t0, id, Response::to(&req.headers, 200, None));
        assert_eq!(drain(&mut txs).len(), 1);
        let out = run(&mut txs, t0, t(t0, 4000));
        assert_eq!(transmit_times(&out), [500, 1500, 3500]);
        assert!(out.iter().all(|(_, o)| sent_status(o) == 200));

        let ack = ack_for_2xx("z9hG4bKack2");
        match txs.on_request(t(t0, 4000), ack.clone(), peer()) {
            Incoming::New(ack_id, got) => {
                assert_eq!(ack_id, id);
                assert_eq!(got.method, Method::Ack);
            }
            other => panic!("{other:?}"),
        }
        // A retransmitted ACK is passed up too; the dialog layer ignores it.
        assert_eq!(new_id(txs.on_request(t(t0, 4100), ack.clone(), peer())), id);
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
        // Once the transaction is gone the ACK has a fresh id with no transaction.
        let late = new_id(txs.on_request(t(t0, 100_000), ack, peer()));
        assert_ne!(late, id);
        assert!(txs.is_empty());
    }

    #[test]
    fn server_2xx_never_acked_reports_ack_missing() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let id = new_id(txs.on_request(t0, request(SERVER_INVITE), peer()));
        let req = txs.request(id).unwrap().clone();
        txs.respond(t0, id, Response::to(&req.headers, 200, None));
        drain(&mut txs);
        let out = run(&mut txs, t0, t(t0, 100_000));
        assert_eq!(
            transmit_times(&out),
            [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
        );
        assert_eq!(out.last().unwrap(), &(32_000, TxOutput::AckMissing { id }));
        assert!(txs.is_empty());
    }

    #[test]
    fn server_486_retransmitted_until_ack_then_absorbed() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let invite = request(SERVER_INVITE);
        let id = new_id(txs.on_request(t0, invite.clone(), peer()));
        let req = txs.request(id).unwrap().clone();
        txs.respond(t0, id, response(&req, 486));
        assert_eq!(drain(&mut txs).len(), 1);
        let out = run(&mut txs, t0, t(t0, 2000));
        assert_eq!(transmit_times(&out), [500, 1500]);
        assert!(out.iter().all(|(_, o)| sent_status(o) == 486));

        // The INVITE retransmitted meanwhile gets the 486 again.
        assert_eq!(
            txs.on_request(t(t0, 1800), invite, peer()),
            Incoming::Absorbed
        );
        assert_eq!(sent_status(&drain(&mut txs)[0]), 486);

        // The ACK for a non-2xx final shares the INVITE's branch.
        let ack = ack_for_2xx("z9hG4bKserver1");
        assert_eq!(
            txs.on_request(t(t0, 2000), ack.clone(), peer()),
            Incoming::Absorbed
        );
        assert_eq!(txs.on_request(t(t0, 2500), ack, peer()), Incoming::Absorbed);
        assert!(drain(&mut txs).is_empty());
        // Timer I (T4) then ends it without further output.
        assert_eq!(txs.next_deadline(), Some(t(t0, 7000)));
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
    }

    #[test]
    fn server_486_without_ack_ends_on_timer_h() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let id = new_id(txs.on_request(t0, request(SERVER_INVITE), peer()));
        let req = txs.request(id).unwrap().clone();
        txs.respond(t0, id, response(&req, 486));
        drain(&mut txs);
        let out = run(&mut txs, t0, t(t0, 100_000));
        assert_eq!(*transmit_times(&out).last().unwrap(), 31_500);
        assert!(out
            .iter()
            .all(|(_, o)| matches!(o, TxOutput::Transmit { .. })));
        assert!(txs.is_empty());
    }

    #[test]
    fn server_non_invite_retransmission_gets_cached_final() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let options = request(
            &SERVER_INVITE
                .replace("INVITE sip", "OPTIONS sip")
                .replace("7 INVITE", "7 OPTIONS"),
        );
        let id = new_id(txs.on_request(t0, options.clone(), peer()));
        assert_eq!(
            txs.on_request(t(t0, 500), options.clone(), peer()),
            Incoming::Absorbed
        );
        assert!(drain(&mut txs).is_empty());

        let req = txs.request(id).unwrap().clone();
        txs.respond(t(t0, 600), id, Response::to(&req.headers, 200, None));
        let ok = drain(&mut txs);
        assert_eq!(ok.len(), 1);
        assert_eq!(
            txs.on_request(t(t0, 1500), options, peer()),
            Incoming::Absorbed
        );
        assert_eq!(drain(&mut txs), ok);
        // A second final is refused.
        txs.respond(t(t0, 1600), id, Response::to(&req.headers, 500, None));
        assert!(drain(&mut txs).is_empty());
        // Timer J: 64*T1 after the final.
        assert_eq!(txs.next_deadline(), Some(t(t0, 32_600)));
        assert!(run(&mut txs, t0, t(t0, 100_000)).is_empty());
        assert!(txs.is_empty());
    }

    #[test]
    fn cancel_matches_its_invite_before_and_after_final() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let invite_id = new_id(txs.on_request(t0, request(SERVER_INVITE), peer()));
        let cancel_text = SERVER_INVITE
            .replace("INVITE sip", "CANCEL sip")
            .replace("7 INVITE", "7 CANCEL");
        let cancel = request(&cancel_text);
        let cancel_id = new_id(txs.on_request(t(t0, 100), cancel.clone(), peer()));
        assert_ne!(cancel_id, invite_id);
        assert_eq!(txs.invite_for_cancel(&cancel), Some(invite_id));
        assert!(txs.awaits_final(invite_id));

        let other = request(&cancel_text.replace("z9hG4bKserver1", "z9hG4bKother"));
        assert_eq!(txs.invite_for_cancel(&other), None);
        let elsewhere = request(&cancel_text.replace("192.0.2.20:5062;", "192.0.2.21:5062;"));
        assert_eq!(txs.invite_for_cancel(&elsewhere), None);

        let req = txs.request(invite_id).unwrap().clone();
        txs.respond(t(t0, 200), invite_id, response(&req, 487));
        // Still found, so the CANCEL gets its 200, but the INVITE is no longer cancellable.
        assert_eq!(txs.invite_for_cancel(&cancel), Some(invite_id));
        assert!(!txs.awaits_final(invite_id));
    }

    #[test]
    fn rport_and_received_filled_and_used() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let nat: SocketAddr = "198.51.100.7:40000".parse().unwrap();
        let text = SERVER_INVITE.replace(
            "192.0.2.20:5062;branch=z9hG4bKserver1",
            "10.0.0.5:5062;branch=z9hG4bKserver1;rport",
        );
        let Incoming::New(id, got) = txs.on_request(t0, request(&text), nat) else {
            panic!("absorbed")
        };
        let top = got.headers.via().unwrap();
        assert_eq!(top.param("rport"), Some(Some("40000")));
        assert_eq!(top.param("received"), Some(Some("198.51.100.7")));
        txs.respond(t0, id, Response::to(&got.headers, 100, None));
        let out = drain(&mut txs);
        assert!(matches!(&out[..], [TxOutput::Transmit { dest, .. }] if *dest == nat));
        let Message::Response(trying) = sent_message(&out[0]) else {
            panic!()
        };
        assert_eq!(trying.headers.via().unwrap(), top);
        // The retransmission still matches though the stored Via was rewritten.
        assert_eq!(txs.on_request(t0, request(&text), nat), Incoming::Absorbed);
        assert_eq!(drain(&mut txs), out);

        // Without rport: received only, and the response goes to the Via's port.
        let text = SERVER_INVITE.replace("z9hG4bKserver1", "z9hG4bKserver2");
        let Incoming::New(id, got) = txs.on_request(t0, request(&text), nat) else {
            panic!("absorbed")
        };
        let top = got.headers.via().unwrap();
        assert_eq!(top.param("rport"), None);
        assert_eq!(top.param("received"), Some(Some("198.51.100.7")));
        txs.respond(t0, id, Response::to(&got.headers, 100, None));
        assert!(matches!(
            &drain(&mut txs)[..],
            [TxOutput::Transmit { dest, .. }] if *dest == "198.51.100.7:5062".parse().unwrap()
        ));

        // Sent-by equal to the source and no rport: the Via is left untouched.
        let text = SERVER_INVITE.replace("z9hG4bKserver1", "z9hG4bKserver3");
        let Incoming::New(_, got) = txs.on_request(t0, request(&text), peer()) else {
            panic!("absorbed")
        };
        assert_eq!(got.headers.via().unwrap().param("received"), None);
    }

    #[test]
    fn received_keeps_other_vias_in_order() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let text = SERVER_INVITE.replace(
            "Max-Forwards: 70\r\n",
            "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp, SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKq\r\nMax-Forwards: 70\r\n",
        );
        let nat: SocketAddr = "198.51.100.7:5062".parse().unwrap();
        let Incoming::New(_, got) = txs.on_request(t0, request(&text), nat) else {
            panic!("absorbed")
        };
        let vias = got.headers.vias().unwrap();
        let hosts: Vec<&str> = vias.iter().map(|v| v.host.as_str()).collect();
        assert_eq!(hosts, ["192.0.2.20", "proxy.example.com", "10.1.1.1"]);
        assert_eq!(vias[0].param("received"), Some(Some("198.51.100.7")));
    }

    #[test]
    fn rfc2543_requests_match_without_branch() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let text = SERVER_INVITE.replace(";branch=z9hG4bKserver1", "");
        let id = new_id(txs.on_request(t0, request(&text), peer()));
        let req = txs.request(id).unwrap().clone();
        txs.respond(t0, id, response(&req, 486));
        drain(&mut txs);
        assert_eq!(
            txs.on_request(t0, request(&text), peer()),
            Incoming::Absorbed
        );
        assert_eq!(drain(&mut txs).len(), 1);
        let next = text.replace("7 INVITE", "8 INVITE");
        assert_ne!(new_id(txs.on_request(t0, request(&next), peer())), id);
        let ack = text
            .replace("INVITE sip", "ACK sip")
            .replace("7 INVITE", "7 ACK");
        assert_eq!(
            txs.on_request(t0, request(&ack), peer()),
            Incoming::Absorbed
        );
    }

    #[test]
    fn ack_is_sent_once_without_transaction() {
        let t0 = Instant::now();
        let mut txs = Transactions::new(Timers::default());
        let ack = request(
            &CLIENT_INVITE
                .replace("INVITE sip", "ACK sip")
                .replace("1 INVITE", "1 ACK"),
        );
        txs.send_request(t0, ack, peer(), ClientOptions::default());
        assert_eq!(drain(&mut txs).len(), 1);
        assert!(txs.is_empty());
        assert_eq!(txs.next_deadline(), None);
    }

    #[test]
    fn branches_are_fresh_and_marked() {
        let (a, b) = (new_branch(), new_branch());
        assert!(a.starts_with(MAGIC_COOKIE));
        assert_ne!(a, b);
    }
}
