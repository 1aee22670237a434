// Repairing a class-(a) record: put a real, typical Korean mistake back into the sentence, so that the answer is once
// more the correction of the question. The answer (output) is never changed.
//
// The rules are tried in a fixed order and the first that applies wins:
//   0. the kind of mistake the instruction names, if any ("구두점을 추가하여" → punctuation, "단어를 배열하여" → word
//      order, "띄어쓰기" → spacing, "맞춤법"/"철자" → spelling): the error put back must be the one the task asks about;
//   1. particle agreement (책을 → 책를),  2. spacing (할 수 → 할수),  3. spelling and verb endings (됐 → 됬).
// Word order and punctuation are used only when named: they change a sentence too much to be a default.
// Every rule edits one place, and only where the answer shows the correct form (the particle word, the spaced word,
// the correct spelling), so that the answer visibly corrects what was broken.
import Repro

enum RepairRule: String, CaseIterable {
    case wordOrder = "word order"
    case punctuation = "punctuation"
    case particle = "particle agreement"
    case spacing = "spacing"
    case spelling = "spelling"
}

struct RepairEdit: Equatable {
    var rule: RepairRule
    var sentence: String       // the sentence after the edit
    var detail: String         // what changed, for repairs.md
}

struct RepairOutcome {
    var index: Int
    var source: SentenceSource
    var edit: RepairEdit?      // nil: no rule applied, the record is unchanged
    var before: InstructionRecord
    var after: InstructionRecord
}

enum Repair {
    /// The rules in the order they are tried for a task that names `kind` (or none).
    static func ruleOrder(named kind: NamedErrorKind?) -> [RepairRule] {
        var order: [RepairRule] = [.particle, .spacing, .spelling]
        let first: RepairRule?
        switch kind {
        case .wordOrder: first = .wordOrder
        case .punctuation: first = .punctuation
        case .spacing: first = .spacing
        case .spelling: first = .spelling
        case nil: first = nil
        }
        if let first { order.removeAll { $0 == first }; order.insert(first, at: 0) }
        return order
    }

    static func apply(_ rule: RepairRule, sentence: String, answer: String) -> RepairEdit? {
        switch rule {
        case .wordOrder: return wordOrder(sentence)
        case .punctuation: return punctuation(sentence, answer: answer)
        case .particle: return particle(sentence, answer: answer)
        case .spacing: return spacing(sentence, answer: answer)
        case .spelling: return spelling(sentence, answer: answer)
        }
    }

    /// Repair one record classified (a). `source` says where its sentence is; only that sentence changes.
    static func repair(_ item: IndexedRecord, classification: Classification) -> RepairOutcome {
        let record = item.record
        let source = classification.source ?? .input
        let sentence = GrammarRecords.sentenceText(record, source)
        var after = record
        var edit: RepairEdit? = nil
        for rule in ruleOrder(named: classification.namedKind) {
            if let found = apply(rule, sentence: sentence, answer: record.output) { edit = found; break }
        }
        if let edit {
            switch source {
            case .input: after.input = edit.sentence
            case .instruction(let range): after.instruction.replaceSubrange(range, with: edit.sentence)
            }
        }
        return RepairOutcome(index: item.index, source: source, edit: edit, before: record, after: after)
    }

    static func replacing(_ text: String, _ range: Range<String.Index>, with replacement: String) -> String {
        var copy = text
        copy.replaceSubrange(range, with: replacement)
        return copy
    }

    // MARK: 1. Particle agreement

    /// (after a final consonant, after a vowel). 으로/로 has the ㄹ exception: 서울로, not 서울으로.
    static let particlePairs: [(consonant: String, vowel: String)] = [("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로")]

