//! Issuing: the CA's engine. Checks certification requests, signs certificates and CRLs.
//! No I/O: the caller stores keys, certificates and revocation state.
//!
//! - [`verify_csr`]: a PKCS#10 request (RFC 2986) and its proof of possession.
//! - [`CaKey`]: an SM2, ECDSA P-256/P-384 or RSA signing key and the AlgorithmIdentifier it
//!   names (RFC 5280 §4.1.1.2).
//! - [`CaCertAndKey::self_signed`]: a root; [`issue`]: a v3 certificate per [`Profile`]
//!   (RFC 5280 §4.1, extensions §4.2); [`crl`]: a v2 CRL (RFC 5280 §5).
//!
//! Certificates are written as DER by hand (TBSCertificate → sign → assemble), so that SM2
//! signs with SM2-with-SM3 and Z_A over the default ID (GM/T 0015), signatures as DER
//! `SEQUENCE { r, s }`.

mod crl;
mod csr;
mod key;
mod profile;
mod tbs;

use der::{Decode as _, Encode as _};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

pub use crl::{RevocationReason, RevokedEntry, crl};
pub use csr::{MAX_CSR_LEN, VerifiedCsr, sign_csr, verify_csr, verify_csr_pem_or_der};
pub use key::{CaAlgorithm, CaKey};
pub use profile::Profile;
pub use x509_cert::name::Name;

use crate::certificate::Certificate;
use crate::signer::Signer;

/// Why a request could not be checked or a certificate or CRL could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The request is not DER PKCS#10 (RFC 2986 §4) or is misshapen.
    #[error("malformed certification request: {reason}")]
    MalformedCsr {
        /// What was wrong.
        reason: String,
    },
    /// The request's signature does not verify with the key it carries: tampered with, or
    /// (SM2) signed with another ID than `1234567812345678`.
    #[error("the certification request's signature does not verify")]
    CsrSignature,
    /// A signature algorithm this CA does not accept.
    #[error("unsupported signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// Dotted decimal OID.
        oid: String,
    },
    /// A key that is not SM2, P-256, P-384 or RSA, or is malformed.
    #[error("unsupported key: {reason}")]
    UnsupportedKey {
        /// What was wrong.
        reason: &'static str,
    },
    /// notBefore/notAfter that cannot be used.
    #[error("invalid validity: {reason}")]
    InvalidValidity {
        /// What was wrong.
        reason: &'static str,
    },
    /// A serial number that is zero, negative or longer than 20 octets (RFC 5280 §4.1.2.2).
    #[error("invalid serial number (RFC 5280 §4.1.2.2)")]
    InvalidSerial,
    /// A name that cannot be encoded (a non-ASCII DNS name or URL).
    #[error("invalid {what}: {value}")]
    InvalidName {
        /// Which name.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// The CA certificate and key do not belong together, or the certificate is not a CA.
    #[error("CA certificate and key do not fit: {reason}")]
    CaMismatch {
        /// What was wrong.
        reason: &'static str,
    },
    /// DER encoding failed (a value too large for its field).
    #[error("cannot encode {what}: {reason}")]
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        reason: String,
    },
    /// The algorithm layer failed (key generation, signing, the OS RNG).
    #[error(transparent)]
    Crypto(#[from] tessera_crypto::CryptoError),
    /// A [`Signer`] outside this crate failed for its own reasons (a medium's PIN, a token, a
    /// service); its error is inside, to be taken back out by the layer that made it.
    #[error(transparent)]
    Signer(Box<dyn std::error::Error + Send + Sync>),
}

/// A CA: its certificate and what signs for it: a [`CaKey`] in memory, or any [`Signer`] (a key
/// on a medium).
#[derive(Debug, Clone)]
pub struct CaCertAndKey<S = CaKey> {
    certificate: Certificate,
    key: S,
    key_identifier: Vec<u8>,
}

impl<S: Signer> CaCertAndKey<S> {
    /// Pairs `certificate` with `key`, checking that the key is the certificate's and that the
    /// certificate may sign certificates (basicConstraints cA, RFC 5280 §4.2.1.9).
    pub fn new(certificate: Certificate, key: S) -> Result<Self, IssueError> {
        let tbs = certificate.x509().tbs_certificate();
        let cert_spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(tbs::encoding("SubjectPublicKeyInfo"))?;
        if cert_spki != key.spki_der()? {
            return Err(IssueError::CaMismatch {
                reason: "the key is not the certificate's",
            });
        }
        let is_ca = matches!(
            tbs.get_extension::<x509_cert::ext::pkix::BasicConstraints>(),
            Ok(Some((_, bc))) if bc.ca
        );
        if !is_ca {
            return Err(IssueError::CaMismatch {
                reason: "the certificate is not a CA (basicConstraints cA)",
            });
        }
        // §4.2.1.1: the AKI of what we issue is our subjectKeyIdentifier.
        let key_identifier = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => ski.0.as_bytes().to_vec(),
            _ => profile::key_identifier(&cert_spki)?,
        };
        Ok(Self {
            certificate,
            key,
            key_identifier,
        })
    }

    /// A self-signed root CA for `key` (RFC 5280 §3.2, profile [`Profile::RootCa`]).
    pub fn self_signed(
        key: S,
        subject: Name,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        path_len: Option<u8>,
    ) -> Result<Self, IssueError> {
        let spki_der = key.spki_der()?;
        let key_identifier = profile::key_identifier(&spki_der)?;
        let request = IssueRequest::new(
            subject.clone(),
            spki_der,
            Profile::RootCa { path_len },
            not_before,
            not_after,
        );
        let der = sign_certificate(&key, subject, &key_identifier, request)?;
        let certificate = Certificate::from_der(&der).map_err(|e| IssueError::Encoding {
            what: "root certificate",
            reason: e.to_string(),
        })?;
        Self::new(certificate, key)
    }

    /// The CA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The CA's key.
    pub fn key(&self) -> &S {
        &self.key
    }

    /// The CA's subject, the issuer of what it signs.
    pub fn subject(&self) -> &Name {
        self.certificate.x509().tbs_certificate().subject()
    }
}

