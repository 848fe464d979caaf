//! Cisco SIP phone dial plans (`dialplan.xml`): which typed strings to dial, when, and how.
//!
//! A plan is a list of `<TEMPLATE>`s inside one `<DIALTEMPLATE>` root. Each template has a
//! `MATCH` pattern and optional `Timeout`, `User`, `Rewrite` and `Route` attributes.
//!
//! Pattern language (Cisco's, slightly simplified):
//! - `.` matches exactly one character;
//! - `*` is the wildcard: it matches one or more characters. Because of that a pattern cannot ask
//!   for a literal `*` key; a dialed `*` is matched by `.` or `*`;
//! - every other pattern character (digits, `#`, `+`, ASCII letters for SIP user names) matches
//!   itself, case-sensitively, because SIP user parts are case-sensitive.
//!
//! When several templates match a string completely, the one with the most literal characters
//! wins; ties go to the template that comes first in the file. `Rewrite` builds the dialed user
//! from the characters the pattern's `.` and `*` matched: each `.` of the rewrite takes the next
//! such character, in order; other characters are copied. A `*` that matched several characters
//! hands them out one per rewrite `.`, as few as possible going to earlier stars. Characters left
//! over are dropped and rewrite `.`s left over produce nothing.
//!
//! The XML is read by hand: the format is tiny and errors must name the line.
//! Nothing here does I/O.

use std::cmp::Reverse;
use std::time::Duration;

/// Quiet time before dialing when a matching template has no `Timeout` (the phone's inter-digit timer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest dial plan file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Most templates accepted in one file.
pub const MAX_TEMPLATES: usize = 10_000;
/// Longest `MATCH` pattern accepted, in characters.
pub const MAX_PATTERN_CHARS: usize = 256;
/// Longest typed string a non-empty plan will match, in characters; longer ones match nothing.
pub const MAX_TYPED_CHARS: usize = 256;

/// Where a call placed through a template goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// No `Route` attribute: the normal proxy handling.
    Default,
    /// `Route="primary"`: the primary proxy.
    Primary,
    /// `Route="backup"`: the backup proxy.
    Backup,
    /// `Route="emergency"`: the emergency proxy.
    Emergency,
    /// A literal `host[:port]` to send the request to.
    Proxy(String),
}

/// The `user=` parameter a template adds to the request URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserParam {
    /// No `user=` parameter.
    None,
    /// `;user=phone` (`User="Phone"`).
    Phone,
    /// `;user=ip` (`User="IP"`).
    Ip,
}

/// One `<TEMPLATE>` of a dial plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The `MATCH` pattern.
    pub pattern: String,
    /// Quiet time after the last key before dialing a match; `None` means [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// The `user=` URI parameter to add.
    pub user: UserParam,
    /// The `Rewrite` of the dialed string, if any.
    pub rewrite: Option<String>,
    /// Where to send the call.
    pub route: Route,
    /// 1-based line of the `<TEMPLATE` in the file.
    pub line: usize,
}

/// A parsed dial plan; an empty one dials whatever is typed, unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialPlan {
    /// The templates, in file order (the order breaks ties).
    pub templates: Vec<Template>,
}

/// What the dial plan says about what the user has typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A template matches completely and says dial now (Timeout 0, or no template can take more characters).
    DialNow(Dialed),
    /// A template matches; dial after this quiet time unless more digits come.
    DialAfter(Duration, Dialed),
    /// Some template could still match with more digits (also: nothing typed yet).
    NeedMore,
    /// No template can match (with an empty plan, everything non-empty is `DialNow` unchanged).
    NoMatch,
}

/// What to dial: the request-URI user part and how to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialed {
    /// The user part, after `Rewrite`.
    pub user: String,
    /// The `user=` URI parameter.
    pub user_param: UserParam,
    /// Where to send the request.
    pub route: Route,
}

/// Why a dial plan file was refused; names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: line {line}: {reason}")]
pub struct DialPlanError {
    /// The file, as named by the caller.
    pub origin: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong, in plain words.
    pub reason: String,
}

impl DialPlan {
    /// Parses Cisco dial-template XML; `origin` names the file in errors.
    pub fn parse(xml: &str, origin: &str) -> Result<DialPlan, DialPlanError> {
        let templates = parse_document(xml, origin)?;
        Ok(DialPlan { templates })
    }

    /// What a keypad should do with the string typed so far; call it after every key.
    ///
    /// - [`Decision::DialNow`]: dial at once (send `Intent::Dial` with `typed`).
    /// - [`Decision::DialAfter`]: dial when this long passes with no further key; every key
    ///   asks again, so each key restarts (or cancels) the wait. This is the `Timeout` attribute.
    /// - [`Decision::NeedMore`]: keep collecting; no template is complete yet.
    /// - [`Decision::NoMatch`]: no template can match, however many keys follow.
    ///
    /// The phone resolves the dialed string through the same plan ([`DialPlan::resolve`]), so
    /// the keypad sends what was typed, not the rewritten [`Dialed`] (which is for display).
    ///
    /// ```
    /// use std::time::Duration;
    /// use linekey::core::dialplan::{DialPlan, Decision};
    ///
    /// let plan = DialPlan::parse(
    ///     r#"<DIALTEMPLATE>
    ///          <TEMPLATE MATCH="911" Timeout="0" Route="emergency"/>
    ///          <TEMPLATE MATCH="*" Timeout="5"/>
    ///        </DIALTEMPLATE>"#,
    ///     "dialplan.xml",
    /// )
    /// .unwrap();
    /// assert!(matches!(plan.decide("9"), Decision::DialAfter(d, _) if d == Duration::from_secs(5)));
    /// assert!(matches!(plan.decide("911"), Decision::DialNow(_)));
    /// assert_eq!(plan.decide(""), Decision::NeedMore);
    /// ```
    pub fn decide(&self, typed: &str) -> Decision {
        if typed.is_empty() {
            // Nothing to dial yet, whatever the plan says.
            return Decision::NeedMore;
        }
        if self.templates.is_empty() {
            return Decision::DialNow(Dialed::unchanged(typed));
        }
        let Some(chars) = typed_chars(typed) else {
            return Decision::NoMatch;
        };
        let progress: Vec<Progress> = self.templates.iter().map(|t| t.progress(&chars)).collect();
        let can_extend = progress.iter().any(|p| p.can_extend);
        match self.best_full_match(&progress) {
            Some(t) => t.decision(&chars, can_extend),
            None if can_extend => Decision::NeedMore,
            None => Decision::NoMatch,
        }
    }

