//! Who a client logged in as, read from the SASL token it sends its broker through the sidecar,
//! to record with work done for it later (a reassignment job says who asked for it). The broker
//! authenticates the client; this only names it, as Kafka's default principal builder does
//! (`User:name`).

use bytes::Bytes;
use kafka_protocol::messages::{RequestHeader, SaslAuthenticateRequest};
use kafka_protocol::protocol::{Decodable, HeaderVersion};

/// The principal of a client that has not logged in.
pub const ANONYMOUS: &str = "User:ANONYMOUS";

/// The principal a SaslAuthenticate request (`payload`: header and body, of `version`) logs in
/// as, for the mechanisms whose first token names the user: PLAIN (`authzid\0user\0password`)
/// and SCRAM (`n,,n=user,r=…`). `None` for any other token, or one that does not decode.
pub fn from_sasl_authenticate(payload: &[u8], version: i16) -> Option<String> {
    let mut buf = Bytes::copy_from_slice(payload);
    let header_version = SaslAuthenticateRequest::header_version(version);
    RequestHeader::decode(&mut buf, header_version).ok()?;
    let request = SaslAuthenticateRequest::decode(&mut buf, version).ok()?;
    user(&request.auth_bytes).map(|name| format!("User:{name}"))
}

fn user(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    let parts: Vec<&str> = text.split('\0').collect();
    if let [authzid, authcid, _password] = parts.as_slice() {
        let name = if authzid.is_empty() { authcid } else { authzid };
        return (!name.is_empty()).then(|| (*name).to_owned());
    }
    // SCRAM's client-first message: a GS2 header (`n,,` or `y,,` or with `a=authzid`), then
    // `n=user,r=nonce`; the user with `,` and `=` escaped as `=2C` and `=3D`.
    let mut fields = text.splitn(3, ',');
    let (Some(binding), Some(authzid), Some(rest)) = (fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    if !matches!(binding, "n" | "y") && !binding.starts_with("p=") {
        return None;
    }
    let escaped = |s: &str| s.replace("=2C", ",").replace("=3D", "=");
    if let Some(name) = authzid.strip_prefix("a=").filter(|n| !n.is_empty()) {
        return Some(escaped(name));
    }
    let name = rest.split(',').next()?.strip_prefix("n=")?;
    (!name.is_empty()).then(|| escaped(name))
}

/// Who a client is, as its connection knows it: for the links' status, which names the clients
/// seen switching to the target.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Its address (`ip:port`).
    pub address: String,
    pub principal: Option<String>,
    /// The software it named in ApiVersions, `name/version`.
    pub software: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_scram_first_tokens_name_their_user_and_others_do_not() {
        assert_eq!(user(b"\0alice\0secret").as_deref(), Some("alice"));
        assert_eq!(user(b"admin\0alice\0secret").as_deref(), Some("admin"));
        assert_eq!(user(b"n,,n=bob,r=fyko+d2lbbFgONRv9qkxdawL").as_deref(), Some("bob"));
        assert_eq!(user(b"y,,n=o=3Dd=2Cd,r=abc").as_deref(), Some("o=d,d"));
        assert_eq!(user(b"n,a=boss,n=bob,r=abc").as_deref(), Some("boss"));
        // SCRAM's final message, binary tokens, empty names.
        assert_eq!(user(b"c=biws,r=abc,p=xyz"), None);
        assert_eq!(user(&[0x60, 0x82, 0x01, 0x00]), None);
        assert_eq!(user(b"\0\0secret"), None);
    }
}
