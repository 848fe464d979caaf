# Los textos de linekey en español.

## Phone window

app-name = linekey
line-key = Línea { $line }
line-state-idle = Libre
line-state-dialing = Marcando
line-state-trying = Llamando
line-state-ringing = Sonando
line-state-incoming = Llamada entrante
line-state-connected = Conectado
line-state-held = En espera
line-state-remote-held = Retenido por el otro extremo
line-state-conference = Conferencia

## Settings dialog

settings-title = Ajustes
