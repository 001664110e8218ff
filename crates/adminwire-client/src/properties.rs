//! The two text formats a Kafka client configuration is written in: a Java `.properties` file (a
//! `--command-config` file), and the JAAS line of its `sasl.jaas.config` property.

use crate::error::Error;

/// The largest properties file read: far more than any client configuration needs.
pub(crate) const MAX_PROPERTIES_BYTES: u64 = 1024 * 1024;

/// Reads a Java properties file (as `Properties.load` does: a `--command-config` file) into its
/// key/value pairs, in order, for [`AdminClientConfig::from_properties`](crate::AdminClientConfig::from_properties).
pub fn read_file(path: &std::path::Path) -> Result<Vec<(String, String)>, Error> {
    let cannot = |e: std::io::Error| Error::Config(format!("cannot read {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_PROPERTIES_BYTES {
        return Err(Error::Config(format!(
            "{} is {size} bytes; a client configuration of more than {MAX_PROPERTIES_BYTES} is \
             refused",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(cannot)?;
    parse(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
}

/// The key/value pairs of a Java properties text: `#` and `!` start comment lines; a key ends at
/// the first unescaped `=`, `:` or white space; a line ending in an odd number of backslashes
/// goes on in the next one (whose leading white space is dropped); `\t`, `\n`, `\r`, `\f`,
/// `\uXXXX` are escapes, and a backslash before any other character stands for that character.
pub(crate) fn parse(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let line = line.trim_start_matches(is_blank);
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        // Join the continuation lines, keeping each line's escapes for the unescape below.
        let mut logical = String::from(line);
        while ends_in_continuation(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim_start_matches(is_blank)),
                None => break,
            }
        }
        let (key, value) = split_key(&logical);
        let key = unescape(key).map_err(|e| format!("line {}: {e}", number + 1))?;
        let value = unescape(value).map_err(|e| format!("line {}: {e}", number + 1))?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

fn ends_in_continuation(line: &str) -> bool {
    line.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// The raw key and value of a logical line: the key up to the first unescaped separator, the
/// value after it and after the white space around one `=` or `:`.
fn split_key(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' || is_blank(c) {
            key_end = i;
            break;
        }
    }
    let (key, rest) = line.split_at(key_end);
    let rest = rest.trim_start_matches(is_blank);
    let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
    (key, rest.trim_start_matches(is_blank))
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .ok_or_else(|| format!("malformed \\uXXXX escape \\u{hex}"))?;
                // A lone surrogate half (Java would pair two escapes) stands for nothing here.
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// A client's JAAS login, as `sasl.jaas.config` gives it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct JaasLogin {
    /// The login module's class name.
    pub module: String,
    /// The module's options, in order.
    pub options: Vec<(String, String)>,
}

impl std::fmt::Debug for JaasLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Options hold the password: only their names.
        let names: Vec<&str> = self.options.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("JaasLogin").field("module", &self.module).field("options", &names).finish()
    }
}

impl JaasLogin {
    /// The option named `name`.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parses the value of `sasl.jaas.config`: one login module, `Class flag key=value ... ;`, where
/// a value is a word or a quoted string (`"..."` or `'...'`, with backslash escapes) and `//` and
/// `/* */` are comments. A client takes exactly one module, as Kafka's does.
pub(crate) fn parse_jaas(text: &str) -> Result<JaasLogin, String> {
    let tokens = jaas_tokens(text)?;
    let mut tokens = tokens.into_iter().peekable();
    let mut modules = Vec::new();
    while let Some(first) = tokens.next() {
        let JaasToken::Word(module) = first else {
            return Err(format!("expected a login module class, found {first}"));
        };
        let flag = match tokens.next() {
            Some(JaasToken::Word(flag)) => flag,
            other => {
                return Err(format!(
                    "expected a control flag after {module}, found {}",
                    show(&other)
                ));
            }
        };
        if !matches!(flag.as_str(), "required" | "requisite" | "sufficient" | "optional") {
            return Err(format!(
                "control flag {flag:?} is not one of required, requisite, sufficient, optional"
            ));
        }
        let mut options = Vec::new();
        loop {
            match tokens.next() {
                Some(JaasToken::Semicolon) => break,
                Some(JaasToken::Word(key)) => {
                    if tokens.next() != Some(JaasToken::Equals) {
                        return Err(format!("expected = after option {key}"));
                    }
                    match tokens.next() {
                        Some(JaasToken::Word(value) | JaasToken::Quoted(value)) => {
                            options.push((key, value))
                        }
                        other => {
                            return Err(format!(
                                "expected a value for {key}, found {}",
                                show(&other)
                            ));
                        }
                    }
                }
                None => return Err(format!("the entry for {module} does not end with ;")),
                Some(other) => return Err(format!("expected an option or ;, found {other}")),
            }
        }
        modules.push(JaasLogin { module, options });
    }
    match modules.len() {
        1 => Ok(modules.remove(0)),
        n => Err(format!("it holds {n} login modules; a client takes exactly one")),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum JaasToken {
    Word(String),
    Quoted(String),
    Equals,
    Semicolon,
}

impl std::fmt::Display for JaasToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A quoted value may be a password: never shown.
            Self::Quoted(_) => f.write_str("a quoted string"),
            Self::Word(w) => write!(f, "{w:?}"),
            Self::Equals => f.write_str("="),
            Self::Semicolon => f.write_str(";"),
        }
    }
}

fn show(token: &Option<JaasToken>) -> String {
    token.as_ref().map_or_else(|| "the end".to_owned(), ToString::to_string)
}

fn jaas_tokens(text: &str) -> Result<Vec<JaasToken>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '=' => tokens.push(JaasToken::Equals),
            ';' => tokens.push(JaasToken::Semicolon),
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                loop {
                    match chars.next() {
                        Some('/') if last == '*' => break,
                        Some(c) => last = c,
                        None => return Err("a /* comment is not closed".to_owned()),
                    }
                }
            }
            '"' | '\'' => {
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\\') => match chars.next() {
                            Some('n') => value.push('\n'),
                            Some('t') => value.push('\t'),
                            Some('r') => value.push('\r'),
                            Some(other) => value.push(other),
                            None => return Err("a quoted string is not closed".to_owned()),
                        },
                        Some(other) => value.push(other),
                        None => return Err("a quoted string is not closed".to_owned()),
                    }
                }
                tokens.push(JaasToken::Quoted(value));
            }
            c => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '=' | ';' | '"' | '\'') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(JaasToken::Word(word));
            }
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn separators_comments_and_blank_lines_read_as_java_reads_them() {
        let text = "# a comment\n  ! another\n\na=1\nb : 2\nc 3\n  d=\ne\nf==x\n";
        assert_eq!(
            pairs(text),
            [
                pair("a", "1"),
                pair("b", "2"),
                pair("c", "3"),
                pair("d", ""),
                pair("e", ""),
                pair("f", "=x")
            ]
        );
        assert_eq!(pairs("a=1\r\nb=2\r\n"), [pair("a", "1"), pair("b", "2")]);
    }

    #[test]
    fn continuations_and_escapes_are_joined_and_decoded() {
        let text =
            "sasl.jaas.config=org.Module required \\\n    username=\"u\" \\\n    password=\"p\";\n";
        assert_eq!(
            pairs(text),
            [pair("sasl.jaas.config", "org.Module required username=\"u\" password=\"p\";")]
        );
        assert_eq!(
            pairs("a\\=b=c\\\\\n"),
            [pair("a=b", "c\\")],
            "an even run of backslashes ends the line"
        );
        assert_eq!(pairs("k=\\u0041\\t\\q"), [pair("k", "A\tq")]);
        assert!(parse("k=\\u00zz").is_err());
        assert_eq!(pairs("k=v\\"), [pair("k", "v")], "a continuation at the end of the text");
    }

    #[test]
    fn kafkas_own_jaas_lines_parse_with_their_options() {
        let login = parse_jaas(
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"a-s\\\"ecret\";",
        )
        .unwrap();
        assert_eq!(login.module, "org.apache.kafka.common.security.plain.PlainLoginModule");
        assert_eq!(login.option("username"), Some("admin"));
        assert_eq!(login.option("password"), Some("a-s\"ecret"));
        let login = parse_jaas(
            "/* c */ org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=alice // c\n  password='x y';",
        )
        .unwrap();
        assert_eq!(
            (login.option("username"), login.option("password")),
            (Some("alice"), Some("x y"))
        );
        assert!(!format!("{login:?}").contains("x y"), "Debug shows no password");
    }

    #[test]
    fn malformed_jaas_lines_are_refused_with_what_is_wrong() {
        for (text, says) in [
            ("Module required username=\"a\"", "does not end with ;"),
            ("Module always username=\"a\";", "control flag"),
            ("Module required username \"a\";", "expected = after option username"),
            ("Module required username=;", "expected a value"),
            ("Module required password=\"unclosed;", "not closed"),
            ("A required; B required;", "2 login modules"),
            ("", "0 login modules"),
            ("= required;", "expected a login module class"),
        ] {
            let e = parse_jaas(text).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
        let e = parse_jaas("Module required password=\"secret\" =;").unwrap_err();
        assert!(!e.contains("secret"), "errors never show a quoted value: {e}");
    }
}
