@testable import Repro
import Tensor
import XCTest

final class DecodingTests: XCTestCase {
    /// Decoding with the KV cache — a prompt, then tokens one or a few at a time — gives the logits of running the
    /// whole sequence at once. Tolerance 1e-5 × the largest logit: the products are the same sums split differently
    /// (BLAS blocks a 12-row matrix differently from a 1-row one), so only float32 rounding (~1e-7) separates them.
    func testCachedDecodingMatchesFullRecompute() throws {
        for parallel in [true, false] {
            let config = tinyConfig(parallel: parallel, heads: 4, rotaryPct: 1)
            let model = GPTNeoX(config: config, seed: 3)
            randomizeParameters(model, seed: 4)
            let sequence = tokens(12, vocab: config.vocabSize, seed: 5)
            let full = try model.logits(inputs: sequence, batch: 1, length: 12).values

            let cache = model.makeCache()
            var cached: [Float] = []
            var start = 0
            for chunk in [5, 1, 1, 2, 3] {
                cached += try model.forward(tokens: Array(sequence[start..<start + chunk]), cache: cache).values
                start += chunk
            }
            XCTAssertEqual(cache.length, 12)
            let scale = full.map(abs).max()!
            let worst = zip(full, cached).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "parallel \(parallel)")

            // After reset the cache starts a new sequence at position 0.
            cache.reset()
            let again = try model.forward(tokens: Array(sequence[..<3]), cache: cache).values
            XCTAssertEqual(again.count, 3 * config.vocabSize)
            XCTAssertLessThanOrEqual(zip(again, full).map { abs($0 - $1) }.max()!, 1e-5 * scale)
        }
    }

    func testCacheOverflowIsAnError() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        let cache = model.makeCache(capacity: 4)
        _ = try model.forward(tokens: [1, 2, 3], cache: cache)
        XCTAssertThrowsError(try model.forward(tokens: [4, 5], cache: cache)) { error in
            XCTAssertEqual("\(error)", "KV cache holds 3 of 4 positions; 2 more do not fit")
        }
        XCTAssertEqual(cache.length, 3)
    }
}
