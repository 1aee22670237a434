// Finding the grammar records, and telling the broken ones from the rest.
//
// KoAlpaca v1.0 translated Alpaca's instructions and inputs with DeepL and had ChatGPT write the outputs from the Korean.
// An Alpaca grammar task gives a sentence with a mistake ("He finnished his meal"); the translator produced good Korean,
// so in Korean the task asks to fix a sentence that has nothing to fix, and the answer repeats it or says there is no
// error. The paper found these records by the keywords 오류 (error), 교정 (correction) and 문법 (grammar) and repaired
// 82 of them. Here the rule is explicit code:
//
//   (a) alreadyCorrect — a correction task whose sentence is already correct: the answer equals it (after dropping
//       spacing and punctuation), or is within one character in ten of it, or says there is nothing to fix, or (a
//       rearrangement task) already has the answer's word order.                                              → repair
//   (b) detection      — a task that asks whether there is an error, or to find one: "no error" is a fine answer. → keep
//   (c) unrelated      — the word is used otherwise (논리적 오류, 오류 메시지, 문법 범주, 치아 교정, a news text). → keep
//   (d) rewritten      — a correction task whose answer really changes the sentence. Whether the sentence was wrong
//       cannot be decided by rule: kept, and listed so a reader can look.                                        → keep
import Repro

enum GrammarKeyword: String, CaseIterable {
    case error = "오류", correction = "교정", grammar = "문법"
}

enum RecordField: String, CaseIterable {
    case instruction, input, output
}

enum GrammarClass: String, CaseIterable {
    case alreadyCorrect = "a-already-correct"
    case detection = "b-detection"
    case unrelated = "c-unrelated"
    case rewritten = "d-rewritten"

    var action: String { self == .alreadyCorrect ? "repair" : "keep" }
}

/// Where the sentence a task works on lives: in the input, or — when the input is empty — inside the instruction
/// ("다음 문장을 고치세요: 그는 학교에 갔다."). KoAlpaca does both.
enum SentenceSource: Equatable {
    case input
    case instruction(Range<String.Index>)

    var name: String {
        switch self {
        case .input: return "input"
        case .instruction: return "instruction"
        }
    }
}

/// The kind of mistake an instruction names; the repair puts back that kind first.
enum NamedErrorKind: String {
    case wordOrder = "word order", punctuation = "punctuation", spacing = "spacing", spelling = "spelling"
}

struct KeywordHit {
    var index: Int
    var matches: [(keyword: GrammarKeyword, field: RecordField)]

    var keywords: [GrammarKeyword] { GrammarKeyword.allCases.filter { k in matches.contains { $0.keyword == k } } }
    /// "문법(instruction,output) 오류(instruction)": keyword by keyword, the fields it occurs in.
    var label: String {
        keywords.map { k in
            k.rawValue + "(" + matches.filter { $0.keyword == k }.map(\.field.rawValue).joined(separator: ",") + ")"
        }.joined(separator: " ")
    }
}

struct Classification {
    var grammarClass: GrammarClass
    var reason: String
    var source: SentenceSource?          // for correction tasks
    var namedKind: NamedErrorKind?
}

enum GrammarRecords {
    // MARK: Finding

    static func hit(_ item: IndexedRecord) -> KeywordHit? {
        var matches: [(GrammarKeyword, RecordField)] = []
        for keyword in GrammarKeyword.allCases {
            for field in RecordField.allCases where text(of: item.record, field).contains(keyword.rawValue) {
                matches.append((keyword, field))
            }
        }
        return matches.isEmpty ? nil : KeywordHit(index: item.index, matches: matches)
    }

    static func text(of record: InstructionRecord, _ field: RecordField) -> String {
        switch field {
        case .instruction: return record.instruction
        case .input: return record.input
        case .output: return record.output
        }
    }

    // MARK: The word lists of the rule (matched as substrings of the instruction)

