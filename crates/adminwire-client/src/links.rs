//! Cluster links through the sidecar (keys 30013-30017): topics of another cluster mirrored onto
//! the one the sidecar fronts, groups' offsets carried over, mirrors promoted.
//!
//! ```no_run
//! # async fn example(client: adminwire_client::AdminClient) -> adminwire_client::Result<()> {
//! use adminwire_client::{NewLink, StartPosition};
//!
//! let link = NewLink::new("migration", ["old-kafka:9092"])
//!     .start(StartPosition::Earliest)
//!     .topics(["orders"])
//!     .groups(["billing"]);
//! client.create_link(&link).await?;
//! let described = client.describe_link("migration", true).await?;
//! println!("{} {}", described.link_id, described.state);
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use adminwire_protocol::{
    AlterLinkRequest, CreateLinkRequest, DeleteLinkRequest, DescribeLinksRequest,
    PromoteMirrorRequest,
};

pub use adminwire_protocol::generated::describe_links_response::{
    GroupOffset, Link as LinkDescription, LinkGroup, Mirror as MirrorDescription, MirrorPartition,
};

use crate::client::AdminClient;
use crate::config::SaslCredentials;
use crate::error::{Error, Result, ServerError};

/// Where a new mirror's copy starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartPosition {
    /// Every record the source still holds.
    Earliest,
    /// Only records written from now on.
    Latest,
    /// Records from this time on, in milliseconds since the Unix epoch.
    Time(u64),
}

impl StartPosition {
    /// As the wire (and the CLI) write it: `earliest`, `latest`, or milliseconds.
    pub fn as_wire(self) -> String {
        match self {
            Self::Earliest => "earliest".into(),
            Self::Latest => "latest".into(),
            Self::Time(ms) => ms.to_string(),
        }
    }
}

/// A link to make.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// The link's id: letters, digits, `-` and `_`.
    pub id: String,
    /// The source cluster's bootstrap servers, `host:port`.
    pub source_bootstrap: Vec<String>,
    /// None: the source takes clients without a login.
    pub source_login: Option<SaslCredentials>,
    /// Where each mirror's copy starts.
    pub start: StartPosition,
    /// The source topics to mirror.
    pub topics: Vec<String>,
    /// The consumer groups whose offsets are carried over.
    pub groups: Vec<String>,
    /// How often groups' offsets are carried over; None: the sidecar's interval.
    pub group_sync: Option<Duration>,
}

impl NewLink {
    /// Link `id` from the source cluster at `bootstrap`, from the earliest offsets, of nothing
    /// yet.
    pub fn new(
        id: impl Into<String>,
        bootstrap: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            id: id.into(),
            source_bootstrap: bootstrap.into_iter().map(Into::into).collect(),
            source_login: None,
            start: StartPosition::Earliest,
            topics: Vec::new(),
            groups: Vec::new(),
            group_sync: None,
        }
    }

    /// Logs in to the source with `credentials`.
    pub fn login(mut self, credentials: SaslCredentials) -> Self {
        self.source_login = Some(credentials);
        self
    }

    /// Starts each mirror's copy at `start`.
    pub fn start(mut self, start: StartPosition) -> Self {
        self.start = start;
        self
    }

    /// Mirrors `topics`.
    pub fn topics(mut self, topics: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.topics = topics.into_iter().map(Into::into).collect();
        self
    }

    /// Carries `groups`' offsets over.
    pub fn groups(mut self, groups: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.groups = groups.into_iter().map(Into::into).collect();
        self
    }
}

/// A change to a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkChange {
    /// Copying and carrying over stop where they are.
    Pause,
    /// Goes on after a pause.
    Resume,
    /// Topics and groups added or removed (a topic removed is copied no more; its topic here
    /// stays, writable).
    Change {
        /// Source topics to mirror too.
        add_topics: Vec<String>,
        /// Topics to mirror no longer.
        remove_topics: Vec<String>,
        /// Groups to carry over too.
        add_groups: Vec<String>,
        /// Groups to carry over no longer.
        remove_groups: Vec<String>,
    },
    /// Groups handed over to the target now, without waiting for their source groups to be
    /// empty.
    HandOver(Vec<String>),
    /// Groups handed back to the source: their offsets on the target carried back once no
    /// member is left there.
    HandBack(Vec<String>),
}

