// Levenshtein distance over Characters (a Hangul syllable counts as one): chapter 01 uses it to tell a translator's
// rewrite from a real correction, chapter 06 to say how close a model's correction comes to the expected one.
public enum EditDistance {
    /// The fewest single-character insertions, deletions and substitutions that turn `a` into `b` (two-row table).
    public static func characters(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// 1 − distance / longer length: 1 for identical texts (two empty ones included), 0 for nothing in common.
    public static func similarity(_ a: String, _ b: String) -> Double {
        let x = Array(a), y = Array(b)
        let longer = max(x.count, y.count)
        return longer == 0 ? 1 : 1 - Double(characters(x, y)) / Double(longer)
    }
}
