// Baselines for the held-out loss: what token frequencies alone (unigram) and the previous token alone (bigram)
// predict, trained on the training stream and measured on the held-out stream with the same tokenizer. A model
// that has learnt anything beyond the previous token beats the bigram; one that has learnt nothing sits near the
// unigram.
//
// Smoothing, and why:
// - Unigram, add-one (Laplace): P(w) = (c(w) + 1) / (N + V). With millions of training tokens and a few thousand ids,
//   the added counts shift each probability by well under 0.1% of its value; they only matter for ids never seen in
//   training (rare byte tokens, unused special tokens), which must not get probability 0.
// - Bigram, interpolated Kneser–Ney (Chen & Goodman 1998, §2.7), one discount per order:
//     P(w | v) = max(c(v,w) − D, 0) / c(v)  +  D · N₁₊(v•) / c(v) · P_cont(w)        when v was seen as a context,
//     P(w | v) = P_cont(w)                                                            otherwise,
//     P_cont(w) = max(N₁₊(•w) − D₁, 0) / N₁₊(••)  +  D₁ · T / N₁₊(••) · 1/V,
//   where c(v) = Σ_w c(v,w), N₁₊(v•) = the distinct tokens seen after v, N₁₊(•w) = the distinct tokens seen before w
//   ("in how many contexts does w occur": why "Francisco" is a poor guess after an unseen word), N₁₊(••) = the
//   distinct pairs, T = the tokens with N₁₊(•w) > 0, and V = the vocabulary. Each discount is Ney, Essen & Kneser's
//   estimate D = n₁ / (n₁ + 2·n₂) from how many types occur once (n₁) and twice (n₂) at that order (bigram counts
//   for D, continuation counts for D₁); 0.5 when no type occurs once or none twice. Unlike add-k there is nothing to
//   tune on held-out text, and it is the standard strong n-gram baseline.
//
// API
//   UnigramModel(ids:vocabularySize:), BigramModel(ids:vocabularySize:discounts:)   train on a token stream
//   .probability(of:) / .probability(of:after:)                                   smoothed probabilities
//   .nats(on: [Int32]), .crossEntropy(on: TokenStream) -> CrossEntropy           summed, and per token, character, syllable
import Foundation

/// A held-out loss and what it is divided by. `nats` is the sum of −log p over `targets` predictions; per
/// character and per Hangul syllable divide the same sum by the text's size, which no tokenizer can change.
public struct CrossEntropy: Equatable, Sendable {
    public var nats: Double
    public var targets: Int
    public var characters: Int
    public var hangulSyllables: Int

    public init(nats: Double, targets: Int, characters: Int, hangulSyllables: Int) {
        self.nats = nats; self.targets = targets; self.characters = characters; self.hangulSyllables = hangulSyllables
    }

    /// The same sum over a stream's targets, characters and syllables (for a model's held-out loss).
    public init(nats: Double, stream: TokenStream) {
        self.init(nats: nats, targets: stream.targets, characters: stream.characters, hangulSyllables: stream.hangulSyllables)
    }

    public var perToken: Double { nats / Double(targets) }
    public var perCharacter: Double { nats / Double(characters) }
    public var perHangulSyllable: Double { nats / Double(hangulSyllables) }
}

public struct UnigramModel: Sendable {
    public let vocabularySize: Int
    public let counts: [Int]
    public let total: Int

    /// Counts every id of `ids` (a training TokenStream's ids: EOS markers included, as the model predicts them too).
    public init(ids: [Int32], vocabularySize: Int) {
        var counts = [Int](repeating: 0, count: vocabularySize)
        for id in ids {
            precondition(id >= 0 && Int(id) < vocabularySize, "id \(id) outside the vocabulary of \(vocabularySize)")
            counts[Int(id)] += 1
        }
        self.vocabularySize = vocabularySize
        self.counts = counts
        self.total = ids.count
    }

    public func probability(of w: Int32) -> Double {
        precondition(w >= 0 && Int(w) < vocabularySize, "id \(w) outside the vocabulary of \(vocabularySize)")
        return Double(counts[Int(w)] + 1) / Double(total + vocabularySize)
    }

    /// −log p of every id after the first, summed.
    public func nats(on ids: [Int32]) -> Double {
        var nats = 0.0
        for w in ids.dropFirst() { nats -= log(probability(of: w)) }
        return nats
    }

    public func crossEntropy(on stream: TokenStream) -> CrossEntropy { CrossEntropy(nats: nats(on: stream.ids), stream: stream) }
}

public struct BigramModel: Sendable {
    public let vocabularySize: Int
    /// The discounts D (bigram counts) and D₁ (continuation counts).
    public let discount: Double
    public let continuationDiscount: Double