    /// The keyword used for something other than the language of a sentence.
    static let otherSenses = ["논리적 오류", "논리 오류", "논리의 오류", "오류 메시지", "오류 코드", "오류 처리", "오류율",
                              "측정 오류", "표준 오류", "계산 오류", "사실 오류", "사실적 오류", "인지 오류", "인지적 오류",
                              "시스템 오류", "문법 범주", "치아", "시력", "자세 교정", "교정기", "교정 시설", "교정직"]
    /// Programming: "파이썬 문법", "코드의 오류".
    static let codeWords = ["코드", "프로그램", "함수", "스크립트", "쿼리", "컴파일", "디버그", "디버깅", "버그",
                            "파이썬", "Python", "SQL", "HTML", "자바", "소프트웨어"]
    /// Verbs of a correction task ("fix it"). 배열 is the rearrangement task ("arrange the words correctly").
    static let correctionVerbs = ["수정", "교정", "고치", "고쳐", "바로잡", "바로 잡", "제거", "다시 쓰", "다시 작성",
                                  "재작성", "바꾸", "바꿔", "편집", "배열"]
    /// Words of a detection or judgement task ("is there an error?", "find it").
    static let detectionWords = ["있는지", "없는지", "올바른지", "맞는지", "옳은지", "올바른가", "맞습니까", "맞나요", "옳은가",
                                 "찾아", "찾으", "찾기", "식별", "평가", "판단", "분석", "확인", "여부", "검사", "감지"]
    /// An answer saying the sentence needs no change (matched with spaces removed).
    static let nothingToFixPhrases = ["오류가없", "오류는없", "오류없", "틀린곳이없", "틀린부분이없", "잘못된부분이없",
                                      "잘못된곳이없", "수정할필요가없", "수정할부분이없", "수정할것이없", "고칠필요가없",
                                      "고칠부분이없", "고칠것이없", "수정이필요하지않", "이미올바", "이미정확",
                                      "올바른문장입니다", "문법적으로올바릅니다", "문법적으로맞습니다", "문법적으로정확합니다"]
    static let namedKinds: [(words: [String], kind: NamedErrorKind)] = [
        (["배열", "순서"], .wordOrder),
        (["구두점", "문장 부호", "문장부호", "쉼표", "마침표"], .punctuation),
        (["띄어쓰기", "띄어 쓰기"], .spacing),
        (["맞춤법", "철자", "오타"], .spelling),
    ]

    /// "One character in ten": the largest normalised edit distance at which the answer counts as the input unchanged.
    static let nearlyEqual = 0.1

    static func containsAny(_ text: String, _ words: [String]) -> String? { words.first { text.contains($0) } }

    // MARK: Classifying

    static func classify(_ record: InstructionRecord) -> Classification {
        let instruction = record.instruction
        func result(_ c: GrammarClass, _ reason: String, _ source: SentenceSource? = nil) -> Classification {
            Classification(grammarClass: c, reason: reason, source: source,
                           namedKind: namedKinds.first { containsAny(instruction, $0.words) != nil }?.kind)
        }
        guard GrammarKeyword.allCases.contains(where: { instruction.contains($0.rawValue) }) else {
            return result(.unrelated, "keyword only in the input or output: the task is not about grammar")
        }
        if let word = containsAny(instruction, otherSenses) {
            return result(.unrelated, "the instruction uses the word in another sense (\(word))")
        }
        if let word = containsAny(instruction, codeWords) {
            return result(.unrelated, "the instruction is about code (\(word))")
        }
        guard let source = sentenceSource(record) else {
            return result(.unrelated, "talks about grammar but gives no sentence to work on")
        }
        let sentence = sentenceText(record, source)
        if let verb = containsAny(instruction, correctionVerbs) {
            return classifyCorrection(record, sentence: sentence, source: source, verb: verb)
        }
        if let word = containsAny(instruction, detectionWords) {
            return result(.detection, "asks to judge or find an error (\(word)); any answer is consistent", source)
        }
        return result(.unrelated, "mentions grammar but asks neither to correct nor to judge")
    }

