//! [`Medium`] for [`Pkcs11Token`]: sessions and objects per PKCS#11 v2.40 §5.6–§5.7, §5.11.

use std::collections::BTreeSet;

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::UserType;
use tessera_x509::Certificate;
use zeroize::Zeroizing;

use super::error::auth_pin;
use super::objects::{self, attrs, bytes, find};
use super::{Pkcs11Token, sign};
use crate::{
    CertEntry, CertRef, CsrRequest, EncAlg, GeneratedKey, KeyEntry, KeyRef, KeySpec, Medium,
    MediumError, MediumInfo, Pin, Result, SignAlg, SoPin,
};

/// `CKA_APPLICATION` of the data objects Tessera writes.
const APPLICATION: &[u8] = b"tessera";

/// A certificate object as read from the token, parsed or not.
pub(crate) struct RawCert {
    pub(crate) handle: ObjectHandle,
    pub(crate) id: Vec<u8>,
    pub(crate) der: Vec<u8>,
}

/// A certificate object whose `CKA_VALUE` is not a certificate we can parse; listed apart so the
/// rest of the token is still shown.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UnreadableCertificate {
    /// `CKA_ID`, as a key reference.
    pub id: KeyRef,
    /// SHA-256 of the stored bytes, so it can still be deleted.
    pub reference: CertRef,
    pub reason: String,
}

impl Pkcs11Token {
    /// Every X.509 certificate object, raw.
    pub(crate) fn raw_certificates(&self) -> Result<Vec<RawCert>> {
        let handles = self
            .session
            .find_objects(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
            ])
            .map_err(|e| self.map(e))?;
        let mut out = Vec::with_capacity(handles.len());
        for handle in handles {
            let a = attrs(
                &self.session,
                handle,
                &[AttributeType::Id, AttributeType::Value],
            )
            .map_err(|e| self.map(e))?;
            out.push(RawCert {
                handle,
                id: bytes(&a, AttributeType::Id).unwrap_or_default().to_vec(),
                der: bytes(&a, AttributeType::Value).unwrap_or_default().to_vec(),
            });
        }
        Ok(out)
    }

    /// `CKA_ID`s of the keys visible now: private keys once logged in, public-key objects always.
    fn key_ids(&self) -> Result<BTreeSet<Vec<u8>>> {
        let mut classes = vec![ObjectClass::PUBLIC_KEY];
        if self.logged_in {
            classes.push(ObjectClass::PRIVATE_KEY);
        }
        let mut ids = BTreeSet::new();
        for class in classes {
            for h in find(&self.session, class, None).map_err(|e| self.map(e))? {
                let a = attrs(&self.session, h, &[AttributeType::Id]).map_err(|e| self.map(e))?;
                if let Some(id) = bytes(&a, AttributeType::Id).filter(|id| !id.is_empty()) {
                    ids.insert(id.to_vec());
                }
            }
        }
        Ok(ids)
    }

    /// Certificate objects whose value does not parse (the listing skips them).
    pub fn unreadable_certificates(&self) -> Result<Vec<UnreadableCertificate>> {
        Ok(self
            .raw_certificates()?
            .into_iter()
            .filter_map(|c| {
                Certificate::from_der(&c.der)
                    .err()
                    .map(|e| UnreadableCertificate {
                        id: KeyRef::new(c.id),
                        reference: CertRef::of_der(&c.der),
                        reason: e.to_string(),
                    })
            })
            .collect())
    }

    fn destroy_all(&self, handles: Vec<ObjectHandle>) -> Result<usize> {
        let n = handles.len();
        for h in handles {
            self.session.destroy_object(h).map_err(|e| self.map(e))?;
        }
        Ok(n)
    }

    /// Private and public key objects with this `CKA_ID`.
    fn destroy_key_objects(&self, id: &[u8]) -> Result<usize> {
        let mut handles =
            find(&self.session, ObjectClass::PRIVATE_KEY, Some(id)).map_err(|e| self.map(e))?;
        handles.extend(
            find(&self.session, ObjectClass::PUBLIC_KEY, Some(id)).map_err(|e| self.map(e))?,
        );
        self.destroy_all(handles)
    }

    fn data_handles(&self, name: &str) -> Result<Vec<ObjectHandle>> {
        self.session
            .find_objects(&[
                Attribute::Class(ObjectClass::DATA),
                Attribute::Label(name.as_bytes().to_vec()),
            ])
            .map_err(|e| self.map(e))
    }

    /// The private-key object with this `CKA_ID`.
    pub(crate) fn private_key(&self, key: &KeyRef) -> Result<ObjectHandle> {
        self.need_login()?;
        find(&self.session, ObjectClass::PRIVATE_KEY, Some(key.id()))
            .map_err(|e| self.map(e))?
            .into_iter()
            .next()
            .ok_or(MediumError::NoSuchKey)
    }
}

