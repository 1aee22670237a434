import XCTest
import Foundation
@testable import Repro

final class NGramTests: XCTestCase {
    // A corpus small enough to count by hand: V = 4, ids 0 1 2 1 2 3 0 1 3 0.
    let ids: [Int32] = [0, 1, 2, 1, 2, 3, 0, 1, 3, 0]

    /// c(0) = 3, c(1) = 3, c(2) = 2, c(3) = 2, N = 10: P(w) = (c(w) + 1) / (10 + 4).
    func testUnigramIsAddOne() {
        let model = UnigramModel(ids: ids, vocabularySize: 4)
        XCTAssertEqual(model.counts, [3, 3, 2, 2])
        XCTAssertEqual(model.total, 10)
        for (w, p) in [(0, 4.0 / 14), (1, 4.0 / 14), (2, 3.0 / 14), (3, 3.0 / 14)] {
            XCTAssertEqual(model.probability(of: Int32(w)), p, accuracy: 1e-14)
        }
        // Held out 0 2 3: the targets are 2 and 3.
        XCTAssertEqual(model.nats(on: [0, 2, 3]), -2 * log(3.0 / 14), accuracy: 1e-12)
        let unseen = UnigramModel(ids: ids, vocabularySize: 5)
        XCTAssertEqual(unseen.probability(of: 4), 1.0 / 15, accuracy: 1e-14)
    }

    /// Pairs: (0,1)×2, (1,2)×2, (2,1), (2,3), (3,0)×2, (1,3); 6 distinct, n₁ = 3, n₂ = 3, so D = 3 / (3 + 6) = 1/3.
    /// Continuation counts N₁₊(•w): w0 ← {3} = 1, w1 ← {0, 2} = 2, w2 ← {1} = 1, w3 ← {2, 1} = 2; n₁ = 2, n₂ = 2, so
    /// D₁ = 2 / (2 + 4) = 1/3, T = 4, and P_cont(w) = (N₁₊(•w) − 1/3) / 6 + (1/3)(4/6)(1/4) = 1/6, 1/3, 1/6, 1/3.
    func testBigramIsInterpolatedKneserNey() {
        let model = BigramModel(ids: ids, vocabularySize: 4)
        XCTAssertEqual(model.discount, 1.0 / 3, accuracy: 1e-14)
        XCTAssertEqual(model.continuationDiscount, 1.0 / 3, accuracy: 1e-14)
        for (w, p) in [(0, 1.0 / 6), (1, 1.0 / 3), (2, 1.0 / 6), (3, 1.0 / 3)] {
            XCTAssertEqual(model.continuationProbability(of: Int32(w)), p, accuracy: 1e-14)
        }
        XCTAssertEqual(model.count(of: 1, after: 0), 2)
        XCTAssertEqual(model.count(of: 3, after: 2), 1)
        XCTAssertEqual(model.count(of: 0, after: 2), 0)
        // After 0 (c = 2, one follower): P(1|0) = (2 − 1/3)/2 + (1/3)(1/2)(1/3) = 8/9; the rest (1/6)·P_cont.
        // After 1 (c = 3, two followers): P(2|1) = (2 − 1/3)/3 + (1/3)(2/3)(1/6) = 16/27, P(3|1) = 2/9 + 2/27 = 8/27.
        // After 2 (c = 2, two followers): P(3|2) = (1 − 1/3)/2 + (1/3)(2/2)(1/3) = 4/9.
        let expected: [(Int32, Int32, Double)] = [
            (0, 1, 8.0 / 9), (0, 0, 1.0 / 36), (0, 2, 1.0 / 36), (0, 3, 1.0 / 18),
            (1, 2, 16.0 / 27), (1, 3, 8.0 / 27), (1, 0, 1.0 / 27), (1, 1, 2.0 / 27),
            (2, 3, 4.0 / 9), (2, 1, 4.0 / 9), (2, 0, 1.0 / 18), (2, 2, 1.0 / 18),
        ]
        for (v, w, p) in expected {
            XCTAssertEqual(model.probability(of: w, after: v), p, accuracy: 1e-14, "P(\(w)|\(v))")
        }
        // Held out 0 2 3: −log P(2|0) − log P(3|2) = log 36 + log(9/4).
        XCTAssertEqual(model.nats(on: [0, 2, 3]), log(36.0) + log(9.0 / 4), accuracy: 1e-12)
    }

    /// With a fifth id never seen, its probability comes from the uniform share: P_cont(4) = (1/3)(4/6)(1/5) = 2/45,
    /// and an unseen context falls back to P_cont entirely.
    func testUnseenIdsAndContexts() {
        let model = BigramModel(ids: ids, vocabularySize: 5)
        XCTAssertEqual(model.continuationProbability(of: 4), 2.0 / 45, accuracy: 1e-14)
        XCTAssertEqual(model.continuationProbability(of: 1), 5.0 / 18 + 2.0 / 45, accuracy: 1e-14)
        for w: Int32 in 0..<5 {
            XCTAssertEqual(model.probability(of: w, after: 4), model.continuationProbability(of: w))
        }
    }