    /// For a complete dial string (the agent's `dial` of digits, or Enter in the GUI): the best full match, or None when no template matches fully. An empty plan returns the string unchanged with Route::Default.
    pub fn resolve(&self, typed: &str) -> Option<Dialed> {
        if typed.is_empty() {
            return None;
        }
        if self.templates.is_empty() {
            return Some(Dialed::unchanged(typed));
        }
        let chars = typed_chars(typed)?;
        let progress: Vec<Progress> = self.templates.iter().map(|t| t.progress(&chars)).collect();
        self.best_full_match(&progress).map(|t| t.dial(&chars))
    }

    /// The fully matching template with the most literal characters; the first one on ties.
    fn best_full_match(&self, progress: &[Progress]) -> Option<&Template> {
        self.templates
            .iter()
            .zip(progress)
            .filter(|(_, p)| p.full)
            .map(|(t, _)| t)
            // min_by_key keeps the first of equal keys, which is the tie rule we want.
            .min_by_key(|t| Reverse(t.literal_count()))
    }
}

impl Dialed {
    /// The typed string as is, with no URI parameter and the normal route.
    fn unchanged(typed: &str) -> Dialed {
        Dialed {
            user: typed.to_string(),
            user_param: UserParam::None,
            route: Route::Default,
        }
    }
}

/// The typed string as characters, or None when it is too long to match anything.
fn typed_chars(typed: &str) -> Option<Vec<char>> {
    let chars: Vec<char> = typed.chars().collect();
    (chars.len() <= MAX_TYPED_CHARS).then_some(chars)
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/// How far one template gets with a typed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    /// The whole string matches the pattern.
    full: bool,
    /// Some longer string starting with it matches the pattern.
    can_extend: bool,
}

impl Template {
    /// Characters of the pattern that are not wildcards: the template's specificity.
    fn literal_count(&self) -> usize {
        self.pattern.chars().filter(|c| !is_wildcard(*c)).count()
    }

    /// Matches the typed string against the pattern.
    fn progress(&self, typed: &[char]) -> Progress {
        let pattern: Vec<char> = self.pattern.chars().collect();
        if pattern.len() > MAX_PATTERN_CHARS {
            // Only reachable for templates built in code; keeps matching cost bounded.
            return Progress {
                full: false,
                can_extend: false,
            };
        }
        progress(&pattern, typed)
    }

    /// The decision for a full match, given whether any template could take more characters.
    fn decision(&self, typed: &[char], can_extend: bool) -> Decision {
        let dialed = self.dial(typed);
        if self.timeout == Some(Duration::ZERO) || !can_extend {
            return Decision::DialNow(dialed);
        }
        Decision::DialAfter(self.timeout.unwrap_or(DEFAULT_TIMEOUT), dialed)
    }

    /// What to dial for a string that matches this template fully.
    fn dial(&self, typed: &[char]) -> Dialed {
        let user = match &self.rewrite {
            Some(rewrite) => {
                let pattern: Vec<char> = self.pattern.chars().collect();
                let captured = captures(&pattern, typed).unwrap_or_default();
                apply_rewrite(rewrite, &captured)
            }
            None => typed.iter().collect(),
        };
        Dialed {
            user,
            user_param: self.user.clone(),
            route: self.route.clone(),
        }
    }
}

/// `.` and `*` match typed characters; everything else in a pattern is literal.
fn is_wildcard(c: char) -> bool {
    c == '.' || c == '*'
}

/// Whether one pattern character can consume the typed character `ch`.
fn accepts(p: char, ch: char) -> bool {
    is_wildcard(p) || p == ch
}

/// Runs the pattern as an automaton: state `i` means `pattern[..i]` has been matched.
fn progress(pattern: &[char], typed: &[char]) -> Progress {
    let n = pattern.len();
    let mut states = vec![false; n + 1];
    states[0] = true;
    for &ch in typed {
        let mut next = vec![false; n + 1];
        for (i, _) in states.iter().enumerate().filter(|(_, on)| **on) {
            if pattern.get(i).is_some_and(|&p| accepts(p, ch)) {
                next[i + 1] = true;
            }
            // A `*` that has taken one character may take more.
            if i > 0 && pattern.get(i - 1) == Some(&'*') {
                next[i] = true;
            }
        }
        states = next;
    }
    let full = states[n];
    let star_at_end = pattern.last() == Some(&'*');
    // Every pattern character accepts some character, so any unfinished state can go on.
    let can_extend = states[..n].iter().any(|on| *on) || (full && star_at_end);
    Progress { full, can_extend }
}

