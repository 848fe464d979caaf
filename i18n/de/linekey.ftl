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

status-starting = Startet…
status-ready = Bereit unter { $address }
status-ready-no-account = Bereit unter { $address }. Noch kein Konto: Anrufe gehen direkt an die gewählte Adresse.
status-registering = { $account } wird angemeldet…
status-registered = Angemeldet als { $account }
status-registration-failed = Nicht angemeldet: { $reason }
status-unregistered = Nicht angemeldet
status-quitting = Gespräche werden beendet, linekey wird geschlossen…
status-engine-stopped = Das Telefon wurde angehalten: { $reason }. Prüfen Sie die Einstellungen und öffnen Sie linekey erneut.
indicator-muted = Stumm
indicator-dnd = Nicht stören
indicator-forward = Umleitung an { $target }
prompt-forward = Alle Anrufe umleiten an: Nummer oder Adresse eingeben, dann „Setzen“ drücken.
key-dnd = Ruhe
key-forward = Umleiten
key-forward-set = Setzen
key-forward-clear = Aufheben
key-mute = Stumm
key-unmute = Laut
tip-dnd-on = Nicht stören: alle eingehenden Anrufe als besetzt abweisen
tip-dnd-off = Eingehende Anrufe wieder klingeln lassen
tip-forward = Alle eingehenden Anrufe an eine andere Nummer umleiten
tip-forward-set = Alle Anrufe an die eingegebene Adresse umleiten (Eingabetaste)
tip-forward-clear = Die Anrufumleitung aufheben
tip-mute = Ihre Stimme nicht mehr senden (die Gegenseite hört Stille)
tip-unmute = Ihre Stimme wieder senden
error-forward-target = „{ $target }“ ist keine Adresse, an die Anrufe umgeleitet werden können. Geben Sie eine Nummer, benutzer@host oder sip:benutzer@host ein.
error-dial-plan-no-match = Keine Nummer im Wählplan beginnt mit { $typed }. Prüfen Sie die Nummer oder drücken Sie die Eingabetaste, um sie so zu wählen.
display-idle = Nummer oder Adresse eingeben
display-ended = Gespräch beendet: { $reason }
ended-local-hangup = Sie haben aufgelegt
ended-remote-hangup = Gegenseite hat aufgelegt
ended-busy = besetzt
ended-declined = abgelehnt
ended-no-answer = keine Antwort
ended-cancelled = abgebrochen
ended-transferred = übergeben
ended-replaced = von einem anderen Anruf übernommen
ended-forwarded = umgeleitet
ended-failed = fehlgeschlagen ({ $status })
display-digits = Töne: { $digits }
address-placeholder = Nummer oder sip:benutzer@host
prompt-transfer = Leitung { $line } weiterleiten: Adresse eingeben und „Weiterleiten“ drücken, oder für eine Rückfrage-Übergabe eine Leitung wählen.
prompt-conference = Leitung { $line } verbinden mit:
key-dial = Wählen
key-redial = Wahlwdh.
key-answer = Annehmen
key-decline = Ablehnen
key-hangup = Auflegen
key-hold = Halten
key-resume = Fortsetzen
key-transfer = Übergeben
key-transfer-now = Weiterleiten
key-to-line = An Leitung { $line }
key-conference = Konferenz
key-with-line = Mit Leitung { $line }
key-split = Trennen
key-stats = Statistik
key-cancel = Abbrechen
key-accept-transfer = Zustimmen
key-decline-transfer = Bleiben
tip-accept-transfer = Das Gespräch wie gewünscht übergeben lassen
tip-decline-transfer = Die Übergabe ablehnen und das Gespräch behalten
prompt-transfer-request = { $by } möchte dieses Gespräch an { $target } übergeben.
prompt-transfer-request-someone = Die Gegenseite
key-settings = Einstellungen
tip-settings = Konto, Proxys, Audiogeräte, Codecs, Umleitungen und Sprache
tip-dial = Die Nummer oder Adresse im Feld anrufen (Eingabetaste)
tip-redial = Die zuletzt gewählte Nummer erneut anrufen (Eingabetaste)
tip-answer = Den klingelnden Anruf annehmen (Eingabetaste)
tip-decline = Den klingelnden Anruf ablehnen (Escape)
tip-hangup = Dieses Gespräch beenden (Escape)
tip-hold = Die Gegenseite in die Warteschleife legen
tip-resume = Das gehaltene Gespräch fortsetzen
tip-transfer = Dieses Gespräch an jemand anderen übergeben
tip-transfer-now = Das Gespräch an die eingegebene Adresse weiterleiten (Eingabetaste)
tip-to-line = Die Gegenseite dieses Gesprächs mit der auf Leitung { $line } verbinden
tip-conference = Dieses Gespräch und eine andere Leitung zur Dreierkonferenz verbinden
tip-with-line = Leitung { $line } zur Konferenz hinzunehmen
tip-split = Diese Leitung aus der Konferenz nehmen und halten
tip-stats = Codec, Paketverlust, Jitter und Umlaufzeit zeigen oder verbergen
tip-cancel = Zurück, ohne etwas zu tun (Escape)
tip-address = Nummer, Benutzername oder sip:-Adresse eingeben, dann Eingabetaste drücken
tip-completion = Diese Adresse aus der Anrufliste verwenden
tip-line-key = Leitung { $line } im Display zeigen
tip-pad-type = { $key } eingeben
tip-pad-tone = Den Ton { $key } an die Gegenseite senden
tip-history = { $address } ins Wahlfeld übernehmen
tip-confirm-quit-no = linekey offen lassen, die Gespräche laufen weiter
tip-confirm-quit-yes = Alle Gespräche beenden und linekey schließen
history-title = Letzte Anrufe
history-empty = Noch keine Anrufe
history-placed = Gewählt
history-received = Angenommen
history-missed = Verpasst
stats-codec = Codec
stats-packets = Gesendet / empfangen
stats-lost = Verloren / zu spät
stats-jitter = Jitter
stats-buffer = Puffer
stats-rtt = Umlaufzeit
stats-none = Noch keine Mediendaten
confirm-quit-title = Ein Gespräch läuft noch
confirm-quit-body = Beim Schließen von linekey werden alle Gespräche beendet.
confirm-quit-yes = Auflegen und schließen
confirm-quit-no = Weitertelefonieren
error-no-display = Fenster kann nicht geöffnet werden: kein Bildschirm vorhanden (weder DISPLAY noch WAYLAND_DISPLAY ist gesetzt). Starten Sie linekey in einer Desktop-Sitzung oder verwenden Sie „linekey agent“ für das Telefon ohne Fenster.
error-display-unusable = Fenster kann nicht geöffnet werden: der Bildschirm „{ $display }“ antwortet nicht. Prüfen Sie, ob die Desktop-Sitzung läuft und DISPLAY bzw. WAYLAND_DISPLAY stimmt.
error-window = Fenster kann nicht geöffnet werden: { $reason }
error-history-broken = { $count } beschädigte Einträge der Anrufliste wurden übersprungen.
error-history-save = Die Anrufliste kann nicht in { $path } gespeichert werden: { $reason }