    func testDiscountEstimateAndItsFallback() {
        XCTAssertEqual(BigramModel.estimatedDiscount(ones: 3, twos: 3), 1.0 / 3)
        XCTAssertEqual(BigramModel.estimatedDiscount(ones: 10, twos: 0), 0.5)
        XCTAssertEqual(BigramModel.estimatedDiscount(ones: 0, twos: 4), 0.5)
        let fixed = BigramModel(ids: ids, vocabularySize: 4, discounts: (0.75, 0.25))
        XCTAssertEqual(fixed.discount, 0.75)
        // P(1|0) = (2 − 0.75)/2 + 0.75·(1/2)·P_cont(1), P_cont(1) = (2 − 0.25)/6 + 0.25·(4/6)·(1/4).
        XCTAssertEqual(fixed.probability(of: 1, after: 0), 1.25 / 2 + 0.375 * (1.75 / 6 + 0.25 / 6), accuracy: 1e-14)
    }

    /// On real ids every row is a distribution, and the bigram beats the unigram on held-out articles.
    func testDistributionsSumToOneAndTheBigramLearnsSomething() throws {
        let tokenizer = FixtureCorpus.tokenizer
        let split = try CorpusSplit(articles: FixtureCorpus.articles, heldOut: 4, seed: 9)
        let training = TokenStream(articles: split.training, tokenizer: tokenizer)
        let heldOut = TokenStream(articles: split.heldOut, tokenizer: tokenizer)
        let v = tokenizer.vocabularySize
        let unigram = UnigramModel(ids: training.ids, vocabularySize: v)
        let bigram = BigramModel(ids: training.ids, vocabularySize: v)
        XCTAssertEqual((0..<v).reduce(0.0) { $0 + unigram.probability(of: Int32($1)) }, 1, accuracy: 1e-12)
        for context in [training.ids[1], training.endOfText, 0, Int32(v - 1)] {
            XCTAssertEqual((0..<v).reduce(0.0) { $0 + bigram.probability(of: Int32($1), after: context) }, 1, accuracy: 1e-12)
        }
        XCTAssertEqual((0..<v).reduce(0.0) { $0 + bigram.continuationProbability(of: Int32($1)) }, 1, accuracy: 1e-12)
        let u = unigram.crossEntropy(on: heldOut), b = bigram.crossEntropy(on: heldOut)
        XCTAssertEqual(u.targets, heldOut.ids.count - 1)
        XCTAssertEqual(u.perCharacter, u.nats / Double(heldOut.characters))
        XCTAssertEqual(b.perHangulSyllable, b.nats / Double(heldOut.hangulSyllables))
        XCTAssertEqual(u.perToken, u.nats / Double(u.targets))
        XCTAssertLessThan(b.perToken, u.perToken)
        XCTAssertLessThan(u.perToken, log(Double(v)), "the unigram beats the uniform distribution")
    }
}

final class RealWordTests: XCTestCase {
    func testEojeolArePunctuationStrippedAtBothEnds() {
        XCTAssertEqual(Eojeol.words(in: "“바람골은” (1977년) 이다. — A.I 3·1,\n《스타》의\t..."),
                       ["바람골은", "1977년", "이다", "A.I", "3·1", "스타》의"])
        XCTAssertEqual(Eojeol.words(in: "  \n "), [])
    }

    func testRateCountsEveryEojeolOfTheText() {
        let reference = Eojeol.vocabulary(of: ["바람골은 높은 고개 아래에 있다.", "마을 이름은 (바람)에서 왔다."])
        XCTAssertEqual(reference, ["바람골은", "높은", "고개", "아래에", "있다", "마을", "이름은", "바람)에서", "왔다"],
                       "punctuation inside an eojeol stays")
        let rate = Eojeol.realWordRate(of: "바람골은 높은 바람골은, 뫼뫼뫼 있다!", reference: reference)
        XCTAssertEqual(rate, RealWordRate(found: 4, total: 5))
        XCTAssertEqual(rate.rate, 0.8)
        XCTAssertEqual(Eojeol.realWordRate(of: "...", reference: reference), RealWordRate(found: 0, total: 0))
        XCTAssertEqual(Eojeol.realWordRate(of: "...", reference: reference).rate, 0)
    }

    /// A loop scores low however real its word; repeats across texts do not count, repeats within one do.
    func testDistinctShareCountsRepeatsWithinEachText() {
        XCTAssertEqual(Eojeol.distinctShare(of: ["일본, 일본, 일본, 일본"]), 0.25)
        XCTAssertEqual(Eojeol.distinctShare(of: ["대한민국의 수도는 서울이다.", "수도는 서울이다"]), 1)
        XCTAssertEqual(Eojeol.distinctShare(of: ["생애 생애 생애", "바람골은 높은 고개 아래에 있다."]), 6.0 / 8.0)
        XCTAssertEqual(Eojeol.distinctShare(of: ["...", ""]), 0)
    }
}
