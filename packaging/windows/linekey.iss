; Inno Setup script for linekey on Windows: installs linekey.exe and registers it for sip:,
; sips:, tel: and callto: links. Build with `iscc packaging\windows\linekey.iss` after
; `cargo build --release`.
;
; Links reach linekey as `linekey.exe "<link>"`, the same as `linekey LINK` on Linux. Windows
; lets the user pick the handler (Settings > Default apps), so linekey is registered as a
; capable application (Capabilities\URLAssociations) and only claims a scheme outright when no
; other program has it.

#define AppId "io.github.linekey.Linekey"
#define AppVersion "0.1.0"
#define ProgId "linekey.link"

[Setup]
AppId={#AppId}
AppName=linekey
AppVersion={#AppVersion}
AppPublisher=The linekey developers
DefaultDirName={autopf}\linekey
DefaultGroupName=linekey
DisableProgramGroupPage=yes
OutputBaseFilename=linekey-{#AppVersion}-setup
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\target\release\linekey.exe"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\linekey"; Filename: "{app}\linekey.exe"; AppUserModelID: "{#AppId}"

[Registry]
; The program that opens links.
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "linekey call link"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\linekey.exe,0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linekey.exe"" ""%1"""

; linekey as a choice under Default apps.
Root: HKA; Subkey: "Software\linekey\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "linekey"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\linekey\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "SIP softphone"
Root: HKA; Subkey: "Software\linekey\Capabilities\URLAssociations"; ValueType: string; ValueName: "sip"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\linekey\Capabilities\URLAssociations"; ValueType: string; ValueName: "sips"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\linekey\Capabilities\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\linekey\Capabilities\URLAssociations"; ValueType: string; ValueName: "callto"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "linekey"; ValueData: "Software\linekey\Capabilities"; Flags: uninsdeletevalue

; Each scheme, where no other program has claimed it yet.
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: ""; ValueData: "URL:sip"; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Flags: createvalueifdoesntexist
Root: HKA; Subkey: "Software\Classes\sip\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linekey.exe"" ""%1"""; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\sips"; ValueType: string; ValueName: ""; ValueData: "URL:sips"; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\sips"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Flags: createvalueifdoesntexist
Root: HKA; Subkey: "Software\Classes\sips\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linekey.exe"" ""%1"""; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: ""; ValueData: "URL:tel"; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Flags: createvalueifdoesntexist
Root: HKA; Subkey: "Software\Classes\tel\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linekey.exe"" ""%1"""; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueName: ""; ValueData: "URL:callto"; Flags: createvalueifdoesntexist uninsdeletekeyifempty
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Flags: createvalueifdoesntexist
Root: HKA; Subkey: "Software\Classes\callto\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linekey.exe"" ""%1"""; Flags: createvalueifdoesntexist uninsdeletekeyifempty

[Run]
Filename: "{app}\linekey.exe"; Description: "Start linekey"; Flags: nowait postinstall skipifsilent