    // The counts c(v,w) as compressed rows: the followers of v are followers[rowStart[v] ..< rowStart[v + 1]], sorted,
    // with their counts beside them.
    let rowStart: [Int]
    let followers: [Int32]
    let pairCounts: [Int32]
    let contextTotal: [Int]            // c(v)
    let continuation: [Int]            // N₁₊(•w)
    let distinctPairs: Int             // N₁₊(••)
    let continuedTokens: Int           // T

    /// Counts every adjacent pair of `ids`. `discounts` overrides the estimated (D, D₁), for tests.
    public init(ids: [Int32], vocabularySize: Int, discounts: (Double, Double)? = nil) {
        let v = vocabularySize
        var keys = [UInt64]()
        keys.reserveCapacity(max(0, ids.count - 1))
        for (a, b) in zip(ids, ids.dropFirst()) {
            precondition(a >= 0 && Int(a) < v && b >= 0 && Int(b) < v, "ids \(a), \(b): outside the vocabulary of \(v)")
            keys.append(UInt64(a) << 32 | UInt64(b))
        }
        keys.sort()
        var rowStart = [Int](repeating: 0, count: v + 1)
        var followers: [Int32] = [], pairCounts: [Int32] = []
        var contextTotal = [Int](repeating: 0, count: v), continuation = [Int](repeating: 0, count: v)
        var ones = 0, twos = 0, i = 0
        while i < keys.count {
            var j = i + 1
            while j < keys.count && keys[j] == keys[i] { j += 1 }
            let a = Int(keys[i] >> 32), b = Int32(truncatingIfNeeded: keys[i] & 0xFFFF_FFFF), n = j - i
            rowStart[a + 1] += 1
            followers.append(b)
            pairCounts.append(Int32(n))
            contextTotal[a] += n
            continuation[Int(b)] += 1
            if n == 1 { ones += 1 } else if n == 2 { twos += 1 }
            i = j
        }
        for k in 0..<v { rowStart[k + 1] += rowStart[k] }
        var continuationOnes = 0, continuationTwos = 0
        for n in continuation { if n == 1 { continuationOnes += 1 } else if n == 2 { continuationTwos += 1 } }

        self.vocabularySize = v
        self.discount = discounts?.0 ?? BigramModel.estimatedDiscount(ones: ones, twos: twos)
        self.continuationDiscount = discounts?.1 ?? BigramModel.estimatedDiscount(ones: continuationOnes, twos: continuationTwos)
        self.rowStart = rowStart
        self.followers = followers
        self.pairCounts = pairCounts
        self.contextTotal = contextTotal
        self.continuation = continuation
        self.distinctPairs = followers.count
        self.continuedTokens = continuation.filter { $0 > 0 }.count
    }

    /// Ney, Essen & Kneser (1994): D = n₁ / (n₁ + 2·n₂); 0.5 when n₁ or n₂ is 0 (tiny or degenerate data).
    public static func estimatedDiscount(ones: Int, twos: Int) -> Double {
        ones > 0 && twos > 0 ? Double(ones) / Double(ones + 2 * twos) : 0.5
    }

    /// P_cont(w): how readily w follows a new context, interpolated with the uniform distribution.
    public func continuationProbability(of w: Int32) -> Double {
        let uniform = 1 / Double(vocabularySize)
        guard distinctPairs > 0 else { return uniform }
        let b = Double(distinctPairs), d = continuationDiscount
        return max(Double(continuation[Int(w)]) - d, 0) / b + d * Double(continuedTokens) / b * uniform
    }

    /// c(v, w), by binary search in v's row.
    public func count(of w: Int32, after v: Int32) -> Int {
        var lo = rowStart[Int(v)], hi = rowStart[Int(v) + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if followers[mid] < w { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStart[Int(v) + 1] && followers[lo] == w ? Int(pairCounts[lo]) : 0
    }

    public func probability(of w: Int32, after v: Int32) -> Double {
        precondition(v >= 0 && Int(v) < vocabularySize && w >= 0 && Int(w) < vocabularySize,
                     "ids \(v), \(w): outside the vocabulary of \(vocabularySize)")
        let total = contextTotal[Int(v)]
        guard total > 0 else { return continuationProbability(of: w) }
        let types = rowStart[Int(v) + 1] - rowStart[Int(v)]
        let c = Double(total)
        return max(Double(count(of: w, after: v)) - discount, 0) / c
            + discount * Double(types) / c * continuationProbability(of: w)
    }

    /// −log p of every id after the first given the id before it, summed.
    public func nats(on ids: [Int32]) -> Double {
        var nats = 0.0
        for (v, w) in zip(ids, ids.dropFirst()) { nats -= log(probability(of: w, after: v)) }
        return nats
    }

    public func crossEntropy(on stream: TokenStream) -> CrossEntropy { CrossEntropy(nats: nats(on: stream.ids), stream: stream) }
}
