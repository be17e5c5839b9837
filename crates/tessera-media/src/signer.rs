//! Keys on a medium as [`tessera_x509::Signer`]s, so that x509 builds requests, certificates and
//! CRLs (and CMS next) signed by a file device, a PKCS#11 token or a cloud key as by a CA key in
//! memory. The adapter lives here so that dependencies point one way (this crate uses x509).

use std::cell::RefCell;

use spki::AlgorithmIdentifierOwned;
use tessera_x509::{Signer, issue::IssueError};

use crate::keys::PrivateKey;
use crate::medium::{KeyEntry, KeyRef, Medium, SignAlg};
use crate::{FormatError, MediumError};

/// A key on a logged-in medium, signing through [`Medium::sign`] with the scheme
/// [`crate::csr::signature_scheme`] picks for its algorithm.
pub struct MediumSigner<'a> {
    medium: RefCell<&'a mut dyn Medium>,
    key: KeyRef,
    spki: Vec<u8>,
    algorithm: AlgorithmIdentifierOwned,
    scheme: SignAlg,
}

impl std::fmt::Debug for MediumSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediumSigner")
            .field("key", &self.key)
            .field("algorithm", &self.algorithm.oid)
            .finish_non_exhaustive()
    }
}

impl<'a> MediumSigner<'a> {
    /// `key` on `medium` (which must be logged in to sign).
    pub fn new(medium: &'a mut dyn Medium, key: &KeyEntry) -> Self {
        let (algorithm, scheme) = crate::csr::signature_scheme(key.algorithm);
        Self {
            medium: RefCell::new(medium),
            key: key.reference.clone(),
            spki: key.public_key.clone(),
            algorithm,
            scheme,
        }
    }
}

impl Signer for MediumSigner<'_> {
    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        self.algorithm.clone()
    }

    fn spki_der(&self) -> Result<Vec<u8>, IssueError> {
        Ok(self.spki.clone())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssueError> {
        let mut medium = self.medium.try_borrow_mut().map_err(|_| {
            to_issue(MediumError::Unsupported {
                what: "signing twice at once through one signer".into(),
            })
        })?;
        medium
            .sign(&self.key, &self.scheme, message)
            .map_err(to_issue)
    }
}

/// A key in memory (a file device's key before it is stored) signs as its medium would.
impl Signer for PrivateKey {
    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        crate::csr::signature_scheme(PrivateKey::algorithm(self)).0
    }

    fn spki_der(&self) -> Result<Vec<u8>, IssueError> {
        PrivateKey::spki_der(self).map_err(to_issue)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssueError> {
        let (_, scheme) = crate::csr::signature_scheme(PrivateKey::algorithm(self));
        PrivateKey::sign(self, &scheme, message).map_err(to_issue)
    }
}

/// A medium's error, carried through x509.
pub(crate) fn to_issue(e: MediumError) -> IssueError {
    IssueError::Signer(Box::new(e))
}

/// Takes a medium's error back out of x509's; x509's own errors (a request it cannot encode)
/// become a format error of the certification request.
pub(crate) fn from_issue(e: IssueError) -> MediumError {
    match e {
        IssueError::Signer(inner) => match inner.downcast::<MediumError>() {
            Ok(medium) => *medium,
            Err(other) => FormatError::Invalid {
                what: "signature",
                reason: other.to_string(),
            }
            .into(),
        },
        IssueError::Crypto(c) => MediumError::Crypto(c),
        other => FormatError::Invalid {
            what: "certification request",
            reason: other.to_string(),
        }
        .into(),
    }
}
