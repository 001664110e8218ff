//! How an [`AdminClient`](crate::AdminClient) connects: the settings a Kafka user knows from
//! `Admin` (`bootstrap.servers`, `client.id`, `request.timeout.ms`, `retries`, ...), in Rust
//! types, or read from Kafka-style properties.

use std::time::Duration;

use crate::error::Error;

/// How the client talks to the servers (`security.protocol`). TLS is not offered: the sidecar
/// has no TLS listener yet, and asking for it is a configuration error rather than a connection
/// that silently is not what was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecurityProtocol {
    /// Plain TCP, no authentication (Kafka's `PLAINTEXT`).
    #[default]
    Plaintext,
    /// Plain TCP, logging in with SASL first (Kafka's `SASL_PLAINTEXT`): the sidecar passes the
    /// login to a broker, which authenticates the client and authorizes everything it asks for.
    SaslPlaintext,
}

/// The SASL mechanisms the client logs in with (`sasl.mechanism`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslMechanism {
    /// `PLAIN`: the password is sent as it is (so only over a network you trust).
    Plain,
    /// `SCRAM-SHA-256`: a salted challenge; the password never crosses the wire.
    ScramSha256,
    /// `SCRAM-SHA-512`.
    ScramSha512,
}

impl SaslMechanism {
    /// The name Kafka gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    fn from_name(name: &str) -> Result<Self, Error> {
        match name.to_ascii_uppercase().as_str() {
            "PLAIN" => Ok(Self::Plain),
            "SCRAM-SHA-256" => Ok(Self::ScramSha256),
            "SCRAM-SHA-512" => Ok(Self::ScramSha512),
            other => Err(Error::Config(format!(
                "sasl.mechanism={other} is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"
            ))),
        }
    }
}

/// A SASL login: the mechanism, the user and the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SaslCredentials {
    /// How to log in.
    pub mechanism: SaslMechanism,
    /// Who logs in.
    pub username: String,
    /// The user's password.
    pub password: String,
}

impl std::fmt::Debug for SaslCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, whatever logs a configuration.
        f.debug_struct("SaslCredentials")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The login modules whose `username` and `password` options are a PLAIN or SCRAM login.
const LOGIN_MODULES: [&str; 2] = [
    "org.apache.kafka.common.security.plain.PlainLoginModule",
    "org.apache.kafka.common.security.scram.ScramLoginModule",
];

/// The client's settings. [`AdminClientConfig::new`] gives Kafka's defaults for everything but
/// the bootstrap servers.
///
/// ```
/// use std::time::Duration;
/// use adminwire_client::AdminClientConfig;
///
/// let config = AdminClientConfig::new(["sidecar-1:9092", "sidecar-2:9092"])
///     .client_id("ops-tool")
///     .request_timeout(Duration::from_secs(10))
///     .retries(3);
/// assert_eq!(config.bootstrap_servers.len(), 2);
/// assert_eq!(config.retry_backoff, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminClientConfig {
    /// `host:port` of one or more sidecar listeners (`bootstrap.servers`). The first that answers
    /// is used until the cluster's controller is known.
    pub bootstrap_servers: Vec<String>,
    /// Sent in every request header (`client.id`); the brokers log it.
    pub client_id: String,
    /// How long one request may wait for its response (`request.timeout.ms`, default 30 s). The
    /// requests that change the cluster ask the server to give up a little earlier, so that a
    /// slow cluster is answered with REQUEST_TIMED_OUT rather than a client-side timeout.
    pub request_timeout: Duration,
    /// How long a TCP connection (with its ApiVersions exchange) may take
    /// (`socket.connection.setup.timeout.ms`, default 10 s).
    pub connect_timeout: Duration,
    /// How many times a call is tried again after a retriable failure (`retries`, default 5): a
    /// connection that could not be made, a read-only request whose connection broke, or 1001
    /// NotControllerReceivedAdminRequest (answered by going to the controller).
    pub retries: u32,
    /// The first wait between tries (`retry.backoff.ms`, default 100 ms); it doubles each time.
    pub retry_backoff: Duration,
    /// The longest wait between tries (`retry.backoff.max.ms`, default 1 s).
    pub retry_backoff_max: Duration,
    /// The largest response accepted, in bytes; a larger size prefix is refused before anything
    /// is allocated for it (default 100 MiB, Kafka's `socket.request.max.bytes`).
    pub max_response_size: usize,
    /// How to talk to the servers (`security.protocol`).
    pub security_protocol: SecurityProtocol,
    /// The login, for [`SecurityProtocol::SaslPlaintext`] (`sasl.mechanism` and
    /// `sasl.jaas.config`).
    pub sasl: Option<SaslCredentials>,
}

