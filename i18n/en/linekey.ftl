# linekey's words, in English (the fallback for every other language).
# Keys are grouped by where they appear; every language has exactly the same keys.

## Phone window

app-name = linekey
line-key = Line { $line }
line-state-idle = Idle
line-state-dialing = Dialing
line-state-trying = Calling
line-state-ringing = Ringing
line-state-incoming = Incoming call
line-state-connected = Connected
line-state-held = On hold
line-state-remote-held = Held by the other party
line-state-conference = Conference

status-starting = Starting…
status-ready = Ready at { $address }
status-ready-no-account = Ready at { $address }. No account yet: calls go straight to the address you dial.
status-registering = Registering { $account }…
status-registered = Registered as { $account }
status-registration-failed = Not registered: { $reason }
status-unregistered = Not registered
status-quitting = Hanging up and closing…
status-engine-stopped = The phone stopped: { $reason }. Check the settings, then open linekey again.
indicator-muted = Muted
indicator-dnd = Do not disturb
indicator-forward = Forwarding to { $target }
prompt-forward = Forward every call to: type a number or address, then press Set.
key-dnd = DND
key-forward = Forward
key-forward-set = Set
key-forward-clear = Clear
key-mute = Mute
key-unmute = Unmute
tip-dnd-on = Do not disturb: turn away every incoming call as busy
tip-dnd-off = Let incoming calls ring again
tip-forward = Forward every incoming call to another number
tip-forward-set = Forward every call to the address typed (Enter)
tip-forward-clear = Stop forwarding calls
tip-mute = Stop sending your voice (the other party hears silence)
tip-unmute = Send your voice again
error-forward-target = "{ $target }" is not an address calls can be forwarded to. Type a number, user@host or sip:user@host.
error-dial-plan-no-match = No number in the dial plan starts with { $typed }. Check the number, or press Enter to dial it as typed.
display-idle = Enter a number or address
display-ended = Call ended: { $reason }
ended-local-hangup = you hung up
ended-remote-hangup = the other party hung up
ended-busy = busy
ended-declined = declined
ended-no-answer = no answer
ended-cancelled = cancelled
ended-transferred = transferred
ended-replaced = taken over by another call
ended-forwarded = forwarded
ended-failed = failed ({ $status })
display-digits = Tones: { $digits }
address-placeholder = Number or sip:user@host
prompt-transfer = Transfer line { $line }: type an address and press Transfer, or pick a line for an attended transfer.
prompt-conference = Join line { $line } with:
key-dial = Dial
key-redial = Redial
key-answer = Answer
key-decline = Decline
key-hangup = End call
key-hold = Hold
key-resume = Resume
key-transfer = Transfer
key-transfer-now = Transfer
key-to-line = To line { $line }
key-conference = Conference
key-with-line = Join line { $line }
key-split = Split
key-stats = Stats
key-cancel = Cancel
key-accept-transfer = Go along
key-decline-transfer = Stay
tip-accept-transfer = Let the call be transferred as asked
tip-decline-transfer = Refuse the transfer and keep the call
prompt-transfer-request = { $by } wants to transfer this call to { $target }.
prompt-transfer-request-someone = The other party
key-settings = Settings
tip-settings = Account, proxies, audio devices, codecs, forwarding and language
tip-dial = Call the number or address in the field (Enter)
tip-redial = Call the last number dialed again (Enter)
tip-answer = Answer the ringing call (Enter)
tip-decline = Decline the ringing call (Escape)
tip-hangup = End this call (Escape)
tip-hold = Put the other party on hold
tip-resume = Take the call off hold
tip-transfer = Hand this call to someone else
tip-transfer-now = Transfer the call to the address typed (Enter)
tip-to-line = Connect this call's party with the party on line { $line }
tip-conference = Join this call and another line in a three-way conference
tip-with-line = Add line { $line } to the conference
tip-split = Take this line out of the conference and hold it
tip-stats = Show or hide codec, packet loss, jitter and round-trip time
tip-cancel = Go back without doing anything (Escape)
tip-address = Type a number, a user name or a sip: address, then press Enter
tip-completion = Use this address from the call history
tip-line-key = Show line { $line } on the display
tip-pad-type = Type { $key }
tip-pad-tone = Send the tone { $key } to the other party
tip-history = Put { $address } in the dial field
tip-confirm-quit-no = Keep linekey open and the calls going
tip-confirm-quit-yes = End every call and close linekey
history-title = Recent calls
history-empty = No calls yet
history-placed = Placed
history-received = Received
history-missed = Missed
stats-codec = Codec
stats-packets = Sent / received
stats-lost = Lost / late
stats-jitter = Jitter
stats-buffer = Buffer
stats-rtt = Round trip
stats-none = No media figures yet
confirm-quit-title = A call is still going on
confirm-quit-body = Closing linekey ends every call.
confirm-quit-yes = End calls and close
confirm-quit-no = Keep calling
error-no-display = cannot open the window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set). Start linekey from a desktop session, or use "linekey agent" for the phone without a window.
error-display-unusable = cannot open the window: the display "{ $display }" does not answer. Check that the desktop session is running and DISPLAY or WAYLAND_DISPLAY is right.
error-window = cannot open the window: { $reason }
error-history-broken = { $count } damaged entries of the call history were skipped.
error-history-save = Cannot save the call history to { $path }: { $reason }

