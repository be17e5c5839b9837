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
      9  the medium refused the operation

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