impl AdminClient {
    /// Makes a link: its mirror topics are made at once; the sidecar copies from there. Returns
    /// the source cluster's id.
    pub async fn create_link(&self, link: &NewLink) -> Result<Option<String>> {
        let login = link.source_login.as_ref();
        let request = CreateLinkRequest {
            link_id: link.id.clone(),
            source_bootstrap: link.source_bootstrap.clone(),
            source_mechanism: login.map(|l| l.mechanism.name().to_owned()),
            source_username: login.map(|l| l.username.clone()),
            source_password: login.map(|l| l.password.clone()),
            start_position: link.start.as_wire(),
            topics: link.topics.clone(),
            groups: link.groups.clone(),
            group_sync_ms: link
                .group_sync
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            ..Default::default()
        };
        let answer = self.call::<CreateLinkRequest>(|_| Ok(request.clone())).await?;
        Ok(answer.response.source_cluster_id)
    }

    /// The links named (or every link), each with its own result (91 RESOURCE_NOT_FOUND for an
    /// unknown one), with or without each mirror's partitions.
    pub async fn describe_links(
        &self,
        ids: Option<Vec<String>>,
        include_partitions: bool,
    ) -> Result<Vec<std::result::Result<LinkDescription, ServerError>>> {
        let answer = self
            .call::<DescribeLinksRequest>(|_| {
                Ok(DescribeLinksRequest {
                    link_ids: ids.clone(),
                    include_partitions,
                    ..Default::default()
                })
            })
            .await?;
        Ok(answer
            .response
            .links
            .into_iter()
            .map(|link| match ServerError::check(link.error_code, link.error_message.clone()) {
                Some(error) => Err(error),
                None => Ok(link),
            })
            .collect())
    }

    /// One link; [`Error::Server`] with 91 RESOURCE_NOT_FOUND if there is none.
    pub async fn describe_link(
        &self,
        id: &str,
        include_partitions: bool,
    ) -> Result<LinkDescription> {
        let mut found = self.describe_links(Some(vec![id.to_owned()]), include_partitions).await?;
        match found.pop() {
            Some(link) => Ok(link?),
            None => Err(Error::Protocol {
                address: self.config().bootstrap_servers.join(","),
                detail: format!("DescribeLinks: no answer for link {id}"),
            }),
        }
    }

    /// Pauses, resumes or changes link `id`, or moves its groups.
    pub async fn alter_link(&self, id: &str, change: &LinkChange) -> Result<()> {
        let request = match change {
            LinkChange::Pause => AlterLinkRequest { action: 0, ..Default::default() },
            LinkChange::Resume => AlterLinkRequest { action: 1, ..Default::default() },
            LinkChange::Change { add_topics, remove_topics, add_groups, remove_groups } => {
                AlterLinkRequest {
                    action: 2,
                    add_topics: add_topics.clone(),
                    remove_topics: remove_topics.clone(),
                    add_groups: add_groups.clone(),
                    remove_groups: remove_groups.clone(),
                    ..Default::default()
                }
            }
            LinkChange::HandOver(groups) => {
                AlterLinkRequest { action: 3, groups: groups.clone(), ..Default::default() }
            }
            LinkChange::HandBack(groups) => {
                AlterLinkRequest { action: 4, groups: groups.clone(), ..Default::default() }
            }
        };
        let request = AlterLinkRequest { link_id: id.to_owned(), ..request };
        self.call::<AlterLinkRequest>(|_| Ok(request.clone())).await?;
        Ok(())
    }

    /// Asks for mirror `topic` of link `id` to be promoted (with `failover`, at once); the sidecar
    /// carries it out: describe the link to see it done. Refused (1016, naming them) while
    /// producers or groups of the mirror are still on the source, unless `force`.
    pub async fn promote_mirror(
        &self,
        id: &str,
        topic: &str,
        failover: bool,
        force: bool,
    ) -> Result<()> {
        let request = PromoteMirrorRequest {
            link_id: id.to_owned(),
            topic: topic.to_owned(),
            failover,
            force,
            ..Default::default()
        };
        self.call::<PromoteMirrorRequest>(|_| Ok(request.clone())).await?;
        Ok(())
    }

    /// Undoes the promotion of mirror `topic` of link `id`, as long as nothing has been written to
    /// it since (1014 otherwise); the sidecar carries it out: describe the link to see it done.
    pub async fn unpromote_mirror(&self, id: &str, topic: &str) -> Result<()> {
        let request = PromoteMirrorRequest {
            link_id: id.to_owned(),
            topic: topic.to_owned(),
            undo: true,
            ..Default::default()
        };
        self.call::<PromoteMirrorRequest>(|_| Ok(request.clone())).await?;
        Ok(())
    }

    /// Deletes link `id` (with `delete_mirrors`, its mirror topics that were not promoted too);
    /// the topics deleted.
    pub async fn delete_link(&self, id: &str, delete_mirrors: bool) -> Result<Vec<String>> {
        let request =
            DeleteLinkRequest { link_id: id.to_owned(), delete_mirrors, ..Default::default() };
        let answer = self.call::<DeleteLinkRequest>(|_| Ok(request.clone())).await?;
        Ok(answer.response.deleted_topics)
    }
}