/// The typed characters taken by the pattern's `.` and `*`, in order; None when it does not match.
fn captures(pattern: &[char], typed: &[char]) -> Option<Vec<char>> {
    let table = SuffixTable::new(pattern, typed);
    if !table.get(0, 0) {
        return None;
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    // Walk along a successful match; table.get(i, j) stays true at every step.
    while let (Some(&p), Some(&ch)) = (pattern.get(i), typed.get(j)) {
        if is_wildcard(p) {
            out.push(ch);
        }
        j += 1;
        // A `*` ends as early as the rest still matches, so earlier stars take as little as possible.
        if p != '*' || table.get(i + 1, j) {
            i += 1;
        }
    }
    Some(out)
}

/// `get(i, j)`: does `pattern[i..]` match `typed[j..]` exactly?
struct SuffixTable {
    cells: Vec<bool>,
    width: usize,
}

impl SuffixTable {
    /// Fills the table from the ends of both strings backwards.
    fn new(pattern: &[char], typed: &[char]) -> SuffixTable {
        let width = typed.len() + 1;
        let mut table = SuffixTable {
            cells: vec![false; (pattern.len() + 1) * width],
            width,
        };
        table.set(pattern.len(), typed.len(), true);
        for (i, &p) in pattern.iter().enumerate().rev() {
            for (j, &ch) in typed.iter().enumerate().rev() {
                let step = accepts(p, ch) && table.get(i + 1, j + 1);
                // A `*` may also take this character and go on taking more.
                let more = p == '*' && table.get(i, j + 1);
                table.set(i, j, step || more);
            }
        }
        table
    }

    /// The cell for (pattern position, typed position); false outside the table.
    fn get(&self, i: usize, j: usize) -> bool {
        self.cells.get(i * self.width + j).copied().unwrap_or(false)
    }

    /// Sets a cell; ignores positions outside the table.
    fn set(&mut self, i: usize, j: usize, value: bool) {
        if let Some(cell) = self.cells.get_mut(i * self.width + j) {
            *cell = value;
        }
    }
}

/// Builds the dialed user: each `.` takes the next captured character, the rest is literal.
fn apply_rewrite(rewrite: &str, captured: &[char]) -> String {
    let mut next = captured.iter();
    rewrite
        .chars()
        .filter_map(|c| {
            if c == '.' {
                next.next().copied()
            } else {
                Some(c)
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading the XML
// ---------------------------------------------------------------------------------------------

/// One start tag: `<NAME attr="value" ...>` or `<NAME .../>`.
struct Element {
    name: String,
    attrs: Vec<Attr>,
    line: usize,
    self_closing: bool,
}

/// One attribute, value already unescaped.
struct Attr {
    name: String,
    value: String,
    line: usize,
}

/// A problem found while reading: (line, reason); the origin is added by the caller.
type Problem = (usize, String);

/// Reads the whole file into templates.
fn parse_document(xml: &str, origin: &str) -> Result<Vec<Template>, DialPlanError> {
    let error = |(line, reason): Problem| DialPlanError {
        origin: origin.to_string(),
        line,
        reason,
    };
    if xml.len() > MAX_FILE_BYTES {
        return Err(error((1, "file is larger than 1 MB".to_string())));
    }
    // Editors on Windows like to start files with a byte order mark.
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    Reader::new(xml).document().map_err(error)
}

/// A cursor over the XML text that counts lines as it goes.
struct Reader<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    /// Starts at the beginning, on line 1.
    fn new(src: &'a str) -> Reader<'a> {
        Reader {
            src,
            pos: 0,
            line: 1,
        }
    }

    /// Prologue, root element with its templates, then nothing but comments.
    fn document(&mut self) -> Result<Vec<Template>, Problem> {
        self.skip_misc(true)?;
        let root = self.root_start()?;
        let templates = if root.self_closing {
            Vec::new()
        } else {
            self.templates(root.line)?
        };
        self.skip_misc(false)?;
        match self.peek() {
            None => Ok(templates),
            Some(b'<') => Err((self.line, "content after </DIALTEMPLATE>".to_string())),
            Some(_) => Err((self.line, "text outside tags".to_string())),
        }
    }

    /// Reads the `<DIALTEMPLATE>` start tag.
    fn root_start(&mut self) -> Result<Element, Problem> {
        if self.at_end() {
            return Err((self.line, "no <DIALTEMPLATE> root element".to_string()));
        }
        self.check_tag_start()?;
        let root = self.start_tag()?;
        if !root.name.eq_ignore_ascii_case("DIALTEMPLATE") {
            let reason = format!(
                "unknown root element <{}> (expected <DIALTEMPLATE>)",
                root.name
            );
            return Err((root.line, reason));
        }
        Ok(root)
    }

    /// Reads templates up to and including `</DIALTEMPLATE>`.
    fn templates(&mut self, root_line: usize) -> Result<Vec<Template>, Problem> {
        let mut out = Vec::new();
        loop {
            self.skip_misc(false)?;
            if self.at_end() {
                return Err((root_line, "unclosed tag <DIALTEMPLATE>".to_string()));
            }
            if self.starts_with("</") {
                self.end_tag("DIALTEMPLATE", root_line)?;
                return Ok(out);
            }
            let element = self.template_element()?;
            if out.len() >= MAX_TEMPLATES {
                let reason = format!("more than {MAX_TEMPLATES} templates");
                return Err((element.line, reason));
            }
            out.push(template_from(&element)?);
        }
    }

    /// Reads one `<TEMPLATE .../>` or `<TEMPLATE ...></TEMPLATE>`.
    fn template_element(&mut self) -> Result<Element, Problem> {
        self.check_tag_start()?;
        let element = self.start_tag()?;
        if !element.name.eq_ignore_ascii_case("TEMPLATE") {
            let reason = format!("unknown element <{}> (expected <TEMPLATE>)", element.name);
            return Err((element.line, reason));
        }
        if !element.self_closing {
            self.template_end(&element)?;
        }
        Ok(element)
    }

    /// Reads the `</TEMPLATE>` that closes a non-self-closing template.
    fn template_end(&mut self, element: &Element) -> Result<(), Problem> {
        self.skip_misc(false)?;
        if self.starts_with("</") && !self.starts_with_ignore_case("</TEMPLATE") {
            // Another element's end tag: the template is what was left open.
            return Err((element.line, "unclosed tag <TEMPLATE>".to_string()));
        }
        if self.starts_with("</") {
            return self.end_tag("TEMPLATE", element.line);
        }
        match self.peek() {
            None | Some(b'<') => Err((element.line, "unclosed tag <TEMPLATE>".to_string())),
            Some(_) => Err((self.line, "text inside <TEMPLATE>".to_string())),
        }
    }

    /// Refuses text and markup other than a start tag where a start tag must come.
    fn check_tag_start(&self) -> Result<(), Problem> {
        if self.peek() != Some(b'<') {
            return Err((self.line, "text outside tags".to_string()));
        }
        if self.starts_with("</") {
            return Err((self.line, "closing tag without an opening tag".to_string()));
        }
        if self.starts_with("<!") || self.starts_with("<?") {
            return Err((
                self.line,
                "unexpected markup (only comments are allowed here)".to_string(),
            ));
        }
        Ok(())
    }

    /// Reads a start tag; the cursor is on its `<`.
    fn start_tag(&mut self) -> Result<Element, Problem> {
        let line = self.line;
        self.bump(1);
        let name = self.name();
        if name.is_empty() {
            return Err((line, "'<' not followed by an element name".to_string()));
        }
        let mut element = Element {
            name,
            attrs: Vec::new(),
            line,
            self_closing: false,
        };
        while !self.tag_finished(&mut element)? {
            let attr = self.attribute(&element.name)?;
            element.attrs.push(attr);
        }
        Ok(element)
    }

    /// Consumes `>` or `/>` if next; false when an attribute comes next.
    fn tag_finished(&mut self, element: &mut Element) -> Result<bool, Problem> {
        self.skip_ws();
        match self.peek() {
            None | Some(b'<') => Err((element.line, format!("unclosed tag <{}>", element.name))),
            Some(b'>') => {
                self.bump(1);
                Ok(true)
            }
            Some(b'/') if self.starts_with("/>") => {
                self.bump(2);
                element.self_closing = true;
                Ok(true)
            }
            Some(b) if is_name_byte(b) => Ok(false),
            Some(_) => {
                let c = self.rest().chars().next().unwrap_or('?');
                Err((
                    self.line,
                    format!("unexpected {c:?} in tag <{}>", element.name),
                ))
            }
        }
    }

    /// Reads `name = "value"` (or single quotes).
    fn attribute(&mut self, tag: &str) -> Result<Attr, Problem> {
        let line = self.line;
        let name = self.name();
        self.skip_ws();
        if self.peek() != Some(b'=') {
            return Err((line, format!("attribute {name} of <{tag}> has no value")));
        }
        self.bump(1);
        self.skip_ws();
        let value = self.quoted_value(&name)?;
        Ok(Attr { name, value, line })
    }

    /// Reads a quoted attribute value and unescapes it.
    fn quoted_value(&mut self, name: &str) -> Result<String, Problem> {
        let line = self.line;
        let quote = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q as char,
            _ => return Err((line, format!("value of attribute {name} is not quoted"))),
        };
        self.bump(1);
        let Some(len) = self.rest().find(quote) else {
            return Err((
                line,
                format!("value of attribute {name} has no closing quote"),
            ));
        };
        let raw = self.rest().get(..len).unwrap_or("");
        if raw.contains('<') {
            // XML forbids it; in practice it means the closing quote is missing.
            return Err((
                line,
                format!("'<' in the value of attribute {name} (missing quote?)"),
            ));
        }
        self.bump(len + 1);
        unescape(raw).map_err(|reason| (line, format!("attribute {name}: {reason}")))
    }

    /// Reads `</NAME>`, which must close `expected`, opened on `open_line`.
    fn end_tag(&mut self, expected: &str, open_line: usize) -> Result<(), Problem> {
        let line = self.line;
        self.bump(2);
        let name = self.name();
        self.skip_ws();
        if self.peek() != Some(b'>') {
            return Err((line, format!("unclosed tag </{name}>")));
        }
        self.bump(1);
        if !name.eq_ignore_ascii_case(expected) {
            let reason = format!("</{name}> does not close <{expected}> of line {open_line}");
            return Err((line, reason));
        }
        Ok(())
    }

    /// Skips whitespace and comments, and `<?...?>` declarations when `declarations` is set.
    fn skip_misc(&mut self, declarations: bool) -> Result<(), Problem> {
        loop {
            self.skip_ws();
            if self.starts_with("<!--") {
                self.skip_past("<!--", "-->", "comment")?;
            } else if declarations && self.starts_with("<?") {
                self.skip_past("<?", "?>", "<?...?> declaration")?;
            } else {
                return Ok(());
            }
        }
    }

    /// Skips from `open` to just after the matching `close`.
    fn skip_past(&mut self, open: &str, close: &str, what: &str) -> Result<(), Problem> {
        let line = self.line;
        let body = self.rest().get(open.len()..).unwrap_or("");
        let Some(at) = body.find(close) else {
            return Err((line, format!("unclosed {what}")));
        };
        self.bump(open.len() + at + close.len());
        Ok(())
    }

    /// Reads an element or attribute name (possibly empty).
    fn name(&mut self) -> String {
        let len = self.rest().bytes().take_while(|b| is_name_byte(*b)).count();
        let name = self.rest().get(..len).unwrap_or("").to_string();
        self.bump(len);
        name
    }

    /// Skips XML whitespace.
    fn skip_ws(&mut self) {
        let len = self
            .rest()
            .bytes()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.bump(len);
    }

    /// Moves on `n` bytes (never past the end), counting newlines.
    fn bump(&mut self, n: usize) {
        let end = self.pos.saturating_add(n).min(self.src.len());
        let skipped = self.src.as_bytes().get(self.pos..end).unwrap_or(&[]);
        self.line += skipped.iter().filter(|b| **b == b'\n').count();
        self.pos = end;
    }

    /// The text not read yet.
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// The next byte, if any.
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// Whether the unread text starts with `s`.
    fn starts_with(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Whether the unread text starts with `s`, ignoring ASCII case.
    fn starts_with_ignore_case(&self, s: &str) -> bool {
        let head = self.rest().as_bytes().get(..s.len()).unwrap_or(&[]);
        head.eq_ignore_ascii_case(s.as_bytes())
    }

    /// Whether everything has been read.
    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }
}

/// Bytes allowed in element and attribute names (ASCII only, which keeps slicing on char boundaries).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.')
}

/// Replaces the XML entities (`&amp;` and friends, `&#NN;`, `&#xNN;`).
fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let Some(semi) = after.find(';') else {
            return Err("'&' without ';'".to_string());
        };
        let entity = after.get(..semi).unwrap_or("");
        out.push(entity_char(entity).ok_or_else(|| format!("unknown entity &{entity};"))?);
        rest = after.get(semi + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

/// The character an entity name (without `&` and `;`) stands for.
fn entity_char(entity: &str) -> Option<char> {
    let code = match entity {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => entity.strip_prefix('#')?,
    };
    let number = match code.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => code.parse().ok()?,
    };
    char::from_u32(number)
}

// ---------------------------------------------------------------------------------------------
// Attributes to templates
// ---------------------------------------------------------------------------------------------

/// Checks a `<TEMPLATE>`'s attributes and builds the template.
fn template_from(element: &Element) -> Result<Template, Problem> {
    check_duplicates(element)?;
    let Some(matched) = attr(element, "MATCH") else {
        return Err((element.line, "TEMPLATE without MATCH".to_string()));
    };
    let pattern = check_pattern(matched.value.trim()).map_err(|r| (matched.line, r))?;
    let mut template = Template {
        pattern,
        timeout: None,
        user: UserParam::None,
        rewrite: None,
        route: Route::Default,
        line: element.line,
    };
    // Other attributes (the phones also know `Tone`) are ignored: they change nothing we do.
    if let Some(a) = attr(element, "Timeout") {
        template.timeout = Some(parse_timeout(a.value.trim()).map_err(|r| (a.line, r))?);
    }
    if let Some(a) = attr(element, "User") {
        template.user = parse_user(a.value.trim()).map_err(|r| (a.line, r))?;
    }
    if let Some(a) = attr(element, "Rewrite") {
        let rewrite = check_rewrite(a.value.trim(), &template.pattern);
        template.rewrite = Some(rewrite.map_err(|r| (a.line, r))?);
    }
    if let Some(a) = attr(element, "Route") {
        template.route = parse_route(a.value.trim()).map_err(|r| (a.line, r))?;
    }
    Ok(template)
}

/// The attribute with this name, compared case-insensitively.
fn attr<'e>(element: &'e Element, name: &str) -> Option<&'e Attr> {
    element
        .attrs
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Refuses an attribute given twice (in any case), since which one counts would be a guess.
fn check_duplicates(element: &Element) -> Result<(), Problem> {
    for (i, a) in element.attrs.iter().enumerate() {
        let earlier = element.attrs.get(..i).unwrap_or(&[]);
        if earlier.iter().any(|b| b.name.eq_ignore_ascii_case(&a.name)) {
            return Err((a.line, format!("duplicate attribute {}", a.name)));
        }
    }
    Ok(())
}

/// Validates a `MATCH` pattern.
fn check_pattern(pattern: &str) -> Result<String, String> {
    if pattern.is_empty() {
        return Err("empty MATCH".to_string());
    }
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!("MATCH longer than {MAX_PATTERN_CHARS} characters"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '#' | '+');
    if let Some(bad) = pattern.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "MATCH {pattern:?} has {bad:?} (allowed: digits, letters, '.', '*', '#', '+')"
        ));
    }
    Ok(pattern.to_string())
}

