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

status-starting = Démarrage…
status-ready = Prêt sur { $address }
status-ready-no-account = Prêt sur { $address }. Pas encore de compte : les appels vont directement à l’adresse composée.
status-registering = Enregistrement de { $account }…
status-registered = Enregistré comme { $account }
status-registration-failed = Non enregistré : { $reason }
status-unregistered = Non enregistré
status-quitting = Raccrochage et fermeture…
status-engine-stopped = Le téléphone s’est arrêté : { $reason }. Vérifiez les réglages, puis rouvrez linekey.
indicator-muted = Micro coupé
indicator-dnd = Ne pas déranger
indicator-forward = Renvoi vers { $target }
prompt-forward = Renvoyer tous les appels vers : saisissez un numéro ou une adresse, puis Activer.
key-dnd = NPD
key-forward = Renvoi
key-forward-set = Activer
key-forward-clear = Supprimer
key-mute = Secret
key-unmute = Micro
tip-dnd-on = Ne pas déranger : refuser tous les appels entrants comme occupé
tip-dnd-off = Laisser de nouveau sonner les appels entrants
tip-forward = Renvoyer tous les appels entrants vers un autre numéro
tip-forward-set = Renvoyer tous les appels vers l’adresse saisie (Entrée)
tip-forward-clear = Arrêter le renvoi des appels
tip-mute = Ne plus envoyer votre voix (l’interlocuteur entend un silence)
tip-unmute = Envoyer de nouveau votre voix
error-forward-target = « { $target } » n’est pas une adresse de renvoi. Saisissez un numéro, utilisateur@hôte ou sip:utilisateur@hôte.
error-dial-plan-no-match = Aucun numéro du plan de numérotation ne commence par { $typed }. Vérifiez le numéro, ou appuyez sur Entrée pour l’appeler tel quel.
display-idle = Saisissez un numéro ou une adresse
display-ended = Appel terminé : { $reason }
ended-local-hangup = vous avez raccroché
ended-remote-hangup = l’interlocuteur a raccroché
ended-busy = occupé
ended-declined = refusé
ended-no-answer = pas de réponse
ended-cancelled = annulé
ended-transferred = transféré
ended-replaced = repris par un autre appel
ended-forwarded = renvoyé
ended-failed = échec ({ $status })
display-digits = Tonalités : { $digits }
address-placeholder = Numéro ou sip:utilisateur@hôte
prompt-transfer = Transférer la ligne { $line } : saisissez une adresse et appuyez sur Transférer, ou choisissez une ligne pour un transfert supervisé.
prompt-conference = Réunir la ligne { $line } avec :
key-dial = Appeler
key-redial = Bis
key-answer = Répondre
key-decline = Refuser
key-hangup = Raccrocher
key-hold = Attente
key-resume = Reprendre
key-transfer = Transfert
key-transfer-now = Transférer
key-to-line = Vers ligne { $line }
key-conference = Conférence
key-with-line = Avec ligne { $line }
key-split = Séparer
key-stats = Stats
key-cancel = Annuler
key-accept-transfer = Accepter
key-decline-transfer = Rester
tip-accept-transfer = Laisser transférer l’appel comme demandé
tip-decline-transfer = Refuser le transfert et garder l’appel
prompt-transfer-request = { $by } veut transférer cet appel vers { $target }.
prompt-transfer-request-someone = L’interlocuteur
key-settings = Réglages
tip-settings = Compte, proxys, périphériques audio, codecs, renvois et langue
tip-dial = Appeler le numéro ou l’adresse saisi (Entrée)
tip-redial = Rappeler le dernier numéro composé (Entrée)
tip-answer = Répondre à l’appel qui sonne (Entrée)
tip-decline = Refuser l’appel qui sonne (Échap)
tip-hangup = Terminer cet appel (Échap)
tip-hold = Mettre l’interlocuteur en attente
tip-resume = Reprendre l’appel en attente
tip-transfer = Passer cet appel à quelqu’un d’autre
tip-transfer-now = Transférer l’appel vers l’adresse saisie (Entrée)
tip-to-line = Mettre l’interlocuteur de cet appel en relation avec celui de la ligne { $line }
tip-conference = Réunir cet appel et une autre ligne en conférence à trois
tip-with-line = Ajouter la ligne { $line } à la conférence
tip-split = Sortir cette ligne de la conférence et la mettre en attente
tip-stats = Afficher ou masquer le codec, les pertes, la gigue et le temps aller-retour
tip-cancel = Revenir sans rien faire (Échap)
tip-address = Saisissez un numéro, un nom d’utilisateur ou une adresse sip:, puis Entrée
tip-completion = Utiliser cette adresse du journal d’appels
tip-line-key = Afficher la ligne { $line }
tip-pad-type = Saisir { $key }
tip-pad-tone = Envoyer la tonalité { $key } à l’interlocuteur
tip-history = Mettre { $address } dans le champ de numérotation
tip-confirm-quit-no = Garder linekey ouvert et les appels en cours
tip-confirm-quit-yes = Terminer tous les appels et fermer linekey
history-title = Appels récents
history-empty = Aucun appel pour l’instant
history-placed = Émis
history-received = Reçu
history-missed = Manqué
stats-codec = Codec
stats-packets = Envoyés / reçus
stats-lost = Perdus / en retard
stats-jitter = Gigue
stats-buffer = Tampon
stats-rtt = Aller-retour
stats-none = Pas encore de statistiques média
confirm-quit-title = Un appel est encore en cours
confirm-quit-body = Fermer linekey met fin à tous les appels.
confirm-quit-yes = Raccrocher et fermer
confirm-quit-no = Continuer l’appel
error-no-display = impossible d’ouvrir la fenêtre : aucun écran (ni DISPLAY ni WAYLAND_DISPLAY n’est défini). Lancez linekey depuis une session de bureau, ou utilisez « linekey agent » pour le téléphone sans fenêtre.
error-display-unusable = impossible d’ouvrir la fenêtre : l’écran « { $display } » ne répond pas. Vérifiez que la session de bureau tourne et que DISPLAY ou WAYLAND_DISPLAY est correct.
error-window = impossible d’ouvrir la fenêtre : { $reason }
error-history-broken = { $count } entrées endommagées du journal d’appels ont été ignorées.
error-history-save = Impossible d’enregistrer le journal d’appels dans { $path } : { $reason }

