// ROUGE, as Google's `rouge-score` (and ROUGE-1.5.5 before it) defines it, without stemming or stop words:
//
//   ROUGE-N   overlap = Σ over n-grams g of min(count in prediction, count in reference)   ("clipped": a repeated
//             n-gram earns at most as many matches as the reference has)
//             precision = overlap / n-grams in the prediction, recall = overlap / n-grams in the reference
//             (each denominator at least 1, so an empty side scores 0, not NaN)
//   ROUGE-L   LCS = the longest common subsequence of the two token lists (in order, gaps allowed)
//             precision = LCS / prediction tokens, recall = LCS / reference tokens (0 when either side is empty)
//   F1        2PR / (P + R), 0 when P + R = 0
//
// Everything depends on what a token is, and for Korean the usual default is a trap: rouge-score's tokenizer
// lowercases, replaces every run of characters outside [a-z0-9] by a space and keeps only [a-z0-9]+ tokens, so a
// Korean sentence has no tokens at all and scores 0 against anything (`RougeLevel.ascii` reproduces it to show this).
// Korean ROUGE is computed on syllables, eojeol (space-separated words, which carry their particles: 배터리는 and
// 배터리를 do not match) or morphemes; a report must say which. We give two, both lowercased as rouge-score does:
//   syllable   every character that is not whitespace (a Hangul syllable, a digit, a Latin letter, a "%")
//   eojeol     whitespace words with punctuation split off: maximal runs of letters/digits/"_", and every other
//              non-space character alone (Python's `re.findall(r"\w+|[^\w\s]", text.lower())`)
import Foundation
import Tensor
import Plumbing

public enum RougeLevel: String, CaseIterable, Sendable {
    case syllable, eojeol
    /// Whitespace words as they are (`korouge-score`'s tokenizer; rouge-score with a whitespace tokenizer).
    case whitespace
    /// rouge-score's default tokenizer: ASCII letters and digits only. Scores Korean at 0.
    case ascii
}

public struct RougeScore: Equatable, Sendable {
    public var precision: Double
    public var recall: Double
    public var f1: Double

    public init(precision: Double, recall: Double) {
        self.precision = precision; self.recall = recall
        f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    public static let zero = RougeScore(precision: 0, recall: 0)
}

/// ROUGE-1 and ROUGE-L of one prediction against one reference.
public struct RougePair: Equatable, Sendable {
    public var rouge1: RougeScore
    public var rougeL: RougeScore
}

public enum Rouge {
    /// The tokens of `text` at `level` (see the top of this file).
    public static func tokens(_ text: String, level: RougeLevel) -> [String] {
        let lower = text.lowercased()
        switch level {
        case .syllable:
            return lower.filter { !$0.isWhitespace }.map { String($0) }
        case .whitespace:
            return lower.split(whereSeparator: \.isWhitespace).map(String.init)
        case .eojeol:
            var tokens: [String] = [], word = String.UnicodeScalarView()
            func flush() { if !word.isEmpty { tokens.append(String(word)); word = String.UnicodeScalarView() } }
            for scalar in lower.unicodeScalars {
                if scalar.properties.isWhitespace { flush() }
                else if isWordScalar(scalar) { word.append(scalar) }
                else { flush(); tokens.append(String(scalar)) }
            }
            flush()
            return tokens
        case .ascii:
            var tokens: [String] = [], word = ""
            for scalar in lower.unicodeScalars {
                if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) { word.unicodeScalars.append(scalar) }
                else if !word.isEmpty { tokens.append(word); word = "" }
            }
            if !word.isEmpty { tokens.append(word) }
            return tokens
        }
    }

    /// Python's `\w`: letters (L*), characters with a numeric value (N*), and the underscore.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar == "_" || scalar.properties.numericType != nil
        }
    }

    /// ROUGE-N by clipped n-gram overlap.
    public static func rougeN(prediction: [String], reference: [String], n: Int) -> RougeScore {
        precondition(n >= 1, "ROUGE-N needs n ≥ 1")
        func counts(_ tokens: [String]) -> [[String]: Int] {
            var c: [[String]: Int] = [:]
            if tokens.count >= n { for i in 0...(tokens.count - n) { c[Array(tokens[i..<i + n]), default: 0] += 1 } }
            return c
        }
        let p = counts(prediction), r = counts(reference)
        let overlap = r.reduce(0) { $0 + min($1.value, p[$1.key] ?? 0) }
        let pTotal = max(prediction.count - n + 1, 0), rTotal = max(reference.count - n + 1, 0)
        return RougeScore(precision: Double(overlap) / Double(max(pTotal, 1)),
                          recall: Double(overlap) / Double(max(rTotal, 1)))
    }

    /// ROUGE-L by the longest common subsequence.
    public static func rougeL(prediction: [String], reference: [String]) -> RougeScore {
        guard !prediction.isEmpty, !reference.isEmpty else { return .zero }
        let lcs = longestCommonSubsequence(prediction, reference)
        return RougeScore(precision: Double(lcs) / Double(prediction.count), recall: Double(lcs) / Double(reference.count))
    }

    /// Length of the LCS, by the textbook dynamic programme kept to two rows: row[j] = LCS of a[..<i], b[..<j].
    public static func longestCommonSubsequence(_ a: [String], _ b: [String]) -> Int {
        // Compare small integers, not strings, in the O(|a|·|b|) loop.
        var ids: [String: Int] = [:]
        func id(_ token: String) -> Int {
            if let known = ids[token] { return known }
            ids[token] = ids.count
            return ids.count - 1
        }
        let x = a.map(id), y = b.map(id)
        var previous = [Int](repeating: 0, count: y.count + 1), current = previous
        for i in 0..<x.count {
            for j in 0..<y.count {
                current[j + 1] = x[i] == y[j] ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// ROUGE-1 and ROUGE-L of a prediction against a reference at one tokenization level.
    public static func score(prediction: String, reference: String, level: RougeLevel) -> RougePair {
        let p = tokens(prediction, level: level), r = tokens(reference, level: level)
        return RougePair(rouge1: rougeN(prediction: p, reference: r, n: 1), rougeL: rougeL(prediction: p, reference: r))
    }

    /// Mean and a 95% percentile-bootstrap interval of the mean (`resamples` resamples with replacement, seeded), the
    /// way rouge-score's BootstrapAggregator reports a corpus score.
    public static func bootstrapMean(_ values: [Double], resamples: Int = 1000, seed: UInt64) -> (mean: Double, low: Double, high: Double) {
        guard !values.isEmpty else { return (0, 0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        var random = SeededRandom(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in values.indices { sum += values[random.below(values.count)] }
            means.append(sum / Double(values.count))
        }
        means.sort()
        func quantile(_ q: Double) -> Double { means[min(means.count - 1, max(0, Int((q * Double(means.count - 1)).rounded())))] }
        return (mean, quantile(0.025), quantile(0.975))
    }
}