/// Parses `Timeout`: whole seconds, 0 or more.
fn parse_timeout(value: &str) -> Result<Duration, String> {
    let bad = || format!("bad Timeout {value:?} (want whole seconds, 0 or more)");
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    value.parse().map(Duration::from_secs).map_err(|_| bad())
}

/// Parses `User`: `Phone` or `IP`, in any case.
fn parse_user(value: &str) -> Result<UserParam, String> {
    if value.eq_ignore_ascii_case("phone") {
        Ok(UserParam::Phone)
    } else if value.eq_ignore_ascii_case("ip") {
        Ok(UserParam::Ip)
    } else {
        Err(format!("unknown User {value:?} (want Phone or IP)"))
    }
}

/// Validates `Rewrite` against the pattern whose captures it uses.
fn check_rewrite(rewrite: &str, pattern: &str) -> Result<String, String> {
    if rewrite.is_empty() {
        return Err("empty Rewrite".to_string());
    }
    let wanted = rewrite.matches('.').count();
    let provided = pattern.matches('.').count();
    // With a `*` the number of captured characters depends on what is dialed.
    if !pattern.contains('*') && wanted > provided {
        return Err(format!(
            "Rewrite {rewrite:?} uses {wanted} '.' but MATCH {pattern:?} provides only {provided}"
        ));
    }
    Ok(rewrite.to_string())
}

