//! Keys, certificates and data objects on a file device: the [`Medium`] implementation.

use der::Encode as _;
use tessera_x509::Certificate;
use zeroize::Zeroizing;

use super::{
    FileDevice,
    format::{B64, StoredCert, StoredData, StoredKey},
    wrap,
};
use crate::{
    CertEntry, CertRef, CsrRequest, EncAlg, FormatError, GeneratedKey, KeyAlgorithm, KeyEntry,
    KeyRef, KeySpec, Medium, MediumError, MediumInfo, Pin, Result, SignAlg, SoPin, csr,
    keys::{PrivateKey, key_id_of_spki},
};

/// Longest data object name, in bytes.
const MAX_NAME_LEN: usize = 128;

/// The key reference a certificate's public key would have.
fn key_id_of_cert(cert: &Certificate) -> Result<KeyRef> {
    let spki = cert
        .x509()
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| FormatError::Invalid {
            what: "certificate",
            reason: e.to_string(),
        })?;
    key_id_of_spki(&spki)
}

fn key_entry(stored: &StoredKey) -> Result<KeyEntry> {
    Ok(KeyEntry {
        reference: KeyRef::from_hex(&stored.id)
            .ok_or_else(|| FormatError::corrupt("key id is not hex"))?,
        algorithm: KeyAlgorithm::from_name(&stored.algorithm)
            .ok_or_else(|| FormatError::corrupt("unknown key algorithm"))?,
        public_key: stored.public_key.0.clone(),
        exportable: stored.exportable,
    })
}

impl FileDevice {
    fn has_key(&self, id: &KeyRef) -> bool {
        let hex = id.to_hex();
        self.state.keys.iter().any(|k| k.id == hex)
    }

    fn cert_entry(&self, der: &[u8]) -> Result<CertEntry> {
        let certificate = Certificate::from_der(der)?;
        let id = key_id_of_cert(&certificate)?;
        let key = self.has_key(&id).then_some(id);
        Ok(CertEntry {
            reference: CertRef::of_der(der),
            certificate,
            key,
        })
    }

    /// The private key `key`, unwrapped once per login and kept until logout or the next write.
    fn unwrapped_key(&mut self, key: &KeyRef) -> Result<&PrivateKey> {
        let id = key.to_hex();
        if !self.unwrapped_keys.contains_key(&id) {
            let private = self.private_key(key)?;
            self.unwrapped_keys.insert(id.clone(), private);
        }
        self.unwrapped_keys.get(&id).ok_or(MediumError::NoSuchKey)
    }

    /// Unwraps a private key and checks it against its stored public half.
    fn private_key(&self, key: &KeyRef) -> Result<PrivateKey> {
        let data_key = self.data_key()?;
        let hex = key.to_hex();
        let stored = self
            .state
            .keys
            .iter()
            .find(|k| k.id == hex)
            .ok_or(MediumError::NoSuchKey)?;
        let pkcs8 = wrap::unwrap_object(
            &self.state,
            data_key,
            "key",
            &stored.id,
            &stored.private_key,
        )?
        .ok_or(FormatError::Tampered)?;
        let private = PrivateKey::from_pkcs8(&pkcs8)?;
        if private.spki_der()? != stored.public_key.0 {
            return Err(FormatError::Tampered.into());
        }
        Ok(private)
    }

    /// Wraps `key` into a stored key; the caller adds it.
    fn wrap_key(&self, key: &PrivateKey, exportable: bool) -> Result<(StoredKey, KeyEntry)> {
        let data_key = self.data_key()?;
        let spki = key.spki_der()?;
        let id = key_id_of_spki(&spki)?;
        let pkcs8 = key.to_pkcs8()?;
        let stored = StoredKey {
            id: id.to_hex(),
            algorithm: key.algorithm().name(),
            public_key: B64(spki),
            exportable,
            private_key: wrap::wrap_object(&self.state, data_key, "key", &id.to_hex(), &pkcs8)?,
        };
        let entry = key_entry(&stored)?;
        Ok((stored, entry))
    }

    fn check_name(name: &str) -> Result<()> {
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            return Err(FormatError::Invalid {
                what: "data object name",
                reason: format!("must be 1 to {MAX_NAME_LEN} bytes"),
            }
            .into());
        }
        Ok(())
    }
}

impl Medium for FileDevice {
    fn info(&self) -> Result<MediumInfo> {
        Ok(self.info_impl())
    }

    fn certificates(&self) -> Result<Vec<CertEntry>> {
        self.state
            .certificates
            .iter()
            .map(|c| self.cert_entry(&c.der.0))
            .collect()
    }

    fn keys(&self) -> Result<Vec<KeyEntry>> {
        self.state.keys.iter().map(key_entry).collect()
    }

    fn login(&mut self, pin: &Pin) -> Result<()> {
        self.login_impl(pin)
    }

    fn logout(&mut self) {
        self.data_key = None;
        self.unwrapped_keys.clear();
    }

    fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<()> {
        self.change_pin_impl(old, new)
    }

    fn unlock(&mut self, so_pin: &SoPin, new_pin: &Pin) -> Result<()> {
        self.unlock_impl(so_pin, new_pin)
    }

    fn generate_key(&mut self, spec: KeySpec, request: &CsrRequest) -> Result<GeneratedKey> {
        self.data_key()?;
        let key = PrivateKey::generate(spec)?;
        let csr = csr::build(&key, request)?;
        let (stored, entry) = self.wrap_key(&key, request.exportable)?;
        self.update(|next| {
            next.keys.push(stored);
            Ok(())
        })?;
        Ok(GeneratedKey { key: entry, csr })
    }