notify-incoming = Incoming call on line { $line }
notify-missed = Missed call
notify-unknown-caller = Unknown caller

## Settings dialog

settings-title = Settings
settings-tab-account = Account
settings-tab-account-intro = Who you are on the phone network, and how linekey signs in.
settings-tab-proxies = Proxies
settings-tab-proxies-intro = Servers that carry your calls. Leave them empty to call addresses directly.
settings-tab-network = Network
settings-tab-network-intro = Where linekey listens, and how patiently it waits for the network.
settings-tab-audio = Audio
settings-tab-audio-intro = Your microphone, speaker and ringer. Try them out here before a call.
settings-tab-calls = Calls
settings-tab-calls-intro = Audio codecs, line keys and how incoming calls are handled.
settings-tab-forwarding = Forwarding
settings-tab-forwarding-intro = Send incoming calls to another number. Leave a field empty to keep those calls.
settings-tab-general = General
settings-tab-general-intro = Language and dial plan.
settings-section-identity = Identity
settings-section-sign-in = Sign-in
settings-section-registration = Registration
settings-section-proxies = Outbound proxies
settings-section-sip = SIP
settings-section-media = Media
settings-section-devices = Devices
settings-section-codecs = Codecs
settings-section-call-handling = Call handling
settings-section-forwarding = Call forwarding
settings-section-language = Language
settings-section-dialplan = Dial plan
settings-welcome-title = Welcome to linekey
settings-welcome-intro = Enter the SIP account your provider or administrator gave you. You can change this and everything else later in Settings.
settings-more = More settings…
settings-save = Save
settings-save-first-run = Save and connect
settings-cancel = Cancel
settings-not-now = Not now
settings-fix-fields = Some settings need your attention: see the fields marked in red.
settings-display-name = Display name
settings-display-name-placeholder = Alice Smith
settings-display-name-help = Shown to the people you call.
settings-user = User name
settings-user-placeholder = alice
settings-user-help = The part of your SIP address before the @.
settings-domain = Domain
settings-domain-placeholder = sip.example.com
settings-domain-help = The part of your SIP address after the @: your provider's server.
settings-auth-user = Authentication name
settings-auth-user-placeholder = Same as the user name
settings-auth-user-help = Only if your provider gave you a separate login name.
settings-password = Password
settings-password-placeholder = Your SIP password
settings-password-help = Stored in your settings file.
settings-show-password = Show password
settings-register = Register
settings-register-help = Sign in to the server on start so that calls can reach you.
settings-registrar = Registrar
settings-registrar-placeholder = The domain
settings-registrar-help = The server to register with, as host or host:port, if it is not the domain.
settings-register-expires = Registration interval
settings-register-expires-placeholder = 3600
settings-register-expires-help = Seconds between renewals of the registration.
settings-proxy-primary = Primary proxy
settings-proxy-primary-placeholder = proxy.example.com:5060
settings-proxy-primary-help = Every call goes through this server while it answers.
settings-proxy-backup = Backup proxy
settings-proxy-backup-placeholder = backup.example.com
settings-proxy-backup-help = Tried when the primary proxy does not answer.
settings-proxy-emergency = Emergency proxy
settings-proxy-emergency-placeholder = emergency.example.com
settings-proxy-emergency-help = Used for emergency calls.
settings-bind-address = Listen address
settings-bind-address-placeholder = 0.0.0.0
settings-bind-address-help = The address of this computer for SIP; 0.0.0.0 means all of them.
settings-bind-port = SIP port
settings-bind-port-placeholder = 5060
settings-bind-port-help = The UDP port for SIP; 0 picks a free one.
settings-rtp-first = First RTP port
settings-rtp-first-placeholder = 20000
settings-rtp-first-help = Calls send and receive audio on ports in this range.
settings-rtp-last = Last RTP port
settings-rtp-last-placeholder = 20999
settings-rtp-last-help = Each call uses two ports, so the range holds an even number.
settings-timer-t1 = Round-trip estimate (T1)
settings-timer-t1-placeholder = 500
settings-timer-t1-help = Milliseconds before a lost request is first sent again.
settings-invite-attempts = Call attempts
settings-invite-attempts-placeholder = 7
settings-invite-attempts-help = How often a call is sent to the primary proxy before the backup is tried.
settings-codecs-help = The first codec turned on is preferred. At least one must be on.
settings-codec-opus = Opus (wideband, best quality)
settings-codec-pcmu = G.711 μ-law (PCMU)
settings-codec-pcma = G.711 A-law (PCMA)
settings-hold-style = Hold style
settings-hold-style-help = Try the other style if the other party keeps hearing you while on hold.
settings-hold-zero-address = Zero address (older Cisco style)
settings-hold-sendonly = Send-only (RFC 3264)
settings-auto-answer = Auto answer
settings-auto-answer-help = Answer every incoming call at once.
settings-dnd = Do not disturb
settings-dnd-help = Callers hear busy, and the phone stays silent.
settings-lines = Line keys
settings-lines-placeholder = 6
settings-lines-help = How many calls can be on the phone at the same time.
settings-ring-timeout = Ring timeout
settings-ring-timeout-placeholder = 60
settings-ring-timeout-help = Seconds an outgoing call may ring before linekey gives up.
settings-forward-always = Forward all calls
settings-forward-always-placeholder = sip:carol@example.com
settings-forward-always-help = Every incoming call goes here instead of ringing.
settings-forward-busy = Forward when busy
settings-forward-busy-placeholder = sip:voicemail@example.com
settings-forward-busy-help = Where calls go when every line is taken.
settings-forward-no-answer = Forward when unanswered
settings-forward-no-answer-placeholder = sip:voicemail@example.com
settings-forward-no-answer-help = Where calls go when nobody answers in time.
settings-forward-no-answer-seconds = Ring before forwarding
settings-forward-no-answer-seconds-placeholder = 20
settings-forward-no-answer-seconds-help = Seconds a call rings before it is forwarded.
settings-dialplan-file = Dial plan file
settings-dialplan-file-placeholder = /path/to/dialplan.xml
settings-dialplan-file-help = A Cisco dial template (XML) that turns what you type into addresses. Leave empty to dial as typed.
settings-dialplan-checking = Reading the dial plan…
settings-language = Language
settings-language-help = The language of linekey's windows and messages.
settings-language-system = System language ({ $language })
settings-input = Microphone
settings-input-help = Speak: the bar should move.
settings-input-failed = The microphone cannot be opened. { $error }
settings-output = Speaker
settings-output-help = Where you hear calls.
settings-ringer = Ringer
settings-ringer-help = Where incoming calls ring.
settings-device-default = System default
settings-test-tone = Test
settings-test-tone-playing = Playing…
settings-test-tone-failed = No sound could be played. { $error }
settings-error-required = Please fill this in.
settings-error-host-port = Enter a host name or address, optionally with a port, like sip.example.com:5060.
settings-error-ip-address = Enter an IP address of this computer, like 0.0.0.0 or 192.168.1.20.
settings-error-between = Enter a whole number from { $min } to { $max }.
settings-error-at-least = Enter a whole number of at least { $min }.
settings-error-rtp-range = The last port must not be below the first, and the range must hold an even number of ports.
settings-error-sip-address = Enter a SIP address, like sip:carol@example.com.
settings-error-no-codec = Turn on at least one codec.
settings-error-dialplan = This dial plan cannot be used: line { $line }: { $reason }
settings-error-unreadable = This file cannot be read: { $reason }
settings-device-none = No sound card was found. Connect a headset or speakers, or check that no other program holds the sound card.
settings-device-unavailable = “{ $name }” does not answer. Check that it is connected and not in use by another program, or choose another device.
settings-device-invalid = “{ $name }” is not a device linekey can use here. Choose another one.
settings-device-file = The file { $path } cannot be used: { $reason }
settings-error-full-path = Enter the full path of the file, starting with /, like /home/alice/dialplan.xml.
settings-your-address = Your SIP address: { $address }
settings-dialplan-ok = The dial plan was read: { $count ->
    [one] one template.
   *[other] { $count } templates.
}