/// Parses `Route`: a keyword or a literal `host[:port]`.
fn parse_route(value: &str) -> Result<Route, String> {
    for (keyword, route) in [
        ("emergency", Route::Emergency),
        ("backup", Route::Backup),
        ("primary", Route::Primary),
    ] {
        if value.eq_ignore_ascii_case(keyword) {
            return Ok(route);
        }
    }
    if is_host_port(value) {
        Ok(Route::Proxy(value.to_string()))
    } else {
        Err(format!(
            "bad Route {value:?} (want emergency, backup, primary or host[:port])"
        ))
    }
}

/// Whether a string is `host`, `host:port`, `[v6]` or `[v6]:port`.
fn is_host_port(value: &str) -> bool {
    let (host_ok, port) = match value.strip_prefix('[') {
        Some(bracketed) => {
            let Some((addr, tail)) = bracketed.split_once(']') else {
                return false;
            };
            let port = match tail {
                "" => None,
                _ => match tail.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return false,
                },
            };
            (is_v6(addr), port)
        }
        None => match value.split_once(':') {
            Some((host, port)) => (is_hostname(host), Some(port)),
            None => (is_hostname(value), None),
        },
    };
    host_ok && port.is_none_or(is_port)
}

/// A DNS name or IPv4 address, loosely: letters, digits, `-` and `.`.
fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// The inside of `[...]`, loosely: hex digits, `:` and `.` (for embedded IPv4).
fn is_v6(addr: &str) -> bool {
    addr.contains(':')
        && addr
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

/// A port number 1..=65535 written in plain digits.
fn is_port(port: &str) -> bool {
    port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CISCO_EXAMPLE: &str = include_str!("../../tests/fixtures/dialplan/cisco_example.xml");
    const BROKEN_UNCLOSED: &str = include_str!("../../tests/fixtures/dialplan/broken_unclosed.xml");

    /// The example from the brief: emergency, strip 9, extensions, catch-all.
    const BRIEF: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="911" Timeout="0" User="Phone" Route="emergency"/>
  <TEMPLATE MATCH="9......." Timeout="0" User="Phone" Rewrite="......."/>
  <TEMPLATE MATCH="1..." Timeout="0"/>
  <TEMPLATE MATCH="*" Timeout="5"/>
</DIALTEMPLATE>"#;
    const LITERAL: &str = r#"<DIALTEMPLATE><TEMPLATE MATCH="100" Timeout="0"/></DIALTEMPLATE>"#;
    const LITERAL_SLOW: &str =
        r#"<DIALTEMPLATE><TEMPLATE MATCH="200" Timeout="5"/></DIALTEMPLATE>"#;
    const DOTS: &str = r#"<DIALTEMPLATE><TEMPLATE MATCH="5.." Timeout="0"/></DIALTEMPLATE>"#;
    const STAR: &str = r#"<DIALTEMPLATE><TEMPLATE MATCH="8*" Timeout="3"/></DIALTEMPLATE>"#;
    const STAR_NO_TIMEOUT: &str = r#"<DIALTEMPLATE><TEMPLATE MATCH="8*"/></DIALTEMPLATE>"#;
    const SHORT_AND_LONG: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="1..." Timeout="3"/>
  <TEMPLATE MATCH="1......"/>
</DIALTEMPLATE>"#;
    const TIE: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="1.." Timeout="0" Route="backup"/>
  <TEMPLATE MATCH="..3" Timeout="0" Route="primary"/>
</DIALTEMPLATE>"#;
    const SPECIFIC_LATER: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="...." Timeout="0" Route="backup"/>
  <TEMPLATE MATCH="12.." Timeout="0" Route="proxy2.example.com:5070"/>
</DIALTEMPLATE>"#;
    const ADD_PREFIX: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="......." Timeout="0" User="IP" Rewrite="1408......."/>
</DIALTEMPLATE>"#;
    const STAR_REWRITE: &str = r#"<DIALTEMPLATE>
  <TEMPLATE MATCH="0*" Timeout="0" Rewrite="00..." Route="[2001:db8::1]:5060"/>
</DIALTEMPLATE>"#;
    const EMPTY: &str = "<DIALTEMPLATE/>";

    fn dialed(user: &str, user_param: UserParam, route: Route) -> Dialed {
        Dialed {
            user: user.to_string(),
            user_param,
            route,
        }
    }

    fn now(user: &str, user_param: UserParam, route: Route) -> Decision {
        Decision::DialNow(dialed(user, user_param, route))
    }

    fn after(secs: u64, user: &str, user_param: UserParam, route: Route) -> Decision {
        Decision::DialAfter(Duration::from_secs(secs), dialed(user, user_param, route))
    }

    fn plain_now(user: &str) -> Decision {
        now(user, UserParam::None, Route::Default)
    }

    fn plain_after(secs: u64, user: &str) -> Decision {
        after(secs, user, UserParam::None, Route::Default)
    }

    fn plan(xml: &str) -> DialPlan {
        DialPlan::parse(xml, "test.xml").unwrap()
    }

    #[test]
    fn decisions() {
        use Decision::{NeedMore, NoMatch};
        use UserParam::{Ip, Phone};
        let proxy = |s: &str| Route::Proxy(s.to_string());
        let cases: Vec<(&str, &str, Decision)> = vec![
            // Literals.
            (LITERAL, "", NeedMore),
            (LITERAL, "1", NeedMore),
            (LITERAL, "10", NeedMore),
            (LITERAL, "100", plain_now("100")),
            (LITERAL, "101", NoMatch),
            (LITERAL, "1000", NoMatch),
            (LITERAL, "2", NoMatch),
            // A full match that nothing can extend is dialed at once, whatever the timeout.
            (LITERAL_SLOW, "200", plain_now("200")),
            // Dots: exactly one character each, any character.
            (DOTS, "5", NeedMore),
            (DOTS, "51", NeedMore),
            (DOTS, "512", plain_now("512")),
            (DOTS, "5#*", plain_now("5#*")),
            (DOTS, "5123", NoMatch),
            (DOTS, "612", NoMatch),
            // Star: one or more characters, and it can always take more.
            (STAR, "8", NeedMore),
            (STAR, "81", plain_after(3, "81")),
            (STAR, "8123456789", plain_after(3, "8123456789")),
            (STAR, "9", NoMatch),
            (
                STAR_NO_TIMEOUT,
                "81",
                Decision::DialAfter(
                    DEFAULT_TIMEOUT,
                    dialed("81", UserParam::None, Route::Default),
                ),
            ),
            // Timeouts: wait while a longer template could still match.
            (SHORT_AND_LONG, "1234", plain_after(3, "1234")),
            (SHORT_AND_LONG, "12345", NeedMore),
            (SHORT_AND_LONG, "1234567", plain_now("1234567")),
            (SHORT_AND_LONG, "12345678", NoMatch),
            // The brief's plan: longest match wins over the catch-all.
            (BRIEF, "9", plain_after(5, "9")),
            (BRIEF, "91", plain_after(5, "91")),
            (BRIEF, "911", now("911", Phone, Route::Emergency)),
            (BRIEF, "95551234", now("5551234", Phone, Route::Default)),
            (BRIEF, "1", plain_after(5, "1")),
            (BRIEF, "1234", plain_now("1234")),
            (BRIEF, "12345", plain_after(5, "12345")),
            // Ties go to the first template; otherwise the most literal characters win.
            (TIE, "123", now("123", UserParam::None, Route::Backup)),
            (
                SPECIFIC_LATER,
                "1234",
                now("1234", UserParam::None, proxy("proxy2.example.com:5070")),
            ),
            (
                SPECIFIC_LATER,
                "3234",
                now("3234", UserParam::None, Route::Backup),
            ),
            // Rewrite adding a prefix, with user=ip.
            (
                ADD_PREFIX,
                "5551234",
                now("14085551234", Ip, Route::Default),
            ),
            (ADD_PREFIX, "555123", NeedMore),
            // Rewrite from a star: extra characters dropped, missing ones produce nothing.
            (
                STAR_REWRITE,
                "0123",
                now("00123", UserParam::None, proxy("[2001:db8::1]:5060")),
            ),
            (
                STAR_REWRITE,
                "012345",
                now("00123", UserParam::None, proxy("[2001:db8::1]:5060")),
            ),
            (
                STAR_REWRITE,
                "01",
                now("001", UserParam::None, proxy("[2001:db8::1]:5060")),
            ),
            // An empty plan dials everything as typed.
            (EMPTY, "", NeedMore),
            (EMPTY, "anything*#", plain_now("anything*#")),
            // Too long to be a dial string.
            (STAR, &LONG_TYPED, NoMatch),
        ];
        for (xml, typed, expected) in cases {
            assert_eq!(
                plan(xml).decide(typed),
                expected,
                "typed {typed:?} in {xml}"
            );
        }
    }

    static LONG_TYPED: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("8{}", "1".repeat(MAX_TYPED_CHARS)));

    #[test]
    fn resolve_takes_the_best_full_match() {
        let brief = plan(BRIEF);
        assert_eq!(
            brief.resolve("9"),
            Some(dialed("9", UserParam::None, Route::Default))
        );
        assert_eq!(
            brief.resolve("95551234"),
            Some(dialed("5551234", UserParam::Phone, Route::Default))
        );
        assert_eq!(plan(LITERAL).resolve("10"), None);
        assert_eq!(
            plan(LITERAL).resolve("100"),
            Some(dialed("100", UserParam::None, Route::Default))
        );
        assert_eq!(plan(SHORT_AND_LONG).resolve("12345"), None);
        let empty = DialPlan::default();
        assert_eq!(
            empty.resolve("alice"),
            Some(dialed("alice", UserParam::None, Route::Default))
        );
        assert_eq!(empty.resolve(""), None);
        assert_eq!(brief.resolve(""), None);
    }

    #[test]
    fn cisco_example_fixture() {
        let p = DialPlan::parse(CISCO_EXAMPLE, "cisco_example.xml").unwrap();
        let lines: Vec<usize> = p.templates.iter().map(|t| t.line).collect();
        assert_eq!(lines, [4, 6, 7, 9, 11, 12]);
        assert_eq!(p.templates[0].timeout, Some(Duration::ZERO));
        assert_eq!(p.templates[3].rewrite.as_deref(), Some("1408......."));
        use UserParam::Phone;
        let cases = [
            ("911", now("911", Phone, Route::Emergency)),
            // Seven digits could be local or 9 plus seven: wait.
            ("9555123", after(3, "14089555123", Phone, Route::Default)),
            ("95551234", now("5551234", Phone, Route::Default)),
            ("5551234", after(3, "14085551234", Phone, Route::Default)),
            ("0115551", after(5, "0115551", Phone, Route::Backup)),
            (
                "01144123456789",
                after(5, "01144123456789", Phone, Route::Backup),
            ),
            ("1234", plain_now("1234")),
            ("", Decision::NeedMore),
        ];
        for (typed, expected) in cases {
            assert_eq!(p.decide(typed), expected, "typed {typed:?}");
        }
    }

    /// What a keypad sees key by key: the wait restarts with each key, a more specific
    /// template takes over as the string grows, and `Timeout="0"` dials at once.
    #[test]
    fn keystroke_by_keystroke() {
        use Decision::{NeedMore, NoMatch};
        use UserParam::Phone;
        let p = DialPlan::parse(CISCO_EXAMPLE, "cisco_example.xml").unwrap();
        let catch_all = |typed: &str| plain_after(5, typed);
        let sequences: Vec<(&str, Vec<Decision>)> = vec![
            // 9 plus seven digits: the catch-all waits 5 s, the 7-character local template
            // (first on the tie with the catch-all) waits 3 s, and the eighth digit dials.
            (
                "95551234",
                vec![
                    catch_all("9"),
                    catch_all("95"),
                    catch_all("955"),
                    catch_all("9555"),
                    catch_all("95551"),
                    catch_all("955512"),
                    after(3, "14089555123", Phone, Route::Default),
                    now("5551234", Phone, Route::Default),
                ],
            ),
            (
                "911",
                vec![
                    catch_all("9"),
                    catch_all("91"),
                    now("911", Phone, Route::Emergency),
                ],
            ),
            // International: the catch-all until 011 has a digit after it, then 011*.
            (
                "0114",
                vec![
                    catch_all("0"),
                    catch_all("01"),
                    catch_all("011"),
                    after(5, "0114", Phone, Route::Backup),
                ],
            ),
            (
                "1234",
                vec![
                    catch_all("1"),
                    catch_all("12"),
                    catch_all("123"),
                    plain_now("1234"),
                ],
            ),
        ];
        for (keys, expected) in sequences {
            let seen: Vec<Decision> = (1..=keys.len()).map(|n| p.decide(&keys[..n])).collect();
            assert_eq!(seen, expected, "typing {keys}");
        }
        // Without a catch-all: collecting, then nothing can match.
        let literal = plan(LITERAL);
        let seen: Vec<Decision> = ["1", "10", "102"].map(|t| literal.decide(t)).to_vec();
        assert_eq!(seen, [NeedMore, NeedMore, NoMatch]);
    }

    #[test]
    fn broken_unclosed_fixture() {
        let err = DialPlan::parse(BROKEN_UNCLOSED, "broken_unclosed.xml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "broken_unclosed.xml: line 4: unclosed tag <TEMPLATE>"
        );
    }

    #[test]
    fn accepted_syntax() {
        let xml = "\u{feff}<?xml version='1.0'?>\r\n<!-- a\r\ncomment -->\r\n<DialTemplate>\r\n\
            <template match='1.' timeout = '0' user='phone' route='BACKUP' Tone='Secondary'></template>\r\n\
            <!-- between --><TEMPLATE MATCH=\"2&#42;\" TIMEOUT=\"7\" User=\"ip\" REWRITE=\"+&amp;.\" Route=\"10.0.0.1\">\r\n\
            <!-- inside --></TEMPLATE >\r\n</DIALTEMPLATE>\r\n<!-- trailing -->\r\n";
        let p = plan(xml);
        assert_eq!(p.templates.len(), 2);
        let first = &p.templates[0];
        assert_eq!((first.pattern.as_str(), first.line), ("1.", 5));
        assert_eq!(
            (first.user.clone(), first.route.clone()),
            (UserParam::Phone, Route::Backup)
        );
        let second = &p.templates[1];
        assert_eq!(second.pattern, "2*");
        assert_eq!(second.timeout, Some(Duration::from_secs(7)));
        assert_eq!(second.rewrite.as_deref(), Some("+&."));
        assert_eq!(second.route, Route::Proxy("10.0.0.1".to_string()));
        assert_eq!(second.line, 6);
        assert_eq!(plan("<DIALTEMPLATE></DIALTEMPLATE>"), DialPlan::default());
    }

    #[test]
    fn refused_files_name_the_line() {
        let t = |attrs: &str| {
            format!("<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\"/>\n<TEMPLATE {attrs}/>\n</DIALTEMPLATE>")
        };
        let cases: Vec<(String, usize, &str)> = vec![
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\"\n\n<TEMPLATE MATCH=\"2\"/></DIALTEMPLATE>"
                    .into(),
                2,
                "unclosed tag <TEMPLATE>",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\">\n</DIALTEMPLATE>".into(),
                2,
                "unclosed tag <TEMPLATE>",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\"/>\n".into(),
                1,
                "unclosed tag <DIALTEMPLATE>",
            ),
            (
                "<DIALTEMPLATE>\n<!-- never closed\n</DIALTEMPLATE>".into(),
                2,
                "unclosed comment",
            ),
            (t("Timeout=\"0\""), 3, "TEMPLATE without MATCH"),
            (t("MATCH=\"\""), 3, "empty MATCH"),
            (t("MATCH=\"9[2-9]..\""), 3, "has '['"),
            (t("MATCH=\"1 2\""), 3, "has ' '"),
            (t("MATCH=\"1\" Timeout=\"-1\""), 3, "bad Timeout"),
            (t("MATCH=\"1\" Timeout=\"1.5\""), 3, "bad Timeout"),
            (t("MATCH=\"1\" Timeout=\"\""), 3, "bad Timeout"),
            (
                t("MATCH=\"1\" Timeout=\"99999999999999999999999\""),
                3,
                "bad Timeout",
            ),
            (t("MATCH=\"1\" User=\"sip\""), 3, "unknown User"),
            (
                t("MATCH=\"1..\" Rewrite=\"9...\""),
                3,
                "uses 3 '.' but MATCH \"1..\" provides only 2",
            ),
            (t("MATCH=\"1\" Rewrite=\"\""), 3, "empty Rewrite"),
            (t("MATCH=\"1\" Route=\"host:99999\""), 3, "bad Route"),
            (t("MATCH=\"1\" Route=\"a b\""), 3, "bad Route"),
            (t("MATCH=\"1\" match=\"2\""), 3, "duplicate attribute match"),
            (t("MATCH"), 3, "has no value"),
            (t("MATCH=1"), 3, "not quoted"),
            (t("MATCH=\"&bogus;\""), 3, "unknown entity"),
            (t("MATCH=\"1\" / x"), 3, "unexpected"),
            (
                "<DIALTEMPLATE>\n<TEMPLATE\n  MATCH=\"1\"\n  Timeout=\"soon\"/>\n</DIALTEMPLATE>"
                    .into(),
                4,
                "bad Timeout",
            ),
            (
                "<?xml version=\"1.0\"?>\n<DIALPLAN>\n</DIALPLAN>".into(),
                2,
                "unknown root element <DIALPLAN>",
            ),
            (
                "<DIALTEMPLATE>\n<RULE MATCH=\"1\"/>\n</DIALTEMPLATE>".into(),
                2,
                "unknown element <RULE>",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\"/>\n911\n</DIALTEMPLATE>".into(),
                3,
                "text outside tags",
            ),
            ("hello\n<DIALTEMPLATE/>".into(), 1, "text outside tags"),
            ("<DIALTEMPLATE/>\n\ntrailing".into(), 3, "text outside tags"),
            (
                "<DIALTEMPLATE/>\n<DIALTEMPLATE/>".into(),
                2,
                "content after",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\">x</TEMPLATE>\n</DIALTEMPLATE>".into(),
                2,
                "text inside <TEMPLATE>",
            ),
            (
                "<DIALTEMPLATE>\n</TEMPLATE>".into(),
                2,
                "does not close <DIALTEMPLATE> of line 1",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1\">\n</DIALTEMPLATE>\n</TEMPLATE>".into(),
                2,
                "unclosed tag <TEMPLATE>",
            ),
            ("\n\n".into(), 3, "no <DIALTEMPLATE> root element"),
            (
                "<!DOCTYPE x>\n<DIALTEMPLATE/>".into(),
                1,
                "unexpected markup",
            ),
            (
                "<DIALTEMPLATE>\n<TEMPLATE MATCH=\"1<\"/>\n</DIALTEMPLATE>".into(),
                2,
                "'<' in the value",
            ),
        ];
        for (xml, line, reason) in cases {
            let err = DialPlan::parse(&xml, "f.xml").unwrap_err();
            assert_eq!(err.origin, "f.xml");
            assert_eq!(err.line, line, "{xml:?}: {err}");
            assert!(err.reason.contains(reason), "{xml:?}: {err}");
        }
    }

    #[test]
    fn limits() {
        let mut many = String::from("<DIALTEMPLATE>\n");
        for _ in 0..=MAX_TEMPLATES {
            many.push_str("<TEMPLATE MATCH=\"1\"/>\n");
        }
        many.push_str("</DIALTEMPLATE>\n");
        let err = DialPlan::parse(&many, "many.xml").unwrap_err();
        assert_eq!(err.line, MAX_TEMPLATES + 2);
        assert!(err.reason.contains("more than 10000 templates"), "{err}");

        let big = format!("<DIALTEMPLATE/><!--{}-->", "x".repeat(MAX_FILE_BYTES));
        let err = DialPlan::parse(&big, "big.xml").unwrap_err();
        assert_eq!(
            (err.line, err.reason.as_str()),
            (1, "file is larger than 1 MB")
        );

        let long = format!(
            "<DIALTEMPLATE><TEMPLATE MATCH=\"{}\"/></DIALTEMPLATE>",
            "1".repeat(MAX_PATTERN_CHARS + 1)
        );
        assert!(DialPlan::parse(&long, "long.xml")
            .unwrap_err()
            .reason
            .contains("longer than"));
    }

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn exercise(xml: &str, typed: &[&str]) {
        if let Ok(p) = DialPlan::parse(xml, "fuzz.xml") {
            for t in typed {
                let _ = p.decide(t);
                let _ = p.resolve(t);
            }
        }
    }

    #[test]
    fn no_panic_on_prefixes_and_noise() {
        let typed = [
            "",
            "9",
            "911",
            "95551234",
            "011",
            "0114412345",
            "*#",
            "1234",
            "ä€",
            "..**",
        ];
        for fixture in [CISCO_EXAMPLE, BROKEN_UNCLOSED] {
            for end in 0..=fixture.len() {
                if let Some(prefix) = fixture.get(..end) {
                    exercise(prefix, &typed);
                }
            }
        }
        let mut rng = Lcg(0x5eed);
        let alphabet = b"<>/=\"' \n!-?TEMPLATEDIALmatchRewrite.*#+019&;x\xc3\xa4";
        for round in 0..3000 {
            let bytes: Vec<u8> = if round % 2 == 0 {
                // Mutations of a valid file reach deeper than pure noise.
                let mut b = CISCO_EXAMPLE.as_bytes().to_vec();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(b.len());
                    b[at] = alphabet[rng.below(alphabet.len())];
                }
                b
            } else {
                let len = rng.below(200);
                (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect()
            };
            let xml = String::from_utf8_lossy(&bytes);
            let noise: String = (0..rng.below(20))
                .map(|_| alphabet[rng.below(alphabet.len())] as char)
                .collect();
            exercise(&xml, &[&noise, "911", "0115551234"]);
        }
        // Templates built in code skip validation; matching must still hold up.
        let odd = DialPlan {
            templates: vec![Template {
                pattern: String::new(),
                timeout: None,
                user: UserParam::None,
                rewrite: Some("....".into()),
                route: Route::Default,
                line: 0,
            }],
        };
        assert_eq!(odd.decide("1"), Decision::NoMatch);
        assert_eq!(odd.resolve(""), None);
    }

    #[test]
    fn error_display_names_file_and_line() {
        let err = DialPlan::parse("<X/>", "dialplan.xml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dialplan.xml: line 1: unknown root element <X> (expected <DIALTEMPLATE>)"
        );
    }
}
