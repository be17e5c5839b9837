//! The contract every medium meets.

use tessera_crypto::{digest::DigestAlgorithm, sm2::CiphertextFormat};
use tessera_x509::Certificate;
use zeroize::Zeroizing;

use crate::{CsrRequest, KeyAlgorithm, KeySpec, Pin, Result, SoPin};

/// What kind of medium this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MediumKind {
    /// A soft medium kept in one file (文件型设备).
    FileDevice,
    /// A PKCS#11 token (USB key, smart card).
    Pkcs11,
    /// A Bluetooth key speaking APDUs.
    Bluetooth,
    /// A two-party cloud key.
    CloudKey,
}

/// Which family of algorithms the medium uses for its own protection and prefers for new keys.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlgorithmMode {
    /// International algorithms: AES-256-GCM key wrapping.
    #[default]
    Standard,
    /// National algorithms (国密): SM4-GCM key wrapping (RFC 8998), SM2 keys.
    National,
}

/// What a medium says about itself (PKCS#11 v2.40 `CK_TOKEN_INFO`, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct MediumInfo {
    pub kind: MediumKind,
    pub label: String,
    pub serial: String,
    pub maker: String,
    pub mode: AlgorithmMode,
    /// Wrong user PINs still allowed before the medium locks.
    pub pin_retries_left: u8,
    /// Wrong user PINs allowed from a fresh count.
    pub pin_max_retries: u8,
    /// Locked after too many wrong PINs (`CKF_USER_PIN_LOCKED`).
    pub locked: bool,
    /// Wrong SO PINs still allowed before the SO PIN is blocked, where the medium counts them
    /// and says so (the file device; PKCS#11 tokens report flags only).
    pub so_pin_retries_left: Option<u8>,
    /// Wrong SO PINs allowed from a fresh count, where known.
    pub so_pin_max_retries: Option<u8>,
    /// Whether this handle is logged in.
    pub logged_in: bool,
    /// Free space in bytes, where the medium has a limit.
    pub free_space: Option<u64>,
}

/// Reference to a private key on a medium: its PKCS#11 `CKA_ID`. On the file device this is the
/// SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), so a certificate finds its
/// key by its public key alone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyRef(Vec<u8>);

impl KeyRef {
    /// A reference from the backend's identifier bytes.
    pub fn new(id: impl Into<Vec<u8>>) -> Self {
        Self(id.into())
    }

    /// From lowercase or uppercase hex.
    pub fn from_hex(s: &str) -> Option<Self> {
        hex::decode(s).ok().map(Self)
    }

    /// The identifier bytes.
    pub fn id(&self) -> &[u8] {
        &self.0
    }

    /// Lowercase hex of the identifier.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl std::fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRef({})", self.to_hex())
    }
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Reference to a certificate on a medium: the SHA-256 thumbprint of its DER, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertRef(String);

impl CertRef {
    /// The reference of a certificate given as DER.
    pub fn of_der(der: &[u8]) -> Self {
        Self(hex::encode(DigestAlgorithm::Sha256.digest(der)))
    }

    /// From a full SHA-256 thumbprint in hex (any case, `:` separators allowed).
    pub fn from_thumbprint(s: &str) -> Self {
        Self(
            s.chars()
                .filter(|c| *c != ':')
                .collect::<String>()
                .to_ascii_lowercase(),
        )
    }

    /// The thumbprint, lowercase hex.
    pub fn thumbprint(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CertRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A certificate on a medium, with the key it belongs to if that key is there.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CertEntry {
    pub reference: CertRef,
    pub certificate: Certificate,
    pub key: Option<KeyRef>,
}

/// A private key on a medium, described by its public half.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyEntry {
    pub reference: KeyRef,
    pub algorithm: KeyAlgorithm,
    /// DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub public_key: Vec<u8>,
    /// Whether the private key may be exported (`CKA_EXTRACTABLE`).
    pub exportable: bool,
}

/// A key pair made on the medium and the PKCS#10 request for its certificate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GeneratedKey {
    pub key: KeyEntry,
    /// DER PKCS#10 `CertificationRequest` (RFC 2986 §4.2), signed by the new key.
    pub csr: Vec<u8>,
}

