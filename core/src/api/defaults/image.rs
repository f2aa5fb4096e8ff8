//! Image reference parsing for the `imagePullPolicy` default: mirrors `pkg/util/parsers`
//! `ParseImageName`, which reads the reference with the distribution library's
//! `ParseNormalizedNamed` (the grammar of `github.com/distribution/reference`, `regexp.go`).
//!
//! The pull policy only needs the tag, but the tag depends on getting the rest right:
//! - `localhost:5000/web` has no tag: the colon belongs to the registry host's port, so the
//!   reference means `:latest` and the policy is `Always`;
//! - `nginx@sha256:…` has a digest and no tag, so it is not `:latest` (`IfNotPresent`);
//! - `nginx:latest@sha256:…` keeps its tag `latest` (`Always`);
//! - a reference that does not parse (upper case in the path, an empty string) yields no tag at
//!   all, and kube-apiserver ignores the error: the policy becomes `IfNotPresent` and validation
//!   of `image` is left to other stages.

/// The parts of a parsed image reference that defaulting needs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ImageRef<'a> {
    /// Registry host (with port), `docker.io` when the reference names none.
    pub domain: &'a str,
    /// Repository path without the domain (before normalisation to `library/...`).
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Why a reference does not parse; the wording follows the distribution library's errors.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ImageError {
    Format,
    Uppercase,
    NameTooLong,
    HexOnly,
}

/// The longest repository name the grammar accepts (`NameTotalLengthMax`).
const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// The longest tag: one word character then up to 127 more (`[\w][\w.-]{0,127}`).
const TAG_LENGTH_MAX: usize = 128;

/// Parses `image` the way `ParseNormalizedNamed` does, keeping only what defaulting uses.
pub(super) fn parse(image: &str) -> Result<ImageRef<'_>, ImageError> {
    // A bare 64-hex string is refused: it would be ambiguous with an image ID.
    if image.len() == 64
        && image
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ImageError::HexOnly);
    }
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    // The tag separator is a colon after the last slash; a colon before it is a registry port.
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    let (domain, path) = split_domain(name);
    if path.to_ascii_lowercase() != path {
        return Err(ImageError::Uppercase);
    }
    if let Some(domain) = domain {
        if !is_domain(domain) {
            return Err(ImageError::Format);
        }
    }
    if path.is_empty() || !path.split('/').all(is_path_component) {
        return Err(ImageError::Format);
    }
    if name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ImageError::NameTooLong);
    }
    if let Some(tag) = tag {
        if !is_tag(tag) {
            return Err(ImageError::Format);
        }
    }
    if let Some(digest) = digest {
        if !is_digest(digest) {
            return Err(ImageError::Format);
        }
    }
    Ok(ImageRef {
        domain: domain.unwrap_or("docker.io"),
        path,
        tag,
        digest,
    })
}

/// `imagePullPolicy` for a container whose policy is empty (`SetDefaults_Container`): `Always`
/// when the tag is `latest`, which includes a reference with neither tag nor digest.
pub(super) fn default_pull_policy(image: &str) -> &'static str {
    let tag = match parse(image) {
        Ok(ImageRef { tag: Some(tag), .. }) => tag,
        Ok(ImageRef {
            tag: None,
            digest: None,
            ..
        }) => "latest",
        Ok(_) | Err(_) => "",
    };
    if tag == "latest" {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// `splitDockerDomain`: the part before the first slash is a registry host only if it looks like
/// one (contains `.` or `:`, or is `localhost`) and has no upper-case letters; otherwise the
/// whole name is a Docker Hub path.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if (first.contains(['.', ':']) || first == "localhost")
                && first.to_ascii_lowercase() == first =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// `domain-name [":" port-number]`, or a bracketed IPv6 address with an optional port.
fn is_domain(domain: &str) -> bool {
    if let Some(rest) = domain.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return false;
        };
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return !addr.is_empty()
            && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
            && port_ok;
    }
    let (host, port) = match domain.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    let host_ok = !host.is_empty() && host.split('.').all(is_domain_component);
    host_ok && port.is_none_or(is_port)
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn is_domain_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let mut chars = c.bytes().peekable();
    loop {
        // One alpha-numeric run.
        let mut run = 0;
        while chars
            .peek()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            chars.next();
            run += 1;
        }
        if run == 0 {
            return false;
        }
        // Then either the end or one separator.
        match chars.next() {
            None => return true,
            Some(b'.') => {}
            Some(b'_') => {
                if chars.peek() == Some(&b'_') {
                    chars.next();
                }
            }
            Some(b'-') => {
                while chars.peek() == Some(&b'-') {
                    chars.next();
                }
            }
            Some(_) => return false,
        }
    }
}

