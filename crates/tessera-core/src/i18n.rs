//! User-facing text from Fluent files: Simplified Chinese first, English second.
//!
//! The files live in `crates/tessera-core/i18n/<locale>/tessera.ftl` and are compiled in, so the
//! binary needs nothing beside it. Code refers to messages by id only.

use std::borrow::Cow;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

/// A language the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en-US")]
    EnUs,
}

impl Lang {
    /// Parses a locale tag such as `zh-CN`, `zh_CN.UTF-8`, `en`, `en_GB`.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Self::ZhCn)
        } else if tag.starts_with("en") || tag == "c" || tag == "posix" || tag.starts_with("c.") {
            Some(Self::EnUs)
        } else {
            None
        }
    }

    /// The language to use: `explicit` if given and known, else the environment
    /// (`LC_ALL`, `LC_MESSAGES`, `LANG`, then the system locale), else Simplified Chinese.
    pub fn detect(explicit: Option<&str>) -> Self {
        if let Some(lang) = explicit.and_then(Self::parse) {
            return lang;
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var)
                && !value.is_empty()
            {
                return Self::parse(&value).unwrap_or(Self::ZhCn);
            }
        }
        sys_locale::get_locale()
            .as_deref()
            .and_then(Self::parse)
            .unwrap_or(Self::ZhCn)
    }

    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::EnUs => "en-US",
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Self::ZhCn => langid!("zh-CN"),
            Self::EnUs => langid!("en-US"),
        }
    }

    fn source(self) -> &'static str {
        match self {
            Self::ZhCn => include_str!("../i18n/zh-CN/tessera.ftl"),
            Self::EnUs => include_str!("../i18n/en-US/tessera.ftl"),
        }
    }
}

/// Looks up messages in one language, falling back to English and then to the id itself, so
/// a missing translation shows as text rather than failing.
pub struct Localizer {
    lang: Lang,
    bundles: Vec<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl Localizer {
    /// Messages in `lang`, with English behind it.
    pub fn new(lang: Lang) -> Self {
        let mut order = vec![lang];
        if lang != Lang::EnUs {
            order.push(Lang::EnUs);
        }
        let bundles = order.into_iter().map(bundle).collect();
        Self { lang, bundles }
    }

    /// The language asked for.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `id` without arguments.
    pub fn text(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with named arguments.
    pub fn text_with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    /// Whether any bundle has the message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundles.iter().any(|b| b.has_message(id))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for bundle in &self.bundles {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text: Cow<'_, str> = bundle.format_pattern(pattern, args, &mut errors);
                return text.into_owned();
            }
        }
        id.to_owned()
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new(vec![lang.langid()]);
    // Unicode isolation marks around arguments would end up in terminal output and copied values.
    bundle.set_use_isolating(false);
    // The files are compiled in and checked by the tests; a broken entry is skipped, not fatal.
    let resource = match FluentResource::try_new(lang.source().to_owned()) {
        Ok(resource) | Err((resource, _)) => resource,
    };
    let _ = bundle.add_resource(resource);
    bundle
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn ids(lang: Lang) -> std::collections::BTreeSet<String> {
        let resource = FluentResource::try_new(lang.source().to_owned())
            .unwrap_or_else(|(_, errors)| panic_on(lang, &errors));
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[allow(clippy::panic, reason = "tests")]
    fn panic_on(lang: Lang, errors: &[fluent_syntax::parser::ParserError]) -> FluentResource {
        panic!("{} does not parse: {errors:?}", lang.tag())
    }

    #[test]
    fn both_languages_parse_and_have_the_same_messages() {
        let zh = ids(Lang::ZhCn);
        let en = ids(Lang::EnUs);
        assert!(zh.len() > 100);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh-CN only: {only_zh:?}; en-US only: {only_en:?}"
        );
    }

    #[test]
    fn arguments_and_fallback() {
        let zh = Localizer::new(Lang::ZhCn);
        let text = zh.text_with(
            "err-read",
            &[("path", "a.pem".into()), ("reason", "x".into())],
        );
        assert_eq!(text, "无法读取 a.pem：x");
        assert_eq!(zh.text("no-such-message"), "no-such-message");
    }

    #[test]
    fn locale_tags() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en_GB"), Some(Lang::EnUs));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::EnUs));
        assert_eq!(Lang::parse("de_DE"), None);
        assert_eq!(Lang::detect(Some("en-US")), Lang::EnUs);
    }
}
