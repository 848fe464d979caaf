//! Translations. Every string the window shows comes from a Fluent file,
//! `i18n/<lang>/linekey.ftl`, compiled into the binary so a lone executable is complete.
//!
//! The language follows the system locale unless the settings name one. A key missing from the
//! chosen language falls back to English, and a key missing from English shows as itself with
//! its arguments, so a gap is visible without breaking the window; `tests` below keep every
//! language complete, also for every engine notice (`core::notice`). What the engine says is
//! rendered by [`notice`] in the chosen language and by [`english`] for the agent and logs.

use std::sync::{Arc, LazyLock, RwLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::core::notice::Notice;

/// A language linekey speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// The code used in settings and on disk (`i18n/<code>/`).
    pub code: &'static str,
    /// The language's name in itself, for the language picker.
    pub name: &'static str,
    source: &'static str,
}

/// Every language, English (the fallback) first.
pub const LANGUAGES: [Language; 4] = [
    Language {
        code: "en",
        name: "English",
        source: include_str!("../i18n/en/linekey.ftl"),
    },
    Language {
        code: "de",
        name: "Deutsch",
        source: include_str!("../i18n/de/linekey.ftl"),
    },
    Language {
        code: "fr",
        name: "Français",
        source: include_str!("../i18n/fr/linekey.ftl"),
    },
    Language {
        code: "es",
        name: "Español",
        source: include_str!("../i18n/es/linekey.ftl"),
    },
];

/// The setting value that means "follow the system locale".
pub const SYSTEM: &str = "system";

struct Catalog {
    code: &'static str,
    bundle: FluentBundle<FluentResource>,
}

impl Catalog {
    fn new(language: &Language) -> Catalog {
        let id: LanguageIdentifier = language.code.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Unicode isolation marks around arguments render as boxes with some fonts.
        bundle.set_use_isolating(false);
        // A syntax error skips only the broken entry; the test below keeps the files clean.
        let resource = FluentResource::try_new(language.source.to_owned())
            .unwrap_or_else(|(partial, _)| partial);
        // Duplicate keys keep the first; the test below rejects them.
        let _ = bundle.add_resource(resource);
        Catalog {
            code: language.code,
            bundle,
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        Some(text.into_owned())
    }
}

static ENGLISH: LazyLock<Catalog> = LazyLock::new(|| Catalog::new(&LANGUAGES[0]));
static CURRENT: LazyLock<RwLock<Arc<Catalog>>> =
    LazyLock::new(|| RwLock::new(Arc::new(Catalog::new(find(&system_language())))));

fn find(code: &str) -> &'static Language {
    LANGUAGES
        .iter()
        .find(|l| l.code == code)
        .unwrap_or(&LANGUAGES[0])
}

/// The supported language closest to the system locale (`de_AT.UTF-8` → `de`), else English.
pub fn system_language() -> String {
    let locale = sys_locale::get_locale().unwrap_or_default();
    let primary = locale
        .split(['-', '_', '.'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    find(&primary).code.to_owned()
}

/// Chooses the language: a code from [`LANGUAGES`], or [`SYSTEM`] (or anything unknown) for the
/// system locale's.
pub fn set_language(setting: &str) {
    let code = if LANGUAGES.iter().any(|l| l.code == setting) {
        setting.to_owned()
    } else {
        system_language()
    };
    let catalog = Arc::new(Catalog::new(find(&code)));
    *CURRENT.write().unwrap_or_else(|e| e.into_inner()) = catalog;
}

/// The code of the language in use.
pub fn current() -> &'static str {
    CURRENT.read().unwrap_or_else(|e| e.into_inner()).code
}

/// The text for `key` in the current language.
pub fn tr(key: &str) -> String {
    lookup(key, None)
}

/// The text for `key` with arguments, e.g. `tr_with("line-key", &[("line", 2.into())])`.
pub fn tr_with(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    lookup(key, Some(&fluent_args))
}

/// A notice from the phone in the current language (nested notices too).
pub fn notice(notice: &Notice) -> String {
    let values = notice.args_with(&self::notice);
    lookup(notice.key(), Some(&fluent_args(&values)))
}

/// The text for `key` in English whatever the language in use: what the agent prints, and
/// what logs say.
pub fn english(key: &str, args: &[(&str, String)]) -> String {
    let args = fluent_args(args);
    ENGLISH.format(key, Some(&args)).unwrap_or_else(|| {
        tracing::warn!("no English text for {key}");
        missing(key, &args)
    })
}

fn fluent_args<'a>(args: &'a [(&str, String)]) -> FluentArgs<'a> {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.as_str());
    }
    fluent_args
}