/// What to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueRequest {
    /// The subject (RFC 5280 §4.1.2.6).
    pub subject: Name,
    /// The subject's public key, DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// Which extensions.
    pub profile: Profile,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// A serial number (big-endian magnitude); `None` draws 16 random bytes.
    pub serial: Option<Vec<u8>>,
    /// URL of the CRL, written as cRLDistributionPoints (RFC 5280 §4.2.1.13).
    pub crl_url: Option<String>,
    /// URL of the issuer's certificate, written as authorityInfoAccess caIssuers (§4.2.2.1).
    pub ca_issuers_url: Option<String>,
}

impl IssueRequest {
    /// A request with a random serial and no CRL or AIA pointers.
    pub fn new(
        subject: Name,
        spki_der: Vec<u8>,
        profile: Profile,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Self {
        Self {
            subject,
            spki_der,
            profile,
            not_before,
            not_after,
            serial: None,
            crl_url: None,
            ca_issuers_url: None,
        }
    }

    /// For the subject and key of a verified request.
    pub fn from_csr(
        csr: &VerifiedCsr,
        profile: Profile,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Self {
        Self::new(
            csr.subject.clone(),
            csr.spki_der.clone(),
            profile,
            not_before,
            not_after,
        )
    }

    /// With this serial number (big-endian magnitude).
    pub fn with_serial(mut self, serial: Vec<u8>) -> Self {
        self.serial = Some(serial);
        self
    }

    /// With a cRLDistributionPoints URL.
    pub fn with_crl_url(mut self, url: impl Into<String>) -> Self {
        self.crl_url = Some(url.into());
        self
    }

    /// With an authorityInfoAccess caIssuers URL.
    pub fn with_ca_issuers_url(mut self, url: impl Into<String>) -> Self {
        self.ca_issuers_url = Some(url.into());
        self
    }
}

/// Issues a v3 certificate signed by `ca` (RFC 5280 §4.1): issuer = the CA's subject,
/// serial = `request.serial` or 16 random bytes, extensions per `request.profile`.
pub fn issue<S: Signer>(
    ca: &CaCertAndKey<S>,
    request: IssueRequest,
) -> Result<Certificate, IssueError> {
    let der = sign_certificate(&ca.key, ca.subject().clone(), &ca.key_identifier, request)?;
    Certificate::from_der(&der).map_err(|e| IssueError::Encoding {
        what: "certificate",
        reason: e.to_string(),
    })
}

fn sign_certificate(
    key: &dyn Signer,
    issuer: x509_cert::name::Name,
    authority_key_id: &[u8],
    request: IssueRequest,
) -> Result<Vec<u8>, IssueError> {
    if request.not_after <= request.not_before {
        return Err(IssueError::InvalidValidity {
            reason: "notAfter must be after notBefore",
        });
    }
    let spki = SubjectPublicKeyInfoOwned::from_der(&request.spki_der).map_err(|_| {
        IssueError::UnsupportedKey {
            reason: "malformed SubjectPublicKeyInfo",
        }
    })?;
    let serial = match &request.serial {
        Some(s) => tbs::serial_uint(s)?,
        None => tbs::serial_uint(&tbs::random_serial()?)?,
    };
    let pointers = profile::Pointers {
        crl_url: request.crl_url.clone(),
        ca_issuers_url: request.ca_issuers_url.clone(),
    };
    let extensions = profile::extensions(
        &request.profile,
        &request.spki_der,
        authority_key_id,
        &pointers,
        request.subject.is_empty(),
    )?;
    let tbs = tbs::TbsCertificate {
        version: 2,
        serial_number: serial,
        signature: key.algorithm(),
        issuer,
        validity: tbs::Validity {
            not_before: tbs::x509_time(request.not_before)?,
            not_after: tbs::x509_time(request.not_after)?,
        },
        subject: request.subject,
        subject_public_key_info: spki,
        extensions: Some(extensions),
    };
    let signature = key.sign(&tbs::tbs_der(&tbs)?)?;
    tbs::assemble(tbs, &signature)
}
