// Cleaning WikiExtractor's articles for pretraining: conservative, every rule counted, and why.
//
// Looking at the Korean sample (40 files, 55,352 articles) shows what WikiExtractor leaves behind. The rules below
// remove that and nothing else; they never rewrite a sentence. Each is counted (articles touched, occurrences) in a
// CleaningReport, and each article dropped is counted by reason.
//
// API
//   WikiCleaner(minimumCharacters:)                        200 by default, as in the reference run
//   cleaner.clean(_ articles: [WikiArticle]) -> CleanedCorpus   the kept articles and the report
//   cleaner.cleanText(of:tally:) -> String                 one article's text after every rule (no length test)
//   CleaningReport.rows / .columns                         the report as a table (rule, articles, occurrences, why)
//   CorpusArticle                                          a kept article: id, title, text, file, line, sizes
import Plumbing

/// What cleaning changes inside an article, in the order it is applied.
public enum CleaningRule: String, CaseIterable, Sendable {
    case entities = "HTML entities"
    case titleLine = "title line"
    case spaces = "unusual spaces"
    case switchLines = "__SWITCH__ lines"
    case tableLines = "table-markup lines"
    case markupTags = "markup tags"
    case wikiLinks = "unconverted [[links]]"
    case placeholders = "formula_N, codice_N"
    case emptyBrackets = "empty brackets"
    case bracketSeparators = "stray commas and spaces"
    case headingPeriods = "heading periods"

    /// Why the rule exists, in one sentence (the notebook shows it beside the counts).
    public var why: String {
        switch self {
        case .titleLine:
            return "WikiExtractor repeats the title as the first line; it is not part of the text (the title stays in the article's record)."
        case .entities:
            return "WikiExtractor writes its text HTML-escaped (&lt; &gt; &amp; &quot;); decoded once, so the model sees < > & \"."
        case .spaces:
            return "No-break, ideographic and other Unicode spaces become a plain space and zero-width characters go, so one space is one token."
        case .switchLines:
            return "A line that is only a behaviour switch such as __넘겨주기고정__ (MediaWiki's __NOREDIRECT__) is markup, not text."
        case .tableLines:
            return "Lines starting with ! or | (or {|, |-, |}) are table rows WikiExtractor failed to drop (\"!colspan=2| 합계 || 14 || …\")."
        case .markupTags:
            return "Tags WikiExtractor left in (<br>, <section … />, <chem>, …) are removed, their content kept, except a <ref>…</ref> citation or <math>…</math> TeX on one line, removed whole; only known tag names, so that <계춘할망> or <The Wall> (titles in angle brackets) stay."
        case .wikiLinks:
            return "A few articles kept raw wikitext links: [[target|text]] becomes text, [[target]] target, and [[분류:…]] / [[파일:…]] links go, as WikiExtractor does elsewhere."
        case .placeholders:
            return "WikiExtractor puts formula_N for each <math> and codice_N for each <code> it removed; the placeholder carries no text."
        case .emptyBrackets:
            return "Removing foreign script and formulas leaves (), (, ), 《》 or []; they are removed with the space before them (앙카라()는 → 앙카라는)."
        case .bracketSeparators:
            return "Commas, semicolons or spaces left where foreign words were removed: at the inner edge of a parenthesis, (, 1924년 10월 1일 ~ ) → (1924년 10월 1일 ~), and doubled, (顧客關係管理, , 줄여서 CRM) → (顧客關係管理, 줄여서 CRM)."
        case .headingPeriods:
            return "WikiExtractor ends every section heading with a period (생애.); a short line ending in \".\" but not in \"다.\" loses that period."
        }
    }
}

/// Why a whole article is left out.
public enum DropReason: String, CaseIterable, Sendable {
    case empty = "empty (title only)"
    case stub = "stub (under the minimum length)"
    case duplicate = "duplicate text"

    public var why: String {
        switch self {
        case .empty: return "Redirects and pages whose text WikiExtractor removed entirely: only the title line is left."
        case .stub: return "Too short to teach anything but the first sentence of a stub (and often a disambiguation page whose list was removed)."
        case .duplicate: return "The same cleaned text as an earlier article; kept once, so no copy can sit on both sides of the held-out split."
        }
    }
}

