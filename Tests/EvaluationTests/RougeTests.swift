import Foundation
import Repro
import Tensor
import XCTest
import Plumbing

/// The test target's Fixtures folder.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

final class RougeTests: XCTestCase {
    /// Scores from rouge-score 0.1.2 and korouge-score 0.1.4 (tools/fixtures/make_rouge_fixtures.py), equal to 1e-6,
    /// for ROUGE-1, ROUGE-2 and ROUGE-L at every tokenization.
    func testMatchesRougeScoreAndKorougeScore() throws {
        let document = try JSON.parse(try FileIO.read(fixtures + "/rouge.json"))
        let cases = try XCTUnwrap(document["cases"]?.array)
        XCTAssertEqual(cases.count, 12)
        let levels: [(String, RougeLevel)] = [("whitespace", .whitespace), ("korouge", .whitespace), ("syllable", .syllable),
                                               ("eojeol", .eojeol), ("ascii", .ascii)]
        for (i, c) in cases.enumerated() {
            let prediction = try XCTUnwrap(c["prediction"]?.string), reference = try XCTUnwrap(c["reference"]?.string)
            for (name, level) in levels {
                let p = Rouge.tokens(prediction, level: level), r = Rouge.tokens(reference, level: level)
                let ours: [(String, RougeScore)] = [("rouge1", Rouge.rougeN(prediction: p, reference: r, n: 1)),
                                                    ("rouge2", Rouge.rougeN(prediction: p, reference: r, n: 2)),
                                                    ("rougeL", Rouge.rougeL(prediction: p, reference: r))]
                for (type, score) in ours {
                    let expected = try XCTUnwrap(c[name]?[type])
                    for (field, value) in [("precision", score.precision), ("recall", score.recall), ("f1", score.f1)] {
                        XCTAssertEqual(value, try XCTUnwrap(expected[field]?.double), accuracy: 1e-6,
                                       "case \(i) \(name) \(type) \(field): \(prediction) | \(reference)")
                    }
                }
            }
        }
    }

    func testTokenizationLevels() {
        let text = "배터리는 10분 만에 80%까지! AI"
        XCTAssertEqual(Rouge.tokens(text, level: .syllable), ["배", "터", "리", "는", "1", "0", "분", "만", "에", "8", "0", "%", "까", "지", "!", "a", "i"])
        XCTAssertEqual(Rouge.tokens(text, level: .eojeol), ["배터리는", "10분", "만에", "80", "%", "까지", "!", "ai"])
        XCTAssertEqual(Rouge.tokens(text, level: .whitespace), ["배터리는", "10분", "만에", "80%까지!", "ai"])
        XCTAssertEqual(Rouge.tokens(text, level: .ascii), ["10", "80", "ai"])
    }

    /// The pitfall: rouge-score's default tokenizer finds no tokens in Korean, so a perfect Korean summary scores 0.
    func testASCIITokenizerScoresKoreanAtZero() {
        let summary = "연구팀은 전기차에 먼저 적용할 계획이라고 밝혔다"
        let ascii = Rouge.score(prediction: summary, reference: summary, level: .ascii)
        XCTAssertEqual(ascii.rouge1, .zero)
        XCTAssertEqual(ascii.rougeL, .zero)
        for level in [RougeLevel.syllable, .eojeol] {
            let pair = Rouge.score(prediction: summary, reference: summary, level: level)
            XCTAssertEqual(pair.rouge1.f1, 1)
            XCTAssertEqual(pair.rougeL.f1, 1)
        }
    }

    func testEmptyPredictionScoresZero() {
        for level in RougeLevel.allCases {
            let pair = Rouge.score(prediction: "", reference: "새 배터리 기술", level: level)
            XCTAssertEqual(pair.rouge1, .zero)
            XCTAssertEqual(pair.rougeL, .zero)
            XCTAssertEqual(Rouge.score(prediction: "  \n ", reference: "", level: level).rouge1, .zero)
        }
    }

    /// "가 가 가 나 나" against "가 나 다 가": unigram overlap min(3,2) + min(2,1) = 3 (clipped, not 5);
    /// P = 3/5, R = 3/4. LCS = "가 나" or "가 가"… the longest is 2 ("가 나"); P = 2/5, R = 2/4.
    func testRepeatedNgramsAreClippedByHand() {
        let p = ["가", "가", "가", "나", "나"], r = ["가", "나", "다", "가"]
        let one = Rouge.rougeN(prediction: p, reference: r, n: 1)
        XCTAssertEqual(one.precision, 3.0 / 5)
        XCTAssertEqual(one.recall, 3.0 / 4)
        XCTAssertEqual(one.f1, 2 * 0.6 * 0.75 / 1.35, accuracy: 1e-15)
        let two = Rouge.rougeN(prediction: p, reference: r, n: 2)   // bigrams: 가가 ×2, 가나, 나나 vs 가나, 나다, 다가
        XCTAssertEqual(two.precision, 1.0 / 4)
        XCTAssertEqual(two.recall, 1.0 / 3)
        XCTAssertEqual(Rouge.longestCommonSubsequence(p, r), 2)
        let l = Rouge.rougeL(prediction: p, reference: r)
        XCTAssertEqual(l.precision, 2.0 / 5)
        XCTAssertEqual(l.recall, 2.0 / 4)
    }

    func testLongestCommonSubsequenceByHand() {
        func chars(_ s: String) -> [String] { s.map { String($0) } }
        XCTAssertEqual(Rouge.longestCommonSubsequence(chars("ABCBDAB"), chars("BDCABA")), 4)   // BCBA
        XCTAssertEqual(Rouge.longestCommonSubsequence(chars("가나다"), chars("가나다")), 3)
        XCTAssertEqual(Rouge.longestCommonSubsequence(chars("가나다"), chars("라마바")), 0)
        XCTAssertEqual(Rouge.longestCommonSubsequence([], chars("가")), 0)
    }

    func testIdenticalStringsScoreOne() {
        let text = "시는 내년까지 자전거 도로를 두 배로 늘린다고 발표했다."
        for level in [RougeLevel.syllable, .eojeol, .whitespace] {
            let pair = Rouge.score(prediction: text, reference: text, level: level)
            XCTAssertEqual(pair.rouge1, RougeScore(precision: 1, recall: 1))
            XCTAssertEqual(pair.rougeL, RougeScore(precision: 1, recall: 1))
        }
    }

    func testBootstrapMean() {
        let constant = Rouge.bootstrapMean([0.25, 0.25, 0.25], seed: 1)
        XCTAssertEqual(constant.mean, 0.25)
        XCTAssertEqual(constant.low, 0.25)
        XCTAssertEqual(constant.high, 0.25)
        let values = (0..<40).map { Double($0 % 5) / 4 }
        let a = Rouge.bootstrapMean(values, seed: 7), b = Rouge.bootstrapMean(values, seed: 7)
        XCTAssertEqual(a.mean, 0.5, accuracy: 1e-12)
        XCTAssertEqual(a.low, b.low)                       // seeded: the same interval every run
        XCTAssertTrue(a.low < 0.5 && 0.5 < a.high, "\(a)")
        // The standard error of the mean is 0.3536 / √40 = 0.056: a 95% interval is about ±0.11.
        XCTAssertEqual(a.high - a.low, 2 * 1.96 * 0.3536 / 40.0.squareRoot(), accuracy: 0.04)
        XCTAssertEqual(Rouge.bootstrapMean([], seed: 1).mean, 0)
    }
}