impl AdminClientConfig {
    /// Settings for `bootstrap_servers` (`host:port` each), Kafka's defaults for the rest.
    pub fn new<S: Into<String>>(bootstrap_servers: impl IntoIterator<Item = S>) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.into_iter().map(Into::into).collect(),
            client_id: "adminwire-client".to_owned(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 5,
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(1),
            max_response_size: adminwire_protocol::DEFAULT_MAX_FRAME_SIZE,
            security_protocol: SecurityProtocol::Plaintext,
            sasl: None,
        }
    }

    /// Settings from Kafka-style properties, as in a `--command-config` file. Known keys:
    /// `bootstrap.servers` (comma-separated, required), `client.id`, `request.timeout.ms`,
    /// `socket.connection.setup.timeout.ms`, `retries`, `retry.backoff.ms`,
    /// `retry.backoff.max.ms`, `security.protocol` (`PLAINTEXT` or `SASL_PLAINTEXT`),
    /// `sasl.mechanism` (`PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512`) and `sasl.jaas.config` (Kafka's
    /// `PlainLoginModule` or `ScramLoginModule` with `username` and `password`). Other keys are
    /// refused, so that a setting this client would ignore is noticed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use adminwire_client::AdminClientConfig;
    ///
    /// let config = AdminClientConfig::from_properties([
    ///     ("bootstrap.servers", "a:9092,b:9092"),
    ///     ("request.timeout.ms", "5000"),
    /// ])
    /// .unwrap();
    /// assert_eq!(config.bootstrap_servers, ["a:9092", "b:9092"]);
    /// assert_eq!(config.request_timeout, Duration::from_secs(5));
    ///
    /// let tls = AdminClientConfig::from_properties([
    ///     ("bootstrap.servers", "a:9093"),
    ///     ("security.protocol", "SSL"),
    /// ]);
    /// assert!(tls.is_err(), "TLS is not supported yet, so it is refused");
    ///
    /// let sasl = AdminClientConfig::from_properties([
    ///     ("bootstrap.servers", "a:9092"),
    ///     ("security.protocol", "SASL_PLAINTEXT"),
    ///     ("sasl.mechanism", "SCRAM-SHA-512"),
    ///     ("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule \
    ///         required username=\"admin\" password=\"admin-secret\";"),
    /// ])
    /// .unwrap();
    /// assert_eq!(sasl.sasl.unwrap().username, "admin");
    /// ```
    pub fn from_properties<K: AsRef<str>, V: AsRef<str>>(
        properties: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error> {
        let mut config = Self::new(Vec::<String>::new());
        let mut bootstrap_given = false;
        // Kafka's default mechanism is GSSAPI, which this client does not speak.
        let mut mechanism = None;
        let mut jaas = None;
        for (key, value) in properties {
            let (key, value) = (key.as_ref().trim(), value.as_ref().trim());
            match key {
                "bootstrap.servers" => {
                    config.bootstrap_servers = split_servers(value);
                    bootstrap_given = true;
                }
                "client.id" => config.client_id = value.to_owned(),
                "request.timeout.ms" => config.request_timeout = millis(key, value)?,
                "socket.connection.setup.timeout.ms" => {
                    config.connect_timeout = millis(key, value)?
                }
                "retries" => {
                    config.retries = value.parse().map_err(|_| {
                        Error::Config(format!("{key}={value} is not a non-negative integer"))
                    })?;
                }
                "retry.backoff.ms" => config.retry_backoff = millis(key, value)?,
                "retry.backoff.max.ms" => config.retry_backoff_max = millis(key, value)?,
                "security.protocol" => {
                    config.security_protocol = match value.to_ascii_uppercase().as_str() {
                        "PLAINTEXT" => SecurityProtocol::Plaintext,
                        "SASL_PLAINTEXT" => SecurityProtocol::SaslPlaintext,
                        other => {
                            return Err(Error::Config(format!(
                                "security.protocol={other} is not supported (PLAINTEXT or \
                                 SASL_PLAINTEXT; the sidecar has no TLS listener yet)"
                            )));
                        }
                    }
                }
                "sasl.mechanism" => mechanism = Some(SaslMechanism::from_name(value)?),
                "sasl.jaas.config" => jaas = Some(value.to_owned()),
                other => return Err(Error::Config(format!("unknown property {other:?}"))),
            }
        }
        if !bootstrap_given {
            return Err(Error::Config("bootstrap.servers is required".to_owned()));
        }
        if let Some(jaas) = jaas {
            let mechanism = mechanism.ok_or_else(|| {
                Error::Config(
                    "sasl.jaas.config needs sasl.mechanism (PLAIN, SCRAM-SHA-256 or \
                     SCRAM-SHA-512; Kafka's default, GSSAPI, is not supported)"
                        .to_owned(),
                )
            })?;
            config.sasl = Some(credentials_from_jaas(mechanism, &jaas)?);
        } else if mechanism.is_some() {
            return Err(Error::Config(
                "sasl.mechanism is set but sasl.jaas.config is not".to_owned(),
            ));
        }
        config.validate()?;
        Ok(config)
    }

    /// Sets [`client_id`](Self::client_id).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Sets [`request_timeout`](Self::request_timeout).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Logs in with SASL over plain TCP: sets [`sasl`](Self::sasl) and
    /// [`security_protocol`](Self::security_protocol) (`SASL_PLAINTEXT`).
    pub fn sasl(mut self, mechanism: SaslMechanism, username: &str, password: &str) -> Self {
        self.security_protocol = SecurityProtocol::SaslPlaintext;
        self.sasl = Some(SaslCredentials {
            mechanism,
            username: username.to_owned(),
            password: password.to_owned(),
        });
        self
    }

    /// Sets [`retries`](Self::retries).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets [`retry_backoff`](Self::retry_backoff) and
    /// [`retry_backoff_max`](Self::retry_backoff_max).
    pub fn retry_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.retry_backoff = first;
        self.retry_backoff_max = max;
        self
    }

    /// Checks what [`AdminClient::connect`](crate::AdminClient::connect) needs: at least one
    /// bootstrap server, each `host:port`, and non-zero timeouts.
    pub fn validate(&self) -> Result<(), Error> {
        if self.bootstrap_servers.is_empty() {
            return Err(Error::Config("no bootstrap servers".to_owned()));
        }
        for server in &self.bootstrap_servers {
            let port = server.rsplit_once(':').map(|(host, port)| (host, port.parse::<u16>()));
            if !matches!(port, Some((host, Ok(_))) if !host.is_empty()) {
                return Err(Error::Config(format!("bootstrap server {server:?} is not host:port")));
            }
        }
        if self.request_timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be greater than zero".to_owned()));
        }
        match (self.security_protocol, &self.sasl) {
            (SecurityProtocol::SaslPlaintext, None) => Err(Error::Config(
                "security.protocol=SASL_PLAINTEXT needs a login (sasl.mechanism and \
                 sasl.jaas.config)"
                    .to_owned(),
            )),
            // Kafka's clients ignore the login then; a login given and not used is a mistake.
            (SecurityProtocol::Plaintext, Some(_)) => Err(Error::Config(
                "a SASL login is configured but security.protocol is PLAINTEXT; set \
                 security.protocol=SASL_PLAINTEXT"
                    .to_owned(),
            )),
            _ => Ok(()),
        }
    }

    /// The wait before try number `attempt` (1 for the first retry): exponential, capped.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.retry_backoff
            .saturating_mul(factor)
            .min(self.retry_backoff_max.max(self.retry_backoff))
    }
}

