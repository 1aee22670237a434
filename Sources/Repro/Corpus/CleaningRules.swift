// The line-level rules of WikiCleaner (Cleaning.swift), each a small function on a line's Unicode scalars that
// edits it in place and returns how many times it applied. The reasons are in CleaningRule.why.

extension WikiCleaner {
    // MARK: Spaces

    /// Unicode spaces (no-break U+00A0, U+2000–U+200A, U+202F, U+205F, ideographic U+3000, …), tabs and carriage
    /// returns become " "; the zero-width space U+200B and U+FEFF go. (Zero-width joiners U+200C/U+200D stay: some
    /// scripts and emoji need them.)
    static func normaliseSpaces(_ line: inout [Unicode.Scalar]) -> Int {
        var changed = 0
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(line.count)
        for s in line {
            switch s.value {
            case 0x09, 0x0D, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                out.append(" "); changed += 1
            case 0x200B, 0xFEFF:
                changed += 1
            default:
                out.append(s)
            }
        }
        if changed > 0 { line = out }
        return changed
    }

    /// Runs of spaces become one; none at either end. (Removals leave double spaces; the files themselves have none.)
    static func tidySpaces(_ line: inout [Unicode.Scalar]) {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(line.count)
        for s in line where !(s == " " && (out.isEmpty || out.last == " ")) { out.append(s) }
        if out.last == " " { out.removeLast() }
        line = out
    }

    // MARK: Whole lines of markup

    /// `__목차숨김__`, `__NOTOC__`: two underscores, a word of capital letters or of Hangul (as MediaWiki's switches
    /// are spelt; so Python's `__init__` is not one), two underscores, nothing else.
    static func isSwitchLine(_ line: [Unicode.Scalar]) -> Bool {
        let t = trimmed(line)
        guard t.count > 4, t.prefix(2).allSatisfy({ $0 == "_" }), t.suffix(2).allSatisfy({ $0 == "_" }) else { return false }
        let word = t.dropFirst(2).dropLast(2)
        return word.allSatisfy { $0 >= "A" && $0 <= "Z" } || word.allSatisfy { (0xAC00...0xD7A3).contains($0.value) }
    }

    /// A wikitext table row: the line starts with `!` or `|` (which covers `|-`, `|}`, `|+`), or with `{|`.
    static func isTableLine(_ line: [Unicode.Scalar]) -> Bool {
        let t = trimmed(line)
        guard let first = t.first else { return false }
        return first == "!" || first == "|" || (first == "{" && t.dropFirst().first == "|")
    }

    static func trimmed(_ line: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
        var t = line[...]
        while t.first == " " { t.removeFirst() }
        while t.last == " " { t.removeLast() }
        return t
    }

    // MARK: Markup inside a line

    /// The tag names seen in the sample, and their usual companions. A tag is `<name>`, `</name>`, `<name/>`, or
    /// `<name attributes>` where the attributes hold an "=" (so `<Big Bang>`, a title, is not `<big>`).
    static let tagNames: Set<String> = ["br", "ref", "references", "section", "onlyinclude", "includeonly", "noinclude",
                                        "chem", "ce", "math", "score", "mapframe", "maplink", "poem", "gallery", "small",
                                        "big", "sup", "sub", "nowiki", "center", "span", "div", "blockquote", "code",
                                        "source", "syntaxhighlight", "pre", "timeline", "templatestyles", "hiero", "imagemap"]

    /// Tags whose content goes with them when both ends are on the line: a reference's citation and a formula's
    /// TeX are not prose (WikiExtractor drops both when it parses them).
    static let tagsDroppedWithContent: Set<String> = ["ref", "math"]

    static func removeTags(_ line: inout [Unicode.Scalar]) -> Int {
        guard line.contains("<") else { return 0 }
        var out: [Unicode.Scalar] = [], removed = 0, i = 0
        while i < line.count {
            if line[i] == "<", let (name, end) = tag(line, from: i) {
                removed += 1
                i = end
                if let name, tagsDroppedWithContent.contains(name), line[end - 2] != "/" {
                    let closing = Array("</\(name)>".unicodeScalars)
                    if let close = find(closing, in: line, from: end, ignoringCase: true) { i = close + closing.count }
                }
            } else {
                out.append(line[i])
                i += 1
            }
        }
        if removed > 0 { line = out }
        return removed
    }

