//! Public-key and signature algorithms as the details view names them (RFC 5280 §4.1.1.2,
//! §4.1.2.7; RFC 3279, RFC 4055, RFC 5480, RFC 8410; GM/T 0006 for SM2).

use der::Encode as _;
use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoOwned;
use tessera_crypto::sm2::{CURVE_OID, EC_PUBLIC_KEY_OID};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::ber;

/// The family of a subject public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// rsaEncryption (RFC 3279 §2.3.1).
    Rsa,
    /// id-RSASSA-PSS as a key algorithm (RFC 4055 §1.2).
    RsaPss,
    /// id-ecPublicKey on a curve other than SM2 (RFC 5480 §2.1.1).
    Ec,
    /// SM2 (GB/T 32918), named by id-ecPublicKey with the SM2 curve, or by the curve OID itself.
    Sm2,
    /// id-dsa (RFC 3279 §2.3.2).
    Dsa,
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// Ed448 (RFC 8410).
    Ed448,
    /// X25519 (RFC 8410).
    X25519,
    /// X448 (RFC 8410).
    X448,
    /// Anything else; see the OID.
    Other,
}

impl KeyAlgorithm {
    /// The usual technical name (`RSA`, `EC`, `SM2`, `Ed25519`...); for [`KeyAlgorithm::Other`]
    /// the caller shows the OID instead.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::RsaPss => "RSASSA-PSS",
            Self::Ec => "EC",
            Self::Sm2 => "SM2",
            Self::Dsa => "DSA",
            Self::Ed25519 => "Ed25519",
            Self::Ed448 => "Ed448",
            Self::X25519 => "X25519",
            Self::X448 => "X448",
            Self::Other => "other",
        }
    }
}

/// The subject public key (RFC 5280 §4.1.2.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyDetails {
    /// Algorithm family.
    pub algorithm: KeyAlgorithm,
    /// Algorithm OID, dotted decimal.
    pub oid: String,
    /// Key size in bits: the modulus for RSA, the prime p for DSA, the field for EC and SM2;
    /// `None` for the RFC 8410 curves, whose name says it.
    pub bits: Option<u32>,
    /// Curve name for EC and SM2 keys (`P-256`, `P-384`, `P-521`, `secp256k1`, `SM2`...), the
    /// dotted OID of a curve without a name here, or `explicit` for inline parameters.
    pub curve: Option<String>,
    /// The subjectPublicKey BIT STRING contents, lowercase hex.
    pub value_hex: String,
}

impl PublicKeyDetails {
    /// Describes `spki`. Never fails: what cannot be read is left `None`.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Self {
        let oid = spki.algorithm.oid;
        let params_oid = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
        let key = spki.subject_public_key.raw_bytes();
        let value_hex = hex::encode(key);
        let dotted = oid.to_string();
        let (algorithm, bits, curve) = if oid == CURVE_OID
            || (oid == EC_PUBLIC_KEY_OID && params_oid == Some(CURVE_OID))
        {
            (KeyAlgorithm::Sm2, Some(256), Some("SM2".to_owned()))
        } else if oid == EC_PUBLIC_KEY_OID {
            match params_oid {
                Some(curve) => {
                    let dotted = curve.to_string();
                    match curve_name(&dotted) {
                        Some((name, bits)) => (KeyAlgorithm::Ec, Some(bits), Some(name.to_owned())),
                        None => (KeyAlgorithm::Ec, None, Some(dotted)),
                    }
                }
                None => (KeyAlgorithm::Ec, None, Some("explicit".to_owned())),
            }
        } else {
            match dotted.as_str() {
                "1.2.840.113549.1.1.1" => (KeyAlgorithm::Rsa, rsa_modulus_bits(key), None),
                "1.2.840.113549.1.1.10" => (KeyAlgorithm::RsaPss, rsa_modulus_bits(key), None),
                "1.2.840.10040.4.1" => {
                    let params = spki
                        .algorithm
                        .parameters
                        .as_ref()
                        .and_then(|p| p.to_der().ok());
                    (
                        KeyAlgorithm::Dsa,
                        params.as_deref().and_then(first_integer_bits),
                        None,
                    )
                }
                "1.3.101.112" => (KeyAlgorithm::Ed25519, None, None),
                "1.3.101.113" => (KeyAlgorithm::Ed448, None, None),
                "1.3.101.110" => (KeyAlgorithm::X25519, None, None),
                "1.3.101.111" => (KeyAlgorithm::X448, None, None),
                _ => (KeyAlgorithm::Other, None, None),
            }
        };
        PublicKeyDetails {
            algorithm,
            oid: dotted,
            bits,
            curve,
            value_hex,
        }
    }
}

/// Named curves (RFC 5480 §2.1.1.1, RFC 5639, SEC 2) and their field sizes.
fn curve_name(oid: &str) -> Option<(&'static str, u32)> {
    Some(match oid {
        "1.2.840.10045.3.1.7" => ("P-256", 256),
        "1.3.132.0.34" => ("P-384", 384),
        "1.3.132.0.35" => ("P-521", 521),
        "1.3.132.0.33" => ("P-224", 224),
        "1.2.840.10045.3.1.1" => ("P-192", 192),
        "1.3.132.0.10" => ("secp256k1", 256),
        "1.3.36.3.3.2.8.1.1.7" => ("brainpoolP256r1", 256),
        "1.3.36.3.3.2.8.1.1.11" => ("brainpoolP384r1", 384),
        "1.3.36.3.3.2.8.1.1.13" => ("brainpoolP512r1", 512),
        "1.2.156.10197.1.301" => ("SM2", 256),
        _ => return None,
    })
}

