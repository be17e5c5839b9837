//! Cloud key: a two-party SM2 key (DESIGN.md, "Two-party SM2 (co-signing)") seen as a medium.
//!
//! The private key is split between this install (`d1`, wrapped under this install's key) and
//! the cloud-key service (`d2`); neither half is ever here whole, so the medium holds exactly one
//! key, the account's, with its certificate. The account password plays the user PIN: the
//! service counts wrong ones and locks the account. What the medium cannot do (make or import
//! keys, export, data objects, SO unlock) fails with [`MediumError::Unsupported`], which says why.
//!
//! The medium does no networking itself: a [`CloudKeyTransport`] (the client's cloud-key code,
//! which speaks to the service and checks every co-signature before returning it) does the
//! exchanges. The medium keeps the password in memory while logged in, as the PIN cache does,
//! and drops it (zeroized) on [`Medium::logout`].

use tessera_crypto::sm2::{CiphertextFormat, DEFAULT_ID, Sm2PublicKey};
use tessera_x509::Certificate;
use zeroize::Zeroizing;

use crate::keys::key_id_of_spki;
use crate::{
    AlgorithmMode, CertEntry, CertRef, CsrRequest, EncAlg, GeneratedKey, KeyAlgorithm, KeyEntry,
    KeyRef, KeySpec, Medium, MediumError, MediumInfo, MediumKind, Pin, Result, SignAlg, SoPin,
};

/// Shortest and longest account password the service accepts.
pub const PASSWORD_LEN: (usize, usize) = (8, 64);

/// What the client last learned of an account's password tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockState {
    /// Wrong passwords left before the service locks the account.
    pub retries_left: u8,
    /// Whether the service has locked password use now.
    pub locked: bool,
}

/// What a cloud-key medium needs from the client's cloud-key code. Every call that uses the key
/// takes the account password; an implementation maps a wrong one to
/// [`MediumError::PinIncorrect`] and a locked account to [`MediumError::TemporarilyLocked`].
pub trait CloudKeyTransport {
    /// The account's certificate, DER.
    fn certificate(&self) -> Result<Vec<u8>>;

    /// A name for the account (organization and user ID, say).
    fn label(&self) -> String;

    /// The account's id at the service.
    fn account_id(&self) -> String;

    /// Wrong passwords the service allows before it locks the account.
    fn max_retries(&self) -> u8;

    /// The tries left and the lock as last reported by the service; by default all tries and
    /// no lock (nothing reported yet).
    fn lock_state(&self) -> LockState {
        LockState {
            retries_left: self.max_retries(),
            locked: false,
        }
    }

    /// Checks the password: it opens this install's share and logs in at the service.
    fn unlock(&mut self, password: &Pin) -> Result<()>;

    /// Co-signs `e = SM3(Z_A || M)`; the result, DER `SEQUENCE { r, s }`, has been verified
    /// against the joint public key.
    fn sign_digest(&mut self, password: &Pin, e: &[u8; 32]) -> Result<Vec<u8>>;

    /// Co-decrypts an SM2 ciphertext to the account's key.
    fn decrypt(
        &mut self,
        password: &Pin,
        ciphertext: &[u8],
        format: CiphertextFormat,
    ) -> Result<Zeroizing<Vec<u8>>>;

    /// Changes the password at the service (the local share is not wrapped under it).
    fn change_password(&mut self, old: &Pin, new: &Pin) -> Result<()>;
}

/// A cloud account's key as a [`Medium`].
pub struct CloudKey<T> {
    transport: T,
    certificate: Certificate,
    public: Sm2PublicKey,
    spki: Vec<u8>,
    key: KeyRef,
    password: Option<Pin>,
    retries_left: u8,
    locked: bool,
}

impl<T> std::fmt::Debug for CloudKey<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudKey")
            .field("key", &self.key)
            .field("logged_in", &self.password.is_some())
            .finish_non_exhaustive()
    }
}

fn unsupported(what: &str) -> MediumError {
    MediumError::Unsupported {
        what: what.to_owned(),
    }
}

impl<T: CloudKeyTransport> CloudKey<T> {
    /// The medium of the account behind `transport`; its certificate must hold an SM2 key.
    pub fn new(transport: T) -> Result<Self> {
        let certificate = Certificate::from_der(&transport.certificate()?)?;
        let spki = {
            use der::Encode as _;
            certificate
                .x509()
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .map_err(|e| crate::FormatError::Invalid {
                    what: "cloud-key certificate",
                    reason: e.to_string(),
                })?
        };
        let public = Sm2PublicKey::from_spki_der(&spki)?;
        let key = key_id_of_spki(&spki)?;
        let LockState {
            retries_left,
            locked,
        } = transport.lock_state();
        Ok(Self {
            transport,
            certificate,
            public,
            spki,
            key,
            password: None,
            retries_left,
            locked,
        })
    }

    /// The transport, for what the medium does not cover (refresh, password recovery...).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn password(&self) -> Result<&Pin> {
        self.password.as_ref().ok_or(MediumError::NotLoggedIn)
    }

    fn own_key(&self, key: &KeyRef) -> Result<()> {
        if *key == self.key {
            Ok(())
        } else {
            Err(MediumError::NoSuchKey)
        }
    }

    /// Keeps the retry count the service reported.
    fn track<R>(&mut self, result: Result<R>) -> Result<R> {
        match &result {
            Ok(_) => {
                self.retries_left = self.transport.max_retries();
                self.locked = false;
            }
            Err(MediumError::PinIncorrect { retries_left }) => {
                self.retries_left = *retries_left;
                self.locked = *retries_left == 0;
            }
            Err(MediumError::Locked | MediumError::TemporarilyLocked { .. }) => {
                self.retries_left = 0;
                self.locked = true;
            }
            Err(_) => {}
        }
        result
    }
}

