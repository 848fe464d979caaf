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

status-starting = Iniciando…
status-ready = Listo en { $address }
status-ready-no-account = Listo en { $address }. Aún no hay cuenta: las llamadas van directamente a la dirección marcada.
status-registering = Registrando { $account }…
status-registered = Registrado como { $account }
status-registration-failed = No registrado: { $reason }
status-unregistered = No registrado
status-quitting = Colgando y cerrando…
status-engine-stopped = El teléfono se detuvo: { $reason }. Revise la configuración y vuelva a abrir linekey.
indicator-muted = Silenciado
indicator-dnd = No molestar
indicator-forward = Desvío a { $target }
prompt-forward = Desviar todas las llamadas a: escriba un número o una dirección y pulse Activar.
key-dnd = No molestar
key-forward = Desviar
key-forward-set = Activar
key-forward-clear = Quitar
key-mute = Silencio
key-unmute = Micrófono
tip-dnd-on = No molestar: rechazar todas las llamadas entrantes como ocupado
tip-dnd-off = Dejar que las llamadas entrantes vuelvan a sonar
tip-forward = Desviar todas las llamadas entrantes a otro número
tip-forward-set = Desviar todas las llamadas a la dirección escrita (Intro)
tip-forward-clear = Dejar de desviar llamadas
tip-mute = Dejar de enviar su voz (el otro extremo oye silencio)
tip-unmute = Volver a enviar su voz
error-forward-target = «{ $target }» no es una dirección a la que se puedan desviar llamadas. Escriba un número, usuario@host o sip:usuario@host.
error-dial-plan-no-match = Ningún número del plan de marcación empieza por { $typed }. Compruebe el número o pulse Intro para marcarlo tal cual.
display-idle = Introduzca un número o una dirección
display-ended = Llamada terminada: { $reason }
ended-local-hangup = usted colgó
ended-remote-hangup = el otro extremo colgó
ended-busy = ocupado
ended-declined = rechazada
ended-no-answer = sin respuesta
ended-cancelled = cancelada
ended-transferred = transferida
ended-replaced = sustituida por otra llamada
ended-forwarded = desviada
ended-failed = falló ({ $status })
display-digits = Tonos: { $digits }
address-placeholder = Número o sip:usuario@host
prompt-transfer = Transferir la línea { $line }: escriba una dirección y pulse Transferir, o elija una línea para una transferencia consultada.
prompt-conference = Unir la línea { $line } con:
key-dial = Llamar
key-redial = Rellamar
key-answer = Contestar
key-decline = Rechazar
key-hangup = Colgar
key-hold = Retener
key-resume = Reanudar
key-transfer = Transferir
key-transfer-now = Transferir
key-to-line = A línea { $line }
key-conference = Conferencia
key-with-line = Con línea { $line }
key-split = Separar
key-stats = Estadíst.
key-cancel = Cancelar
key-accept-transfer = Aceptar
key-decline-transfer = Quedarse
tip-accept-transfer = Dejar que la llamada se transfiera como se pide
tip-decline-transfer = Rechazar la transferencia y mantener la llamada
prompt-transfer-request = { $by } quiere transferir esta llamada a { $target }.
prompt-transfer-request-someone = El otro extremo
key-settings = Ajustes
tip-settings = Cuenta, proxies, dispositivos de audio, códecs, desvíos e idioma
tip-dial = Llamar al número o la dirección del campo (Intro)
tip-redial = Volver a llamar al último número marcado (Intro)
tip-answer = Contestar la llamada entrante (Intro)
tip-decline = Rechazar la llamada entrante (Escape)
tip-hangup = Terminar esta llamada (Escape)
tip-hold = Poner al otro extremo en espera
tip-resume = Recuperar la llamada en espera
tip-transfer = Pasar esta llamada a otra persona
tip-transfer-now = Transferir la llamada a la dirección escrita (Intro)
tip-to-line = Conectar al interlocutor de esta llamada con el de la línea { $line }
tip-conference = Unir esta llamada y otra línea en una conferencia a tres
tip-with-line = Añadir la línea { $line } a la conferencia
tip-split = Sacar esta línea de la conferencia y retenerla
tip-stats = Mostrar u ocultar el códec, la pérdida de paquetes, el jitter y el tiempo de ida y vuelta
tip-cancel = Volver sin hacer nada (Escape)
tip-address = Escriba un número, un nombre de usuario o una dirección sip: y pulse Intro
tip-completion = Usar esta dirección del historial de llamadas
tip-line-key = Mostrar la línea { $line } en la pantalla
tip-pad-type = Escribir { $key }
tip-pad-tone = Enviar el tono { $key } al otro extremo
tip-history = Poner { $address } en el campo de marcación
tip-confirm-quit-no = Dejar linekey abierto y seguir con las llamadas
tip-confirm-quit-yes = Terminar todas las llamadas y cerrar linekey
history-title = Llamadas recientes
history-empty = Todavía no hay llamadas
history-placed = Realizada
history-received = Recibida
history-missed = Perdida
stats-codec = Códec
stats-packets = Enviados / recibidos
stats-lost = Perdidos / tardíos
stats-jitter = Jitter
stats-buffer = Búfer
stats-rtt = Ida y vuelta
stats-none = Aún no hay datos de medios
confirm-quit-title = Todavía hay una llamada en curso
confirm-quit-body = Al cerrar linekey se terminan todas las llamadas.
confirm-quit-yes = Colgar y cerrar
confirm-quit-no = Seguir hablando
error-no-display = no se puede abrir la ventana: no hay pantalla (no está definido DISPLAY ni WAYLAND_DISPLAY). Inicie linekey desde una sesión de escritorio o use «linekey agent» para el teléfono sin ventana.
error-display-unusable = no se puede abrir la ventana: la pantalla «{ $display }» no responde. Compruebe que la sesión de escritorio está en marcha y que DISPLAY o WAYLAND_DISPLAY es correcto.
error-window = no se puede abrir la ventana: { $reason }
error-history-broken = Se omitieron { $count } entradas dañadas del historial de llamadas.
error-history-save = No se puede guardar el historial de llamadas en { $path }: { $reason }