/// Counts of one rule or reason: articles it touched and times it applied (characters, for dropped articles).
public struct Tally: Equatable, Sendable {
    public var articles = 0
    public var occurrences = 0
    public init(articles: Int = 0, occurrences: Int = 0) { self.articles = articles; self.occurrences = occurrences }
}

/// An article kept for pretraining.
public struct CorpusArticle: Equatable, Sendable {
    public var id: String
    public var title: String
    /// The cleaned text: lines joined by "\n", no empty line, no leading or trailing space.
    public var text: String
    public var file: String
    public var line: Int
    /// Unicode scalars of `text` (what Python's len() counts), and among them Hangul syllables (U+AC00–U+D7A3).
    public var characters: Int
    public var hangulSyllables: Int

    public init(id: String, title: String, text: String, file: String, line: Int) {
        self.id = id; self.title = title; self.text = text; self.file = file; self.line = line
        (characters, hangulSyllables) = CorpusArticle.measure(text)
    }

    /// Counted on the UTF-8 bytes (Swift's scalar view is several times slower): every byte that does not continue a
    /// sequence starts a scalar, and a Hangul syllable is the 3-byte sequence EA B0 80 … ED 9E A3.
    static func measure(_ text: String) -> (characters: Int, hangul: Int) {
        var text = text
        return text.withUTF8 { bytes in
            var characters = 0, hangul = 0, i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b & 0xC0 != 0x80 { characters += 1 }
                if b >= 0xEA && b <= 0xED && i + 2 < bytes.count {
                    let scalar = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                    if scalar >= 0xAC00 && scalar <= 0xD7A3 { hangul += 1 }
                }
                i += 1
            }
            return (characters, hangul)
        }
    }
}

/// What cleaning did: articles and characters read and kept, articles dropped by reason, edits by rule.
public struct CleaningReport: Equatable, Sendable {
    public var minimumCharacters: Int
    public var articlesRead = 0
    public var articlesKept = 0
    /// Characters (Unicode scalars) of the articles' text as read (title line included) and as kept.
    public var charactersRead = 0
    public var charactersKept = 0
    public var hangulKept = 0
    /// Per reason: `articles` dropped and the `occurrences` field holds their characters after cleaning.
    public var dropped: [DropReason: Tally] = [:]
    public var edits: [CleaningRule: Tally] = [:]

    public init(minimumCharacters: Int) { self.minimumCharacters = minimumCharacters }

    public var articlesDropped: Int { dropped.values.reduce(0) { $0 + $1.articles } }

    /// The report as a table for a notebook: dropped articles first, then the edits inside the kept ones.
    public static let columns = ["what", "articles", "occurrences or characters", "why"]
    public var rows: [[String]] {
        var rows: [[String]] = []
        for reason in DropReason.allCases {
            let t = dropped[reason] ?? Tally()
            let name = reason == .stub ? "dropped: stub (under \(Format.count(minimumCharacters)) characters)" : "dropped: " + reason.rawValue
            rows.append([name, Format.count(t.articles), Format.count(t.occurrences) + " characters", reason.why])
        }
        for rule in CleaningRule.allCases {
            let t = edits[rule] ?? Tally()
            rows.append(["edit: " + rule.rawValue, Format.count(t.articles), Format.count(t.occurrences), rule.why])
        }
        rows.append(["kept", Format.count(articlesKept), Format.count(charactersKept) + " characters",
                     "\(Format.count(hangulKept)) Hangul syllables; of \(Format.count(articlesRead)) articles, \(Format.count(charactersRead)) characters read"])
        return rows
    }
}

public struct CleanedCorpus: Sendable {
    public var articles: [CorpusArticle]
    public var report: CleaningReport
}

public struct WikiCleaner: Sendable {
    /// Articles shorter than this, in Unicode scalars after cleaning, are stubs.
    public var minimumCharacters: Int

