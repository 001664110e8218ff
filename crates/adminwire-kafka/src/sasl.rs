//! Logging in with SASL (KIP-43, with KIP-152's framed tokens), without any I/O: [`Login`] says
//! which request to send next and reads each answer, so that every connection adminwire opens —
//! the sidecar's own, the admin client's — logs in the same way over its own transport.
//!
//! The exchange: a SaslHandshake naming the mechanism, then SaslAuthenticate requests carrying
//! its tokens. PLAIN sends one token, `\0user\0password`; SCRAM sends its first message, then its
//! proof, and checks the server's signature in the last answer.

use bytes::Bytes;
use kafka_protocol::messages::{
    SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;

use crate::scram::{Hash, Scram, ScramError};

/// A SASL login.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub mechanism: Mechanism,
    pub username: String,
    pub password: String,
}

impl Credentials {
    pub fn new(mechanism: Mechanism, username: &str, password: &str) -> Self {
        Self { mechanism, username: username.to_owned(), password: password.to_owned() }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs this.
        f.debug_struct("Credentials")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The SASL mechanisms adminwire logs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Scram(Hash),
}

impl Mechanism {
    /// The mechanism's name as Kafka spells it (`sasl.mechanism`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Scram(hash) => hash.mechanism(),
        }
    }

    /// The mechanism named `name` (case as Kafka spells it), if adminwire logs in with it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "PLAIN" => Some(Self::Plain),
            "SCRAM-SHA-256" => Some(Self::Scram(Hash::Sha256)),
            "SCRAM-SHA-512" => Some(Self::Scram(Hash::Sha512)),
            _ => None,
        }
    }
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The server refused the handshake: it does not offer the mechanism (or SASL at all).
    #[error("the server does not offer SASL/{wanted} (it offers {offered:?})")]
    Mechanism { wanted: &'static str, offered: Vec<String> },
    /// The server refused the credentials; `message` is its own.
    #[error("authentication as {username:?} failed: {message}")]
    Refused { username: String, code: i16, message: String },
    /// SCRAM could not go on: a bad server message, or a server that did not prove it knew the
    /// password.
    #[error("authentication as {username:?}: {source}")]
    Scram { username: String, source: ScramError },
}

/// One login in progress.
#[derive(Debug)]
pub struct Login {
    credentials: Credentials,
    step: Step,
}

#[derive(Debug)]
enum Step {
    /// The handshake is sent; its answer comes next.
    Handshake,
    /// PLAIN's one token is sent.
    PlainSent,
    /// SCRAM's first message is sent; the server's first message comes next.
    ScramFirstSent(Box<Scram>),
    /// SCRAM's proof is sent; the server's signature comes next.
    ScramFinalSent(Box<Scram>),
    Done,
}

impl Login {
    /// A login with `credentials`, and the handshake request that starts it.
    pub fn start(credentials: &Credentials) -> (Self, SaslHandshakeRequest) {
        let handshake = SaslHandshakeRequest::default()
            .with_mechanism(StrBytes::from_static_str(credentials.mechanism.name()));
        (Self { credentials: credentials.clone(), step: Step::Handshake }, handshake)
    }

    /// Reads the handshake's answer; the first token to send follows.
    pub fn handshake_answered(
        &mut self,
        answer: &SaslHandshakeResponse,
    ) -> Result<SaslAuthenticateRequest, LoginError> {
        if answer.error_code != 0 {
            let offered = answer.mechanisms.iter().map(|m| m.to_string()).collect();
            return Err(LoginError::Mechanism {
                wanted: self.credentials.mechanism.name(),
                offered,
            });
        }
        let token = match self.credentials.mechanism {
            Mechanism::Plain => {
                let Credentials { username, password, .. } = &self.credentials;
                let mut token = Vec::with_capacity(2 + username.len() + password.len());
                token.push(0);
                token.extend_from_slice(username.as_bytes());
                token.push(0);
                token.extend_from_slice(password.as_bytes());
                self.step = Step::PlainSent;
                token
            }
            Mechanism::Scram(hash) => {
                let scram =
                    Scram::new(hash, &self.credentials.username, &self.credentials.password)
                        .map_err(|source| self.scram_error(source))?;
                let first = scram.client_first().into_bytes();
                self.step = Step::ScramFirstSent(Box::new(scram));
                first
            }
        };
        Ok(token_request(token))
    }