notify-incoming = Appel entrant sur la ligne { $line }
notify-missed = Appel manqué
notify-unknown-caller = Appelant inconnu

## Settings dialog

settings-title = Paramètres
settings-tab-account = Compte
settings-tab-account-intro = Qui vous êtes sur le réseau téléphonique, et comment linekey se connecte.
settings-tab-proxies = Proxys
settings-tab-proxies-intro = Les serveurs qui acheminent vos appels. Laissez vide pour appeler les adresses directement.
settings-tab-network = Réseau
settings-tab-network-intro = Où linekey écoute, et avec quelle patience il attend le réseau.
settings-tab-audio = Audio
settings-tab-audio-intro = Votre micro, votre haut-parleur et votre sonnerie. Essayez-les ici avant un appel.
settings-tab-calls = Appels
settings-tab-calls-intro = Codecs audio, touches de ligne et traitement des appels entrants.
settings-tab-forwarding = Renvoi
settings-tab-forwarding-intro = Renvoyez les appels entrants vers un autre numéro. Un champ vide garde ces appels.
settings-tab-general = Général
settings-tab-general-intro = Langue et plan de numérotation.
settings-section-identity = Identité
settings-section-sign-in = Connexion
settings-section-registration = Enregistrement
settings-section-proxies = Proxys sortants
settings-section-sip = SIP
settings-section-media = Média
settings-section-devices = Périphériques
settings-section-codecs = Codecs
settings-section-call-handling = Traitement des appels
settings-section-forwarding = Renvoi d’appel
settings-section-language = Langue
settings-section-dialplan = Plan de numérotation
settings-welcome-title = Bienvenue dans linekey
settings-welcome-intro = Saisissez le compte SIP fourni par votre opérateur ou votre administrateur. Vous pourrez modifier cela et tout le reste plus tard dans les Paramètres.
settings-more = Plus de paramètres…
settings-save = Enregistrer
settings-save-first-run = Enregistrer et se connecter
settings-cancel = Annuler
settings-not-now = Plus tard
settings-fix-fields = Certains paramètres demandent votre attention : voir les champs marqués en rouge.
settings-display-name = Nom affiché
settings-display-name-placeholder = Marie Dupont
settings-display-name-help = Montré aux personnes que vous appelez.
settings-user = Nom d’utilisateur
settings-user-placeholder = marie
settings-user-help = La partie de votre adresse SIP avant le @.
settings-domain = Domaine
settings-domain-placeholder = sip.example.com
settings-domain-help = La partie de votre adresse SIP après le @ : le serveur de votre opérateur.
settings-auth-user = Identifiant de connexion
settings-auth-user-placeholder = Comme le nom d’utilisateur
settings-auth-user-help = Seulement si votre opérateur vous a donné un identifiant distinct.
settings-password = Mot de passe
settings-password-placeholder = Votre mot de passe SIP
settings-password-help = Enregistré dans votre fichier de paramètres.
settings-show-password = Afficher le mot de passe
settings-register = S’enregistrer
settings-register-help = Se connecter au serveur au démarrage pour que les appels vous joignent.
settings-registrar = Registrar
settings-registrar-placeholder = Le domaine
settings-registrar-help = Le serveur d’enregistrement, en hôte ou hôte:port, s’il n’est pas le domaine.
settings-register-expires = Intervalle d’enregistrement
settings-register-expires-placeholder = 3600
settings-register-expires-help = Secondes entre deux renouvellements de l’enregistrement.
settings-proxy-primary = Proxy principal
settings-proxy-primary-placeholder = proxy.example.com:5060
settings-proxy-primary-help = Tous les appels passent par ce serveur tant qu’il répond.
settings-proxy-backup = Proxy de secours
settings-proxy-backup-placeholder = secours.example.com
settings-proxy-backup-help = Essayé quand le proxy principal ne répond pas.
settings-proxy-emergency = Proxy d’urgence
settings-proxy-emergency-placeholder = urgence.example.com
settings-proxy-emergency-help = Utilisé pour les appels d’urgence.
settings-bind-address = Adresse d’écoute
settings-bind-address-placeholder = 0.0.0.0
settings-bind-address-help = L’adresse de cet ordinateur pour SIP ; 0.0.0.0 signifie toutes.
settings-bind-port = Port SIP
settings-bind-port-placeholder = 5060
settings-bind-port-help = Le port UDP pour SIP ; 0 en choisit un libre.
settings-rtp-first = Premier port RTP
settings-rtp-first-placeholder = 20000
settings-rtp-first-help = Les appels envoient et reçoivent l’audio sur les ports de cette plage.
settings-rtp-last = Dernier port RTP
settings-rtp-last-placeholder = 20999
settings-rtp-last-help = Chaque appel utilise deux ports : la plage en contient un nombre pair.
settings-timer-t1 = Aller-retour estimé (T1)
settings-timer-t1-placeholder = 500
settings-timer-t1-help = Millisecondes avant le premier renvoi d’une requête perdue.
settings-invite-attempts = Tentatives d’appel
settings-invite-attempts-placeholder = 7
settings-invite-attempts-help = Combien de fois un appel est envoyé au proxy principal avant d’essayer le secours.
settings-codecs-help = Le premier codec activé est préféré. Au moins un doit être activé.
settings-codec-opus = Opus (large bande, meilleure qualité)
settings-codec-pcmu = G.711 loi μ (PCMU)
settings-codec-pcma = G.711 loi A (PCMA)
settings-hold-style = Mise en attente
settings-hold-style-help = Essayez l’autre méthode si votre correspondant vous entend encore en attente.
settings-hold-zero-address = Adresse nulle (ancienne méthode Cisco)
settings-hold-sendonly = Envoi seul (RFC 3264)
settings-auto-answer = Réponse automatique
settings-auto-answer-help = Répondre aussitôt à chaque appel entrant.
settings-dnd = Ne pas déranger
settings-dnd-help = Les appelants entendent occupé, et le téléphone reste silencieux.
settings-lines = Touches de ligne
settings-lines-placeholder = 6
settings-lines-help = Combien d’appels le téléphone peut avoir en même temps.
settings-ring-timeout = Durée de sonnerie
settings-ring-timeout-placeholder = 60
settings-ring-timeout-help = Secondes pendant lesquelles un appel sortant peut sonner avant que linekey abandonne.
settings-forward-always = Renvoyer tous les appels
settings-forward-always-placeholder = sip:carol@example.com
settings-forward-always-help = Chaque appel entrant va ici au lieu de sonner.
settings-forward-busy = Renvoyer si occupé
settings-forward-busy-placeholder = sip:messagerie@example.com
settings-forward-busy-help = Où vont les appels quand toutes les lignes sont prises.
settings-forward-no-answer = Renvoyer sans réponse
settings-forward-no-answer-placeholder = sip:messagerie@example.com
settings-forward-no-answer-help = Où vont les appels quand personne ne répond à temps.
settings-forward-no-answer-seconds = Sonnerie avant renvoi
settings-forward-no-answer-seconds-placeholder = 20
settings-forward-no-answer-seconds-help = Secondes de sonnerie avant qu’un appel soit renvoyé.
settings-dialplan-file = Fichier du plan de numérotation
settings-dialplan-file-placeholder = /chemin/vers/dialplan.xml
settings-dialplan-file-help = Un modèle de numérotation Cisco (XML) qui transforme ce que vous tapez en adresses. Laissez vide pour composer tel quel.
settings-dialplan-checking = Lecture du plan de numérotation…
settings-language = Langue
settings-language-help = La langue des fenêtres et des messages de linekey.
settings-language-system = Langue du système ({ $language })
settings-input = Micro
settings-input-help = Parlez : la barre doit bouger.
settings-input-failed = Le micro ne peut pas être ouvert. { $error }
settings-output = Haut-parleur
settings-output-help = Là où vous entendez les appels.
settings-ringer = Sonnerie
settings-ringer-help = Là où sonnent les appels entrants.
settings-device-default = Par défaut du système
settings-test-tone = Tester
settings-test-tone-playing = Lecture…
settings-test-tone-failed = Aucun son n’a pu être joué. { $error }
settings-error-required = Veuillez remplir ce champ.
settings-error-host-port = Saisissez un nom d’hôte ou une adresse, éventuellement avec un port, comme sip.example.com:5060.
settings-error-ip-address = Saisissez une adresse IP de cet ordinateur, comme 0.0.0.0 ou 192.168.1.20.
settings-error-between = Saisissez un nombre entier de { $min } à { $max }.
settings-error-at-least = Saisissez un nombre entier d’au moins { $min }.
settings-error-rtp-range = Le dernier port ne doit pas être inférieur au premier, et la plage doit contenir un nombre pair de ports.
settings-error-sip-address = Saisissez une adresse SIP, comme sip:carol@example.com.
settings-error-no-codec = Activez au moins un codec.
settings-error-dialplan = Ce plan de numérotation est inutilisable : ligne { $line } : { $reason }
settings-error-unreadable = Ce fichier ne peut pas être lu : { $reason }
settings-device-none = Aucune carte son n’a été trouvée. Branchez un casque ou des haut-parleurs, ou vérifiez qu’aucun autre programme n’occupe la carte son.
settings-device-unavailable = « { $name } » ne répond pas. Vérifiez qu’il est branché et qu’aucun autre programme ne l’utilise, ou choisissez un autre périphérique.
settings-device-invalid = « { $name } » n’est pas un périphérique utilisable ici. Choisissez-en un autre.
settings-device-file = Le fichier { $path } est inutilisable : { $reason }
settings-error-full-path = Saisissez le chemin complet du fichier, commençant par /, comme /home/marie/dialplan.xml.
settings-your-address = Votre adresse SIP : { $address }
settings-dialplan-ok = Le plan de numérotation a été lu : { $count ->
    [one] un modèle.
   *[other] { $count } modèles.
}

