//! Just enough PEM (RFC 7468) to read certificate bundles: every `CERTIFICATE` block in a text,
//! or one DER certificate as it is.

/// Label of a PEM certificate (RFC 7468 §5.1).
const LABEL: &str = "CERTIFICATE";
const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";

/// The DER certificates in `bytes`: each `CERTIFICATE` block of a PEM text (other blocks and
/// text between blocks are skipped, RFC 7468 §2), or `bytes` itself when it starts like DER.
pub(crate) fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, BEGIN) {
        let block = &rest[start..];
        let end_marker = find(block, END).ok_or("PEM block without an END line")?;
        // The END line runs to the next line break (or the end of the text).
        let after_end = &block[end_marker..];
        let line_len = after_end
            .iter()
            .position(|&b| b == b'\n')
            .map_or(after_end.len(), |p| p + 1);
        let block_len = end_marker + line_len;
        let (label, der) =
            pem_rfc7468::decode_vec(&block[..block_len]).map_err(|_| "malformed PEM block")?;
        if label == LABEL {
            out.push(der);
        }
        rest = &block[block_len..];
    }
    if out.is_empty() {
        return Err("no certificate found (expected DER or PEM \"CERTIFICATE\" blocks)");
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn reads_blocks_between_text() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let pem = pem_rfc7468::encode_string(LABEL, pem_rfc7468::LineEnding::LF, &der).unwrap();
        let key =
            pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::CRLF, &der).unwrap();
        let text = format!("subject=...\n{pem}\n# comment\n{key}{pem}");
        assert_eq!(
            certificates(text.as_bytes()).unwrap(),
            vec![der.to_vec(), der.to_vec()]
        );
        assert_eq!(certificates(&der).unwrap(), vec![der.to_vec()]);
        assert!(certificates(b"nothing here").is_err());
    }
}
