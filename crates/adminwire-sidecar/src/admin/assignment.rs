//! The `kafka-topics --replica-assignment` form: partitions separated by commas, each partition's
//! broker ids by colons, preferred leader first (`1:2:3,2:3:1`).

use std::collections::HashSet;

/// The replicas of each partition, or why the string is not a valid assignment: a broker id that
/// is not a non-negative number, an empty partition, a broker listed twice for one partition, or
/// partitions with different replica counts.
pub fn parse(text: &str) -> Result<Vec<Vec<i32>>, String> {
    let mut partitions = Vec::new();
    for (index, partition) in text.split(',').enumerate() {
        let mut replicas = Vec::new();
        // A set, not `replicas.contains`: the string is the client's, as long as a frame allows,
        // and a linear search per id would take time quadratic in it.
        let mut listed = HashSet::new();
        for id in partition.split(':') {
            let id = id.trim();
            let broker = id
                .parse::<i32>()
                .ok()
                .filter(|b| *b >= 0)
                .ok_or_else(|| format!("partition {index}: {id:?} is not a broker id"))?;
            if !listed.insert(broker) {
                return Err(format!("partition {index} lists broker {broker} twice"));
            }
            replicas.push(broker);
        }
        partitions.push(replicas);
    }
    if let Some((index, replicas)) =
        partitions.iter().enumerate().find(|(_, r)| r.len() != partitions[0].len())
    {
        return Err(format!(
            "partition {index} has {} replicas but partition 0 has {}: every partition needs the same number",
            replicas.len(),
            partitions[0].len()
        ));
    }
    Ok(partitions)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_kafka_topics_form_parses() {
        assert_eq!(parse("0:1:2,1:2:0").unwrap(), vec![vec![0, 1, 2], vec![1, 2, 0]]);
        assert_eq!(parse("3").unwrap(), vec![vec![3]]);
        assert_eq!(parse(" 1 : 2 ").unwrap(), vec![vec![1, 2]]);
    }

    #[test]
    fn bad_assignments_say_what_is_wrong() {
        assert!(parse("1:1").unwrap_err().contains("twice"));
        assert!(parse("1:2,3").unwrap_err().contains("same number"));
        assert!(parse("1:x").unwrap_err().contains("not a broker id"));
        assert!(parse("1,,2").unwrap_err().contains("not a broker id"));
        assert!(parse("-1").unwrap_err().contains("not a broker id"));
        assert!(parse("").unwrap_err().contains("not a broker id"));
    }

    /// A long partition is checked for repeated brokers in time linear in its length: 200,000
    /// brokers (1.3 MB) took seconds with a linear search per id, and a client may send a string
    /// as long as a frame (100 MiB by default).
    #[test]
    fn a_long_replica_list_is_checked_in_linear_time() {
        let ids: Vec<String> = (0..200_000).map(|id| id.to_string()).collect();
        let parsed = parse(&ids.join(":")).unwrap();
        assert_eq!(parsed[0].len(), 200_000);
        let repeated = format!("{}:199999", ids.join(":"));
        assert!(parse(&repeated).unwrap_err().contains("lists broker 199999 twice"));
    }
}
