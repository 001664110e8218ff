//! The `kafka-topics --replica-assignment` form: partitions separated by commas, each partition's
//! broker ids by colons, preferred leader first (`1:2:3,2:3:1`).
//!
//! Parsing is one pass over the text. A partition lists at most [`MAX_REPLICAS`] brokers (a
//! partition's replicas are distinct brokers, so no real cluster comes near it); the replicas of
//! all partitions are kept in one flat vector, 4 bytes per id, while each id takes at least 2
//! bytes of text: the parsed form is at most twice the text.

/// The most broker ids one partition may list. Kafka bounds a partition's replicas only by the
/// number of brokers; a thousand is far above any real replication factor and keeps the duplicate
/// check of one partition cheap.
pub const MAX_REPLICAS: usize = 1000;

/// The replicas of each partition, in partition order, every partition with the same number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    replicas: Vec<i32>,
    per_partition: usize,
}

impl Assignment {
    /// The number of partitions placed.
    pub fn len(&self) -> usize {
        self.replicas.len() / self.per_partition
    }

    /// Each partition's replicas, preferred leader first.
    pub fn partitions(&self) -> std::slice::Chunks<'_, i32> {
        self.replicas.chunks(self.per_partition)
    }
}

/// The assignment, or why the string is not a valid one: a broker id that is not a non-negative
/// number, an empty partition, a broker listed twice for one partition, more than
/// [`MAX_REPLICAS`] brokers for one partition, or partitions with different replica counts.
pub fn parse(text: &str) -> Result<Assignment, String> {
    // Sized once, exactly, from the separators (ids are one more): growing by doubling would hold
    // up to three times the ids' bytes while it reallocates.
    let ids = text.bytes().filter(|b| matches!(b, b',' | b':')).count() + 1;
    let mut replicas = Vec::with_capacity(ids);
    let mut per_partition = 0;
    // Sorted copy of the partition being checked for a broker listed twice: at most MAX_REPLICAS
    // ids, so the check costs O(k log k) with k bounded, not O(k²).
    let mut sorted = Vec::new();
    for (index, partition) in text.split(',').enumerate() {
        let start = replicas.len();
        for id in partition.split(':') {
            if replicas.len() - start == MAX_REPLICAS {
                return Err(format!(
                    "partition {index} lists more than {MAX_REPLICAS} brokers; a partition's \
                     replicas are distinct brokers and the sidecar takes at most {MAX_REPLICAS}"
                ));
            }
            let id = id.trim();
            let broker = id.parse::<i32>().ok().filter(|b| *b >= 0).ok_or_else(|| {
                format!("partition {index}: {:?} is not a broker id", shorten(id))
            })?;
            replicas.push(broker);
        }
        let listed = &replicas[start..];
        sorted.clear();
        sorted.extend_from_slice(listed);
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("partition {index} lists broker {} twice", pair[0]));
        }
        if index == 0 {
            per_partition = listed.len();
        } else if listed.len() != per_partition {
            return Err(format!(
                "partition {index} has {} replicas but partition 0 has {per_partition}: every \
                 partition needs the same number",
                listed.len()
            ));
        }
    }
    Ok(Assignment { replicas, per_partition })
}

/// A piece of client text short enough to quote in a message.
fn shorten(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partitions(text: &str) -> Vec<Vec<i32>> {
        parse(text).unwrap().partitions().map(<[i32]>::to_vec).collect()
    }

    #[test]
    fn the_kafka_topics_form_parses() {
        assert_eq!(partitions("0:1:2,1:2:0"), vec![vec![0, 1, 2], vec![1, 2, 0]]);
        assert_eq!(partitions("3"), vec![vec![3]]);
        assert_eq!(partitions(" 1 : 2 "), vec![vec![1, 2]]);
        assert_eq!(parse("0:1,1:2,2:0").unwrap().len(), 3);
    }

    #[test]
    fn bad_assignments_say_what_is_wrong() {
        assert!(parse("1:1").unwrap_err().contains("twice"));
        assert!(parse("1:2,3").unwrap_err().contains("same number"));
        assert!(parse("1:x").unwrap_err().contains("not a broker id"));
        assert!(parse("1,,2").unwrap_err().contains("not a broker id"));
        assert!(parse("-1").unwrap_err().contains("not a broker id"));
        assert!(parse("").unwrap_err().contains("not a broker id"));
        assert_eq!(parse("1:2,3:4:3").unwrap_err(), "partition 1 lists broker 3 twice");
    }

    /// 1 MiB of text naming 200,000 replicas of one partition: refused at the cap, having read
    /// no more than MAX_REPLICAS + 1 ids of it.
    #[test]
    fn a_partition_with_200k_replicas_is_refused_at_the_cap() {
        let text: String = (0..200_000).map(|i| format!("{}:", 100_000 + i)).collect();
        let text = &text[..text.len() - 1];
        assert!(text.len() > 1 << 20);
        let err = parse(text).unwrap_err();
        assert!(err.contains("more than 1000 brokers"), "{err}");
        // At the cap itself it parses.
        let at_cap: Vec<String> = (0..MAX_REPLICAS).map(|i| i.to_string()).collect();
        assert_eq!(parse(&at_cap.join(":")).unwrap().len(), 1);
        // A duplicate at the end of a full partition is found.
        let mut twice = at_cap.clone();
        twice[MAX_REPLICAS - 1] = "0".into();
        assert_eq!(parse(&twice.join(":")).unwrap_err(), "partition 0 lists broker 0 twice");
    }

    #[test]
    fn many_partitions_parse_into_one_flat_vector() {
        let text = vec!["1:2:3"; 100_000].join(",");
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.len(), 100_000);
        assert_eq!(parsed.replicas.len(), 300_000);
        assert!(parsed.partitions().all(|p| p == [1, 2, 3]));
        let mut uneven = vec!["1:2"; 100_000];
        uneven[99_999] = "1";
        assert!(parse(&uneven.join(",")).unwrap_err().contains("partition 99999 has 1 replicas"));
    }

    #[test]
    fn a_long_bad_id_is_quoted_short() {
        let err = parse(&"x".repeat(1 << 20)).unwrap_err();
        assert!(err.len() < 100, "{err}");
    }
}
