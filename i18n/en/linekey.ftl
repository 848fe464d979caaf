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

## Settings dialog

settings-title = Settings
