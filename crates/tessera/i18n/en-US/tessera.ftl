# Tessera client — English

## Command-line help
help-after-main =
    Exit codes:
      0  success
      1  internal error
      2  usage error
      3  an input file could not be read
      4  the input is not a valid certificate
      5  the certificate chain or signature did not validate
      6  wrong PIN or password
      7  the medium is locked
      8  no such medium or certificate
      9  the medium or the service refused the operation
     10  the service could not be reached

    Examples:
      tessera cert show cert.pem
      tessera cert show --format json --fingerprint sm3 cert.cer
      cat cert.pem | tessera cert show -
      tessera cert verify chain.pem --roots roots.pem
help-after-cert-show =
    FILE may be DER, PEM, a PEM bundle or PKCS#7 (.p7b); "-" reads standard input.
    Exit codes: 0 success, 3 a file could not be read, 4 not a valid certificate.

    Examples:
      tessera cert show /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt
      tessera cert show --format json --fingerprint sha256 a.pem b.cer
help-after-cert-verify =
    CHAIN holds the end-entity certificate first, then any intermediates. Without --roots the
    system's trusted roots are used.
    Exit codes: 0 valid chain, 3 a file could not be read, 4 not a valid certificate,
    5 the chain is not valid (the reason is printed).

    Examples:
      tessera cert verify chain.pem --roots roots.pem

## Errors
err-read = cannot read { $path }: { $reason }
err-parse = { $path }: { $reason }
err-chain-invalid = certificate chain is not valid: { $reason }
err-write = cannot write output: { $reason }
err-internal = internal error: { $reason }
err-empty-chain = the file holds no certificate

## Certificate parse errors
parse-error-empty = the input is empty
parse-error-too-large = the input is larger than the limit of { $detail } bytes
parse-error-unrecognized = not a certificate in DER, PEM or PKCS#7 form
parse-error-pem = malformed PEM: { $detail }
parse-error-der = certificate { $detail } is malformed
parse-error-pkcs7 = malformed PKCS#7: { $detail }
parse-error-container = PKCS#7 content type { $detail } holds no certificates
parse-error-no-certificate = no certificate found
parse-error-other = { $detail }

## Chain validation
verify-valid = The certificate chain is valid
chain-error-expired = a certificate in the chain expired at { $detail }
chain-error-not-yet-valid = a certificate in the chain is not valid before { $detail }
chain-error-unknown-issuer = no chain to a trusted root was found (unknown issuer)
chain-error-bad-signature = a certificate's signature does not verify
chain-error-unsupported-signature-algorithm = unsupported signature algorithm ({ $detail })
chain-error-unsupported-public-key = unsupported public key ({ $detail })
chain-error-path-len-exceeded = a CA's path length constraint is exceeded
chain-error-too-many-intermediates = too many intermediate certificates ({ $detail })
chain-error-name-constraint-violation = a name in the chain violates a CA's name constraints
chain-error-name-mismatch = the certificate does not match the expected name ({ $detail })
chain-error-key-usage-not-allowed = key usage does not allow this use ({ $detail })
chain-error-required-eku-not-found = extended key usage lacks a required purpose
chain-error-ca-used-as-end-entity = a CA certificate is used as an end-entity certificate
chain-error-end-entity-used-as-ca = an end-entity certificate is used as a CA
chain-error-revoked = a certificate in the chain is revoked
chain-error-bad-crl = the CRL is not valid ({ $detail })
chain-error-crl-expired = the CRL is out of date since { $detail }
chain-error-distrusted = a certificate's key is distrusted
chain-error-unsupported-critical-extension = unsupported critical extension ({ $detail })
chain-error-malformed = malformed certificate ({ $detail })
chain-error-too-complex = the chain is too complex to validate
chain-error-other = { $detail }