impl Medium for Pkcs11Token {
    fn info(&self) -> Result<MediumInfo> {
        let ti = self.token_info()?;
        Ok(self.module.medium_info(&ti, self.logged_in))
    }

    fn certificates(&self) -> Result<Vec<CertEntry>> {
        let keys = self.key_ids()?;
        let mut out = Vec::new();
        for raw in self.raw_certificates()? {
            // Garbage in one object must not hide the rest: see `unreadable_certificates`.
            let Ok(certificate) = Certificate::from_der(&raw.der) else {
                continue;
            };
            out.push(CertEntry {
                reference: CertRef::of_der(&raw.der),
                certificate,
                key: keys.contains(&raw.id).then(|| KeyRef::new(raw.id)),
            });
        }
        Ok(out)
    }

    fn keys(&self) -> Result<Vec<KeyEntry>> {
        self.key_entries()
    }

    fn login(&mut self, pin: &Pin) -> Result<()> {
        // Login state is per token and application (v2.40 §5.6): clear it so the PIN is checked.
        let _ = self.session.logout();
        self.logged_in = false;
        self.key_cache.clear();
        let auth = auth_pin(pin.expose())?;
        self.session
            .login(UserType::User, Some(&auth))
            .map_err(|e| self.map_pin(e, UserType::User))?;
        self.logged_in = true;
        Ok(())
    }

    fn logout(&mut self) {
        self.key_cache.clear();
        if self.logged_in {
            let _ = self.session.logout();
        }
        self.logged_in = false;
    }

    fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<()> {
        self.check_pin_len(new.char_len())?;
        let (old, new) = (auth_pin(old.expose())?, auth_pin(new.expose())?);
        self.session
            .set_pin(&old, &new)
            .map_err(|e| self.map_pin(e, UserType::User))
    }

    fn unlock(&mut self, so_pin: &SoPin, new_pin: &Pin) -> Result<()> {
        self.check_pin_len(new_pin.char_len())?;
        self.logout();
        let _ = self.session.logout();
        let so = auth_pin(so_pin.expose())?;
        self.session
            .login(UserType::So, Some(&so))
            .map_err(|e| self.map_pin(e, UserType::So))?;
        let result = auth_pin(new_pin.expose()).and_then(|p| {
            self.session
                .init_pin(&p)
                .map_err(|e| self.map_pin(e, UserType::User))
        });
        let _ = self.session.logout();
        result
    }

    fn generate_key(&mut self, spec: KeySpec, request: &CsrRequest) -> Result<GeneratedKey> {
        self.generate(spec, request)
    }

    fn import_certificate(&mut self, der: &[u8]) -> Result<CertEntry> {
        self.need_login()?;
        self.store_certificate(der, None)
    }

    fn import_key(
        &mut self,
        pkcs8: &[u8],
        certificates: &[Vec<u8>],
        exportable: bool,
    ) -> Result<(KeyEntry, Vec<CertEntry>)> {
        self.need_login()?;
        let key = self.store_key(pkcs8, exportable)?;
        let mut stored = Vec::new();
        for der in certificates {
            match self.store_certificate(der, None) {
                Ok(entry) => stored.push(entry),
                Err(MediumError::NoMatchingKey { .. }) => {
                    stored.push(self.store_certificate(der, Some(&[]))?);
                }
                Err(e) => return Err(e),
            }
        }
        Ok((key, stored))
    }

    fn export_key(&mut self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>> {
        self.export(key)
    }

    fn delete_certificate(&mut self, cert: &CertRef) -> Result<()> {
        self.need_login()?;
        self.key_cache.clear();
        let all = self.raw_certificates()?;
        let (gone, rest): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|c| CertRef::of_der(&c.der) == *cert);
        if gone.is_empty() {
            return Err(MediumError::NoSuchCertificate);
        }
        for c in &gone {
            self.session
                .destroy_object(c.handle)
                .map_err(|e| self.map(e))?;
        }
        // As on the file device: the key goes with its last certificate.
        for c in gone {
            if !c.id.is_empty() && !rest.iter().any(|r| r.id == c.id) {
                self.destroy_key_objects(&c.id)?;
            }
        }
        Ok(())
    }

