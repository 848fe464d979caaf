# Les textes de linekey en français.

## Phone window

app-name = linekey
line-key = Ligne { $line }
line-state-idle = Libre
line-state-dialing = Numérotation
line-state-trying = Appel en cours
line-state-ringing = Sonne
line-state-incoming = Appel entrant
line-state-connected = En communication
line-state-held = En attente
line-state-remote-held = Mis en attente par l’interlocuteur
line-state-conference = Conférence

## Settings dialog

settings-title = Paramètres
