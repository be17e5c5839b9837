//! Secrets on the wire: passwords. `Debug` never shows them and their memory is wiped on drop.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroize;

/// A password on the wire: `Debug` shows nothing, the memory is wiped on drop, and `==`
/// compares in time independent of the contents (only the lengths may show).
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text, for hashing or sending.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Password {}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn equality_is_by_content_and_debug_is_redacted() {
        let a = Password::new("correct horse 9");
        assert_eq!(a, Password::new("correct horse 9"));
        assert_ne!(a, Password::new("correct horse 8"));
        assert_ne!(a, Password::new("correct horse 99"));
        assert_ne!(a, Password::default());
        assert_eq!(format!("{a:?}"), "Password(***)");
    }
}