/// `[\w][\w.-]{0,127}`
fn is_tag(tag: &str) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= TAG_LENGTH_MAX
        && word(&bytes[0])
        && bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-')
}

/// `algorithm ":" hex`, algorithm `[A-Za-z][A-Za-z0-9]*([+._-][A-Za-z][A-Za-z0-9]*)*`, hex of 32+.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|c| {
        c.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && c.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:45b23dee08af5e43a7fea6c4cf9c25ccf269ee113168c19722f87876677c5cb2";

    #[test]
    fn pull_policy_follows_the_tag() {
        let digest_only = format!("nginx@{SHA}");
        let latest_and_digest = format!("nginx:latest@{SHA}");
        let cases: &[(&str, &str)] = &[
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.14.2", "IfNotPresent"),
            ("registry.k8s.io/pause:3.9", "IfNotPresent"),
            ("registry.k8s.io/pause", "Always"),
            ("localhost:5000/web", "Always"),
            ("localhost:5000/web:v1", "IfNotPresent"),
            ("localhost/web", "Always"),
            ("myregistry.example.com:443/team/app:latest", "Always"),
            ("[::1]:5000/app", "Always"),
            ("[::1]:5000/app:2", "IfNotPresent"),
            (&digest_only, "IfNotPresent"),
            (&latest_and_digest, "Always"),
            ("busybox:1.28", "IfNotPresent"),
            // References that do not parse have no tag, hence IfNotPresent.
            ("", "IfNotPresent"),
            ("Nginx", "IfNotPresent"),
            ("nginx:", "IfNotPresent"),
            ("nginx:-bad", "IfNotPresent"),
            ("nginx@sha256:short", "IfNotPresent"),
        ];
        for (image, want) in cases {
            assert_eq!(default_pull_policy(image), *want, "image {image:?}");
        }
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        let r = parse("localhost:5000/x").ok();
        assert_eq!(
            r,
            Some(ImageRef {
                domain: "localhost:5000",
                path: "x",
                tag: None,
                digest: None
            })
        );
        let r = parse("example.com:5000/a/b:1.0").ok();
        assert_eq!(
            r,
            Some(ImageRef {
                domain: "example.com:5000",
                path: "a/b",
                tag: Some("1.0"),
                digest: None
            })
        );
    }

    #[test]
    fn first_component_without_dot_is_a_docker_hub_path() {
        let r = parse("bitnami/redis:7").ok();
        assert_eq!(
            r,
            Some(ImageRef {
                domain: "docker.io",
                path: "bitnami/redis",
                tag: Some("7"),
                digest: None
            })
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        assert_eq!(parse("Nginx"), Err(ImageError::Uppercase));
        assert_eq!(parse("a//b"), Err(ImageError::Format));
        assert_eq!(parse("a..b"), Err(ImageError::Format));
        assert_eq!(parse("a___b"), Err(ImageError::Format));
        assert!(parse("a__b").is_ok());
        assert!(parse("a---b.c_d").is_ok());
        assert_eq!(parse(&"a".repeat(256)), Err(ImageError::NameTooLong));
        assert_eq!(parse(&"ab".repeat(32)), Err(ImageError::HexOnly));
        assert_eq!(
            parse(&format!("x:{}", "t".repeat(129))),
            Err(ImageError::Format)
        );
    }
}