    /// Words that end like a particle but are not noun + particle (adverbs, nouns ending in the syllable, verbs).
    static let notParticleWords: Set<String> = [
        "같이", "많이", "깊이", "높이", "넓이", "길이", "먹이", "놀이", "어린이", "없이", "굳이", "깨끗이", "일찍이", "아이", "사이",
        "나이", "오이", "나가", "다가", "휴가", "결과", "성과", "학과", "교과", "일과", "부과", "통과", "경과", "초과",
        "바로", "서로", "새로", "따로", "스스로", "그대로", "대로", "도로", "비로소", "주로", "날로", "홀로", "절로", "저절로",
        "제대로", "멋대로", "마음대로", "함부로", "때로", "별로", "참으로", "앞으로", "뒤로",
    ]
    /// Syllables before -는/-은 that are verb or adjective stems (하는, 되는, 같은, 작은): modifiers, not topic markers.
    static let modifierStems: Set<Character> = ["하", "되", "같", "작", "높", "낮", "넓", "깊", "짧", "적", "젊", "밝", "맑",
                                                "받", "얻", "찾", "읽", "먹", "닫", "있", "없"]
    /// Dependent nouns: a word ending in -을 before one of these is a verb modifier (먹을 수, 할 것).
    static let dependentNouns = ["수", "것", "거", "때문", "줄", "데", "뿐", "만큼", "중", "적", "바", "듯", "지", "채", "척", "체", "리"]

    static func particle(_ sentence: String, answer: String) -> RepairEdit? {
        let words = sentence.eojeols
        for pair in particlePairs {
            for (position, word) in words.enumerated() {
                let core = String(word.core)
                let particle: String
                if core.hasSuffix(pair.consonant) { particle = pair.consonant }
                else if core.hasSuffix(pair.vowel) && !(pair.vowel == "로" && core.hasSuffix("으로")) { particle = pair.vowel }
                else { continue }
                let stem = core.dropLast(particle.count)
                guard let last = stem.last, let final = Hangul.finalConsonantIndex(of: last) else { continue }
                let wanted: String
                if pair.vowel == "로" {
                    wanted = (final == 0 || final == Hangul.finalRieul) ? pair.vowel : pair.consonant
                } else {
                    wanted = final == 0 ? pair.vowel : pair.consonant
                }
                // Only a particle that agrees now is noun + particle for sure; a disagreeing one is some other word.
                guard particle == wanted, !notParticleWords.contains(core), answer.contains(core) else { continue }
                if Hangul.finalsWithHieut.contains(final) { continue }
                if (particle == "은" || particle == "는") && modifierStems.contains(last) { continue }
                if (particle == "가" || particle == "와") && ["어", "아", "여", "져"].contains(last) { continue }
                if particle == "을", position + 1 < words.count,
                   dependentNouns.contains(where: { words[position + 1].core.hasPrefix($0) }) { continue }
                let wrong = particle == pair.consonant ? pair.vowel : pair.consonant
                let broken = String(stem) + wrong
                let reason = final == 0 ? "no final consonant"
                    : (pair.vowel == "로" && final == Hangul.finalRieul ? "final ㄹ (which takes 로)" : "a final consonant")
                return RepairEdit(rule: .particle, sentence: replacing(sentence, word.coreRange, with: broken),
                                  detail: "\(core) → \(broken): \(last) has \(reason), so \(particle) is right and \(wrong) is the error")
            }
        }
        return nil
    }

    // MARK: 2. Spacing

    /// What may follow a dependent noun inside its eojeol (것은, 수가, 중이었어요, 때문에): particles and the copula.
    static let dependentNounSuffixes = ["이", "가", "은", "는", "을", "를", "에", "도", "만", "으로", "로", "과", "와", "입니", "였",
                                        "의", "까지", "부터", "처럼", "예요", "이에요"]