## Certificate details
cert-heading = Certificate { $number }/{ $total } ({ $source })
field-with-qualifier = { $label } ({ $qualifier })
field-critical = { $label } [critical]
field-version = Version
field-serial = Serial number
field-signature-algorithm = Signature algorithm
field-signature-algorithm-oid = Signature algorithm OID
field-signature-algorithm-hash = Signature hash
field-issuer = Issuer
field-issuer-cn = Issuer common name
field-issuer-o = Issuer organization
field-issuer-ou = Issuer organizational unit
field-issuer-c = Issuer country
field-issuer-st = Issuer state or province
field-issuer-l = Issuer locality
field-issuer-email = Issuer e-mail
field-issuer-attribute = Issuer attribute
field-subject = Subject
field-subject-cn = Subject common name
field-subject-o = Subject organization
field-subject-ou = Subject organizational unit
field-subject-c = Subject country
field-subject-st = Subject state or province
field-subject-l = Subject locality
field-subject-email = Subject e-mail
field-subject-attribute = Subject attribute
field-self-issued = Self-issued
field-validity-not-before = Valid from
field-validity-not-after = Valid until
field-validity-status = Status
field-validity-days-remaining = Days remaining
field-kind-usage = Certificate type
field-kind-authority = Certificate role
field-kind-path-len = Path length limit
field-public-key-algorithm = Public key algorithm
field-public-key-oid = Public key algorithm OID
field-public-key-bits = Public key size (bits)
field-public-key-curve = Curve
field-public-key-value = Public key
field-extension-key-usage = Key usage
field-extension-extended-key-usage = Extended key usage
field-extension-subject-alt-name = Subject alternative name
field-extension-issuer-alt-name = Issuer alternative name
field-extension-basic-constraints-ca = Basic constraints: CA
field-extension-basic-constraints-path-len = Basic constraints: path length
field-extension-subject-key-identifier = Subject key identifier
field-extension-authority-key-identifier = Authority key identifier
field-extension-authority-key-identifier-issuer = Authority key identifier: issuer
field-extension-authority-key-identifier-serial = Authority key identifier: serial
field-extension-crl-distribution-points = CRL distribution points
field-extension-freshest-crl = Freshest CRL
field-extension-authority-info-access-ocsp = Authority info access: OCSP
field-extension-authority-info-access-ca-issuers = Authority info access: CA issuers
field-extension-certificate-policies = Certificate policies
field-extension-certificate-policies-cps = Certificate policies: CPS
field-extension-other = Other extension
field-extension-malformed = Undecodable extension
field-thumbprint-sha1 = Thumbprint (SHA-1)
field-thumbprint-sha256 = Thumbprint (SHA-256)
field-thumbprint-sm3 = Thumbprint (SM3)
field-thumbprint-md5 = Thumbprint (MD5)
qualifier-dns = DNS
qualifier-email = e-mail
qualifier-uri = URI
qualifier-ip = IP address
qualifier-directory = directory name
qualifier-other-name = other name
qualifier-registered-id = registered ID
qualifier-edi-party = EDI party
value-validity-status-not-yet-valid = not yet valid
value-validity-status-valid = valid
value-validity-status-expiring-soon = expiring soon
value-validity-status-expired = expired
value-kind-usage-signing = signing
value-kind-usage-encryption = encryption
value-kind-usage-both = signing and encryption
value-kind-usage-unrestricted = unrestricted
value-kind-authority-ca = CA
value-kind-authority-end-entity = end entity
value-self-issued-true = yes
value-self-issued-false = no
value-extension-basic-constraints-ca-true = yes
value-extension-basic-constraints-ca-false = no
list-separator = {", "}
value-extension-key-usage-digital-signature = digital signature
value-extension-key-usage-non-repudiation = non-repudiation
value-extension-key-usage-key-encipherment = key encipherment
value-extension-key-usage-data-encipherment = data encipherment
value-extension-key-usage-key-agreement = key agreement
value-extension-key-usage-key-cert-sign = certificate signing
value-extension-key-usage-crl-sign = CRL signing
value-extension-key-usage-encipher-only = encipher only
value-extension-key-usage-decipher-only = decipher only

