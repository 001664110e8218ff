//! The client side of SASL/SCRAM (RFC 5802), with SHA-256 and SHA-512 as Kafka offers them
//! (RFC 7677, KIP-84): the client's first message, its proof once the server has given salt and
//! iterations, and the check of the server's signature, which proves the server knew the
//! password too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// Which hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha512,
}

impl Hash {
    /// The SASL mechanism's name.
    pub fn mechanism(self) -> &'static str {
        match self {
            Self::Sha256 => "SCRAM-SHA-256",
            Self::Sha512 => "SCRAM-SHA-512",
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes a key of any length, so neither can fail.
        match self {
            Self::Sha256 => {
                let mut mac =
                    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Self::Sha512 => {
                let mut mac =
                    <Hmac<Sha512> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// `Hi()` of RFC 5802: PBKDF2 with this hash's HMAC.
    fn salted_password(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            Self::Sha256 => {
                let mut out = vec![0; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut out);
                out
            }
            Self::Sha512 => {
                let mut out = vec![0; 64];
                pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, iterations, &mut out);
                out
            }
        }
    }
}

/// Kafka stores SCRAM credentials with at least this many iterations, and its own client refuses
/// fewer: a server asking for fewer is not to be trusted with the proof.
pub const MIN_ITERATIONS: u32 = 4096;

/// More iterations than any Kafka stores (its limit is 16,384): a server asking for more would
/// only make the client spin.
pub const MAX_ITERATIONS: u32 = 16_384;

/// Why a SCRAM exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    #[error("the server's SCRAM message is malformed: {0}")]
    Malformed(String),
    #[error("the server refused: {0}")]
    Refused(String),
    #[error("the server's nonce does not extend ours")]
    Nonce,
    #[error("the server asks for {0} iterations; {MIN_ITERATIONS}-{MAX_ITERATIONS} are taken")]
    Iterations(u32),
    #[error("the server's signature is wrong: it does not know the password")]
    ServerSignature,
    #[error("no random bytes for the nonce: {0}")]
    Random(String),
}

/// One SCRAM exchange, from the client's side.
pub struct Scram {
    hash: Hash,
    password: String,
    first_bare: String,
    nonce: String,
    /// After the proof: the signature the server must answer with.
    server_signature: Option<Vec<u8>>,
}

impl std::fmt::Debug for Scram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password (nor what is derived from it), whatever logs this.
        f.debug_struct("Scram").field("hash", &self.hash).finish_non_exhaustive()
    }
}

impl Scram {
    /// An exchange for `username` with a fresh random nonce.
    pub fn new(hash: Hash, username: &str, password: &str) -> Result<Self, ScramError> {
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| ScramError::Random(e.to_string()))?;
        Ok(Self::with_nonce(hash, username, password, BASE64.encode(random)))
    }

    /// An exchange with the given nonce (tests use the RFC's).
    pub fn with_nonce(hash: Hash, username: &str, password: &str, nonce: String) -> Self {
        // `=` and `,` in a name are escaped as `=3D` and `=2C`.
        let name = username.replace('=', "=3D").replace(',', "=2C");
        let first_bare = format!("n={name},r={nonce}");
        Self { hash, password: password.to_owned(), first_bare, nonce, server_signature: None }
    }

    /// The client's first message: no channel binding, no authorization identity.
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.first_bare)
    }

    /// The client's final message (with its proof), given the server's first.
    pub fn client_final(&mut self, server_first: &str) -> Result<String, ScramError> {
        let attributes = parse(server_first)?;
        let nonce = attribute(&attributes, 'r')?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return Err(ScramError::Nonce);
        }
        let salt = BASE64
            .decode(attribute(&attributes, 's')?)
            .map_err(|e| ScramError::Malformed(format!("salt: {e}")))?;
        let iterations: u32 = attribute(&attributes, 'i')?
            .parse()
            .map_err(|e| ScramError::Malformed(format!("iterations: {e}")))?;
        if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
            return Err(ScramError::Iterations(iterations));
        }
        // "biws" is the base64 of "n,,", the header of the client's first message.
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.first_bare);
        let salted = self.hash.salted_password(&self.password, &salt, iterations);
        let client_key = self.hash.hmac(&salted, b"Client Key");
        let stored_key = self.hash.hash(&client_key);
        let client_signature = self.hash.hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key.iter().zip(&client_signature).map(|(k, s)| k ^ s).collect();
        let server_key = self.hash.hmac(&salted, b"Server Key");
        self.server_signature = Some(self.hash.hmac(&server_key, auth_message.as_bytes()));
        Ok(format!("{without_proof},p={}", BASE64.encode(proof)))
    }

    /// Checks the server's final message: its signature, or the error it gives.
    pub fn check_server_final(&self, server_final: &str) -> Result<(), ScramError> {
        let attributes = parse(server_final)?;
        if let Ok(error) = attribute(&attributes, 'e') {
            return Err(ScramError::Refused(error.to_owned()));
        }
        let signature = BASE64
            .decode(attribute(&attributes, 'v')?)
            .map_err(|e| ScramError::Malformed(format!("signature: {e}")))?;
        match &self.server_signature {
            Some(expected) if *expected == signature => Ok(()),
            _ => Err(ScramError::ServerSignature),
        }
    }
}

/// `a=value,b=value`: the attributes in order.
fn parse(message: &str) -> Result<Vec<(char, &str)>, ScramError> {
    message
        .split(',')
        .map(|part| {
            let mut chars = part.chars();
            match (chars.next(), chars.next()) {
                (Some(name), Some('=')) => Ok((name, &part[2..])),
                _ => Err(ScramError::Malformed(format!("{part:?} is not an attribute"))),
            }
        })
        .collect()
}

fn attribute<'a>(attributes: &[(char, &'a str)], name: char) -> Result<&'a str, ScramError> {
    attributes
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| ScramError::Malformed(format!("no {name}= attribute")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677, section 3: user "user", password "pencil".
    #[test]
    fn the_rfc_7677_exchange_is_reproduced() {
        let mut scram =
            Scram::with_nonce(Hash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO".into());
        assert_eq!(scram.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        assert_eq!(
            scram.client_final(server_first).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert_eq!(
            scram.check_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Ok(())
        );
        assert_eq!(
            scram.check_server_final("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
            Err(ScramError::ServerSignature)
        );
    }

    #[test]
    fn a_server_that_cheats_or_errs_is_refused() {
        let fresh = || Scram::with_nonce(Hash::Sha512, "a=b,c", "pw", "abc".into());
        assert_eq!(fresh().client_first(), "n,,n=a=3Db=2Cc,r=abc");
        let salt = "s=W22ZaJ0SNY7soEsUEjb6gQ==";
        assert_eq!(fresh().client_final(&format!("r=xyz,{salt},i=4096")), Err(ScramError::Nonce));
        assert_eq!(fresh().client_final(&format!("r=abc,{salt},i=4096")), Err(ScramError::Nonce));
        assert_eq!(
            fresh().client_final(&format!("r=abcd,{salt},i=1")),
            Err(ScramError::Iterations(1))
        );
        assert!(matches!(fresh().client_final("r=abcd"), Err(ScramError::Malformed(_))));
        assert!(matches!(fresh().client_final("garbage"), Err(ScramError::Malformed(_))));
        assert_eq!(
            fresh().check_server_final("e=invalid-proof"),
            Err(ScramError::Refused("invalid-proof".into()))
        );
        let mut scram = fresh();
        assert!(scram.client_final(&format!("r=abcd,{salt},i=4096")).unwrap().contains(",p="));
    }
}