## Engine notices

status-network-delay = Délai réseau, essai du serveur de secours
status-proxy-error = Erreur du proxy, essai du serveur de secours
status-primary-back = Le proxy principal { $proxy } répond de nouveau
error-nothing-to-dial = Rien à composer
error-cannot-dial = Impossible de composer { $target } : { $reason }
error-no-plan-match = Aucun modèle du plan de numérotation ne correspond à { $typed }
error-cannot-call = Impossible d’appeler { $uri } : { $reason }
error-needs-proxy = { $uri } ne peut être appelé que par un proxy : indiquez-en un dans les réglages
error-host-unresolved = l’hôte { $host } est introuvable
error-proxy-address-unresolved = l’adresse du proxy { $proxy } est introuvable
error-proxy-unresolved = l’adresse { $proxy } du { $which ->
        [primary] proxy principal
        [backup] proxy de secours
        [emergency] proxy d’urgence
       *[dialplan] proxy du plan de numérotation
    } est introuvable
error-proxy-unset = le plan de numérotation fait passer cet appel par le { $which ->
        [primary] proxy principal
        [backup] proxy de secours
        [emergency] proxy d’urgence
       *[dialplan] proxy du plan de numérotation
    }, mais aucun n’est défini
error-all-lines-busy = Toutes les lignes sont occupées : raccrochez d’abord un appel
error-no-audio-port = Aucun port audio pour l’appel : { $reason }
status-incompatible-media-ended = Appel terminé : formats audio incompatibles
status-incompatible-media-failed = Échec de l’appel : aucun codec audio en commun
status-no-answer-from = Pas de réponse de { $dest } : vérifiez l’adresse et le réseau
status-too-many-redirects = Échec de l’appel : trop de redirections
status-redirected = Appel redirigé vers { $target }
status-forwarded = Appel de { $from } renvoyé vers { $target }
error-not-ringing = La ligne { $line } ne sonne pas
error-no-such-line = La ligne { $line } n’existe pas : les lignes vont de 1 à { $lines }
error-line-idle = La ligne { $line } est libre
error-wait-for-line = Un instant : la ligne { $line } est encore en cours de mise en attente
error-wait-for-lines = Un instant : les lignes { $lines } et { $last } sont encore en cours de mise en attente
error-wait-for-another-line = Un instant : une autre ligne est encore en cours de mise en attente
status-still-connected = La ligne { $line } n’a pas pu être mise en attente et reste connectée
status-still-on-hold = La ligne { $line } est toujours en attente : reprenez-la pour parler
error-hold-no-call = Impossible de mettre la ligne { $line } en attente : aucun appel connecté
error-resume-no-call = Impossible de reprendre la ligne { $line } : aucun appel connecté
error-already-held = La ligne { $line } est déjà en attente
error-already-holding = La ligne { $line } est déjà en cours de mise en attente
error-already-resuming = La ligne { $line } est déjà en cours de reprise
error-held-by-peer = La ligne { $line } n’est pas en attente ici : c’est l’interlocuteur qui a mis l’appel en attente
error-not-held = La ligne { $line } n’est pas en attente
error-hold-answer-unusable = La ligne { $line } n’a pas pu être mise en attente : la réponse de l’interlocuteur est inutilisable ({ $reason })
error-resume-answer-unusable = La ligne { $line } n’a pas pu être reprise : la réponse de l’interlocuteur est inutilisable ({ $reason })
error-hold-refused = La ligne { $line } n’a pas pu être mise en attente : { $status }
error-resume-refused = La ligne { $line } n’a pas pu être reprise : { $status }
error-dtmf-on-hold = La ligne { $line } est en attente : reprenez-la pour envoyer des tonalités
error-dtmf-remote-held = La ligne { $line } est mise en attente par l’interlocuteur, qui ne peut pas entendre de tonalités
error-dtmf-no-call = La ligne { $line } n’a aucun appel connecté pour envoyer des tonalités
error-dtmf-empty = Aucune tonalité à envoyer
error-dtmf-invalid = Impossible d’envoyer { $digit } en DTMF : les touches sont 0-9, *, # et A-D
error-dtmf-not-sent = Impossible d’envoyer les tonalités { $digits } : { $reason }
error-conference-same-line = La ligne { $line } ne peut pas être jointe à elle-même
error-conference-exists = Les lignes { $first } et { $second } sont déjà en conférence ; une seule conférence à la fois
error-conference-not-held = La ligne { $line } est en conférence, pas en attente
error-conference-remote-held = La ligne { $line } ne peut pas rejoindre une conférence : l’interlocuteur a mis l’appel en attente
error-conference-no-call = La ligne { $line } ne peut pas rejoindre une conférence : aucun appel connecté
error-cannot-transfer = Impossible de transférer la ligne { $line } : { $reason }
error-transfer-no-other-call = la ligne { $line } n’a pas d’autre appel vers lequel transférer
error-transfer-not-connected = l’appel de la ligne { $line } n’est pas établi
error-transfer-target-or-line = indiquez soit une destination, soit une ligne de consultation (to_line)
error-transfer-no-call = elle n’a pas d’appel établi
error-transfer-under-way = elle est déjà en cours de transfert
error-transfer-failed = La ligne { $line } n’a pas pu être transférée : { $status }
error-transfer-to-failed = Le transfert vers { $target } a échoué : { $status }
status-transfer-progress = Transfert vers { $target } : { $status }
status-transfer-no-word = Aucune nouvelle du transfert vers { $target } : les appels sont remis
error-no-transfer-request = Aucune demande de transfert sur la ligne { $line }
error-settings-not-applied = Réglages non appliqués : { $reason }
status-restart-for-network = Redémarrez linekey pour utiliser les nouveaux network.bind et network.rtp_ports ; d’ici là, il garde { $bind } et les ports { $low }-{ $high }
error-dial-plan-none = { $reason } ; numérotation sans plan
error-dial-plan-kept = { $reason } ; le plan de numérotation précédent reste en usage
error-audio-cannot-start = L’audio ne peut pas démarrer : { $reason }
error-call-audio-cannot-start = L’audio de l’appel ne peut pas démarrer : { $reason }
error-no-audio-on-line = Pas d’audio sur la ligne { $line } : { $reason }
status-device-invalid = Périphérique audio non valable « { $spec } » : { $reason }
status-wav-read = Impossible de lire le fichier WAV « { $path } » : { $reason }
status-wav-write = Impossible d’enregistrer dans le fichier WAV « { $path } » : { $reason }
status-wav-stopped = Enregistrement dans « { $path } » arrêté : { $reason }
status-device-unavailable = Aucun périphérique audio { $direction ->
        [input] d’entrée
       *[output] de sortie
    } « { $name } » : { $reason }