## Media and PINs
prompt-pin = PIN
prompt-so-pin = SO PIN
prompt-new-pin = New PIN
prompt-new-pin-again = New PIN again
device-none = No media. Create a file device with tessera device create.
device-locked = locked
device-retries = { $left }/{ $max } tries left
device-mode-standard = international algorithms
device-mode-national = national algorithms (SM2/SM3/SM4)
pin-changed = PIN changed
signature-valid = The signature is valid
signature-invalid = The signature is NOT valid
cert-deleted = Deleted certificate { $thumbprint }
err-no-pin = no PIN given: type it at a terminal or pass --pin-file
err-pin-mismatch = the two new PINs differ
err-no-such-certificate = no certificate matches { $selector }
err-ambiguous-certificate = { $selector } matches { $count } certificates; give more of the thumbprint
err-pin-incorrect = wrong PIN, { $retries } tries left
err-so-pin-incorrect = wrong SO PIN
err-locked = the medium is locked; unlock it with the SO PIN (tessera device unlock)
err-not-logged-in = the PIN is needed first
err-pin-length = the PIN must be { $min } to { $max } characters long
err-device-not-found = no medium named { $label }
err-device-exists = a medium named { $label } exists already
err-not-exportable = this private key may not be exported
err-no-matching-key = no private key on the medium matches certificate { $thumbprint }
err-medium = the medium failed: { $reason }
err-setting-unknown = there is no setting named { $key }
err-setting-invalid = { $key } does not accept "{ $value }"; choose one of: { $expected }
prompt-pkcs12-password = PKCS#12 password
err-pkcs12-password = wrong PKCS#12 password
err-device-corrupt = the device file is damaged and was left as it is: { $reason }
err-device-newer = the device file has format version { $found }, newer than the { $supported } this Tessera reads; upgrade Tessera (the file was not changed)
err-device-tampered = the device file has been tampered with and cannot be used
progress-generating-key = Generating the key pair…

