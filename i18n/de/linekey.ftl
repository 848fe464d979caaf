# linekeys Texte auf Deutsch.

## Phone window

app-name = linekey
line-key = Leitung { $line }
line-state-idle = Frei
line-state-dialing = Wählt
line-state-trying = Ruft an
line-state-ringing = Klingelt
line-state-incoming = Eingehender Anruf
line-state-connected = Verbunden
line-state-held = Gehalten
line-state-remote-held = Von der Gegenseite gehalten
line-state-conference = Konferenz

## Settings dialog

settings-title = Einstellungen