    public init(minimumCharacters: Int = 200) { self.minimumCharacters = minimumCharacters }

    /// Clean every article, drop the empty, the stubs and the duplicates, in input order. (One thread: on both
    /// cores it was no faster, 2.6–2.9 s against 2.6 s on the sample, the machine being shared.)
    public func clean(_ articles: [WikiArticle]) -> CleanedCorpus {
        var report = CleaningReport(minimumCharacters: minimumCharacters)
        var kept: [CorpusArticle] = []
        var seen: [UInt64: [Int]] = [:]          // hash of a kept text → its places in `kept`
        for article in articles {
            var tally: [CleaningRule: Int] = [:]
            let text = cleanText(of: article, tally: &tally)
            report.articlesRead += 1
            report.charactersRead += CorpusArticle.measure(article.text).characters
            let size = CorpusArticle.measure(text).characters
            var reason: DropReason? = size == 0 ? .empty : size < minimumCharacters ? .stub : nil
            let hash = reason == nil ? WikiCleaner.hash(text) : 0
            if reason == nil, seen[hash, default: []].contains(where: { kept[$0].text == text }) { reason = .duplicate }
            if let reason {
                report.dropped[reason, default: Tally()].articles += 1
                report.dropped[reason, default: Tally()].occurrences += size
                continue
            }
            seen[hash, default: []].append(kept.count)
            for (rule, n) in tally where n > 0 {
                report.edits[rule, default: Tally()].articles += 1
                report.edits[rule, default: Tally()].occurrences += n
            }
            let clean = CorpusArticle(id: article.id, title: article.title, text: text, file: article.file, line: article.line)
            report.articlesKept += 1
            report.charactersKept += clean.characters
            report.hangulKept += clean.hangulSyllables
            kept.append(clean)
        }
        return CleanedCorpus(articles: kept, report: report)
    }

    /// FNV-1a over the UTF-8 bytes: a cheap key for finding duplicates (equal hashes are then compared as text).
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// The article's text after every rule, counting each rule's occurrences into `tally`.
    public func cleanText(of article: WikiArticle, tally: inout [CleaningRule: Int]) -> String {
        var scalars = Array(article.text.unicodeScalars)
        tally[.entities, default: 0] += HTMLEntities.decode(&scalars)
        var lines = scalars.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = lines.first, first.elementsEqual(article.title.unicodeScalars) {
            lines.removeFirst()
            tally[.titleLine, default: 0] += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(article.text.utf8.count)
        for line in lines {
            if let clean = cleanLine(Array(line), tally: &tally), !clean.isEmpty {
                if !out.isEmpty { out.append(0x0A) }
                for scalar in clean { out.append(contentsOf: UTF8.encode(scalar)!) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One line through the rules; nil when the whole line is markup. (Empty results are dropped by the caller.)
    func cleanLine(_ input: [Unicode.Scalar], tally: inout [CleaningRule: Int]) -> [Unicode.Scalar]? {
        var line = input
        tally[.spaces, default: 0] += Self.normaliseSpaces(&line)
        if Self.isSwitchLine(line) { tally[.switchLines, default: 0] += 1; return nil }
        if Self.isTableLine(line) { tally[.tableLines, default: 0] += 1; return nil }
        tally[.markupTags, default: 0] += Self.removeTags(&line)
        tally[.wikiLinks, default: 0] += Self.unwrapLinks(&line)
        // Removing a placeholder can empty a bracket, and removing an empty bracket can join a placeholder's halves
        // ("fo《》rmula_2"): repeat until a pass removes neither (each pass that does shortens the line).
        while true {
            let placeholders = Self.removePlaceholders(&line)
            let (empty, separators) = Self.cleanBrackets(&line)
            tally[.placeholders, default: 0] += placeholders
            tally[.emptyBrackets, default: 0] += empty
            tally[.bracketSeparators, default: 0] += separators
            if placeholders == 0 && empty == 0 { break }
        }
        Self.tidySpaces(&line)
        if Self.isHeading(line) {
            line.removeLast()
            tally[.headingPeriods, default: 0] += 1
        }
        return line
    }
}
