// The "real-word rate" of generated Korean: the share of its eojeol (어절, the units between spaces) that occur in
// a reference text. A model that strings syllables together at random scores near 0; one that writes words it has
// read scores high even when its sentences make no sense, so the rate measures vocabulary, not meaning.
//
// An eojeol here is a run of non-whitespace with punctuation and symbols stripped from both ends: "(1977년" and
// "1977년)," are both 1977년, "이다." is 이다, and "《스타" is 스타. Characters inside stay ("A.I", "3·1"). What is
// left empty (a lone "—" or "...") is no eojeol. Every eojeol counts, repeats included: a model that repeats one
// real word scores 100%, which is why the notebook shows the generated text beside the rate, and the distinct share
// beside it: the share of each text's eojeol that are not a repeat of an earlier one in the same text.
//
// API
//   Eojeol.words(in:) -> [String]                 the eojeol of a text, in order
//   Eojeol.vocabulary(of:) -> Set<String>          the distinct eojeol of reference texts
//   Eojeol.realWordRate(of:reference:) -> RealWordRate
//   Eojeol.distinctShare(of:) -> Double           first occurrences / all eojeol, each text on its own
public struct RealWordRate: Equatable, Sendable {
    /// Eojeol of the text found in the reference set, and all of them.
    public var found: Int
    public var total: Int
    /// found / total, or 0 for a text with no eojeol.
    public var rate: Double { total == 0 ? 0 : Double(found) / Double(total) }
}

public enum Eojeol {
    public static func words(in text: String) -> [String] {
        var words: [String] = []
        for piece in text.unicodeScalars.split(whereSeparator: { $0.properties.isWhitespace }) {
            var word = piece[...]
            while let first = word.first, !isWordCharacter(first) { word.removeFirst() }
            while let last = word.last, !isWordCharacter(last) { word.removeLast() }
            if !word.isEmpty { words.append(String(String.UnicodeScalarView(word))) }
        }
        return words
    }

    /// Letters (Hangul, Latin, Han, …), digits and combining marks; everything else (punctuation, symbols) is
    /// stripped at the edges.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s.properties.generalCategory == .nonspacingMark
    }

    public static func vocabulary(of texts: [String]) -> Set<String> {
        var set = Set<String>()
        for text in texts { set.formUnion(words(in: text)) }
        return set
    }

    public static func realWordRate(of text: String, reference: Set<String>) -> RealWordRate {
        let words = words(in: text)
        return RealWordRate(found: words.filter { reference.contains($0) }.count, total: words.count)
    }

    /// Over all `texts`, the eojeol that occur for the first time in their own text, divided by all eojeol (0 when
    /// there are none). A loop of one word scores near 0 however real the word is; text without a repeat scores 1.
    /// Each text counts on its own, so two continuations that share a word are not penalised for it.
    public static func distinctShare(of texts: [String]) -> Double {
        var distinct = 0, total = 0
        for text in texts {
            let words = words(in: text)
            distinct += Set(words).count
            total += words.count
        }
        return total == 0 ? 0 : Double(distinct) / Double(total)
    }
}