notify-incoming = Eingehender Anruf auf Leitung { $line }
notify-missed = Verpasster Anruf
notify-unknown-caller = Unbekannter Anrufer

## Settings dialog

settings-title = Einstellungen
settings-tab-account = Konto
settings-tab-account-intro = Wer Sie im Telefonnetz sind und wie sich linekey anmeldet.
settings-tab-proxies = Proxys
settings-tab-proxies-intro = Server, über die Ihre Anrufe laufen. Leer lassen, um Adressen direkt anzurufen.
settings-tab-network = Netzwerk
settings-tab-network-intro = Wo linekey lauscht und wie geduldig es auf das Netzwerk wartet.
settings-tab-audio = Audio
settings-tab-audio-intro = Mikrofon, Lautsprecher und Klingel. Probieren Sie sie hier vor einem Anruf aus.
settings-tab-calls = Anrufe
settings-tab-calls-intro = Audio-Codecs, Leitungstasten und der Umgang mit eingehenden Anrufen.
settings-tab-forwarding = Weiterleitung
settings-tab-forwarding-intro = Eingehende Anrufe an eine andere Nummer senden. Ein leeres Feld behält diese Anrufe.
settings-tab-general = Allgemein
settings-tab-general-intro = Sprache und Wählplan.
settings-section-identity = Identität
settings-section-sign-in = Anmeldung
settings-section-registration = Registrierung
settings-section-proxies = Ausgehende Proxys
settings-section-sip = SIP
settings-section-media = Medien
settings-section-devices = Geräte
settings-section-codecs = Codecs
settings-section-call-handling = Anrufbehandlung
settings-section-forwarding = Rufweiterleitung
settings-section-language = Sprache
settings-section-dialplan = Wählplan
settings-welcome-title = Willkommen bei linekey
settings-welcome-intro = Geben Sie das SIP-Konto ein, das Sie von Ihrem Anbieter oder Administrator erhalten haben. Dies und alles andere können Sie später in den Einstellungen ändern.
settings-more = Weitere Einstellungen…
settings-save = Speichern
settings-save-first-run = Speichern und verbinden
settings-cancel = Abbrechen
settings-not-now = Später
settings-fix-fields = Einige Einstellungen brauchen Ihre Aufmerksamkeit: siehe die rot markierten Felder.
settings-display-name = Anzeigename
settings-display-name-placeholder = Erika Mustermann
settings-display-name-help = Wird den Personen angezeigt, die Sie anrufen.
settings-user = Benutzername
settings-user-placeholder = erika
settings-user-help = Der Teil Ihrer SIP-Adresse vor dem @.
settings-domain = Domain
settings-domain-placeholder = sip.example.com
settings-domain-help = Der Teil Ihrer SIP-Adresse nach dem @: der Server Ihres Anbieters.
settings-auth-user = Anmeldename
settings-auth-user-placeholder = Wie der Benutzername
settings-auth-user-help = Nur wenn Ihr Anbieter Ihnen einen eigenen Anmeldenamen gegeben hat.
settings-password = Passwort
settings-password-placeholder = Ihr SIP-Passwort
settings-password-help = Wird in Ihrer Einstellungsdatei gespeichert.
settings-show-password = Passwort anzeigen
settings-register = Registrieren
settings-register-help = Beim Start am Server anmelden, damit Anrufe Sie erreichen.
settings-registrar = Registrar
settings-registrar-placeholder = Die Domain
settings-registrar-help = Der Server für die Registrierung, als Host oder Host:Port, falls es nicht die Domain ist.
settings-register-expires = Registrierungsintervall
settings-register-expires-placeholder = 3600
settings-register-expires-help = Sekunden zwischen zwei Erneuerungen der Registrierung.
settings-proxy-primary = Primärer Proxy
settings-proxy-primary-placeholder = proxy.example.com:5060
settings-proxy-primary-help = Alle Anrufe laufen über diesen Server, solange er antwortet.
settings-proxy-backup = Ersatz-Proxy
settings-proxy-backup-placeholder = backup.example.com
settings-proxy-backup-help = Wird versucht, wenn der primäre Proxy nicht antwortet.
settings-proxy-emergency = Notruf-Proxy
settings-proxy-emergency-placeholder = notruf.example.com
settings-proxy-emergency-help = Wird für Notrufe verwendet.
settings-bind-address = Lauschadresse
settings-bind-address-placeholder = 0.0.0.0
settings-bind-address-help = Die Adresse dieses Computers für SIP; 0.0.0.0 bedeutet alle.
settings-bind-port = SIP-Port
settings-bind-port-placeholder = 5060
settings-bind-port-help = Der UDP-Port für SIP; 0 wählt einen freien.
settings-rtp-first = Erster RTP-Port
settings-rtp-first-placeholder = 20000
settings-rtp-first-help = Anrufe senden und empfangen Audio auf Ports in diesem Bereich.
settings-rtp-last = Letzter RTP-Port
settings-rtp-last-placeholder = 20999
settings-rtp-last-help = Jeder Anruf braucht zwei Ports, daher umfasst der Bereich eine gerade Anzahl.
settings-timer-t1 = Umlaufzeit (T1)
settings-timer-t1-placeholder = 500
settings-timer-t1-help = Millisekunden, bevor eine verlorene Anfrage zum ersten Mal wiederholt wird.
settings-invite-attempts = Anrufversuche
settings-invite-attempts-placeholder = 7
settings-invite-attempts-help = Wie oft ein Anruf an den primären Proxy gesendet wird, bevor der Ersatz versucht wird.
settings-codecs-help = Der erste eingeschaltete Codec wird bevorzugt. Mindestens einer muss eingeschaltet sein.
settings-codec-opus = Opus (Breitband, beste Qualität)
settings-codec-pcmu = G.711 μ-law (PCMU)
settings-codec-pcma = G.711 A-law (PCMA)
settings-hold-style = Halten
settings-hold-style-help = Versuchen Sie die andere Art, wenn Ihr Gegenüber Sie beim Halten weiter hört.
settings-hold-zero-address = Nulladresse (ältere Cisco-Art)
settings-hold-sendonly = Nur senden (RFC 3264)
settings-auto-answer = Automatisch annehmen
settings-auto-answer-help = Jeden eingehenden Anruf sofort annehmen.
settings-dnd = Nicht stören
settings-dnd-help = Anrufer hören besetzt, und das Telefon bleibt still.
settings-lines = Leitungstasten
settings-lines-placeholder = 6
settings-lines-help = Wie viele Anrufe gleichzeitig am Telefon sein können.
settings-ring-timeout = Klingeldauer
settings-ring-timeout-placeholder = 60
settings-ring-timeout-help = Sekunden, die ein abgehender Anruf klingeln darf, bevor linekey aufgibt.
settings-forward-always = Alle Anrufe weiterleiten
settings-forward-always-placeholder = sip:carol@example.com
settings-forward-always-help = Jeder eingehende Anruf geht hierhin, statt zu klingeln.
settings-forward-busy = Weiterleiten bei besetzt
settings-forward-busy-placeholder = sip:mailbox@example.com
settings-forward-busy-help = Wohin Anrufe gehen, wenn alle Leitungen belegt sind.
settings-forward-no-answer = Weiterleiten ohne Antwort
settings-forward-no-answer-placeholder = sip:mailbox@example.com
settings-forward-no-answer-help = Wohin Anrufe gehen, wenn niemand rechtzeitig annimmt.
settings-forward-no-answer-seconds = Klingeln vor Weiterleitung
settings-forward-no-answer-seconds-placeholder = 20
settings-forward-no-answer-seconds-help = Sekunden, die ein Anruf klingelt, bevor er weitergeleitet wird.
settings-dialplan-file = Wählplan-Datei
settings-dialplan-file-placeholder = /pfad/zu/dialplan.xml
settings-dialplan-file-help = Eine Cisco-Wählvorlage (XML), die Ihre Eingabe in Adressen umsetzt. Leer lassen, um wie eingegeben zu wählen.
settings-dialplan-checking = Wählplan wird gelesen…
settings-language = Sprache
settings-language-help = Die Sprache der Fenster und Meldungen von linekey.
settings-language-system = Systemsprache ({ $language })
settings-input = Mikrofon
settings-input-help = Sprechen Sie: Der Balken sollte sich bewegen.
settings-input-failed = Das Mikrofon kann nicht geöffnet werden. { $error }
settings-output = Lautsprecher
settings-output-help = Wo Sie Anrufe hören.
settings-ringer = Klingel
settings-ringer-help = Wo eingehende Anrufe klingeln.
settings-device-default = Systemstandard
settings-test-tone = Testen
settings-test-tone-playing = Spielt…
settings-test-tone-failed = Es konnte kein Ton abgespielt werden. { $error }
settings-error-required = Bitte ausfüllen.
settings-error-host-port = Geben Sie einen Hostnamen oder eine Adresse ein, wahlweise mit Port, etwa sip.example.com:5060.
settings-error-ip-address = Geben Sie eine IP-Adresse dieses Computers ein, etwa 0.0.0.0 oder 192.168.1.20.
settings-error-between = Geben Sie eine ganze Zahl von { $min } bis { $max } ein.
settings-error-at-least = Geben Sie eine ganze Zahl von mindestens { $min } ein.
settings-error-rtp-range = Der letzte Port darf nicht unter dem ersten liegen, und der Bereich muss eine gerade Anzahl Ports umfassen.
settings-error-sip-address = Geben Sie eine SIP-Adresse ein, etwa sip:carol@example.com.
settings-error-no-codec = Schalten Sie mindestens einen Codec ein.
settings-error-dialplan = Dieser Wählplan ist nicht verwendbar: Zeile { $line }: { $reason }
settings-error-unreadable = Diese Datei kann nicht gelesen werden: { $reason }
settings-device-none = Es wurde keine Soundkarte gefunden. Schließen Sie ein Headset oder Lautsprecher an, oder prüfen Sie, ob ein anderes Programm die Soundkarte belegt.
settings-device-unavailable = „{ $name }“ antwortet nicht. Prüfen Sie, ob es angeschlossen ist und nicht von einem anderen Programm verwendet wird, oder wählen Sie ein anderes Gerät.
settings-device-invalid = „{ $name }“ ist hier kein verwendbares Gerät. Wählen Sie ein anderes.
settings-device-file = Die Datei { $path } ist nicht verwendbar: { $reason }
settings-error-full-path = Geben Sie den vollständigen Pfad der Datei ein, beginnend mit /, etwa /home/erika/dialplan.xml.
settings-your-address = Ihre SIP-Adresse: { $address }
settings-dialplan-ok = Der Wählplan wurde gelesen: { $count ->
    [one] eine Vorlage.
   *[other] { $count } Vorlagen.
}

