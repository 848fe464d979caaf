//! S13 over real sockets: bob calls alice, holds her, calls carol and joins the two calls on his
//! phone. Each agent's microphone is a tone of its own and its speaker a WAV file; during the
//! conference every party must hear exactly the other two tones — never its own, which mix-minus
//! keeps from coming back — and after carol hangs up alice and bob still hear each other.
//! Carol speaks PCMU and the others Opus, so the mix also crosses codecs and sample rates.

mod common;

use std::path::Path;
use std::thread::sleep;
use std::time::Duration;

use common::audio::{self, Heard};
use common::*;
use serde_json::json;

/// Each party's tone: apart from each other and from the ringback pair (440 + 480 Hz).
const ALICE_HZ: f64 = 700.0;
const BOB_HZ: f64 = 1000.0;
const CAROL_HZ: f64 = 1700.0;

/// One agent with a tone for a microphone and a WAV file for a speaker.
fn party(user: &str, hz: f64, codec: &str, wav: &Path) -> AgentConfig {
    AgentConfig {
        input: format!("tone:{hz}"),
        output: format!("wav:{}", wav.display()),
        codecs: Some(vec![codec.to_owned()]),
        ..AgentConfig::new(user)
    }
}

/// Whether a window holds both tones of `heard` at comparable levels. A 20 ms frame lost or
/// concealed on a loaded machine takes at most a fifth of a tone from a window, which these
/// bounds allow for.
fn hears_both(window: &[i16], heard: [f64; 2]) -> bool {
    let shares = heard.map(|hz| audio::share(window, hz));
    shares.iter().all(|&s| s > 0.2) && shares.iter().sum::<f64>() > 0.7
}

#[test]
fn each_party_hears_the_other_two_and_the_call_survives_a_leg_leaving() {
    let dir = tempfile::tempdir().unwrap();
    let wav = |name: &str| dir.path().join(format!("{name}.wav"));
    let alice_cfg = party("alice", ALICE_HZ, "opus", &wav("alice"));
    let carol_cfg = party("carol", CAROL_HZ, "PCMU", &wav("carol"));
    let bob_cfg = AgentConfig {
        codecs: Some(vec!["opus".into(), "PCMU".into()]),
        ..party("bob", BOB_HZ, "opus", &wav("bob"))
    };
    let (mut alice, mut bob, mut carol) = (alice_cfg.start(), bob_cfg.start(), carol_cfg.start());

    bob.dial(&alice_cfg.uri());
    alice.expect_line(1, "incoming", STEP);
    alice.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(1, "connected", STEP);
    bob.send(json!({"cmd": "hold", "line": 1}));
    bob.expect_line(1, "held", STEP);
    bob.dial(&carol_cfg.uri());
    carol.expect_line(1, "incoming", STEP);
    carol.send(json!({"cmd": "answer", "line": 1}));
    bob.expect_line(2, "connected", STEP);

    bob.send(json!({"cmd": "conference", "line": 1, "with_line": 2}));
    bob.expect_line(1, "conference", STEP);
    bob.expect_line(2, "conference", STEP);
    alice.expect_line(1, "connected", STEP);
    sleep(Duration::from_millis(2500));

    carol.send(json!({"cmd": "hangup", "line": 1}));
    carol.expect_idle(1, "local_hangup");
    bob.expect_idle(2, "remote_hangup");
    bob.expect_line(1, "connected", STEP);
    sleep(Duration::from_millis(2000));
    bob.send(json!({"cmd": "hangup", "line": 1}));
    alice.expect_idle(1, "remote_hangup");
    for agent in [&mut alice, &mut bob, &mut carol] {
        assert!(agent.quit().success());
    }

    let heard = |name: &str| audio::read_wav(&wav(name));
    let (alice_pcm, bob_pcm, carol_pcm) = (heard("alice"), heard("bob"), heard("carol"));
    let mut ends = Vec::new();
    for (who, pcm, others, own) in [
        ("alice", &alice_pcm, [BOB_HZ, CAROL_HZ], ALICE_HZ),
        ("bob", &bob_pcm, [ALICE_HZ, CAROL_HZ], BOB_HZ),
        ("carol", &carol_pcm, [ALICE_HZ, BOB_HZ], CAROL_HZ),
    ] {
        // Mix-minus: nobody ever hears their own voice come back, in any window.
        let echoes: Vec<usize> = audio::windows(pcm)
            .enumerate()
            .filter(|(_, w)| audio::share(w, own) > 0.01)
            .map(|(i, _)| i)
            .collect();
        assert!(
            echoes.is_empty(),
            "{who} hears itself in windows {echoes:?}"
        );

        // Both others are heard at once only during the conference: most of its 25 windows.
        let both: Vec<usize> = audio::windows(pcm)
            .enumerate()
            .filter(|(_, w)| hears_both(w, others))
            .map(|(i, _)| i)
            .collect();
        assert!(
            both.len() >= 15,
            "{who} hears both others for at least 1.5 s of the 2.5 s conference: windows \
             {both:?}; {:?}",
            audio::runs(pcm, others[0])
        );
        ends.push(both[both.len() - 1] + 1);
        println!("{who}: {} windows of both {others:?}", both.len());
    }

    // After carol has gone, alice and bob hear each other alone.
    for ((who, pcm, other), end) in [("alice", &alice_pcm, BOB_HZ), ("bob", &bob_pcm, ALICE_HZ)]
        .into_iter()
        .zip(ends)
    {
        let window = (audio::RATE / 1000 * audio::WINDOW_MS) as usize;
        let after = &pcm[end * window..];
        let runs = audio::runs(after, other);
        assert!(
            audio::total(&runs, Heard::Tone) >= 12,
            "{who} hears the other for most of the 2 s after carol left: {runs:?}"
        );
    }
}
