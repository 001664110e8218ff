//! `ClusterMetadataResponse` (API key 30000), generated from `protocol-specs/ClusterMetadataResponse.json`: do not edit.

#![allow(unused_imports)]

use bytes::BytesMut;
use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::wire::*;

/// The brokers of the cluster, as the sidecar advertises them, and the controller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterMetadataResponse {
    /// The error code, or 0 if there was no error. (versions 0+)
    #[serde(rename = "ErrorCode")]
    pub error_code: i16,
    /// The error message, or null if there was no error. (versions 1+; nullable 1+)
    #[serde(rename = "ErrorMessage")]
    pub error_message: Option<String>,
    /// Every broker of the cluster. (versions 0+)
    #[serde(rename = "Brokers")]
    pub brokers: Vec<Broker>,
    /// The broker serving as controller, or null if none is known (an error, or the cluster is changing). (versions 0+; nullable 0+)
    #[serde(rename = "Controller")]
    pub controller: Option<Broker>,
    /// The cluster's id, or null if unknown. (versions 1+; nullable 1+; tag 0)
    #[serde(rename = "ClusterId")]
    pub cluster_id: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl ClusterMetadataResponse {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int16(buf, self.error_code);
        if version >= 1 {
            encode_field(
                "ErrorMessage",
                put_nullable_string(buf, self.error_message.as_deref(), flexible),
            )?;
        }
        encode_field(
            "Brokers",
            put_array(buf, &self.brokers, flexible, |buf, item| item.write(buf, version)),
        )?;
        encode_field(
            "Controller",
            put_nullable_struct(buf, self.controller.as_ref(), |buf, v| v.write(buf, version)),
        )?;
        if version >= 1 {
            let mut known = Vec::new();
            if version >= 1 && self.cluster_id.is_some() {
                known.push(
                    tagged(0, |buf| put_nullable_string(buf, self.cluster_id.as_deref(), true))
                        .map_err(|e| e.in_field("ClusterId"))?,
                );
            }
            put_tagged_fields(buf, known, &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.error_code) = in_field("ErrorCode", int16(input))?;
        if version >= 1 {
            (input, this.error_message) =
                in_field("ErrorMessage", (nullable_string(flexible))(input))?;
        }
        (input, this.brokers) =
            in_field("Brokers", (array(flexible, |i| Broker::read(i, version)))(input))?;
        (input, this.controller) =
            in_field("Controller", (nullable_struct(|i| Broker::read(i, version)))(input))?;
        if version >= 1 {
            let mut known = Self::default();
            let (rest, unknown) = tagged_fields(input, |tag, value| match tag {
                0 if version >= 1 => {
                    known.cluster_id = in_tagged_field(
                        "ClusterId",
                        tagged_value(0, value, nullable_string(true)),
                    )?;
                    Ok(true)
                }
                _ => Ok(false),
            })?;
            this.cluster_id = known.cluster_id;
            this.unknown_tagged_fields = unknown;
            input = rest;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            any::<i16>().boxed(),
            (if version >= 1 {
                proptest::option::of(crate::testing::any_string()).boxed()
            } else {
                Just(Self::default().error_message).boxed()
            }),
            proptest::collection::vec(Broker::arbitrary(version), 0..4).boxed(),
            proptest::option::of(Broker::arbitrary(version)).boxed(),
            (if version >= 1 {
                proptest::option::of(crate::testing::any_string()).boxed()
            } else {
                Just(Self::default().cluster_id).boxed()
            }),
        )
            .prop_map(|(error_code, error_message, brokers, controller, cluster_id)| Self {
                error_code,
                error_message,
                brokers,
                controller,
                cluster_id,
                ..Self::default()
            })
            .boxed()
    }
}

/// Every broker of the cluster (shared by several fields of ClusterMetadataResponse.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Broker {
    /// The broker's node id. (versions 0+)
    #[serde(rename = "NodeId")]
    pub node_id: i32,
    /// The host clients connect to for this broker. (versions 0+)
    #[serde(rename = "Host")]
    pub host: String,
    /// The port clients connect to for this broker. (versions 0+)
    #[serde(rename = "Port")]
    pub port: i32,
    /// The broker's rack, or null if it has none. (versions 1+; nullable 1+)
    #[serde(rename = "Rack")]
    pub rack: Option<String>,
    /// Tagged fields this codec does not know, kept so that re-encoding preserves them.
    #[serde(skip)]
    pub unknown_tagged_fields: UnknownTaggedFields,
}

impl Broker {
    pub(crate) fn write(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        let flexible = version >= 1;
        put_int32(buf, self.node_id);
        encode_field("Host", put_string(buf, &self.host, flexible))?;
        put_int32(buf, self.port);
        if version >= 1 {
            encode_field("Rack", put_nullable_string(buf, self.rack.as_deref(), flexible))?;
        }
        if version >= 1 {
            put_tagged_fields(buf, Vec::new(), &self.unknown_tagged_fields);
        } else if !self.unknown_tagged_fields.is_empty() {
            return Err(not_in_version("_tagged_fields", version));
        }
        Ok(())
    }

    pub(crate) fn read(input: &[u8], version: i16) -> PResult<'_, Self> {
        let flexible = version >= 1;
        let mut this = Self::default();
        let mut input = input;
        (input, this.node_id) = in_field("NodeId", int32(input))?;
        (input, this.host) = in_field("Host", (string(flexible))(input))?;
        (input, this.port) = in_field("Port", int32(input))?;
        if version >= 1 {
            (input, this.rack) = in_field("Rack", (nullable_string(flexible))(input))?;
        }
        if version >= 1 {
            (input, this.unknown_tagged_fields) = tagged_fields(input, |_, _| Ok(false))?;
        }
        Ok((input, this))
    }

    /// Any value that `version` can carry, for property tests.
    #[cfg(any(test, feature = "proptest"))]
    pub fn arbitrary(version: i16) -> proptest::strategy::BoxedStrategy<Self> {
        use proptest::prelude::*;
        let _ = version;
        (
            any::<i32>().boxed(),
            crate::testing::any_string().boxed(),
            any::<i32>().boxed(),
            (if version >= 1 {
                proptest::option::of(crate::testing::any_string()).boxed()
            } else {
                Just(Self::default().rack).boxed()
            }),
        )
            .prop_map(|(node_id, host, port, rack)| Self {
                node_id,
                host,
                port,
                rack,
                ..Self::default()
            })
            .boxed()
    }
}

impl crate::Message for ClusterMetadataResponse {
    const API_KEY: i16 = 30000;
    const NAME: &'static str = "ClusterMetadataResponse";
    const MIN_VERSION: i16 = 0;
    const MAX_VERSION: i16 = 1;
    const FIRST_FLEXIBLE_VERSION: Option<i16> = Some(1);

    fn write_fields(&self, buf: &mut BytesMut, version: i16) -> Result<(), EncodeError> {
        self.write(buf, version)
    }

    fn read_fields(input: &[u8], version: i16) -> PResult<'_, Self> {
        Self::read(input, version)
    }
}