## Web UI (tessera ui)
ui-app-name = Tessera
err-ui-not-loopback = the UI listens on loopback only (127.0.0.1), not { $addr }
ui-back = Back
ui-save = Save
ui-more = More
ui-show = Show
ui-yes = yes
ui-no = no
ui-copied = Copied
ui-copy-failed = Could not copy: select the text and copy it by hand
ui-start-title = Welcome
ui-start-lead = Choose the service you use. You can change this later under Settings → Return to start.
ui-business-certificate = Digital certificates
ui-business-certificate-text = Certificates on USB keys and file devices: view, manage, change PINs
ui-business-cloud-key = Cloud key
ui-business-cloud-key-text = A key shared between this device and the service, for health care
ui-language = Language
ui-lang-zh-CN = 简体中文
ui-lang-en-US = English
ui-privacy-title = Privacy notice
ui-privacy-text-1 = Tessera manages your digital certificates and the media that hold them. This notice says what the app handles and why. Please read it; the certificate service opens once you accept it.
ui-privacy-text-2 = What stays on this device: your settings, the file devices you create (private keys sealed under your PIN), and, if logs are on, a record of what you did in the app (never a PIN). PINs are kept in memory only, for the time you choose, and forgotten when the app closes.
ui-privacy-text-3 = What is sent: nothing, unless a service is configured. Then the app asks the service whether a newer version exists, and self-service sends what you enter there (name, phone number, ID number) to apply for or renew certificates.
ui-privacy-text-4 = Logs leave this device only when you export them; the export is encrypted so that only the support team can read it.
ui-privacy-text-5 = You can see what the app holds about you under Settings → Personal information, and withdraw by returning to start and deleting the app's data folder.
ui-privacy-accept = Agree and continue
ui-privacy-decline = Disagree
ui-agreement-title = User agreement
ui-agreement-text-1 = Tessera is provided to help you keep and use digital certificates issued to you. You are responsible for keeping your media and PINs to yourself; anyone with both can sign in your name.
ui-agreement-text-2 = Do not share your PIN. After the allowed number of wrong PINs a medium locks and needs its SO PIN (or the issuer) to be unlocked.
ui-agreement-text-3 = Certificates remain subject to the policy of the authority that issued them. Deleting a certificate from a medium cannot be undone.
ui-agreement-text-4 = The software is provided as is, under the Apache License 2.0; third-party components are listed under Settings → Third-party software.
ui-home-title = Digital certificates
ui-tools = Tools
ui-feature-qr = Scan QR code
ui-feature-self-service = Self-service
ui-feature-seal = E-seal
ui-feature-bluetooth = Bluetooth key
ui-feature-cloud-key = Cloud key
ui-unavailable-text = { $feature } is not available in this version yet. It will come with a later update.
ui-bluetooth-text = Bluetooth keys are not supported yet
ui-media = Media
ui-no-media = No medium is connected.
ui-no-media-hint = Insert a USB key, or create a file device with “tessera device create”, then refresh.
ui-no-certs = No certificates on this medium.
ui-change-pin = Change PIN
ui-has-key = private key present
ui-refresh = Refresh
ui-kind-file = File device
ui-kind-usb = USB key
ui-kind-cloud = Cloud key
ui-kind-other = Medium
ui-medium-locked = Locked
ui-medium-retries = { $left } of { $max } PIN tries left
ui-status-valid = Valid
ui-status-expiring-soon = Expiring soon
ui-status-expired = Expired
ui-status-not-yet-valid = Not yet valid
ui-cert-expires = Expires { $date }
ui-cert-title = Certificate
ui-delete-cert = Delete certificate
ui-chain = Certificate chain
ui-chain-valid = The chain is valid up to a trusted root.
ui-chain-no-store = The trusted roots of this computer could not be read: { $reason }
ui-thumbprint = Thumbprint
ui-thumbprint-alg = Thumbprint algorithm
ui-fields = Details
ui-tap-to-copy = Tap a field to copy its value.
ui-delete-title = Delete certificate
ui-delete-confirm = Delete this certificate from the medium? This cannot be undone.
ui-pin = PIN
ui-pin-cached = Your PIN for this medium is remembered for a while, so it is not asked again.
ui-pin-title = Change PIN
ui-pin-old = Current PIN
ui-pin-new = New PIN
ui-pin-confirm = New PIN again
ui-pin-hint = At least { $min } characters; not one digit repeated, not a run like 123456. Letters and digits mixed are strongest.
ui-pin-strength-fair = Strength: fair. Eight or more characters mixing letters and digits are stronger.
ui-pin-strength-strong = Strength: strong.
ui-pin-weak-short = The new PIN is too short: use at least { $min } characters.
ui-pin-weak-repeated = The new PIN repeats one character; choose one that is harder to guess.
ui-pin-weak-sequence = The new PIN is a simple run (like 123456); choose one that is harder to guess.
ui-err-no-session = This page must be opened from the link Tessera printed when it started. Close this tab and open that link (or start “tessera ui” again).
ui-err-csrf = The form was out of date or came from elsewhere, so nothing was changed. Go back, reload the page and try again.
ui-err-not-found = There is no such page.
ui-err-locked = The medium is locked after too many wrong PINs.
ui-err-medium-gone = This medium is not connected any more.
ui-err-cert-gone = That certificate is no longer on the medium.
ui-err-pin-needed = Enter the PIN.
ui-err-internal = Something went wrong: { $reason }
ui-next-retry-pin = Check the PIN and try again.
ui-next-unlock = Unlock it with the SO PIN (tessera device unlock), or ask the issuer of the key.
ui-next-reconnect = Reconnect it, then go back to the list.
ui-next-home = Back to the list
ui-next-settings = Back to settings
ui-notice-deleted = The certificate was deleted.
ui-notice-pin-changed = The PIN was changed.
ui-notice-saved = Saved.
ui-notice-privacy-accepted = Thank you. You can read the privacy notice again under Settings.
ui-notice-exported = The logs were exported.
ui-notice-checked = Checked for updates.
ui-settings-title = Settings
ui-security = Security
ui-pin-cache = Remember PIN for
ui-pin-cache-text = After a correct PIN, the app may keep it in memory for this long, so you are not asked again. It is never written to disk.
ui-pin-cache-minutes = { $minutes } min
ui-pin-cache-off = Do not remember
ui-general = General
ui-updates = Updates
ui-version = Version
ui-update-get = Get the new version
ui-update-check-now = Check now
ui-update-frequency = Check automatically
ui-update-check-daily = Once a day
ui-update-check-weekly = Once a week
ui-update-check-never = Never
ui-update-never-checked = Not checked yet.
ui-update-no-server = No service is configured, so updates cannot be checked.
ui-update-up-to-date = You have the latest version.
ui-update-available = Version { $version } is available.
ui-update-available-critical = Important security update { $version } is available: please update soon.
ui-update-unreachable = The update service could not be reached. Check the network and try again later.
ui-update-bad-feed = The update service gave an answer the app does not understand. Try again later.
ui-update-checked-at = Last checked { $time } (UTC)
ui-logs = Logs
ui-logs-switch = Keep logs
ui-logs-on = On
ui-logs-off = Off
ui-logs-text = Logs record what you did in the app (never PINs) and help support find problems. An export is compressed and encrypted so that only the support team can read it.
ui-logs-export = Export logs
ui-logs-saved = Saved as
ui-logs-download = Download the file
ui-logs-no-key = No support key is configured, so logs cannot be exported. Ask your administrator (tessera settings set support-key …).
ui-about-legal = About and legal
ui-personal-title = Personal information
ui-personal-text = What this app holds about you, shown masked. Self-service keeps what you enter there; nothing else about you is stored.
ui-personal-name = Name
ui-personal-phone = Phone number
ui-personal-id-number = ID number
ui-personal-none = Not held
ui-third-party-title = Third-party software
ui-third-party-summary = Tessera is built with { $count } open-source components.
ui-third-party-text = None of them collects personal information: they run inside the app and send nothing by themselves.
ui-third-party-name = Component
ui-third-party-licence = Licence
ui-third-party-personal = Collects personal data
ui-about-title = About
ui-about-text = A security client for digital certificates.
ui-about-email = Service e-mail
ui-about-hotline = Hotline
ui-return-to-start = Return to start
ui-return-to-start-text = Choose the service again; your media and settings stay as they are.

