//! The signing seam: what signs the certificates, CRLs and requests this crate builds (and CMS
//! next), whether a CA key in memory or a key on a medium (file device, PKCS#11 token, cloud
//! key), in the manner of rustls' `SigningKey`/`Signer`.
//!
//! Implemented here for [`CaKey`](crate::issue::CaKey); `tessera-media` implements it for a key
//! on any medium, so dependencies point one way (media depends on this crate).

pub use spki::AlgorithmIdentifierOwned;

use crate::issue::IssueError;

/// SM2-with-SM3 (GM/T 0006), parameters absent (GM/T 0015): the algorithm of every SM2 signer.
pub fn sm2_with_sm3() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: tessera_crypto::sm2::SM2_WITH_SM3_OID,
        parameters: None,
    }
}

/// A private key that signs DER to-be-signed structures.
pub trait Signer {
    /// The signature AlgorithmIdentifier written beside the signature (RFC 5280 §4.1.1.2,
    /// §5.1.1.2; RFC 2986 §4.2): SM2-with-SM3 with parameters absent (GM/T 0015),
    /// ecdsa-with-SHA256/384 with parameters absent (RFC 5758 §3.2), sha256WithRSAEncryption
    /// with NULL parameters (RFC 4055 §5).
    fn algorithm(&self) -> AlgorithmIdentifierOwned;

    /// The public key, DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    fn spki_der(&self) -> Result<Vec<u8>, IssueError>;

    /// Signs `message` (a DER TBSCertificate, TBSCertList or CertificationRequestInfo) as
    /// [`Self::algorithm`] says, returning the signature as it goes into the BIT STRING: DER
    /// `SEQUENCE { r, s }` for SM2 (Z_A over the default ID, GB/T 32918.2 §6.1) and ECDSA, the
    /// PKCS#1 v1.5 block for RSA. A signer that fails for its own reasons (a PIN, a token, a
    /// service) returns [`IssueError::Signer`] with its own error inside.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssueError>;
}

impl<S: Signer + ?Sized> Signer for &S {
    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        (**self).algorithm()
    }

    fn spki_der(&self) -> Result<Vec<u8>, IssueError> {
        (**self).spki_der()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssueError> {
        (**self).sign(message)
    }
}
