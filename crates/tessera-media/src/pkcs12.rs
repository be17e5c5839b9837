//! PKCS#12 (RFC 7292) and PEM (RFC 7468) import and export.