/// Bits of the modulus in `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
/// (RFC 3279 §2.3.1).
fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    first_integer_bits(key)
}

/// Bits of the first INTEGER inside a SEQUENCE, ignoring sign padding.
fn first_integer_bits(seq: &[u8]) -> Option<u32> {
    let (outer, _) = ber::read(seq).ok()?;
    let int = outer.children().next()?.ok()?;
    if int.first != 0x02 {
        return None;
    }
    let digits = int
        .contents
        .iter()
        .skip_while(|b| **b == 0)
        .collect::<Vec<_>>();
    let top = **digits.first()?;
    let len = u32::try_from(digits.len()).ok()?;
    Some((len - 1) * 8 + (8 - top.leading_zeros()))
}

/// The certificate's signature algorithm (RFC 5280 §4.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureAlgorithmDetails {
    /// Name as OpenSSL prints it (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`,
    /// `SM2-with-SM3`, `RSASSA-PSS`, `Ed25519`...), or the dotted OID when unknown.
    pub name: String,
    /// Algorithm OID, dotted decimal.
    pub oid: String,
    /// The digest it uses (`SHA-256`, `SM3`...), when it names one; for RSASSA-PSS the
    /// `hashAlgorithm` of its parameters (RFC 4055 §3.1; SHA-1 when absent).
    pub hash: Option<String>,
}

impl SignatureAlgorithmDetails {
    /// Describes `alg`.
    pub fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Self {
        let oid = alg.oid.to_string();
        let known: Option<(&str, Option<&str>)> = match oid.as_str() {
            "1.2.156.10197.1.501" => Some(("SM2-with-SM3", Some("SM3"))),
            "1.2.840.113549.1.1.2" => Some(("md2WithRSAEncryption", Some("MD2"))),
            "1.2.840.113549.1.1.4" => Some(("md5WithRSAEncryption", Some("MD5"))),
            "1.2.840.113549.1.1.5" => Some(("sha1WithRSAEncryption", Some("SHA-1"))),
            "1.2.840.113549.1.1.14" => Some(("sha224WithRSAEncryption", Some("SHA-224"))),
            "1.2.840.113549.1.1.11" => Some(("sha256WithRSAEncryption", Some("SHA-256"))),
            "1.2.840.113549.1.1.12" => Some(("sha384WithRSAEncryption", Some("SHA-384"))),
            "1.2.840.113549.1.1.13" => Some(("sha512WithRSAEncryption", Some("SHA-512"))),
            "1.2.840.113549.1.1.10" => Some(("RSASSA-PSS", None)),
            "1.2.840.10045.4.1" => Some(("ecdsa-with-SHA1", Some("SHA-1"))),
            "1.2.840.10045.4.3.1" => Some(("ecdsa-with-SHA224", Some("SHA-224"))),
            "1.2.840.10045.4.3.2" => Some(("ecdsa-with-SHA256", Some("SHA-256"))),
            "1.2.840.10045.4.3.3" => Some(("ecdsa-with-SHA384", Some("SHA-384"))),
            "1.2.840.10045.4.3.4" => Some(("ecdsa-with-SHA512", Some("SHA-512"))),
            "1.2.840.10040.4.3" => Some(("dsa-with-SHA1", Some("SHA-1"))),
            "2.16.840.1.101.3.4.3.1" => Some(("dsa_with_SHA224", Some("SHA-224"))),
            "2.16.840.1.101.3.4.3.2" => Some(("dsa_with_SHA256", Some("SHA-256"))),
            "1.3.101.112" => Some(("Ed25519", None)),
            "1.3.101.113" => Some(("Ed448", None)),
            _ => None,
        };
        match known {
            Some(("RSASSA-PSS", _)) => {
                let params = alg.parameters.as_ref().and_then(|p| p.to_der().ok());
                let hash = params
                    .as_deref()
                    .and_then(pss_hash)
                    .unwrap_or_else(|| "SHA-1".to_owned());
                SignatureAlgorithmDetails {
                    name: "RSASSA-PSS".to_owned(),
                    oid,
                    hash: Some(hash),
                }
            }
            Some((name, hash)) => SignatureAlgorithmDetails {
                name: name.to_owned(),
                oid,
                hash: hash.map(str::to_owned),
            },
            None => SignatureAlgorithmDetails {
                name: oid.clone(),
                oid,
                hash: None,
            },
        }
    }
}

/// `hashAlgorithm [0]` of `RSASSA-PSS-params` (RFC 4055 §3.1), by name or dotted OID.
fn pss_hash(params: &[u8]) -> Option<String> {
    let (seq, _) = ber::read(params).ok()?;
    let Some(Ok(tagged)) = seq.children().next() else {
        return Some("SHA-1".to_owned());
    };
    if tagged.first != 0xa0 {
        return Some("SHA-1".to_owned());
    }
    let alg = tagged.children().next()?.ok()?;
    let oid = alg.children().next()?.ok()?;
    let oid = const_oid::ObjectIdentifier::from_bytes(oid.contents)
        .ok()?
        .to_string();
    Some(hash_name(&oid).map_or(oid, str::to_owned))
}

/// Digest names by OID (RFC 3279, RFC 4055, RFC 5754; GM/T 0004 for SM3).
fn hash_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "1.2.156.10197.1.401" => "SM3",
        "1.2.840.113549.2.5" => "MD5",
        _ => return None,
    })
}