## Engine notices
# What the phone says in `status`, `error` and registration events (src/core/notice.rs). The
# agent prints these English sentences as they are: changing one changes its contract.
# `$which` is primary, backup, emergency or dialplan for a proxy, and registrar or backup for a
# registration; `$direction` is input or output. What was typed (`$typed`, `$digit`, `$digits`,
# and `$target` of error-cannot-dial) comes quoted; `$status` is a SIP status line such as
# "486 Busy Here"; `$reason` is a detail from deeper down, in English.

status-network-delay = Network Delay, Trying Backup
status-proxy-error = Proxy Error, Trying Backup
status-primary-back = Primary proxy { $proxy } is back
error-nothing-to-dial = nothing to dial
error-cannot-dial = cannot dial { $target }: { $reason }
error-no-plan-match = no dial plan template matches { $typed }
error-cannot-call = cannot call { $uri }: { $reason }
error-needs-proxy = { $uri } needs a proxy to be dialled: set one in the settings
error-host-unresolved = the host { $host } could not be resolved
error-proxy-address-unresolved = the proxy address { $proxy } could not be resolved
error-proxy-unresolved = the { $which ->
        [primary] primary
        [backup] backup
        [emergency] emergency
       *[dialplan] dial plan's
    } proxy address { $proxy } could not be resolved
