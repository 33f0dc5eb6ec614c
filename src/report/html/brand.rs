//! Branding of the report for the party handing it over: a company name, a logo (embedded as a
//! data URI, so the page still fetches nothing) and an accent colour, each validated.

use base64::Engine;

/// The largest logo embedded, in bytes: a logo is a mark, not a photograph.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// The longest company name shown.
pub const MAX_COMPANY_CHARS: usize = 80;
/// The accent colour without branding (the report's own blue).
pub const DEFAULT_ACCENT: &str = "#0b3954";

/// What the report is branded with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub company: Option<String>,
    /// A `data:` URI of the logo.
    pub logo: Option<String>,
    /// `#rrggbb`; `None`: the report's own.
    pub accent: Option<String>,
}

/// A branding value that cannot be used, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrandError {
    #[error(
        "accent colour {0:?} is not a colour: expected #rgb or #rrggbb in hexadecimal, e.g. #0b3954"
    )]
    Colour(String),
    #[error("logo is {0} bytes: expected at most {MAX_LOGO_BYTES} bytes (256 KiB)")]
    LogoSize(usize),
    #[error("logo is not a PNG, JPEG or SVG image (its first bytes say neither)")]
    LogoFormat,
    #[error(
        "company name is empty or over {MAX_COMPANY_CHARS} characters: expected 1 to {MAX_COMPANY_CHARS}"
    )]
    Company,
}

/// `#rgb` or `#rrggbb` as lower-case `#rrggbb`.
pub fn parse_colour(text: &str) -> Result<String, BrandError> {
    let bad = || BrandError::Colour(text.to_string());
    let hex = text.strip_prefix('#').ok_or_else(bad)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let hex = hex.to_ascii_lowercase();
    match hex.len() {
        6 => Ok(format!("#{hex}")),
        3 => Ok(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        _ => Err(bad()),
    }
}

/// The logo's bytes as a data URI, its type read from its first bytes.
pub fn logo_uri(bytes: &[u8]) -> Result<String, BrandError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(BrandError::LogoSize(bytes.len()));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if head.trim_start().starts_with("<svg")
        || head.trim_start().starts_with("<?xml") && head.contains("<svg")
    {
        "image/svg+xml"
    } else {
        return Err(BrandError::LogoFormat);
    };
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(format!("data:{mime};base64,{data}"))
}

impl Brand {
    /// Branding from its parts, each checked; a missing part keeps the default.
    pub fn new(
        company: Option<&str>,
        logo: Option<&[u8]>,
        accent: Option<&str>,
    ) -> Result<Brand, BrandError> {
        let company = company
            .map(|c| {
                let c = c.trim();
                match (1..=MAX_COMPANY_CHARS).contains(&c.chars().count()) {
                    true => Ok(c.to_string()),
                    false => Err(BrandError::Company),
                }
            })
            .transpose()?;
        Ok(Brand {
            company,
            logo: logo.map(logo_uri).transpose()?,
            accent: accent.map(parse_colour).transpose()?,
        })
    }

    /// This branding with what it leaves out taken from `under` (the command line's flags
    /// over the scenario's `[report]` table).
    pub fn over(self, under: Brand) -> Brand {
        Brand {
            company: self.company.or(under.company),
            logo: self.logo.or(under.logo),
            accent: self.accent.or(under.accent),
        }
    }

    /// The accent colour to draw with.
    pub fn accent(&self) -> &str {
        self.accent.as_deref().unwrap_or(DEFAULT_ACCENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(parse_colour("#0B3954").unwrap(), "#0b3954");
        assert_eq!(parse_colour("#f80").unwrap(), "#ff8800");
        for bad in ["0b3954", "#0b395", "#ggg", "red", "#", "#0b39540"] {
            assert_eq!(
                parse_colour(bad),
                Err(BrandError::Colour(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn logos_are_small_images() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        // base64 of the 12 bytes: 3 groups of 4 characters.
        assert_eq!(
            logo_uri(png).unwrap(),
            "data:image/png;base64,iVBORw0KGgpyZXN0"
        );
        assert!(
            logo_uri(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
                .unwrap()
                .starts_with("data:image/svg+xml;base64,")
        );
        assert_eq!(logo_uri(b"GIF89a"), Err(BrandError::LogoFormat));
        let big = vec![0xffu8; MAX_LOGO_BYTES + 1];
        assert_eq!(
            logo_uri(&big),
            Err(BrandError::LogoSize(MAX_LOGO_BYTES + 1))
        );
        let err = Brand::new(Some(""), None, None).unwrap_err();
        assert_eq!(err, BrandError::Company);
        // The command line's parts win; what it leaves out comes from the scenario.
        let cli = Brand::new(Some("Acme"), None, None).unwrap();
        let file = Brand::new(Some("Other"), Some(png), Some("#123")).unwrap();
        let both = cli.over(file);
        assert_eq!(both.company.as_deref(), Some("Acme"));
        assert_eq!(both.accent(), "#112233");
        assert!(both.logo.is_some());
        assert_eq!(Brand::default().accent(), DEFAULT_ACCENT);
    }
}
