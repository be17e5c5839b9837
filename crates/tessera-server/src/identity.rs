//! The service's own signing key (SM2) and what it signs now: enrollment QR payloads.
//!
//! Kept as PKCS#8 PEM in `DATA_DIR/service-key.pem` (mode 0600). Wrapping it under the master key
//! (as CA keys are, [`crate::ca::wrap`]) is still to come.

use std::path::Path;

use base64::Engine as _;
use tessera_crypto::sm2::{Sm2PrivateKey, Sm2PublicKey, Sm2Signature};
use tessera_proto::EnrollmentQr;

use crate::files::{FileError, read_secret, write_secret};

/// Algorithm name carried in [`EnrollmentQr::alg`].
pub const ENROLL_ALG: &str = "sm2-sm3";

/// Why the service key could not be loaded, made or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A key operation failed.
    #[error("service key: {0}")]
    Crypto(#[from] tessera_crypto::CryptoError),
    /// Reading or writing the key file failed.
    #[error(transparent)]
    File(#[from] FileError),
    /// The key file is not UTF-8 PEM.
    #[error("service key file is not PEM")]
    NotPem,
    /// A QR payload's signature does not verify.
    #[error("enrollment QR signature does not verify")]
    BadSignature,
}

/// The service's signing key.
#[derive(Debug)]
pub struct ServiceKey {
    key: Sm2PrivateKey,
}

impl ServiceKey {
    /// A new random key.
    pub fn generate() -> Result<Self, IdentityError> {
        Ok(Self {
            key: Sm2PrivateKey::generate()?,
        })
    }

    /// Loads the key at `path`, or creates it there; the flag says whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), IdentityError> {
        if let Some(bytes) = read_secret(path)? {
            let pem = std::str::from_utf8(&bytes).map_err(|_| IdentityError::NotPem)?;
            return Ok((
                Self {
                    key: Sm2PrivateKey::from_pem(pem)?,
                },
                false,
            ));
        }
        let key = Self::generate()?;
        let pem = key.key.to_pkcs8_pem()?;
        write_secret(path, pem.as_bytes())?;
        Ok((key, true))
    }

    /// The public key.
    pub fn public_key(&self) -> &Sm2PublicKey {
        self.key.public_key()
    }

    /// SubjectPublicKeyInfo DER of the public key.
    pub fn public_key_der(&self) -> Result<Vec<u8>, IdentityError> {
        Ok(self.key.public_key().to_spki_der()?)
    }

    /// A signed enrollment payload for `project` at the service `url`.
    pub fn sign_enrollment(&self, url: &str, project: &str) -> Result<EnrollmentQr, IdentityError> {
        let msg = EnrollmentQr::signed_message(1, url, project);
        let sig = self.key.sign(tessera_crypto::sm2::DEFAULT_ID, &msg)?;
        Ok(EnrollmentQr {
            v: 1,
            url: url.to_owned(),
            project: project.to_owned(),
            alg: ENROLL_ALG.to_owned(),
            sig: base64::engine::general_purpose::STANDARD.encode(sig.to_der()),
        })
    }
}

/// Checks a payload's signature against the service's public key.
pub fn verify_enrollment(public: &Sm2PublicKey, qr: &EnrollmentQr) -> Result<(), IdentityError> {
    if qr.alg != ENROLL_ALG {
        return Err(IdentityError::BadSignature);
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(&qr.sig)
        .map_err(|_| IdentityError::BadSignature)?;
    let sig = Sm2Signature::from_der(&der).map_err(|_| IdentityError::BadSignature)?;
    let msg = EnrollmentQr::signed_message(qr.v, &qr.url, &qr.project);
    public
        .verify(tessera_crypto::sm2::DEFAULT_ID, &msg, &sig)
        .map_err(|_| IdentityError::BadSignature)
}