## tessera enroll (self-service)
prompt-cert-password = Certificate password
prompt-cert-password-again = Certificate password again
enroll-privacy-heading = Privacy notice (version { $version })
enroll-terms-heading = Certificate terms (version { $version })
enroll-code-sent = SMS code sent; it is valid for { $minutes } minutes.
enroll-captcha-saved = Captcha image saved to { $path }; give the id above and its characters to "tessera enroll login".
enroll-accept-notices = Read the notices ("tessera enroll notices") and apply again with --accept-notices.
enroll-next-review = Submitted for review; you will get an SMS with the result. Then: tessera enroll login, tessera enroll install.
enroll-next-install = Approved at once (pre-entered). Next: tessera enroll login, then tessera enroll install.
enroll-logged-in = Logged in to the business query for 30 minutes.
enroll-logged-out = Logged out of the business query.
enroll-none = No applications for this phone.
enroll-installed = Certificate { $thumbprint } installed on { $device }.
enroll-renewed = Renewed: the new certificate { $thumbprint } is valid until { $not_after }; the old one was removed.
enroll-status-pending = pending review
enroll-status-approved = approved, ready to install
enroll-status-rejected = rejected
enroll-status-issued = issued
enroll-label-project = Project
enroll-label-subject = Subject
enroll-label-id-number = ID number
enroll-label-phone = Phone
enroll-label-key-alg = Key type
enroll-label-reason = Reason
enroll-label-serial = Certificate serial
enroll-err-service = The service refused: { $detail }
enroll-err-unreachable = Cannot reach the service at { $url }: { $reason }
enroll-err-no-server = No service given: pass --server URL or set it with "tessera settings set server URL".
enroll-err-forged-qr = This QR code is not signed by the service at { $url }: it may be forged. Do not use it.
enroll-err-key-changed = The key of the service at { $url } is not the one seen before. Contact the service before going on.
enroll-err-no-session = Not logged in to the business query, or the session expired: run "tessera enroll login".
enroll-err-password-incorrect = Wrong certificate password: { $tries } tries left.
enroll-err-password-locked = Too many wrong certificate passwords: the application is locked. Contact the service.
enroll-err-sms-code-incorrect = Wrong SMS code: { $tries } tries left.
enroll-err-sms-code-expired = The SMS code has expired: request a new one.
enroll-err-captcha-invalid = The captcha has expired or was used: get a new one.
enroll-err-captcha-incorrect = Wrong captcha characters: get a new captcha.
enroll-err-application-not-approved = The application cannot be installed: { $detail }
enroll-err-renewal-not-open = Too early to renew: renewal opens in { $days } days.
enroll-err-no-application = No application { $id } for this phone: see "tessera enroll list".
enroll-err-renewal-key-mismatch = The renewal was not signed by the certificate's own key.
enroll-err-certificate-expired = The certificate has expired; apply for a new one.
enroll-err-rate-limited = Too many requests: { $detail }