notify-incoming = Llamada entrante en la línea { $line }
notify-missed = Llamada perdida
notify-unknown-caller = Llamante desconocido

## Settings dialog

settings-title = Ajustes
settings-tab-account = Cuenta
settings-tab-account-intro = Quién es usted en la red telefónica y cómo se conecta linekey.
settings-tab-proxies = Proxies
settings-tab-proxies-intro = Servidores que llevan sus llamadas. Déjelos vacíos para llamar a las direcciones directamente.
settings-tab-network = Red
settings-tab-network-intro = Dónde escucha linekey y con cuánta paciencia espera a la red.
settings-tab-audio = Audio
settings-tab-audio-intro = Su micrófono, altavoz y timbre. Pruébelos aquí antes de una llamada.
settings-tab-calls = Llamadas
settings-tab-calls-intro = Códecs de audio, teclas de línea y cómo se atienden las llamadas entrantes.
settings-tab-forwarding = Desvío
settings-tab-forwarding-intro = Envíe las llamadas entrantes a otro número. Un campo vacío conserva esas llamadas.
settings-tab-general = General
settings-tab-general-intro = Idioma y plan de marcación.
settings-section-identity = Identidad
settings-section-sign-in = Inicio de sesión
settings-section-registration = Registro
settings-section-proxies = Proxies salientes
settings-section-sip = SIP
settings-section-media = Medios
settings-section-devices = Dispositivos
settings-section-codecs = Códecs
settings-section-call-handling = Gestión de llamadas
settings-section-forwarding = Desvío de llamadas
settings-section-language = Idioma
settings-section-dialplan = Plan de marcación
settings-welcome-title = Bienvenido a linekey
settings-welcome-intro = Introduzca la cuenta SIP que le dio su proveedor o administrador. Puede cambiar esto y todo lo demás más tarde en Ajustes.
settings-more = Más ajustes…
settings-save = Guardar
settings-save-first-run = Guardar y conectar
settings-cancel = Cancelar
settings-not-now = Ahora no
settings-fix-fields = Algunos ajustes necesitan su atención: vea los campos marcados en rojo.
settings-display-name = Nombre visible
settings-display-name-placeholder = Ana García
settings-display-name-help = Lo ven las personas a las que llama.
settings-user = Nombre de usuario
settings-user-placeholder = ana
settings-user-help = La parte de su dirección SIP antes de la @.
settings-domain = Dominio
settings-domain-placeholder = sip.example.com
settings-domain-help = La parte de su dirección SIP después de la @: el servidor de su proveedor.
settings-auth-user = Usuario de autenticación
settings-auth-user-placeholder = Igual que el nombre de usuario
settings-auth-user-help = Solo si su proveedor le dio un nombre de acceso aparte.
settings-password = Contraseña
settings-password-placeholder = Su contraseña SIP
settings-password-help = Se guarda en su archivo de ajustes.
settings-show-password = Mostrar contraseña
settings-register = Registrarse
settings-register-help = Conectarse al servidor al iniciar para que las llamadas le lleguen.
settings-registrar = Registrador
settings-registrar-placeholder = El dominio
settings-registrar-help = El servidor de registro, como host o host:puerto, si no es el dominio.
settings-register-expires = Intervalo de registro
settings-register-expires-placeholder = 3600
settings-register-expires-help = Segundos entre renovaciones del registro.
settings-proxy-primary = Proxy principal
settings-proxy-primary-placeholder = proxy.example.com:5060
settings-proxy-primary-help = Todas las llamadas pasan por este servidor mientras responda.
settings-proxy-backup = Proxy de respaldo
settings-proxy-backup-placeholder = respaldo.example.com
settings-proxy-backup-help = Se prueba cuando el proxy principal no responde.
settings-proxy-emergency = Proxy de emergencia
settings-proxy-emergency-placeholder = emergencia.example.com
settings-proxy-emergency-help = Se usa para las llamadas de emergencia.
settings-bind-address = Dirección de escucha
settings-bind-address-placeholder = 0.0.0.0
settings-bind-address-help = La dirección de este equipo para SIP; 0.0.0.0 significa todas.
settings-bind-port = Puerto SIP
settings-bind-port-placeholder = 5060
settings-bind-port-help = El puerto UDP para SIP; 0 elige uno libre.
settings-rtp-first = Primer puerto RTP
settings-rtp-first-placeholder = 20000
settings-rtp-first-help = Las llamadas envían y reciben audio en puertos de este rango.
settings-rtp-last = Último puerto RTP
settings-rtp-last-placeholder = 20999
settings-rtp-last-help = Cada llamada usa dos puertos, así que el rango contiene un número par.
settings-timer-t1 = Ida y vuelta estimada (T1)
settings-timer-t1-placeholder = 500
settings-timer-t1-help = Milisegundos antes de reenviar por primera vez una petición perdida.
settings-invite-attempts = Intentos de llamada
settings-invite-attempts-placeholder = 7
settings-invite-attempts-help = Cuántas veces se envía una llamada al proxy principal antes de probar el de respaldo.
settings-codecs-help = Se prefiere el primer códec activado. Al menos uno debe estar activado.
settings-codec-opus = Opus (banda ancha, mejor calidad)
settings-codec-pcmu = G.711 ley μ (PCMU)
settings-codec-pcma = G.711 ley A (PCMA)
settings-hold-style = Modo de espera
settings-hold-style-help = Pruebe el otro modo si la otra persona le sigue oyendo en espera.
settings-hold-zero-address = Dirección cero (modo Cisco antiguo)
settings-hold-sendonly = Solo envío (RFC 3264)
settings-auto-answer = Respuesta automática
settings-auto-answer-help = Contestar enseguida cada llamada entrante.
settings-dnd = No molestar
settings-dnd-help = Quien llama oye ocupado, y el teléfono no suena.
settings-lines = Teclas de línea
settings-lines-placeholder = 6
settings-lines-help = Cuántas llamadas puede haber en el teléfono a la vez.
settings-ring-timeout = Tiempo de llamada
settings-ring-timeout-placeholder = 60
settings-ring-timeout-help = Segundos que una llamada saliente puede sonar antes de que linekey desista.
settings-forward-always = Desviar todas las llamadas
settings-forward-always-placeholder = sip:carol@example.com
settings-forward-always-help = Cada llamada entrante va aquí en vez de sonar.
settings-forward-busy = Desviar si ocupado
settings-forward-busy-placeholder = sip:buzon@example.com
settings-forward-busy-help = Adónde van las llamadas cuando todas las líneas están ocupadas.
settings-forward-no-answer = Desviar si no contesta
settings-forward-no-answer-placeholder = sip:buzon@example.com
settings-forward-no-answer-help = Adónde van las llamadas cuando nadie contesta a tiempo.
settings-forward-no-answer-seconds = Sonar antes de desviar
settings-forward-no-answer-seconds-placeholder = 20
settings-forward-no-answer-seconds-help = Segundos que suena una llamada antes de desviarla.
settings-dialplan-file = Archivo del plan de marcación
settings-dialplan-file-placeholder = /ruta/a/dialplan.xml
settings-dialplan-file-help = Una plantilla de marcación de Cisco (XML) que convierte lo que teclea en direcciones. Déjelo vacío para marcar tal cual.
settings-dialplan-checking = Leyendo el plan de marcación…
settings-language = Idioma
settings-language-help = El idioma de las ventanas y los mensajes de linekey.
settings-language-system = Idioma del sistema ({ $language })
settings-input = Micrófono
settings-input-help = Hable: la barra debería moverse.
settings-input-failed = No se puede abrir el micrófono. { $error }
settings-output = Altavoz
settings-output-help = Donde oye las llamadas.
settings-ringer = Timbre
settings-ringer-help = Donde suenan las llamadas entrantes.
settings-device-default = Predeterminado del sistema
settings-test-tone = Probar
settings-test-tone-playing = Sonando…
settings-test-tone-failed = No se pudo reproducir ningún sonido. { $error }
settings-error-required = Rellene este campo.
settings-error-host-port = Introduzca un nombre de host o una dirección, con puerto si quiere, como sip.example.com:5060.
settings-error-ip-address = Introduzca una dirección IP de este equipo, como 0.0.0.0 o 192.168.1.20.
settings-error-between = Introduzca un número entero de { $min } a { $max }.
settings-error-at-least = Introduzca un número entero de al menos { $min }.
settings-error-rtp-range = El último puerto no puede ser menor que el primero, y el rango debe contener un número par de puertos.
settings-error-sip-address = Introduzca una dirección SIP, como sip:carol@example.com.
settings-error-no-codec = Active al menos un códec.
settings-error-dialplan = Este plan de marcación no se puede usar: línea { $line }: { $reason }
settings-error-unreadable = Este archivo no se puede leer: { $reason }
settings-device-none = No se encontró ninguna tarjeta de sonido. Conecte unos auriculares o altavoces, o compruebe que ningún otro programa esté usando la tarjeta de sonido.
settings-device-unavailable = «{ $name }» no responde. Compruebe que está conectado y que ningún otro programa lo usa, o elija otro dispositivo.
settings-device-invalid = «{ $name }» no es un dispositivo que se pueda usar aquí. Elija otro.
settings-device-file = El archivo { $path } no se puede usar: { $reason }
settings-error-full-path = Introduzca la ruta completa del archivo, empezando por /, como /home/ana/dialplan.xml.
settings-your-address = Su dirección SIP: { $address }
settings-dialplan-ok = Se leyó el plan de marcación: { $count ->
    [one] una plantilla.
   *[other] { $count } plantillas.
}