impl<T: CloudKeyTransport> Medium for CloudKey<T> {
    fn info(&self) -> Result<MediumInfo> {
        Ok(MediumInfo {
            kind: MediumKind::CloudKey,
            label: self.transport.label(),
            serial: self.transport.account_id(),
            maker: "Tessera cloud key".to_owned(),
            mode: AlgorithmMode::National,
            pin_retries_left: self.retries_left,
            pin_max_retries: self.transport.max_retries(),
            locked: self.locked,
            so_pin_retries_left: None,
            so_pin_max_retries: None,
            logged_in: self.password.is_some(),
            free_space: Some(0),
        })
    }

    fn certificates(&self) -> Result<Vec<CertEntry>> {
        Ok(vec![CertEntry {
            reference: CertRef::of_der(self.certificate.der()),
            certificate: self.certificate.clone(),
            key: Some(self.key.clone()),
        }])
    }

    fn keys(&self) -> Result<Vec<KeyEntry>> {
        Ok(vec![KeyEntry {
            reference: self.key.clone(),
            algorithm: KeyAlgorithm::Sm2,
            public_key: self.spki.clone(),
            exportable: false,
        }])
    }

    fn login(&mut self, pin: &Pin) -> Result<()> {
        let result = self.transport.unlock(pin);
        self.track(result)?;
        self.password = Some(pin.clone());
        Ok(())
    }

    fn logout(&mut self) {
        self.password = None;
    }

    fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<()> {
        let (min, max) = PASSWORD_LEN;
        if !(min..=max).contains(&new.char_len()) {
            return Err(MediumError::PinLength { min, max });
        }
        let result = self.transport.change_password(old, new);
        self.track(result)?;
        if self.password.is_some() {
            self.password = Some(new.clone());
        }
        Ok(())
    }

    fn unlock(&mut self, _so_pin: &SoPin, _new_pin: &Pin) -> Result<()> {
        Err(unsupported(
            "SO PIN: a locked cloud account unlocks at the service (after the lock period, or by \
             password recovery with an SMS code)",
        ))
    }

    fn generate_key(&mut self, _spec: KeySpec, _request: &CsrRequest) -> Result<GeneratedKey> {
        Err(unsupported(
            "key generation: a cloud account has one two-party key, made when it is downloaded",
        ))
    }

    fn import_certificate(&mut self, _der: &[u8]) -> Result<CertEntry> {
        Err(unsupported(
            "certificate import: the service issues and renews the account's certificate",
        ))
    }

    fn import_key(
        &mut self,
        _pkcs8: &[u8],
        _certificates: &[Vec<u8>],
        _exportable: bool,
    ) -> Result<(KeyEntry, Vec<CertEntry>)> {
        Err(unsupported(
            "key import: a whole private key never exists for a two-party key",
        ))
    }

    fn export_key(&mut self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>> {
        self.own_key(key)?;
        // The key is split between this install and the service: there is nothing whole to export.
        Err(MediumError::NotExportable)
    }

    fn delete_certificate(&mut self, _cert: &CertRef) -> Result<()> {
        Err(unsupported(
            "deleting the certificate: remove the account from this install instead",
        ))
    }

    fn delete_key(&mut self, _key: &KeyRef) -> Result<()> {
        Err(unsupported(
            "deleting the key: remove the account from this install instead",
        ))
    }

    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>> {
        let password = self.password()?.clone();
        self.own_key(key)?;
        let e = match alg {
            // GB/T 32918.2 §6.1, steps A1-A2: e = SM3(Z_A || M), computed here.
            SignAlg::Sm2Sm3 { id } => self
                .public
                .message_digest(id.as_deref().unwrap_or(DEFAULT_ID), data)?,
            SignAlg::Sm2Prehashed => {
                data.try_into()
                    .map_err(|_| tessera_crypto::CryptoError::InvalidInput {
                        algorithm: "SM2",
                        reason: "the digest must be 32 bytes",
                    })?
            }
            _ => {
                return Err(MediumError::KeyMismatch {
                    operation: "this signature scheme",
                });
            }
        };
        let result = self.transport.sign_digest(&password, &e);
        self.track(result)
    }

    fn decrypt(&mut self, key: &KeyRef, alg: &EncAlg, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let password = self.password()?.clone();
        self.own_key(key)?;
        match alg {
            EncAlg::Sm2 { format } => {
                let result = self.transport.decrypt(&password, data, *format);
                self.track(result)
            }
        }
    }

    fn data_objects(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    fn read_data_object(&self, _name: &str) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    fn write_data_object(&mut self, _name: &str, _value: &[u8], _private: bool) -> Result<()> {
        Err(unsupported(
            "data objects: a cloud key stores no seal images (the handwritten-signature image \
             lives at the service)",
        ))
    }

    fn delete_data_object(&mut self, _name: &str) -> Result<bool> {
        Ok(false)
    }
}
