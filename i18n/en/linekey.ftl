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
status-ready = Ready at { $address } (no account: calls go straight to the address)
status-registering = Registering { $account }…
status-registered = Registered as { $account }
status-registration-failed = Not registered: { $reason }
status-unregistered = Not registered
status-network-delay = Network Delay, Trying Backup
status-quitting = Hanging up and closing…
status-engine-stopped = The phone stopped: { $reason }. Check the settings, then open linekey again.
indicator-stats = Stats on
display-idle = Enter a number or address
display-ended = Call ended: { $reason }
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

## Settings dialog

settings-title = Settings