/// What shows for a key no language has: the key and its arguments, so nothing is lost.
fn missing(key: &str, args: &FluentArgs) -> String {
    let values: Vec<String> = args
        .iter()
        .map(|(name, value)| match value {
            FluentValue::String(s) => format!("{name}={s}"),
            FluentValue::Number(n) => format!("{name}={}", n.as_string()),
            _ => name.to_owned(),
        })
        .collect();
    if values.is_empty() {
        key.to_owned()
    } else {
        format!("{key} ({})", values.join(", "))
    }
}

fn lookup(key: &str, args: Option<&FluentArgs>) -> String {
    let current = CURRENT.read().unwrap_or_else(|e| e.into_inner()).clone();
    current
        .format(key, args)
        .or_else(|| ENGLISH.format(key, args))
        .unwrap_or_else(|| {
            tracing::warn!("no translation for {key}");
            args.map_or_else(|| key.to_owned(), |args| missing(key, args))
        })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast;

    use super::*;

    /// Every message id and attribute (`id.attr`) of a file, failing on syntax errors and duplicates.
    fn keys(language: &Language) -> BTreeSet<String> {
        let resource =
            FluentResource::try_new(language.source.to_owned()).unwrap_or_else(|(_, e)| {
                panic!("i18n/{}/linekey.ftl does not parse: {e:?}", language.code)
            });
        let mut keys = BTreeSet::new();
        for entry in resource.entries() {
            if let ast::Entry::Message(message) = entry {
                let id = message.id.name.to_owned();
                for attribute in &message.attributes {
                    keys.insert(format!("{id}.{}", attribute.id.name));
                }
                assert!(
                    keys.insert(id.clone()),
                    "i18n/{}/linekey.ftl: {id} appears twice",
                    language.code
                );
            }
        }
        keys
    }

    #[test]
    fn every_language_has_exactly_the_english_keys() {
        let english = keys(&LANGUAGES[0]);
        assert!(!english.is_empty());
        for language in &LANGUAGES[1..] {
            let theirs = keys(language);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "i18n/{}/linekey.ftl: missing {missing:?}, not in English {extra:?}",
                language.code
            );
        }
    }

    #[test]
    fn every_message_formats_without_errors_given_its_arguments() {
        for language in &LANGUAGES {
            let catalog = Catalog::new(language);
            let resource = FluentResource::try_new(language.source.to_owned()).unwrap();
            for entry in resource.entries() {
                let ast::Entry::Message(message) = entry else {
                    continue;
                };
                let Some(pattern) = catalog
                    .bundle
                    .get_message(message.id.name)
                    .and_then(|m| m.value())
                else {
                    continue;
                };
                // Any value satisfies a variable; errors left are unknown references.
                let mut args = FluentArgs::new();
                for name in variables(message) {
                    args.set(name, 2);
                }
                let mut errors = Vec::new();
                catalog
                    .bundle
                    .format_pattern(pattern, Some(&args), &mut errors);
                assert!(
                    errors.is_empty(),
                    "i18n/{}/linekey.ftl: {}: {errors:?}",
                    language.code,
                    message.id.name
                );
            }
        }
    }

    /// The `$variables` a message's value uses, including inside selectors.
    fn variables<'s>(message: &ast::Message<&'s str>) -> Vec<&'s str> {
        fn walk<'s>(elements: &[ast::PatternElement<&'s str>], out: &mut Vec<&'s str>) {
            for element in elements {
                if let ast::PatternElement::Placeable { expression } = element {
                    expression_variables(expression, out);
                }
            }
        }
        fn expression_variables<'s>(expression: &ast::Expression<&'s str>, out: &mut Vec<&'s str>) {
            match expression {
                ast::Expression::Inline(inline) => inline_variables(inline, out),
                ast::Expression::Select { selector, variants } => {
                    inline_variables(selector, out);
                    for variant in variants {
                        walk(&variant.value.elements, out);
                    }
                }
            }
        }
        fn inline_variables<'s>(inline: &ast::InlineExpression<&'s str>, out: &mut Vec<&'s str>) {
            match inline {
                ast::InlineExpression::VariableReference { id } => out.push(id.name),
                ast::InlineExpression::Placeable { expression } => {
                    expression_variables(expression, out)
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Some(value) = &message.value {
            walk(&value.elements, &mut out);
        }
        out
    }

    /// Each message's variables, by id, in one language.
    fn variables_by_key(language: &Language) -> BTreeMap<String, BTreeSet<String>> {
        let resource = FluentResource::try_new(language.source.to_owned()).unwrap();
        resource
            .entries()
            .filter_map(|entry| match entry {
                ast::Entry::Message(message) => Some((
                    message.id.name.to_owned(),
                    variables(message).into_iter().map(str::to_owned).collect(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_uses_the_english_variables() {
        let english = variables_by_key(&LANGUAGES[0]);
        for language in &LANGUAGES[1..] {
            for (key, theirs) in variables_by_key(language) {
                assert_eq!(
                    Some(&theirs),
                    english.get(&key),
                    "i18n/{}/linekey.ftl: {key} uses other variables than English",
                    language.code
                );
            }
        }
    }

    #[test]
    fn every_engine_notice_has_a_message_with_exactly_its_arguments() {
        for language in &LANGUAGES {
            let messages = variables_by_key(language);
            for (key, args) in crate::core::notice::KEYS {
                let Some(variables) = messages.get(*key) else {
                    panic!("i18n/{}/linekey.ftl has no {key}", language.code);
                };
                let args: BTreeSet<String> = args.iter().map(|a| (*a).to_owned()).collect();
                assert_eq!(
                    variables, &args,
                    "i18n/{}/linekey.ftl: {key} must use exactly the notice's arguments",
                    language.code
                );
            }
        }
        let keys: BTreeSet<&str> = crate::core::notice::KEYS.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), crate::core::notice::KEYS.len(), "a key twice");
    }

    #[test]
    fn english_ignores_the_language_in_use() {
        let german = Catalog::new(&LANGUAGES[1]);
        let args = [("line", "2".to_owned())];
        let mut fluent = FluentArgs::new();
        fluent.set("line", "2");
        assert_eq!(
            german
                .format("status-still-on-hold", Some(&fluent))
                .as_deref(),
            Some("Leitung 2 wird noch gehalten: Zum Sprechen „Fortsetzen“ drücken")
        );
        assert_eq!(
            english("status-still-on-hold", &args),
            "Line 2 is still on hold: resume it to talk"
        );
    }

    #[test]
    fn a_key_no_language_has_shows_itself_with_its_arguments() {
        assert_eq!(
            english("no-such-key", &[("line", "2".to_owned())]),
            "no-such-key (line=2)"
        );
        assert_eq!(english("no-such-key", &[]), "no-such-key");
        // A missing argument shows as its name, without a panic.
        assert_eq!(
            english("status-still-on-hold", &[]),
            "Line {$line} is still on hold: resume it to talk"
        );
    }

    #[test]
    fn a_missing_key_falls_back_to_english_then_to_itself() {
        let german = Catalog::new(&LANGUAGES[1]);
        assert_eq!(german.code, "de");
        assert!(german.format("no-such-key", None).is_none());
        assert_eq!(lookup("no-such-key", None), "no-such-key");
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let english = Catalog::new(&LANGUAGES[0]);
        let mut args = FluentArgs::new();
        args.set("line", 3);
        assert_eq!(
            english.format("line-key", Some(&args)).as_deref(),
            Some("Line 3")
        );
    }
}
