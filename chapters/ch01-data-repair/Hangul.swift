import Repro

// Hangul syllable arithmetic and the text comparisons the grammar-record rules need.
//
// A precomposed Hangul syllable is one Unicode scalar in U+AC00...U+D7A3, laid out as
//     0xAC00 + (initial × 21 + medial) × 28 + final
// with 19 initials, 21 medials and 28 finals, final 0 meaning "no final consonant" (no 받침). So
// (code − 0xAC00) % 28 tells whether a syllable ends in a consonant, which is all Korean particle agreement depends on:
// 책 + 을, 사과 + 를.

enum Hangul {
    static let firstSyllable: UInt32 = 0xAC00
    static let lastSyllable: UInt32 = 0xD7A3

    /// Index of the final consonant in the standard order ("", ㄱ, ㄲ, ㄳ, ㄴ, ㄵ, ㄶ, ㄷ, ㄹ, ...); 0 = none.
    /// Nil when the character is not a single precomposed Hangul syllable (Latin letters, digits, jamo, ...).
    static func finalConsonantIndex(of character: Character) -> Int? {
        let scalars = character.unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first,
              scalar.value >= firstSyllable, scalar.value <= lastSyllable else { return nil }
        return Int((scalar.value - firstSyllable) % 28)
    }

    static let finalRieul = 8                    // ㄹ: takes 로, not 으로 (서울로, 연필로)
    static let finalsWithHieut: Set<Int> = [6, 15, 27]   // ㄶ, ㅀ, ㅎ: stems of verbs and adjectives (좋, 많, 않)
    static let finalNieun = 4                    // ㄴ: modifier ending -ㄴ/-은/-는/-던
}

// MARK: - Comparing a correction with its input

enum TextCompare {
    /// What is left when whitespace and punctuation are dropped: "파티에 늦었습니다." and "파티에늦었습니다" compare equal.
    /// Translation often changes spacing and the final period without changing a sentence.
    static func normalized(_ text: String) -> [Character] {
        text.filter { !$0.isWhitespace && !$0.isPunctuation }.map { $0 }
    }

    /// Edit distance of the normalised texts divided by the longer normalised length: 0 = the same sentence,
    /// 1 = nothing in common. Two empty texts are identical (0).
    static func normalizedDistance(_ a: String, _ b: String) -> Double {
        let x = normalized(a), y = normalized(b)
        let longer = max(x.count, y.count)
        if longer == 0 { return 0 }
        // The distance is at least the difference in length: skip the quadratic table when that alone is large
        // (a long answer compared with a short input).
        let lengthGap = Double(abs(x.count - y.count)) / Double(longer)
        if lengthGap > 0.5 { return lengthGap }
        return Double(EditDistance.characters(x, y)) / Double(longer)
    }
}

// MARK: - Eojeol (space-separated words) with their place in the text

/// One eojeol: a maximal run of non-whitespace, and its `core` without leading and trailing punctuation
/// ("\"책을," has the core "책을"). Repairs edit the core and leave the punctuation and spacing around it alone.
struct Eojeol {
    var range: Range<String.Index>
    var coreRange: Range<String.Index>
    var core: Substring
}

extension String {
    var eojeols: [Eojeol] {
        var result: [Eojeol] = []
        var index = startIndex
        while index < endIndex {
            if self[index].isWhitespace { index = self.index(after: index); continue }
            var end = index
            while end < endIndex && !self[end].isWhitespace { end = self.index(after: end) }
            var coreStart = index, coreEnd = end
            while coreStart < coreEnd && self[coreStart].isPunctuation { coreStart = self.index(after: coreStart) }
            while coreEnd > coreStart && self[self.index(before: coreEnd)].isPunctuation { coreEnd = self.index(before: coreEnd) }
            result.append(Eojeol(range: index..<end, coreRange: coreStart..<coreEnd, core: self[coreStart..<coreEnd]))
            index = end
        }
        return result
    }
}