    fn delete_key(&mut self, key: &KeyRef) -> Result<()> {
        self.need_login()?;
        self.key_cache.clear();
        if find(&self.session, ObjectClass::PRIVATE_KEY, Some(key.id()))
            .map_err(|e| self.map(e))?
            .is_empty()
        {
            return Err(MediumError::NoSuchKey);
        }
        self.destroy_key_objects(key.id())?;
        Ok(())
    }

    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>> {
        self.need_login()?;
        let cached = self.key_cache.get(key.id()).copied();
        let (handle, algorithm) = match cached {
            Some(hit) => hit,
            None => {
                let handle = self.private_key(key)?;
                let algorithm = self.private_algorithm(handle)?;
                self.key_cache
                    .insert(key.id().to_vec(), (handle, algorithm));
                (handle, algorithm)
            }
        };
        if algorithm == crate::KeyAlgorithm::Sm2 || self.module.options.sm2_sign_mechanism.is_some()
        {
            return self.sign_with(handle, alg, data);
        }
        let plan = sign::plan(algorithm, alg, data, &self.mechanisms, None)?;
        let out = self
            .session
            .sign(&plan.mechanism, handle, &plan.input)
            .map_err(|e| self.map(e));
        if out.is_err() {
            self.key_cache.clear();
        }
        let out = out?;
        if plan.raw_ec {
            sign::ec_der(out)
        } else {
            Ok(out)
        }
    }

    fn decrypt(&mut self, key: &KeyRef, alg: &EncAlg, _data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.need_login()?;
        let entry = self.key_entry(self.private_key(key)?)?;
        match (alg, entry.map(|k| k.algorithm)) {
            (EncAlg::Sm2 { .. }, Some(crate::KeyAlgorithm::Sm2) | None) => {
                Err(MediumError::Unsupported {
                    what: "SM2 decryption: this PKCS#11 module offers no SM2 mechanism (SoftHSM2 \
                           has none)"
                        .into(),
                })
            }
            _ => Err(MediumError::KeyMismatch {
                operation: "this decryption scheme",
            }),
        }
    }

    fn data_objects(&self) -> Result<Vec<String>> {
        let handles = find(&self.session, ObjectClass::DATA, None).map_err(|e| self.map(e))?;
        let mut names = BTreeSet::new();
        for h in handles {
            let a = attrs(&self.session, h, &[AttributeType::Label]).map_err(|e| self.map(e))?;
            if let Some(label) = bytes(&a, AttributeType::Label).filter(|l| !l.is_empty()) {
                names.insert(String::from_utf8_lossy(label).into_owned());
            }
        }
        Ok(names.into_iter().collect())
    }

    fn read_data_object(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(h) = self.data_handles(name)?.into_iter().next() else {
            return Ok(None);
        };
        let a = attrs(&self.session, h, &[AttributeType::Value]).map_err(|e| self.map(e))?;
        Ok(Some(
            bytes(&a, AttributeType::Value).unwrap_or_default().to_vec(),
        ))
    }

    fn write_data_object(&mut self, name: &str, value: &[u8], private: bool) -> Result<()> {
        self.need_login()?;
        let old = self.data_handles(name)?;
        self.session
            .create_object(&[
                Attribute::Class(ObjectClass::DATA),
                Attribute::Token(true),
                Attribute::Private(private),
                Attribute::Modifiable(true),
                Attribute::Label(name.as_bytes().to_vec()),
                Attribute::Application(APPLICATION.to_vec()),
                Attribute::Value(value.to_vec()),
            ])
            .map_err(|e| self.map(e))?;
        // Replace only after the new object exists, so a failure keeps the old one.
        self.destroy_all(old)?;
        Ok(())
    }

    fn delete_data_object(&mut self, name: &str) -> Result<bool> {
        self.need_login()?;
        Ok(self.destroy_all(self.data_handles(name)?)? > 0)
    }
}