error-proxy-unset = the dial plan routes this call to the { $which ->
        [primary] primary
        [backup] backup
        [emergency] emergency
       *[dialplan] dial plan's
    } proxy, but none is set
error-all-lines-busy = all lines are busy: hang up a call first
error-no-audio-port = no audio port for the call: { $reason }
status-incompatible-media-ended = Call ended: incompatible media
status-incompatible-media-failed = Call failed: incompatible media (no codec in common)
status-no-answer-from = No answer from { $dest }: check the address and the network
status-too-many-redirects = Call failed: too many redirections
status-redirected = Call forwarded to { $target }
status-forwarded = Call from { $from } forwarded to { $target }
error-not-ringing = line { $line } is not ringing
error-no-such-line = there is no line { $line }: lines are 1 to { $lines }
error-line-idle = line { $line } is idle
error-wait-for-line = wait a moment: line { $line } is still being put on hold
error-wait-for-lines = wait a moment: lines { $lines } and { $last } is still being put on hold
error-wait-for-another-line = wait a moment: another line is still being put on hold
status-still-connected = Line { $line } could not be put on hold and is still connected
status-still-on-hold = Line { $line } is still on hold: resume it to talk
error-hold-no-call = line { $line } cannot be put on hold: it has no connected call
error-resume-no-call = line { $line } cannot be resumed: it has no connected call
error-already-held = line { $line } is already on hold
error-already-holding = line { $line } is already being put on hold
error-already-resuming = line { $line } is already being resumed
error-held-by-peer = line { $line } is not on hold here: the other party holds the call
error-not-held = line { $line } is not on hold
error-hold-answer-unusable = line { $line } could not be put on hold: the other party's answer is unusable ({ $reason })
error-resume-answer-unusable = line { $line } could not be taken off hold: the other party's answer is unusable ({ $reason })
error-hold-refused = line { $line } could not be put on hold: { $status }
error-resume-refused = line { $line } could not be taken off hold: { $status }
error-dtmf-on-hold = line { $line } is on hold: resume it to send digits
error-dtmf-remote-held = line { $line } is on hold at the other end, which cannot hear digits now
error-dtmf-no-call = line { $line } has no connected call to send digits on
error-dtmf-empty = no digits to send
error-dtmf-invalid = cannot send { $digit } as DTMF: the digits are 0-9, *, # and A-D
error-dtmf-not-sent = Cannot send the digits { $digits }: { $reason }
error-conference-same-line = line { $line } cannot be joined with itself
error-conference-exists = lines { $first } and { $second } are already in a conference; only one can be held at a time
error-conference-not-held = line { $line } is in a conference, not on hold
error-conference-remote-held = line { $line } cannot join a conference: the other party holds the call
error-conference-no-call = line { $line } cannot join a conference: it has no connected call
error-cannot-transfer = line { $line } cannot be transferred: { $reason }
error-transfer-no-other-call = line { $line } has no other call to transfer to
error-transfer-not-connected = the call on line { $line } is not connected
error-transfer-target-or-line = give either a target or a consultation line (to_line)
error-transfer-no-call = it has no connected call
error-transfer-under-way = it is already being transferred
error-transfer-failed = line { $line } could not be transferred: { $status }
error-transfer-to-failed = the transfer to { $target } failed: { $status }
status-transfer-progress = transfer to { $target }: { $status }
status-transfer-no-word = no word on the transfer to { $target }: the calls are handed over
error-no-transfer-request = no transfer request on line { $line }
error-settings-not-applied = settings not applied: { $reason }
status-restart-for-network = Restart linekey to use the new network.bind and network.rtp_ports; until then it keeps { $bind } and ports { $low }-{ $high }
error-dial-plan-none = { $reason }; dialing without a plan
error-dial-plan-kept = { $reason }; the previous dial plan stays in use
error-audio-cannot-start = Audio cannot start: { $reason }
error-call-audio-cannot-start = Audio for the call cannot start: { $reason }
error-no-audio-on-line = No audio on line { $line }: { $reason }
status-device-invalid = Invalid audio device "{ $spec }": { $reason }
status-wav-read = Cannot play the WAV file "{ $path }": { $reason }
status-wav-write = Cannot record to the WAV file "{ $path }": { $reason }
status-wav-stopped = Stopped recording to "{ $path }": { $reason }
status-device-unavailable = No audio { $direction } device "{ $name }": { $reason }
status-input-failed = { $error }. Calls send silence.
status-output-failed = { $error }. Calls cannot be heard.
status-ringer-failed = { $error }. The ring plays on the speaker.
status-device-fallback = { $error }; using the default { $direction }
status-device-back = Using "{ $name }" again
status-device-gone = "{ $name }" disconnected; using the default { $direction }
status-default-device-gone = The default audio { $direction } disconnected; using the default { $direction }
status-device-gone-no-other = "{ $name }" disconnected, and no other audio { $direction } works: { $reason }
status-default-device-gone-no-other = The default audio { $direction } disconnected, and no other audio { $direction } works: { $reason }
registration-unresolved = the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } address { $registrar } could not be resolved
registration-refused = the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } refused: { $status }
registration-wrong-password = wrong user name or password ({ $status }): check the account settings
registration-account-refused = the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } refused this account ({ $status }): check the user name and domain
registration-answered = the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } answered { $status }
registration-no-answer = no answer from the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } { $registrar }: check the address and the network
registration-removal-unanswered = no answer from the { $which ->
        [backup] backup proxy
       *[registrar] registrar
    } { $registrar }
notice-text = { $text }