/// The login of a `sasl.jaas.config` value.
fn credentials_from_jaas(mechanism: SaslMechanism, jaas: &str) -> Result<SaslCredentials, Error> {
    let bad = |detail: String| Error::Config(format!("sasl.jaas.config: {detail}"));
    let login = crate::properties::parse_jaas(jaas).map_err(bad)?;
    if !LOGIN_MODULES.contains(&login.module.as_str()) {
        return Err(bad(format!(
            "login module {} is not supported (PlainLoginModule or ScramLoginModule)",
            login.module
        )));
    }
    if let Some((unknown, _)) =
        login.options.iter().find(|(k, _)| k != "username" && k != "password")
    {
        return Err(bad(format!("option {unknown:?} is not supported (username and password)")));
    }
    let option = |name: &str| {
        login.option(name).map(str::to_owned).ok_or_else(|| bad(format!("no {name} option")))
    };
    Ok(SaslCredentials { mechanism, username: option("username")?, password: option("password")? })
}

fn split_servers(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn millis(key: &str, value: &str) -> Result<Duration, Error> {
    value
        .parse()
        .map(Duration::from_millis)
        .map_err(|_| Error::Config(format!("{key}={value} is not a number of milliseconds")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_servers_must_be_host_and_port() {
        for bad in [vec![], vec!["localhost"], vec![":9092"], vec!["host:port"]] {
            assert!(AdminClientConfig::new(bad.clone()).validate().is_err(), "{bad:?}");
        }
        assert!(AdminClientConfig::new(["[::1]:9092", "h:1"]).validate().is_ok());
    }

    #[test]
    fn unknown_properties_and_missing_bootstrap_are_refused() {
        assert!(AdminClientConfig::from_properties([("client.id", "x")]).is_err());
        let unknown =
            AdminClientConfig::from_properties([("bootstrap.servers", "a:1"), ("acks", "all")]);
        assert!(matches!(unknown, Err(Error::Config(m)) if m.contains("acks")));
    }

    fn sasl_properties<'a>(extra: &[(&'a str, &'a str)]) -> Result<AdminClientConfig, Error> {
        let mut properties = vec![("bootstrap.servers", "a:1")];
        properties.extend_from_slice(extra);
        AdminClientConfig::from_properties(properties)
    }

    const PLAIN_JAAS: &str = "org.apache.kafka.common.security.plain.PlainLoginModule required \
                              username=\"bob\" password=\"bob-secret\";";

    #[test]
    fn a_kafka_sasl_configuration_gives_the_login() {
        let config = sasl_properties(&[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.jaas.config", PLAIN_JAAS),
        ])
        .unwrap();
        assert_eq!(config.security_protocol, SecurityProtocol::SaslPlaintext);
        let login = config.sasl.unwrap();
        assert_eq!((login.mechanism, login.username.as_str()), (SaslMechanism::Plain, "bob"));
        assert_eq!(login.password, "bob-secret");
        assert!(!format!("{login:?}").contains("bob-secret"), "Debug shows no password");
    }

    #[test]
    fn incomplete_or_unsupported_sasl_configurations_are_refused_with_the_reason() {
        let scram_jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required \
                          username=\"a\" password=\"p\" tokenauth=true;";
        for (properties, says) in [
            (vec![("security.protocol", "SASL_PLAINTEXT")], "needs a login"),
            (vec![("security.protocol", "SASL_SSL")], "not supported"),
            (vec![("sasl.mechanism", "PLAIN")], "sasl.jaas.config is not"),
            (vec![("sasl.jaas.config", PLAIN_JAAS)], "needs sasl.mechanism"),
            (vec![("sasl.mechanism", "PLAIN"), ("sasl.jaas.config", PLAIN_JAAS)], "PLAINTEXT"),
            (vec![("sasl.mechanism", "GSSAPI")], "GSSAPI is not supported"),
            (
                vec![
                    ("security.protocol", "SASL_PLAINTEXT"),
                    ("sasl.mechanism", "PLAIN"),
                    ("sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required;"),
                ],
                "Krb5LoginModule is not supported",
            ),
            (
                vec![
                    ("security.protocol", "SASL_PLAINTEXT"),
                    ("sasl.mechanism", "SCRAM-SHA-256"),
                    ("sasl.jaas.config", scram_jaas),
                ],
                "tokenauth",
            ),
            (
                vec![
                    ("security.protocol", "SASL_PLAINTEXT"),
                    ("sasl.mechanism", "PLAIN"),
                    (
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required \
                         username=\"a\";",
                    ),
                ],
                "no password",
            ),
        ] {
            match sasl_properties(&properties) {
                Err(Error::Config(m)) => assert!(m.contains(says), "{properties:?}: {m}"),
                other => panic!("{properties:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let config = AdminClientConfig::new(["a:1"])
            .retry_backoff(Duration::from_millis(100), Duration::from_millis(350));
        let waits: Vec<u128> = (1..=5).map(|n| config.backoff(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350, 350]);
    }
}