    /// The (lower-case) name of a known opening tag starting at `start`, and the index after its `>`; nil for a
    /// closing tag's name, so that only an opening tag takes content with it.
    static func tag(_ line: [Unicode.Scalar], from start: Int) -> (String?, Int)? {
        var i = start + 1
        let isClosing = i < line.count && line[i] == "/"
        if isClosing { i += 1 }
        let nameStart = i
        while i < line.count, line[i].isASCII, line[i].properties.isAlphabetic { i += 1 }
        let name = String(String.UnicodeScalarView(line[nameStart..<i])).lowercased()
        guard i > nameStart, i < line.count, tagNames.contains(name) else { return nil }
        var j = i
        while j < line.count, line[j] != ">", line[j] != "<" { j += 1 }
        guard j < line.count, line[j] == ">" else { return nil }
        let inside = line[i..<j]                      // between the name and ">"
        let bare = inside.allSatisfy { $0 == " " || $0 == "/" }
        guard bare || (inside.first == " " && inside.contains("=")) else { return nil }
        return (isClosing ? nil : name, j + 1)
    }

    /// Namespaces whose links are not text: categories and files.
    static let droppedLinkPrefixes = ["분류:", "category:", "파일:", "file:", "그림:", "image:"]

    static func unwrapLinks(_ line: inout [Unicode.Scalar]) -> Int {
        guard line.contains("[") else { return 0 }
        var out: [Unicode.Scalar] = [], changed = 0, i = 0
        while i < line.count {
            if line[i] == "[", i + 1 < line.count, line[i + 1] == "[", let close = find(["]"], in: line, from: i + 2) {
                // "]]" ends a link; a category link also ends at a lone "]" (the sample has "[[분류:네이버]").
                let inner = Array(line[(i + 2)..<close])
                let target = String(String.UnicodeScalarView(inner)).lowercased()
                let doubled = close + 1 < line.count && line[close + 1] == "]"
                if droppedLinkPrefixes.contains(where: { target.hasPrefix($0) }) {
                    i = close + (doubled ? 2 : 1)
                } else if doubled {
                    let bar = inner.lastIndex(of: "|").map { $0 + 1 } ?? 0
                    out += inner[bar...]
                    i = close + 2
                } else {
                    out.append(line[i])
                    i += 1
                    continue
                }
                changed += 1
            } else {
                out.append(line[i])
                i += 1
            }
        }
        if changed > 0 { line = out }
        return changed
    }