## Engine notices

status-network-delay = Netzwerkverzögerung, Ausweichserver wird versucht
status-proxy-error = Proxy-Fehler, Ausweichserver wird versucht
status-primary-back = Hauptproxy { $proxy } ist wieder erreichbar
error-nothing-to-dial = Keine Nummer zum Wählen
error-cannot-dial = { $target } kann nicht gewählt werden: { $reason }
error-no-plan-match = Keine Vorlage im Wählplan passt zu { $typed }
error-cannot-call = { $uri } kann nicht angerufen werden: { $reason }
error-needs-proxy = für { $uri } wird ein Proxy gebraucht – bitte in den Einstellungen eintragen
error-host-unresolved = der Host { $host } wurde nicht gefunden
error-proxy-address-unresolved = die Proxy-Adresse { $proxy } wurde nicht gefunden
error-proxy-unresolved = die Adresse { $proxy } des { $which ->
        [primary] Hauptproxys
        [backup] Ausweichproxys
        [emergency] Notrufproxys
       *[dialplan] Proxys aus dem Wählplan
    } wurde nicht gefunden
error-proxy-unset = der Wählplan leitet diesen Anruf über den { $which ->
        [primary] Hauptproxy
        [backup] Ausweichproxy
        [emergency] Notrufproxy
       *[dialplan] Proxy aus dem Wählplan
    }, aber keiner ist eingestellt