    static func classifyCorrection(_ record: InstructionRecord, sentence: String, source: SentenceSource,
                                   verb: String) -> Classification {
        let named = namedKinds.first { containsAny(record.instruction, $0.words) != nil }?.kind
        func result(_ c: GrammarClass, _ reason: String) -> Classification {
            Classification(grammarClass: c, reason: "correction task (\(verb)): " + reason, source: source, namedKind: named)
        }
        let answer = stripLabel(record.output)
        let quoted = quotedSpans(record.output).last
        var distance = TextCompare.normalizedDistance(sentence, answer)
        var against = "the answer"
        if let quoted {
            let d = TextCompare.normalizedDistance(sentence, quoted)
            if d < distance { distance = d; against = "the last quoted sentence of the answer" }
        }
        let shown = format2(distance)
        if distance == 0 {
            return result(.alreadyCorrect, "\(against) equals the \(source.name) sentence (spacing and punctuation aside)")
        }
        if distance <= nearlyEqual {
            return result(.alreadyCorrect, "\(against) differs from the \(source.name) sentence by \(shown) (≤ \(nearlyEqual))")
        }
        let compact = record.output.filter { !$0.isWhitespace }
        if quoted == nil, let phrase = nothingToFixPhrases.first(where: { compact.contains($0) }) {
            return result(.alreadyCorrect, "the answer says there is nothing to fix (\(phrase))")
        }
        if named == .wordOrder && sameWordOrder(sentence, answer) {
            return result(.alreadyCorrect, "rearrangement task whose sentence is already in the answer's word order")
        }
        return result(.rewritten, "the answer changes the sentence (distance \(shown)); kept for a human to judge")
    }

    /// Two decimals without Foundation.
    static func format2(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A rearrangement task is already solved when the words come in the answer's order: same number of eojeol and
    /// the same first syllable of each, one for one (endings may differ: 뛰었습니다 / 뛰었다).
    static func sameWordOrder(_ a: String, _ b: String) -> Bool {
        let x = a.eojeols.compactMap { $0.core.first }, y = b.eojeols.compactMap { $0.core.first }
        return x.count >= 2 && x == y
    }

    // MARK: The sentence of the task

    static func sentenceSource(_ record: InstructionRecord) -> SentenceSource? {
        if !Validation.isBlank(record.input) { return .input }
        return embeddedSentence(in: record.instruction).map { .instruction($0) }
    }

    static func sentenceText(_ record: InstructionRecord, _ source: SentenceSource) -> String {
        switch source {
        case .input: return record.input
        case .instruction(let range): return String(record.instruction[range])
        }
    }

    /// The sentence inside an instruction: the longest quoted span, else what follows the last colon.
    static func embeddedSentence(in instruction: String) -> Range<String.Index>? {
        if let longest = quotedRanges(instruction).max(by: { instruction[$0].count < instruction[$1].count }) {
            return longest
        }
        guard let colon = instruction.lastIndex(of: ":") else { return nil }
        var start = instruction.index(after: colon)
        while start < instruction.endIndex && instruction[start].isWhitespace { start = instruction.index(after: start) }
        var end = instruction.endIndex
        while end > start && instruction[instruction.index(before: end)].isWhitespace { end = instruction.index(before: end) }
        return start < end ? start..<end : nil
    }

    static let quotePairs: [(Character, Character)] = [("\"", "\""), ("“", "”"), ("'", "'"), ("‘", "’"), ("「", "」")]

    /// Ranges of text between matching quotes, without the quotes, in order of appearance.
    static func quotedRanges(_ text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard let pair = quotePairs.first(where: { $0.0 == text[index] }) else { index = text.index(after: index); continue }
            let start = text.index(after: index)
            guard let close = text[start...].firstIndex(of: pair.1) else { index = start; continue }
            if start < close { ranges.append(start..<close) }
            index = text.index(after: close)
        }
        return ranges
    }

    static func quotedSpans(_ text: String) -> [String] { quotedRanges(text).map { String(text[$0]) } }

    /// "내용: 그녀는 ..." → "그녀는 ...": a short label before a colon at the very start of an answer.
    static func stripLabel(_ text: String) -> String {
        guard let colon = text.firstIndex(of: ":") else { return text }
        let label = text[..<colon]
        guard label.count <= 10, !label.contains(where: { $0.isWhitespace && $0 != " " }),
              label.filter({ $0 == " " }).count <= 1 else { return text }
        return String(text[text.index(after: colon)...])
    }
}