impl Pkcs11Token {
    /// The algorithm of a private-key object from its own attributes (`CKA_KEY_TYPE`,
    /// `CKA_EC_PARAMS`, `CKA_MODULUS`; PKCS#11 v2.40 §2.1.3, §2.3.4), without its public half.
    fn private_algorithm(&self, handle: ObjectHandle) -> Result<crate::KeyAlgorithm> {
        let a = attrs(
            &self.session,
            handle,
            &[
                AttributeType::KeyType,
                AttributeType::EcParams,
                AttributeType::Modulus,
            ],
        )
        .map_err(|e| self.map(e))?;
        let kt = objects::key_type(&a);
        if kt == Some(cryptoki::object::KeyType::EC)
            && let Some(params) = bytes(&a, AttributeType::EcParams)
            && let Some(alg) = objects::ec_algorithm(&objects::curve_oid(params)?)
        {
            return Ok(alg);
        }
        if kt == Some(cryptoki::object::KeyType::RSA)
            && let Some(n) = bytes(&a, AttributeType::Modulus)
        {
            return Ok(crate::KeyAlgorithm::Rsa {
                bits: objects::rsa_bits(n),
            });
        }
        Err(MediumError::Unsupported {
            what: "a key type other than EC (P-256, P-384, SM2) or RSA".into(),
        })
    }

    /// The entry for a private-key object, if its public half can be found (a public-key object
    /// or a certificate with the same `CKA_ID`).
    pub(crate) fn key_entry(&self, private: ObjectHandle) -> Result<Option<KeyEntry>> {
        let a = attrs(
            &self.session,
            private,
            &[
                AttributeType::Id,
                AttributeType::Sensitive,
                AttributeType::Extractable,
            ],
        )
        .map_err(|e| self.map(e))?;
        let id = bytes(&a, AttributeType::Id).unwrap_or_default().to_vec();
        let exportable = objects::flag(&a, AttributeType::Extractable) == Some(true)
            && objects::flag(&a, AttributeType::Sensitive) == Some(false);
        let Some(half) = self.public_half_of(&id, Some(private))? else {
            return Ok(None);
        };
        Ok(Some(KeyEntry {
            reference: KeyRef::new(id),
            algorithm: half.algorithm,
            public_key: half.spki,
            exportable,
        }))
    }

    fn key_entries(&self) -> Result<Vec<KeyEntry>> {
        let mut out = Vec::new();
        if self.logged_in {
            for h in find(&self.session, ObjectClass::PRIVATE_KEY, None).map_err(|e| self.map(e))? {
                out.extend(self.key_entry(h)?);
            }
        } else {
            for h in find(&self.session, ObjectClass::PUBLIC_KEY, None).map_err(|e| self.map(e))? {
                let a = attrs(&self.session, h, &[AttributeType::Id]).map_err(|e| self.map(e))?;
                let id = bytes(&a, AttributeType::Id).unwrap_or_default().to_vec();
                if let Some(half) = objects::public_half(&self.session, h)? {
                    out.push(KeyEntry {
                        reference: KeyRef::new(id),
                        algorithm: half.algorithm,
                        public_key: half.spki,
                        exportable: false,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.reference.cmp(&b.reference));
        Ok(out)
    }

    /// Signs with a private-key object per `alg`.
    pub(crate) fn sign_with(
        &self,
        handle: ObjectHandle,
        alg: &SignAlg,
        data: &[u8],
    ) -> Result<Vec<u8>> {
        self.need_login()?;
        let entry = self.key_entry(handle)?.ok_or(MediumError::Unsupported {
            what: "a key whose public half is not on the token".into(),
        })?;
        let sm2_public = match (self.module.options.sm2_sign_mechanism, entry.algorithm) {
            (Some(m), crate::KeyAlgorithm::Sm2) => {
                let point = objects::spki_bits(&entry.public_key).unwrap_or_default();
                let mech = cryptoki::mechanism::MechanismType::new_vendor_defined(m as _).map_err(
                    |e| MediumError::Unsupported {
                        what: format!("SM2 mechanism {m:#x}: {e}"),
                    },
                )?;
                Some((
                    mech,
                    tessera_crypto::sm2::Sm2PublicKey::from_sec1_bytes(&point)?,
                ))
            }
            _ => None,
        };
        let plan = sign::plan(
            entry.algorithm,
            alg,
            data,
            &self.mechanisms,
            sm2_public.as_ref().map(|(m, p)| (*m, p)),
        )?;
        let out = self
            .session
            .sign(&plan.mechanism, handle, &plan.input)
            .map_err(|e| self.map(e))?;
        if plan.raw_ec {
            sign::ec_der(out)
        } else {
            Ok(out)
        }
    }
}