error-all-lines-busy = Alle Leitungen sind belegt: Beenden Sie zuerst ein Gespräch
error-no-audio-port = Kein Audio-Port für den Anruf: { $reason }
status-incompatible-media-ended = Gespräch beendet: Audioformate passen nicht zusammen
status-incompatible-media-failed = Anruf fehlgeschlagen: kein gemeinsamer Audio-Codec
status-no-answer-from = Keine Antwort von { $dest }: Prüfen Sie Adresse und Netzwerk
status-too-many-redirects = Anruf fehlgeschlagen: zu viele Umleitungen
status-redirected = Anruf umgeleitet an { $target }
status-forwarded = Anruf von { $from } umgeleitet an { $target }
error-not-ringing = Auf Leitung { $line } klingelt kein Anruf
error-no-such-line = Leitung { $line } gibt es nicht: Die Leitungen sind 1 bis { $lines }
error-line-idle = Leitung { $line } ist frei
error-wait-for-line = Einen Moment: Leitung { $line } wird noch gehalten
error-wait-for-lines = Einen Moment: Leitungen { $lines } und { $last } werden noch gehalten
error-wait-for-another-line = Einen Moment: Eine andere Leitung wird noch gehalten
status-still-connected = Leitung { $line } konnte nicht gehalten werden und ist weiter verbunden
status-still-on-hold = Leitung { $line } wird noch gehalten: Zum Sprechen „Fortsetzen“ drücken
error-hold-no-call = Leitung { $line } kann nicht gehalten werden: Kein verbundenes Gespräch
error-resume-no-call = Leitung { $line } kann nicht fortgesetzt werden: Kein verbundenes Gespräch
error-already-held = Leitung { $line } ist bereits gehalten
error-already-holding = Leitung { $line } wird bereits gehalten
error-already-resuming = Leitung { $line } wird bereits fortgesetzt
error-held-by-peer = Leitung { $line } ist hier nicht gehalten: Die Gegenseite hält das Gespräch
error-not-held = Leitung { $line } ist nicht gehalten
error-hold-answer-unusable = Leitung { $line } konnte nicht gehalten werden: Die Antwort der Gegenseite ist unbrauchbar ({ $reason })
error-resume-answer-unusable = Leitung { $line } konnte nicht fortgesetzt werden: Die Antwort der Gegenseite ist unbrauchbar ({ $reason })
error-hold-refused = Leitung { $line } konnte nicht gehalten werden: { $status }
error-resume-refused = Leitung { $line } konnte nicht fortgesetzt werden: { $status }
error-dtmf-on-hold = Leitung { $line } ist gehalten: Setzen Sie das Gespräch fort, um Töne zu senden
error-dtmf-remote-held = Leitung { $line } wird von der Gegenseite gehalten, die jetzt keine Töne hört
error-dtmf-no-call = Leitung { $line } hat kein verbundenes Gespräch für Töne
error-dtmf-empty = Keine Töne zum Senden
error-dtmf-invalid = { $digit } kann nicht als Ton gesendet werden: Möglich sind 0–9, *, # und A–D
error-dtmf-not-sent = Die Töne { $digits } konnten nicht gesendet werden: { $reason }
error-conference-same-line = Leitung { $line } kann nicht mit sich selbst verbunden werden
error-conference-exists = Leitungen { $first } und { $second } sind bereits in einer Konferenz; es geht nur eine gleichzeitig
error-conference-not-held = Leitung { $line } ist in einer Konferenz, nicht gehalten
error-conference-remote-held = Leitung { $line } kann keiner Konferenz beitreten: Die Gegenseite hält das Gespräch
error-conference-no-call = Leitung { $line } kann keiner Konferenz beitreten: Kein verbundenes Gespräch
error-cannot-transfer = Leitung { $line } kann nicht übergeben werden: { $reason }
error-transfer-no-other-call = Leitung { $line } hat kein anderes Gespräch, an das übergeben werden kann
error-transfer-not-connected = das Gespräch auf Leitung { $line } ist nicht verbunden
error-transfer-target-or-line = entweder ein Ziel oder eine Rückfrageleitung (to_line) angeben
error-transfer-no-call = sie hat kein verbundenes Gespräch
error-transfer-under-way = sie wird bereits übergeben
error-transfer-failed = Leitung { $line } konnte nicht übergeben werden: { $status }
error-transfer-to-failed = Die Übergabe an { $target } ist fehlgeschlagen: { $status }
status-transfer-progress = Übergabe an { $target }: { $status }
status-transfer-no-word = Keine Nachricht zur Übergabe an { $target }: die Gespräche sind übergeben
error-no-transfer-request = Auf Leitung { $line } liegt keine Übergabeanfrage vor
error-settings-not-applied = Einstellungen nicht übernommen: { $reason }
status-restart-for-network = Starten Sie linekey neu, um die neuen Werte für network.bind und network.rtp_ports zu nutzen; bis dahin gelten { $bind } und die Ports { $low }–{ $high }
error-dial-plan-none = { $reason }; es wird ohne Wählplan gewählt
error-dial-plan-kept = { $reason }; der bisherige Wählplan bleibt in Gebrauch
error-audio-cannot-start = Audio kann nicht starten: { $reason }
error-call-audio-cannot-start = Audio für den Anruf kann nicht starten: { $reason }
error-no-audio-on-line = Kein Audio auf Leitung { $line }: { $reason }
status-device-invalid = Ungültiges Audiogerät „{ $spec }“: { $reason }
status-wav-read = Die WAV-Datei „{ $path }“ kann nicht abgespielt werden: { $reason }
status-wav-write = In die WAV-Datei „{ $path }“ kann nicht aufgenommen werden: { $reason }
status-wav-stopped = Aufnahme in „{ $path }“ beendet: { $reason }
status-device-unavailable = Kein { $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } „{ $name }“: { $reason }
status-input-failed = { $error }. Anrufe senden Stille.
status-output-failed = { $error }. Anrufe sind nicht zu hören.
status-ringer-failed = { $error }. Der Klingelton kommt aus dem Lautsprecher.
status-device-fallback = { $error }; das Standard-{ $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } wird verwendet
status-device-back = „{ $name }“ wird wieder verwendet
status-device-gone = „{ $name }“ getrennt; das Standard-{ $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } wird verwendet
status-default-device-gone = Das Standard-{ $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } wurde getrennt; das neue Standardgerät wird verwendet
status-device-gone-no-other = „{ $name }“ getrennt, und kein anderes { $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } funktioniert: { $reason }
status-default-device-gone-no-other = Das Standard-{ $direction ->
        [input] Eingabegerät
       *[output] Ausgabegerät
    } wurde getrennt, und kein anderes funktioniert: { $reason }
registration-unresolved = die Adresse { $registrar } des { $which ->
        [backup] Ausweichproxys
       *[registrar] Registrars
    } wurde nicht gefunden
registration-refused = der { $which ->
        [backup] Ausweichproxy
       *[registrar] Registrar
    } lehnt ab: { $status }
registration-wrong-password = Benutzername oder Passwort falsch ({ $status }): Prüfen Sie die Kontoeinstellungen
registration-account-refused = der { $which ->
        [backup] Ausweichproxy
       *[registrar] Registrar
    } lehnt dieses Konto ab ({ $status }): Prüfen Sie Benutzername und Domain
registration-answered = der { $which ->
        [backup] Ausweichproxy
       *[registrar] Registrar
    } antwortet { $status }
registration-no-answer = keine Antwort vom { $which ->
        [backup] Ausweichproxy
       *[registrar] Registrar
    } { $registrar }: Prüfen Sie Adresse und Netzwerk
registration-removal-unanswered = keine Antwort vom { $which ->
        [backup] Ausweichproxy
       *[registrar] Registrar
    } { $registrar }
notice-text = { $text }