## Cloud keys (tessera cloud …)
prompt-cloud-password = Cloud key password
prompt-cloud-new-password = New cloud key password
cloud-orgs-none = No organization matches.
cloud-about-service = Service address: { $url }
cloud-about-cosign = Co-signing service address: { $url }
cloud-applied = Application { $id } sent; an operator will review it.
cloud-downloaded = Certificate { $serial } downloaded; this account is now active.
cloud-none = No cloud key account on this install.
cloud-switched = Active account: { $user }
cloud-deleted = Deleted account { $user } from this install, with its key share and certificate.
cloud-refreshed-new = A renewed certificate was downloaded.
cloud-refreshed-same = The certificate is current.
cloud-signed = Signature written to { $path }
cloud-password-changed = Password changed.
cloud-code-sent = A code was sent to the bound phone.
cloud-recovered = Password reset. This install keeps using its key share with the new password.
cloud-phone-bound = Phone bound.
cloud-image-uploaded = Handwritten signature saved.
cloud-image-saved = Handwritten signature saved to { $path }
cloud-image-usage = Give --put FILE to upload or --out FILE to save.
cloud-app-sessions-none = Not logged in to any application.
cloud-app-sessions-ended = Logged out.
err-cloud-service = The cloud key service refused: { $detail } ({ $code })
err-cloud-password = Wrong password: it does not open the key share an earlier version sealed on this install. If the password was recovered by SMS, run `tessera cloud password --reseal` with the old one.
err-cloud-no-account = No cloud key account { $id } on this install; run `tessera cloud download`.
err-cloud-no-certificate = The account has no certificate yet; run `tessera cloud download`.
err-cloud-share-elsewhere = This account's key was made on another install; its share is not here.
err-cloud-unreachable = Cannot reach the cloud key service { $url }: { $reason }
err-cloud-other = Cloud key: { $reason }
cloud-about-update-check = Update check: { $frequency }
cloud-org-chosen = Organization { $org } chosen; service { $url }
cloud-use-usage = Give --server URL --org CODE, or --qr FILE.
cloud-no-org = Name the service and organization (--server URL --org CODE) or choose one with `tessera cloud use`.
err-cloud-no-org = No organization { $org } at the service.
cloud-resealed = This install's key share is sealed under this install's own key.
cloud-delete-confirm = Delete account { $id } from this install? Its key share is deleted with it: this install cannot use the key again.
cloud-delete-not-confirmed = Not deleted: confirm on a terminal, or give --yes.
err-cloud-share-key = This install's share key does not open the account's key share (cloud/share.key lost or replaced).