    static func spacing(_ sentence: String, answer: String) -> RepairEdit? {
        let words = sentence.eojeols
        guard words.count >= 2 else { return nil }
        for i in 1..<words.count {
            let previous = words[i - 1], word = words[i]
            // The space is removable only between two bare words (no punctuation between them).
            guard previous.coreRange.upperBound == previous.range.upperBound,
                  word.coreRange.lowerBound == word.range.lowerBound,
                  answer.contains(" " + word.core) else { continue }
            var why: String? = nil
            if let last = previous.core.last, let final = Hangul.finalConsonantIndex(of: last),
               final == Hangul.finalNieun || final == Hangul.finalRieul,
               let noun = dependentNouns.first(where: { noun in
                   word.core.hasPrefix(noun) && (word.core.count == noun.count
                       || dependentNounSuffixes.contains { word.core.dropFirst(noun.count).hasPrefix($0) })
               }) {
                why = "the dependent noun \(noun) is written apart from the modifier \(previous.core)"
            } else if previous.core.hasSuffix("고"), word.core.hasPrefix("있") || word.core.hasPrefix("계") {
                why = "-고 있다 is written apart"
            } else if previous.core.hasSuffix("지"), word.core.hasPrefix("않") || word.core.hasPrefix("못") {
                why = "-지 않다 / -지 못하다 is written apart"
            }
            guard let why else { continue }
            let broken = replacing(sentence, previous.range.upperBound..<word.range.lowerBound, with: "")
            return RepairEdit(rule: .spacing, sentence: broken,
                              detail: "\(previous.core) \(word.core) → \(previous.core)\(word.core): \(why)")
        }
        return nil
    }

    // MARK: 3. Spelling and verb endings

    /// (correct, the common mistake), most typical first. 습니다 → 읍니다 is the spelling before the 1988 reform.
    static let misspellings: [(correct: String, wrong: String)] = [
        ("며칠", "몇일"), ("됐", "됬"), ("돼요", "되요"), ("돼서", "되서"), ("되는", "돼는"), ("되고", "돼고"), ("되면", "돼면"),
        ("되지", "돼지"), ("안 되", "않 되"), ("안 돼", "않 돼"), ("지 않", "지 안"), ("이었", "이였"), ("오랜만", "오랫만"),
        ("금세", "금새"), ("설거지", "설겆이"), ("역할", "역활"), ("희한", "희안"), ("어떡해", "어떻해"), ("웬일", "왠일"),
        ("왠지", "웬지"), ("할게", "할께"), ("굳이", "구지"), ("깨끗이", "깨끗히"), ("일부러", "일부로"), ("든지", "던지"),
        ("었습니다", "었읍니다"), ("았습니다", "았읍니다"), ("였습니다", "였읍니다"), ("있습니다", "있읍니다"), ("없습니다", "없읍니다"),
    ]

    static func spelling(_ sentence: String, answer: String) -> RepairEdit? {
        for (correct, wrong) in misspellings {
            guard answer.contains(correct), let range = sentence.firstRange(of: correct) else { continue }
            return RepairEdit(rule: .spelling, sentence: replacing(sentence, range, with: wrong),
                              detail: "\(correct) → \(wrong)")
        }
        return nil
    }

    // MARK: Named kinds: word order and punctuation

    /// A rearrangement task gets its words out of order: the predicate (last word; Korean is verb-final) moves to the
    /// front, the sentence-final punctuation stays at the end.
    static func wordOrder(_ sentence: String) -> RepairEdit? {
        let words = sentence.eojeols
        guard words.count >= 2, let last = words.last else { return nil }
        let tail = sentence[last.coreRange.upperBound..<last.range.upperBound]
        let rest = words.dropLast().map { String(sentence[$0.range]) }
        let broken = ([String(last.core)] + rest).joined(separator: " ") + tail
        return RepairEdit(rule: .wordOrder, sentence: broken, detail: "moved the predicate \(last.core) to the front")
    }

    /// A punctuation task gets its punctuation removed (when the answer has some to put back).
    static func punctuation(_ sentence: String, answer: String) -> RepairEdit? {
        let marks = sentence.filter { $0.isPunctuation }
        guard !marks.isEmpty, answer.contains(where: { $0.isPunctuation }) else { return nil }
        var broken = sentence.filter { !$0.isPunctuation }
        while broken.last?.isWhitespace == true { broken.removeLast() }
        return RepairEdit(rule: .punctuation, sentence: broken, detail: "removed the punctuation \(marks.map(String.init).joined(separator: " "))")
    }
}