    /// The first place of `pattern` in `line` at or after `start` (ASCII letters compared without case if asked).
    static func find(_ pattern: [Unicode.Scalar], in line: [Unicode.Scalar], from start: Int, ignoringCase: Bool = false) -> Int? {
        func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
            ignoringCase && s >= "A" && s <= "Z" ? Unicode.Scalar(s.value + 32)! : s
        }
        var i = start
        while i + pattern.count <= line.count {
            if line[i..<(i + pattern.count)].elementsEqual(pattern, by: { fold($0) == fold($1) }) { return i }
            i += 1
        }
        return nil
    }

    static let placeholderStems: [[Unicode.Scalar]] = [Array("formula_".unicodeScalars), Array("codice_".unicodeScalars)]

    /// `formula_` or `codice_` followed by digits.
    static func removePlaceholders(_ line: inout [Unicode.Scalar]) -> Int {
        guard line.contains("_") else { return 0 }
        var out: [Unicode.Scalar] = [], removed = 0, i = 0
        scan: while i < line.count {
            for stem in placeholderStems where line[i] == stem[0] && i + stem.count < line.count
                && line[i..<(i + stem.count)].elementsEqual(stem) && isDigit(line[i + stem.count]) {
                i += stem.count
                while i < line.count, isDigit(line[i]) { i += 1 }
                removed += 1
                continue scan
            }
            out.append(line[i])
            i += 1
        }
        if removed > 0 { line = out }
        return removed
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s >= "0" && s <= "9" }

    // MARK: Brackets

    /// The closing bracket of an opening one (a switch, not a dictionary: it runs on every character).
    static func closer(of s: Unicode.Scalar) -> Unicode.Scalar? {
        switch s {
        case "(": return ")"
        case "[": return "]"
        case "《": return "》"
        case "「": return "」"
        case "『": return "』"
        case "〈": return "〉"
        case "（": return "）"
        default: return nil
        }
    }
    /// What is left inside a bracket whose words were removed.
    static func isFiller(_ s: Unicode.Scalar) -> Bool { s == " " || s == "," || s == ";" || s == "、" }

    /// Removes empty brackets (with the spaces before them) until none is left, so `(())` goes too; then a comma or
    /// semicolon repeated with only spaces between, and commas, semicolons and spaces at the inner edges of round
    /// brackets. Returns (empty brackets removed, separators trimmed).
    static func cleanBrackets(_ line: inout [Unicode.Scalar]) -> (Int, Int) {
        var empty = 0
        while let (start, end) = firstEmptyBracket(line) {
            // The spaces before go too when the bracket followed a word ("모듈 ()은" → "모듈은"), not after a
            // sentence's end ("있다. 《》와" keeps its space).
            var from = start
            while from > 0, line[from - 1] == " " { from -= 1 }
            if from > 0, from < start, !isWordEnd(line[from - 1]) { from = start }
            line.removeSubrange(from...end)
            empty += 1
        }
        var edges = 0, i = 0
        while i < line.count {
            if line[i] == "," || line[i] == ";" {          // "(顧客關係管理, , 줄여서" → "(顧客關係管理, 줄여서"
                var j = i + 1
                while j < line.count, line[j] == " " { j += 1 }
                if j < line.count, line[j] == "," || line[j] == ";" {
                    line.removeSubrange((i + 1)...j)
                    edges += 1
                    continue
                }
            }
            if line[i] == "(" {                             // "(, , x" → "(x", "( 1986년" → "(1986년"
                var j = i + 1
                while j < line.count, isFiller(line[j]) { j += 1 }
                if j > i + 1, j < line.count {
                    line.removeSubrange((i + 1)..<j)
                    edges += 1
                }
            } else if line[i] == ")" {                      // "x, )" → "x)"
                var j = i
                while j > 0, isFiller(line[j - 1]) { j -= 1 }
                if j > 0, j < i, line[j - 1] != "(" {
                    line.removeSubrange(j..<i)
                    edges += 1
                    i = j
                }
            }
            i += 1
        }
        return (empty, edges)
    }

    static func isWordEnd(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || isDigit(s) }

    static func firstEmptyBracket(_ line: [Unicode.Scalar]) -> (Int, Int)? {
        for (i, s) in line.enumerated() {
            guard let closer = closer(of: s) else { continue }
            var j = i + 1
            while j < line.count, isFiller(line[j]) { j += 1 }
            if j < line.count, line[j] == closer { return (i, j) }
        }
        return nil
    }

    // MARK: Headings

    /// WikiExtractor writes `== 생애 ==` as "생애." Short lines ending in one "." are headings unless they end in
    /// "다." (the sentence ending of almost every Korean sentence) or hold another sentence end. Longer lines ending in
    /// a noun and "." are mostly sentences in nominal style ("… 2018년 5월 26일 공개."), so the limit is 20.
    static let headingLimit = 20

    static func isHeading(_ line: [Unicode.Scalar]) -> Bool {
        guard line.count >= 2, line.count <= headingLimit, line.last == "." else { return false }
        let before = line[line.count - 2]
        if before == "." || before == "다" || before == " " { return false }
        let body = line.dropLast()
        if body.contains(where: { $0 == "?" || $0 == "!" }) { return false }
        if zip(body, body.dropFirst()).contains(where: { $0 == "." && $1 == " " }) { return false }
        return body.contains { $0.properties.isAlphabetic || isDigit($0) }
    }
}