## Self-service screens of the web UI (ui-ss-…)
ui-ss-server = Service address
ui-ss-server-save = Save service address
ui-ss-apply-title = Apply for a certificate
ui-ss-query-title = Business query
ui-ss-renew-where = To renew a certificate, open it in the list and choose “Renew”.
ui-ss-err-no-server = No service is configured, so self-service is not available.
ui-ss-next-settings = Enter the service address on the self-service page, then try again.
ui-ss-apply-step1 = Paste the text of the enrollment QR code your organization gave you, and your mobile number. A code will be sent by SMS.
ui-ss-qr = Enrollment QR code (text)
ui-ss-qr-hint = It starts with “TESSERA-ENROLL:”.
ui-ss-qr-image = Or choose a picture of the QR code (PNG or JPEG)
ui-ss-send-code = Send SMS code
ui-ss-code-sent = An SMS code was sent to this number; it is valid for 5 minutes.
ui-ss-code = SMS code
ui-ss-name = Full name (as on the ID card)
ui-ss-organization = Organization
ui-ss-email = E-mail
ui-ss-key-sm2 = SM2 (recommended)
ui-ss-key-p256 = ECDSA P-256
ui-ss-key-rsa = RSA 2048
ui-ss-consent = I have read and accept the privacy notice and the certificate terms above.
ui-ss-no-notices = The notices could not be fetched from the service; go back and try again.
ui-ss-password = Certificate password
ui-ss-password-hint = 8 to 64 characters with letters and digits. It is asked again when the certificate is installed.
ui-ss-password-again = Certificate password again
ui-ss-submit-apply = Submit application
ui-ss-applied-title = Application sent
ui-ss-applied = Your application was received.
ui-ss-next-review = It waits for review; you will get an SMS with the result. Then open the business query to install the certificate.
ui-ss-next-install-ready = It was approved at once. Open the business query to install the certificate.
ui-ss-install = Install certificate
ui-ss-logout = Log out of the business query
ui-ss-query-step1 = Enter the mobile number you applied with. A login code will be sent by SMS.
ui-ss-captcha-alt = Captcha image
ui-ss-captcha = Characters in the image
ui-ss-login = Log in
ui-ss-resend = Send a new code
ui-ss-install-title = Install certificate
ui-ss-no-media = No medium is available. Create a file device or plug in a USB key, then reload this page.
ui-ss-medium = Medium for the new key
ui-ss-pin-hint = The PIN of the chosen medium (not needed while it is remembered).
ui-ss-installed = The certificate was installed on the medium.
ui-ss-view-cert = View the certificate
ui-ss-renew-title = Renew certificate
ui-ss-renew-confirm = Renew this certificate with its own key? The new certificate replaces the old one on the medium.
ui-ss-valid-until = valid until
ui-ss-renew = Renew
ui-ss-renewed = Renewed: the new certificate is valid until { $date }; the old one was removed.
ui-ss-err-password-mismatch = The two certificate passwords differ.
ui-ss-err-consent = The application needs your consent to the notices.
ui-ss-err-no-application = This application is not among those of the logged-in phone.
ui-ss-err-no-session = You are not logged in to the business query, or the session expired.
ui-ss-err-bad-url = The service address “{ $url }” is not usable: it must start with https:// (http:// only for this computer).
ui-ss-err-qr = This is not a Tessera enrollment QR code: { $reason }
ui-ss-next-fix = Correct the entries and send again.
ui-ss-next-consent = Read the notices, tick the box and send again.
ui-ss-next-query = Log in to the business query and choose the application there.
ui-ss-next-password = Type the certificate password you chose when applying.
ui-ss-next-contact = Contact your certificate service before going on.
ui-ss-next-code = Check the code in the SMS and type it again.
ui-ss-next-new-code = Request a new SMS code.
ui-ss-next-captcha = A new captcha is shown: type its characters and the SMS code again.
ui-ss-next-wait = Wait a minute, then try again.
ui-ss-next-apply = Apply for a new certificate.
ui-ss-next-later = Try again later, or contact your certificate service.
ui-ss-next-unreachable = Check the network connection and the service address on the self-service page, then try again.
ui-ss-next-qr = Paste the whole text of the QR code your organization gave you.
ui-ss-next-renew-window = A certificate can be renewed in the last weeks of its validity: come back then.