/// A signature scheme and what `data` is. Every elliptic-curve signature comes out as DER
/// `SEQUENCE { r, s }`; RSA as the raw signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignAlg {
    /// SM2 with SM3 over the message (GB/T 32918.2; GM/T 0009): Z_A with `id`, or the default
    /// ID `1234567812345678` when `None`.
    Sm2Sm3 { id: Option<Vec<u8>> },
    /// SM2 over a 32-byte `e = SM3(Z_A || M)` computed by the caller.
    Sm2Prehashed,
    /// ECDSA; the medium hashes the message with `digest` (PKCS#11 `CKM_ECDSA_SHA256`...).
    Ecdsa { digest: DigestAlgorithm },
    /// ECDSA over a hash computed by the caller (`CKM_ECDSA`).
    EcdsaPrehashed,
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2); the medium hashes the message.
    RsaPkcs1 { digest: DigestAlgorithm },
    /// RSASSA-PKCS1-v1_5 over a hash computed by the caller with `digest`.
    RsaPkcs1Prehashed { digest: DigestAlgorithm },
    /// RSASSA-PSS (RFC 8017 §8.1), MGF1 and salt length from `digest`.
    RsaPss { digest: DigestAlgorithm },
}

/// A decryption scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncAlg {
    /// SM2 public-key encryption (GB/T 32918.4) in the given layout; OpenSSL writes
    /// [`CiphertextFormat::Der`].
    Sm2 { format: CiphertextFormat },
}

/// A medium: key pairs, certificates and data objects behind a PIN.
///
/// Reading certificates, key descriptions and public data objects needs no PIN. Using or changing
/// private objects needs [`Medium::login`] first and fails with
/// [`MediumError::NotLoggedIn`](crate::MediumError::NotLoggedIn) otherwise. Every backend passes
/// the conformance suite in `tests/conformance.rs`.
pub trait Medium {
    /// Kind, label, serial, maker, mode, PIN retries, lock state.
    fn info(&self) -> Result<MediumInfo>;

    /// Every certificate, with the key it belongs to where that key is on the medium.
    fn certificates(&self) -> Result<Vec<CertEntry>>;

    /// Every private key, described by its public half.
    fn keys(&self) -> Result<Vec<KeyEntry>>;

    /// Checks the user PIN and opens the private objects (PKCS#11 `C_Login` as `CKU_USER`).
    /// A wrong PIN gives `PinIncorrect { retries_left }`, or `Locked` when none are left.
    fn login(&mut self, pin: &Pin) -> Result<()>;

    /// Closes the private objects; key material held in memory is zeroized.
    fn logout(&mut self);

    /// Changes the user PIN (`C_SetPIN`); a wrong `old` counts as a wrong PIN.
    fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<()>;

    /// With the SO PIN, clears the lock and sets a new user PIN (`C_InitPIN` by the SO).
    fn unlock(&mut self, so_pin: &SoPin, new_pin: &Pin) -> Result<()>;

    /// Makes a key pair on the medium and returns a PKCS#10 request (RFC 2986) for it.
    fn generate_key(&mut self, spec: KeySpec, request: &CsrRequest) -> Result<GeneratedKey>;

    /// Stores a certificate (DER) for a key already on the medium; fails with `NoMatchingKey`
    /// when no key has its public key.
    fn import_certificate(&mut self, der: &[u8]) -> Result<CertEntry>;

    /// Stores a private key (DER PKCS#8, RFC 5958) with its certificates (DER; those for other
    /// keys, such as CA certificates, are stored unbound).
    fn import_key(
        &mut self,
        pkcs8: &[u8],
        certificates: &[Vec<u8>],
        exportable: bool,
    ) -> Result<(KeyEntry, Vec<CertEntry>)>;

    /// The private key as DER PKCS#8, if it was created or imported as exportable.
    fn export_key(&mut self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>>;

    /// Deletes a certificate, and its key when no other certificate uses that key. Needs login.
    fn delete_certificate(&mut self, cert: &CertRef) -> Result<()>;

    /// Deletes a key (and leaves its certificates unbound). Needs login.
    fn delete_key(&mut self, key: &KeyRef) -> Result<()>;

    /// Signs `data` with the key. Needs login.
    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>>;

    /// Decrypts `data` with the key. Needs login.
    fn decrypt(&mut self, key: &KeyRef, alg: &EncAlg, data: &[u8]) -> Result<Zeroizing<Vec<u8>>>;

    /// Names of the data objects (seal images and the like), sorted.
    fn data_objects(&self) -> Result<Vec<String>>;

    /// A data object's bytes. Public objects need no login; private ones do.
    fn read_data_object(&self, name: &str) -> Result<Option<Vec<u8>>>;

    /// Creates or replaces a data object; `private` ones are wrapped like keys. Needs login.
    fn write_data_object(&mut self, name: &str, value: &[u8], private: bool) -> Result<()>;

    /// Deletes a data object; says whether it was there. Needs login.
    fn delete_data_object(&mut self, name: &str) -> Result<bool>;
}