    /// Reads the answer to the last token: the next token to send, or `None` once logged in.
    pub fn authenticate_answered(
        &mut self,
        answer: &SaslAuthenticateResponse,
    ) -> Result<Option<SaslAuthenticateRequest>, LoginError> {
        if answer.error_code != 0 {
            let message = answer
                .error_message
                .as_ref()
                .map_or_else(|| format!("error {}", answer.error_code), |m| m.to_string());
            return Err(LoginError::Refused {
                username: self.credentials.username.clone(),
                code: answer.error_code,
                message,
            });
        }
        let server_says = String::from_utf8_lossy(&answer.auth_bytes).into_owned();
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::PlainSent | Step::Done => Ok(None),
            Step::ScramFirstSent(mut scram) => {
                let proof =
                    scram.client_final(&server_says).map_err(|source| self.scram_error(source))?;
                self.step = Step::ScramFinalSent(scram);
                Ok(Some(token_request(proof.into_bytes())))
            }
            Step::ScramFinalSent(scram) => {
                scram
                    .check_server_final(&server_says)
                    .map_err(|source| self.scram_error(source))?;
                Ok(None)
            }
            // A token answered before the handshake was: the caller's mistake, not the server's.
            Step::Handshake => Err(self.scram_error(ScramError::Malformed(
                "an answer to a token before the handshake".to_owned(),
            ))),
        }
    }

    fn scram_error(&self, source: ScramError) -> LoginError {
        LoginError::Scram { username: self.credentials.username.clone(), source }
    }
}

fn token_request(token: Vec<u8>) -> SaslAuthenticateRequest {
    SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(bytes: &[u8]) -> SaslAuthenticateResponse {
        SaslAuthenticateResponse::default().with_auth_bytes(Bytes::copy_from_slice(bytes))
    }

    #[test]
    fn plain_sends_one_token_and_is_done_when_it_is_taken() {
        let credentials = Credentials::new(Mechanism::Plain, "alice", "s3cret");
        let (mut login, handshake) = Login::start(&credentials);
        assert_eq!(handshake.mechanism.as_str(), "PLAIN");
        let token = login.handshake_answered(&SaslHandshakeResponse::default()).unwrap();
        assert_eq!(&token.auth_bytes[..], b"\0alice\0s3cret");
        assert_eq!(login.authenticate_answered(&answer(b"")).unwrap(), None);
    }

    #[test]
    fn a_refused_mechanism_or_password_says_what_the_server_said() {
        let credentials = Credentials::new(Mechanism::Scram(Hash::Sha512), "bob", "x");
        let (mut login, _) = Login::start(&credentials);
        let refused = SaslHandshakeResponse::default()
            .with_error_code(33)
            .with_mechanisms(vec![StrBytes::from_static_str("PLAIN")]);
        let e = login.handshake_answered(&refused).unwrap_err();
        assert_eq!(
            e,
            LoginError::Mechanism { wanted: "SCRAM-SHA-512", offered: vec!["PLAIN".into()] }
        );

        let (mut login, _) = Login::start(&Credentials::new(Mechanism::Plain, "bob", "x"));
        login.handshake_answered(&SaslHandshakeResponse::default()).unwrap();
        let bad = SaslAuthenticateResponse::default().with_error_code(58).with_error_message(Some(
            StrBytes::from_static_str("Authentication failed: Invalid username or password"),
        ));
        let e = login.authenticate_answered(&bad).unwrap_err();
        assert!(e.to_string().contains("Invalid username or password"), "{e}");
        assert!(matches!(e, LoginError::Refused { code: 58, .. }));
    }

    #[test]
    fn scram_sends_its_first_message_then_a_proof_and_checks_the_server() {
        let credentials = Credentials::new(Mechanism::Scram(Hash::Sha256), "admin", "pw");
        let (mut login, handshake) = Login::start(&credentials);
        assert_eq!(handshake.mechanism.as_str(), "SCRAM-SHA-256");
        let first = login.handshake_answered(&SaslHandshakeResponse::default()).unwrap();
        let first = String::from_utf8(first.auth_bytes.to_vec()).unwrap();
        assert!(first.starts_with("n,,n=admin,r="), "{first}");
        // A server first message whose nonce does not extend the client's is refused.
        let e = login.authenticate_answered(&answer(b"r=other,s=c2FsdA==,i=4096")).unwrap_err();
        assert!(matches!(e, LoginError::Scram { .. }), "{e}");
    }
}