## Engine notices

status-network-delay = Retraso de red, probando el servidor de respaldo
status-proxy-error = Error del proxy, probando el servidor de respaldo
status-primary-back = El proxy principal { $proxy } vuelve a responder
error-nothing-to-dial = No hay nada que marcar
error-cannot-dial = No se puede marcar { $target }: { $reason }
error-no-plan-match = Ninguna plantilla del plan de marcación coincide con { $typed }
error-cannot-call = No se puede llamar a { $uri }: { $reason }
error-needs-proxy = { $uri } solo se puede marcar a través de un proxy: configure uno en los ajustes
error-host-unresolved = no se encontró el host { $host }
error-proxy-address-unresolved = no se encontró la dirección del proxy { $proxy }
error-proxy-unresolved = no se encontró la dirección { $proxy } del { $which ->
        [primary] proxy principal
        [backup] proxy de respaldo
        [emergency] proxy de emergencia
       *[dialplan] proxy del plan de marcación
    }
error-proxy-unset = el plan de marcación envía esta llamada por el { $which ->
        [primary] proxy principal
        [backup] proxy de respaldo
        [emergency] proxy de emergencia
       *[dialplan] proxy del plan de marcación
    }, pero no hay ninguno configurado
error-all-lines-busy = Todas las líneas están ocupadas: cuelgue primero una llamada
error-no-audio-port = No hay puerto de audio para la llamada: { $reason }
status-incompatible-media-ended = Llamada terminada: formatos de audio incompatibles
status-incompatible-media-failed = La llamada falló: ningún códec de audio en común
status-no-answer-from = Sin respuesta de { $dest }: compruebe la dirección y la red
status-too-many-redirects = La llamada falló: demasiadas redirecciones
status-redirected = Llamada redirigida a { $target }
status-forwarded = Llamada de { $from } desviada a { $target }
error-not-ringing = La línea { $line } no está sonando
error-no-such-line = No existe la línea { $line }: las líneas van de 1 a { $lines }
error-line-idle = La línea { $line } está libre
error-wait-for-line = Un momento: la línea { $line } todavía se está poniendo en espera
error-wait-for-lines = Un momento: las líneas { $lines } y { $last } todavía se están poniendo en espera
error-wait-for-another-line = Un momento: otra línea todavía se está poniendo en espera
status-still-connected = La línea { $line } no se pudo poner en espera y sigue conectada
status-still-on-hold = La línea { $line } sigue en espera: reanúdela para hablar
error-hold-no-call = No se puede poner en espera la línea { $line }: no tiene ninguna llamada conectada
error-resume-no-call = No se puede reanudar la línea { $line }: no tiene ninguna llamada conectada
error-already-held = La línea { $line } ya está en espera
error-already-holding = La línea { $line } ya se está poniendo en espera
error-already-resuming = La línea { $line } ya se está reanudando
error-held-by-peer = La línea { $line } no está en espera aquí: es el otro extremo quien retiene la llamada
error-not-held = La línea { $line } no está en espera
error-hold-answer-unusable = La línea { $line } no se pudo poner en espera: la respuesta del otro extremo no es válida ({ $reason })
error-resume-answer-unusable = La línea { $line } no se pudo reanudar: la respuesta del otro extremo no es válida ({ $reason })
error-hold-refused = La línea { $line } no se pudo poner en espera: { $status }
error-resume-refused = La línea { $line } no se pudo reanudar: { $status }
error-dtmf-on-hold = La línea { $line } está en espera: reanúdela para enviar tonos
error-dtmf-remote-held = El otro extremo retiene la línea { $line } y ahora no puede oír tonos
error-dtmf-no-call = La línea { $line } no tiene ninguna llamada conectada para enviar tonos
error-dtmf-empty = No hay tonos que enviar
error-dtmf-invalid = No se puede enviar { $digit } como DTMF: los dígitos son 0-9, *, # y A-D
error-dtmf-not-sent = No se pudieron enviar los tonos { $digits }: { $reason }
error-conference-same-line = La línea { $line } no se puede unir consigo misma
error-conference-exists = Las líneas { $first } y { $second } ya están en conferencia; solo puede haber una a la vez
error-conference-not-held = La línea { $line } está en una conferencia, no en espera
error-conference-remote-held = La línea { $line } no puede unirse a una conferencia: el otro extremo retiene la llamada
error-conference-no-call = La línea { $line } no puede unirse a una conferencia: no tiene ninguna llamada conectada
error-cannot-transfer = No se puede transferir la línea { $line }: { $reason }
error-transfer-no-other-call = la línea { $line } no tiene otra llamada a la que transferir
error-transfer-not-connected = la llamada de la línea { $line } no está conectada
error-transfer-target-or-line = indique un destino o una línea de consulta (to_line)
error-transfer-no-call = no tiene ninguna llamada conectada
error-transfer-under-way = ya se está transfiriendo
error-transfer-failed = La línea { $line } no se pudo transferir: { $status }
error-transfer-to-failed = La transferencia a { $target } falló: { $status }
status-transfer-progress = Transferencia a { $target }: { $status }
status-transfer-no-word = Sin noticias de la transferencia a { $target }: las llamadas se han entregado
error-no-transfer-request = No hay ninguna solicitud de transferencia en la línea { $line }
error-settings-not-applied = Ajustes no aplicados: { $reason }
status-restart-for-network = Reinicie linekey para usar los nuevos network.bind y network.rtp_ports; hasta entonces mantiene { $bind } y los puertos { $low }-{ $high }
error-dial-plan-none = { $reason }; se marca sin plan
error-dial-plan-kept = { $reason }; se sigue usando el plan de marcación anterior
error-audio-cannot-start = El audio no puede iniciarse: { $reason }
error-call-audio-cannot-start = El audio de la llamada no puede iniciarse: { $reason }
error-no-audio-on-line = No hay audio en la línea { $line }: { $reason }
status-device-invalid = Dispositivo de audio no válido «{ $spec }»: { $reason }
status-wav-read = No se puede reproducir el archivo WAV «{ $path }»: { $reason }
status-wav-write = No se puede grabar en el archivo WAV «{ $path }»: { $reason }
status-wav-stopped = Se detuvo la grabación en «{ $path }»: { $reason }
status-device-unavailable = No hay dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } de audio «{ $name }»: { $reason }
status-input-failed = { $error }. Las llamadas envían silencio.
status-output-failed = { $error }. Las llamadas no se pueden oír.
status-ringer-failed = { $error }. El timbre suena por el altavoz.
status-device-fallback = { $error }; se usa el dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } predeterminado
status-device-back = Se vuelve a usar «{ $name }»
status-device-gone = «{ $name }» desconectado; se usa el dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } predeterminado
status-default-device-gone = Se desconectó el dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } predeterminado; se usa el nuevo predeterminado
status-device-gone-no-other = «{ $name }» desconectado, y ningún otro dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } funciona: { $reason }
status-default-device-gone-no-other = Se desconectó el dispositivo de { $direction ->
        [input] entrada
       *[output] salida
    } predeterminado, y ningún otro funciona: { $reason }
registration-unresolved = no se encontró la dirección { $registrar } del { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    }
registration-refused = el { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    } lo rechazó: { $status }
registration-wrong-password = usuario o contraseña incorrectos ({ $status }): compruebe los ajustes de la cuenta
registration-account-refused = el { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    } rechazó esta cuenta ({ $status }): compruebe el usuario y el dominio
registration-answered = el { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    } respondió { $status }
registration-no-answer = sin respuesta del { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    } { $registrar }: compruebe la dirección y la red
registration-removal-unanswered = sin respuesta del { $which ->
        [backup] proxy de respaldo
       *[registrar] servidor de registro
    } { $registrar }
notice-text = { $text }