    fn import_certificate(&mut self, der: &[u8]) -> Result<CertEntry> {
        self.data_key()?;
        let entry = self.cert_entry(der)?;
        if entry.key.is_none() {
            return Err(MediumError::NoMatchingKey {
                thumbprint: entry.reference.thumbprint().to_owned(),
            });
        }
        self.update(|next| {
            if !next.certificates.iter().any(|c| c.der.0 == der) {
                next.certificates.push(StoredCert {
                    der: B64(der.to_vec()),
                });
            }
            Ok(())
        })?;
        Ok(entry)
    }

    fn import_key(
        &mut self,
        pkcs8: &[u8],
        certificates: &[Vec<u8>],
        exportable: bool,
    ) -> Result<(KeyEntry, Vec<CertEntry>)> {
        self.data_key()?;
        let key = PrivateKey::from_pkcs8(pkcs8)?;
        let (stored, entry) = self.wrap_key(&key, exportable)?;
        for der in certificates {
            Certificate::from_der(der)?;
        }
        self.update(|next| {
            if let Some(existing) = next.keys.iter_mut().find(|k| k.id == stored.id) {
                existing.exportable |= exportable;
            } else {
                next.keys.push(stored);
            }
            for der in certificates {
                if !next.certificates.iter().any(|c| &c.der.0 == der) {
                    next.certificates.push(StoredCert {
                        der: B64(der.clone()),
                    });
                }
            }
            Ok(())
        })?;
        let certs = certificates
            .iter()
            .map(|der| self.cert_entry(der))
            .collect::<Result<Vec<_>>>()?;
        let entry = self
            .keys()?
            .into_iter()
            .find(|k| k.reference == entry.reference)
            .unwrap_or(entry);
        Ok((entry, certs))
    }

    fn export_key(&mut self, key: &KeyRef) -> Result<Zeroizing<Vec<u8>>> {
        let private = self.private_key(key)?;
        let hex = key.to_hex();
        if !self.state.keys.iter().any(|k| k.id == hex && k.exportable) {
            return Err(MediumError::NotExportable);
        }
        private.to_pkcs8()
    }

    fn delete_certificate(&mut self, cert: &CertRef) -> Result<()> {
        self.data_key()?;
        self.update(|next| {
            let pos = next
                .certificates
                .iter()
                .position(|c| CertRef::of_der(&c.der.0) == *cert)
                .ok_or(MediumError::NoSuchCertificate)?;
            let removed = next.certificates.remove(pos);
            let key_id = key_id_of_cert(&Certificate::from_der(&removed.der.0)?)?.to_hex();
            let still_used = next.certificates.iter().any(|c| {
                Certificate::from_der(&c.der.0)
                    .ok()
                    .and_then(|c| key_id_of_cert(&c).ok())
                    .is_some_and(|id| id.to_hex() == key_id)
            });
            if !still_used {
                next.keys.retain(|k| k.id != key_id);
            }
            Ok(())
        })
    }

    fn delete_key(&mut self, key: &KeyRef) -> Result<()> {
        self.data_key()?;
        let hex = key.to_hex();
        self.update(|next| {
            if !next.keys.iter().any(|k| k.id == hex) {
                return Err(MediumError::NoSuchKey);
            }
            next.keys.retain(|k| k.id != hex);
            Ok(())
        })
    }

    fn sign(&mut self, key: &KeyRef, alg: &SignAlg, data: &[u8]) -> Result<Vec<u8>> {
        self.unwrapped_key(key)?.sign(alg, data)
    }

    fn decrypt(&mut self, key: &KeyRef, alg: &EncAlg, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.unwrapped_key(key)?.decrypt(alg, data)
    }

    fn data_objects(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .state
            .data_objects
            .iter()
            .map(|d| d.name.clone())
            .collect();
        names.sort();
        Ok(names)
    }

    fn read_data_object(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(obj) = self.state.data_objects.iter().find(|d| d.name == name) else {
            return Ok(None);
        };
        match (&obj.value, &obj.wrapped) {
            (Some(v), None) => Ok(Some(v.0.clone())),
            (None, Some(wrapped)) => {
                let plain =
                    wrap::unwrap_object(&self.state, self.data_key()?, "data", name, wrapped)?
                        .ok_or(FormatError::Tampered)?;
                Ok(Some(plain.to_vec()))
            }
            _ => Err(FormatError::corrupt("data object neither public nor private").into()),
        }
    }

    fn write_data_object(&mut self, name: &str, value: &[u8], private: bool) -> Result<()> {
        Self::check_name(name)?;
        let data_key = self.data_key()?;
        let obj = if private {
            StoredData {
                name: name.to_owned(),
                value: None,
                wrapped: Some(wrap::wrap_object(
                    &self.state,
                    data_key,
                    "data",
                    name,
                    value,
                )?),
            }
        } else {
            StoredData {
                name: name.to_owned(),
                value: Some(B64(value.to_vec())),
                wrapped: None,
            }
        };
        self.update(|next| {
            next.data_objects.retain(|d| d.name != name);
            next.data_objects.push(obj);
            Ok(())
        })
    }

    fn delete_data_object(&mut self, name: &str) -> Result<bool> {
        self.data_key()?;
        let _write = super::lock::WriteLock::acquire(&self.path)?;
        self.reload()?;
        let mut next = self.state.clone();
        let before = next.data_objects.len();
        next.data_objects.retain(|d| d.name != name);
        if next.data_objects.len() == before {
            return Ok(false);
        }
        self.commit(next)?;
        Ok(true)
    }
}