status-input-failed = { $error }. Les appels envoient du silence.
status-output-failed = { $error }. Les appels ne peuvent pas être entendus.
status-ringer-failed = { $error }. La sonnerie passe par le haut-parleur.
status-device-fallback = { $error } ; utilisation du périphérique { $direction ->
        [input] d’entrée
       *[output] de sortie
    } par défaut
status-device-back = « { $name } » est de nouveau utilisé
status-device-gone = « { $name } » déconnecté ; utilisation du périphérique { $direction ->
        [input] d’entrée
       *[output] de sortie
    } par défaut
status-default-device-gone = Le périphérique audio { $direction ->
        [input] d’entrée
       *[output] de sortie
    } par défaut a été déconnecté ; utilisation du nouveau périphérique par défaut
status-device-gone-no-other = « { $name } » déconnecté, et aucun autre périphérique audio { $direction ->
        [input] d’entrée
       *[output] de sortie
    } ne fonctionne : { $reason }
status-default-device-gone-no-other = Le périphérique audio { $direction ->
        [input] d’entrée
       *[output] de sortie
    } par défaut a été déconnecté, et aucun autre ne fonctionne : { $reason }
registration-unresolved = l’adresse { $registrar } du { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } est introuvable
registration-refused = le { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } refuse : { $status }
registration-wrong-password = nom d’utilisateur ou mot de passe incorrect ({ $status }) : vérifiez les réglages du compte
registration-account-refused = le { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } refuse ce compte ({ $status }) : vérifiez le nom d’utilisateur et le domaine
registration-answered = le { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } a répondu { $status }
registration-no-answer = pas de réponse du { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } { $registrar } : vérifiez l’adresse et le réseau
registration-removal-unanswered = pas de réponse du { $which ->
        [backup] proxy de secours
       *[registrar] serveur d’enregistrement
    } { $registrar }
notice-text = { $text }
