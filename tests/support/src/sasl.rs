//! SASL/PLAIN on a [`RawConnection`](crate::wire::RawConnection), as Kafka's clients do it:
//! SaslHandshake v1, then the PLAIN token in SaslAuthenticate.

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
    SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;

use crate::wire::RawConnection;

impl RawConnection {
    /// Authenticates as `user` with `password`; returns the broker's error code (0 on success).
    pub fn sasl_plain(&mut self, user: &str, password: &str) -> i16 {
        self.send(
            ApiKey::SaslHandshake,
            1,
            1_000_001,
            &SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str("PLAIN")),
        );
        let (_, handshake): (i32, SaslHandshakeResponse) = self.receive(ApiKey::SaslHandshake, 1);
        if handshake.error_code != 0 {
            return handshake.error_code;
        }
        let token = format!("\0{user}\0{password}");
        self.send(
            ApiKey::SaslAuthenticate,
            2,
            1_000_002,
            &SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token.into_bytes())),
        );
        let (_, authenticated): (i32, SaslAuthenticateResponse) =
            self.receive(ApiKey::SaslAuthenticate, 2);
        authenticated.error_code
    }
}

impl RawConnection {
    /// A connection to `address` authenticated as `user` of `cluster` (SASL/PLAIN); panics if the
    /// broker refuses the credentials.
    pub fn connect_as(address: &str, cluster: &crate::Cluster, user: &str) -> Self {
        let mut connection = Self::connect(address);
        assert_eq!(connection.sasl_plain(user, cluster.password(user)), 0, "{user} authenticates");
        connection
    }
}
