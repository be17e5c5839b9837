//! Signing with a certificate's key on a medium, and checking a signature against a
//! certificate or a public key: which algorithm a key gets (SM2 with SM3 and Z_A per
//! GB/T 32918.2 §6, ECDSA with its curve's hash per FIPS 186-5, RSA PKCS#1 v1.5 or PSS per
//! RFC 8017) and how the caller's choices change it.

use tessera_crypto::CryptoError;
use tessera_crypto::digest::DigestAlgorithm;
use tessera_crypto::public_key::{PublicKey, VerifyAlgorithm};
use tessera_crypto::rsa::RsaPadding;
use tessera_media::{CertEntry, KeyAlgorithm, Medium, MediumError, Pin, SignAlg};
use tessera_x509::ParseError;

use crate::app::{App, Result, default_sign_alg, find_certificate};

/// What the caller chose beyond the key's defaults.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Scheme {
    /// The hash (RSA and ECDSA; SM2 always hashes with SM3).
    pub digest: Option<DigestAlgorithm>,
    /// RSA-PSS instead of PKCS#1 v1.5.
    pub pss: bool,
    /// The SM2 signer ID hashed into Z_A (default `1234567812345678`, GB/T 35276 §5).
    pub id: Option<Vec<u8>>,
    /// The input is already the hash (for SM2: `e = SM3(Z_A || M)`).
    pub prehashed: bool,
}

impl Scheme {
    /// A scheme with these choices.
    pub fn new(digest: Option<DigestAlgorithm>, pss: bool, id: Option<Vec<u8>>) -> Self {
        Self {
            digest,
            pss,
            id,
            prehashed: false,
        }
    }

    /// The same, for input that is already the hash.
    pub fn prehashed(mut self, prehashed: bool) -> Self {
        self.prehashed = prehashed;
        self
    }

    /// The signature algorithm a key of type `key` gets under this scheme.
    pub fn sign_alg(&self, key: KeyAlgorithm) -> SignAlg {
        match (key, self.digest, self.pss) {
            (KeyAlgorithm::Sm2, _, _) if !self.prehashed => SignAlg::Sm2Sm3 {
                id: self.id.clone(),
            },
            (KeyAlgorithm::Rsa { .. }, d, true) => SignAlg::RsaPss {
                digest: d.unwrap_or(DigestAlgorithm::Sha256),
            },
            (KeyAlgorithm::Rsa { .. }, Some(d), false) if self.prehashed => {
                SignAlg::RsaPkcs1Prehashed { digest: d }
            }
            (KeyAlgorithm::Rsa { .. }, Some(d), false) => SignAlg::RsaPkcs1 { digest: d },
            (KeyAlgorithm::P256 | KeyAlgorithm::P384, Some(d), _) if !self.prehashed => {
                SignAlg::Ecdsa { digest: d }
            }
            _ => default_sign_alg(key, self.prehashed),
        }
    }

    /// The verification algorithm for `key` under this scheme.
    pub fn verify_alg(&self, key: &PublicKey) -> VerifyAlgorithm {
        match (key.default_algorithm(), self.digest) {
            (VerifyAlgorithm::Sm2 { id }, _) => VerifyAlgorithm::Sm2 {
                id: self.id.clone().unwrap_or(id),
            },
            (VerifyAlgorithm::Ecdsa { digest: d }, other) => VerifyAlgorithm::Ecdsa {
                digest: other.unwrap_or(d),
            },
            (VerifyAlgorithm::Rsa { digest: d, .. }, other) => VerifyAlgorithm::Rsa {
                padding: if self.pss {
                    RsaPadding::Pss
                } else {
                    RsaPadding::Pkcs1v15
                },
                digest: other.unwrap_or(d),
            },
            (other, _) => other,
        }
    }
}

/// A signature and the certificate whose key made it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Signed {
    /// The certificate.
    pub certificate: CertEntry,
    /// The signature (DER for SM2 and ECDSA, raw for RSA).
    pub signature: Vec<u8>,
}

impl App {
    /// Signs `data` on `medium` with the key of the certificate `selector` names (a thumbprint
    /// prefix), logging in with the cached PIN or the one `ask` gives.
    pub fn sign(
        &mut self,
        medium: &mut dyn Medium,
        selector: &str,
        scheme: &Scheme,
        data: &[u8],
        ask: &mut dyn FnMut() -> Result<Pin>,
    ) -> Result<Signed> {
        let certificate = find_certificate(medium, selector)?;
        let key = certificate
            .key
            .clone()
            .ok_or_else(|| MediumError::NoMatchingKey {
                thumbprint: certificate.reference.to_string(),
            })?;
        let algorithm = medium
            .keys()?
            .into_iter()
            .find(|k| k.reference == key)
            .map(|k| k.algorithm)
            .ok_or(MediumError::NoSuchKey)?;
        self.login(medium, ask)?;
        let signature = medium.sign(&key, &scheme.sign_alg(algorithm), data)?;
        Ok(Signed {
            certificate,
            signature,
        })
    }
}

/// Why a verification key could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierError {
    /// Neither a certificate nor a PEM `PUBLIC KEY`.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The key inside is not one we can use.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The public key in `input`: the first certificate (PEM or DER), else a PEM `PUBLIC KEY`
/// (an RFC 5280 §4.1.2.7 SubjectPublicKeyInfo).
pub fn verifier_key(input: &[u8]) -> Result<PublicKey, VerifierError> {
    match tessera_x509::parse_certificates(input) {
        Ok(certs) => match certs.first() {
            Some(cert) => Ok(cert.public_key()?),
            None => Err(ParseError::NoCertificate.into()),
        },
        Err(not_a_certificate) => {
            let text = String::from_utf8_lossy(input);
            let spki = pem_rfc7468::decode_vec(text.trim().as_bytes())
                .ok()
                .filter(|(label, _)| *label == "PUBLIC KEY")
                .map(|(_, der)| der)
                .ok_or(not_a_certificate)?;
            Ok(PublicKey::from_spki_der(&spki)?)
        }
    }
}

/// Whether `signature` over `data` verifies under `key` with `scheme`.
pub fn verify(key: &PublicKey, scheme: &Scheme, data: &[u8], signature: &[u8]) -> bool {
    key.verify(&scheme.verify_alg(key), data, signature).is_ok()
}
