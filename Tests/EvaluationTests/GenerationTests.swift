import Foundation
@testable import Repro
import Tensor
import XCTest
import Plumbing

/// A tiny model with large random weights, so that its next-token distributions are peaked and greedy choices are
/// far from ties (float rounding cannot flip them).
func peakedModel(parallel: Bool = true, vocab: Int = 37, maxPositions: Int = 48, seed: UInt64 = 5) -> GPTNeoX {
    let config = NeoXConfig(name: "tiny", vocabSize: vocab, hiddenSize: 24, numLayers: 2, numHeads: 3,
                            intermediateSize: 40, rotaryPct: 0.5, maxPositions: maxPositions, useParallelResidual: parallel)
    let model = GPTNeoX(config: config, seed: seed)
    var random = SeededRandom(seed: seed &+ 1)
    for (name, tensor) in model.namedParameters {
        if name.hasSuffix("layernorm.weight") || name.hasSuffix("layer_norm.weight") { tensor.fillNormal(mean: 1, std: 0.2, using: &random) }
        else if name.contains("embed") { tensor.fillNormal(std: 1, using: &random) }
        else { tensor.fillNormal(std: 1 / Float(tensor.shape.last!).squareRoot(), using: &random) }   // shapes are never empty
    }
    return model
}

final class GenerationTests: XCTestCase {
    /// Greedy decoding with the KV cache picks the same tokens as recomputing the whole sequence every step, and the
    /// logits of every step agree to float rounding.
    func testCachedGreedyDecodingMatchesFullRecompute() throws {
        for parallel in [true, false] {
            let model = peakedModel(parallel: parallel)
            let decoder = Decoder(model: model)
            let prompt: [Int32] = [3, 17, 9, 22, 5, 30, 1]
            let cached = try decoder.generate(prompt: prompt, maxNewTokens: 25, stopTokens: [])
            decoder.useCache = false
            let recomputed = try decoder.generate(prompt: prompt, maxNewTokens: 25, stopTokens: [])
            XCTAssertEqual(cached.tokens.count, 25)
            XCTAssertEqual(cached.tokens, recomputed.tokens, "parallel \(parallel)")
            XCTAssertEqual(cached.stop, .maxNewTokens)
            XCTAssertGreaterThan(Set(cached.tokens).count, 1, "a model that repeats one token would not test much")

            // Step by step: cached logits against a full forward of the same sequence.
            decoder.useCache = true
            var sequence = prompt
            var logits = try decoder.start(prompt)
            for token in cached.tokens.prefix(10) {
                let full = try model.logits(inputs: sequence, batch: 1, length: sequence.count).values.suffix(model.config.vocabSize)
                let scale = full.map(abs).max() ?? 1
                XCTAssertLessThanOrEqual(zip(full, logits).map { abs($0 - $1) }.max() ?? 0, 1e-5 * scale)
                sequence.append(token)
                logits = decoder.lastRow(try decoder.extend([token]))
            }
        }
    }

    func testStopsAtTheStopTokenWithoutEmittingIt() throws {
        let decoder = Decoder(model: peakedModel())
        let prompt: [Int32] = [4, 8, 15, 16]
        let free = try decoder.generate(prompt: prompt, maxNewTokens: 12, stopTokens: [])
        let stopAt = free.tokens[5]
        let firstIndex = try XCTUnwrap(free.tokens.firstIndex(of: stopAt))
        let stopped = try decoder.generate(prompt: prompt, maxNewTokens: 12, stopTokens: [stopAt])
        XCTAssertEqual(stopped.tokens, Array(free.tokens[..<firstIndex]))
        XCTAssertEqual(stopped.stop, .endOfText)
    }

    func testStopsWhenTheContextIsFull() throws {
        let decoder = Decoder(model: peakedModel(maxPositions: 12))
        let out = try decoder.generate(prompt: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], maxNewTokens: 50, stopTokens: [])
        XCTAssertEqual(out.tokens.count, 2)
        XCTAssertEqual(out.stop, .contextFull)
        XCTAssertThrowsError(try decoder.generate(prompt: Array(repeating: 1, count: 13), maxNewTokens: 1, stopTokens: []))
    }

    /// Ids at or above the tokenizer's vocabulary (the embedding's padding rows) are never generated.
    func testPaddingRowsAreNeverChosen() throws {
        let model = peakedModel()
        let free = try Decoder(model: model).generate(prompt: [2, 3], maxNewTokens: 1, stopTokens: [])
        let favourite = free.tokens[0]
        let limited = Decoder(model: model, vocabularyLimit: Int(favourite))
        let out = try limited.generate(prompt: [2, 3], maxNewTokens: 20, stopTokens: [])
        XCTAssertTrue(out.tokens.allSatisfy { $0 < favourite }, "\(out.tokens) with limit \(favourite)")
    }

    /// log p(continuation | prompt) from the cache equals the sum of log-softmax values of one full forward over
    /// prompt + continuation; the cache is left holding the prompt.
    func testLogLikelihoodsMatchAFullForward() throws {
        let model = peakedModel()
        let decoder = Decoder(model: model)
        let prompt: [Int32] = [5, 9, 2, 33, 7]
        let continuations: [[Int32]] = [[11], [12, 6, 20], [20, 12]]
        let (scores, promptLogits) = try decoder.logLikelihoods(prompt: prompt, continuations: continuations)
        XCTAssertEqual(decoder.cache.length, prompt.count)
        let v = model.config.vocabSize
        for (continuation, score) in zip(continuations, scores) {
            let sequence = prompt + continuation
            let logits = try model.logits(inputs: sequence, batch: 1, length: sequence.count).values
            var expected = 0.0
            for (i, token) in continuation.enumerated() {
                let row = Array(logits[(prompt.count - 1 + i) * v..<(prompt.count + i) * v]).map(Double.init)
                let top = row.max()!
                expected += row[Int(token)] - top - log(row.reduce(0) { $0 + exp($1 - top) })
            }
            XCTAssertEqual(score, expected, accuracy: 1e-4)
            XCTAssertLessThan(score, 0)
        }
        // Greedy decoding can continue from the prompt's logits without another pass over the prompt.
        var greedy = Sampler.greedy
        let continued = try decoder.generate(prompt: prompt, firstLogits: promptLogits, maxNewTokens: 6, stopTokens: [], sampler: &greedy)
        XCTAssertEqual(continued.tokens, try decoder.generate(prompt: prompt, maxNewTokens: 6, stopTokens: []).tokens)
    }

    func testGreedyTakesTheLowestIdOnATie() {
        var greedy = Sampler.greedy
        let l: [Float] = [0.5, 2, 1, 2, -1]
        XCTAssertEqual(l.withUnsafeBufferPointer { greedy.next($0.baseAddress!, limit: 5) }, 1)
        XCTAssertEqual(l.withUnsafeBufferPointer { greedy.next($0.baseAddress!, limit: 1) }, 0)
    }

    /// Sampling draws in proportion to softmax(logits / T), is seeded, and top-k / top-p narrow the candidates.
    func testSamplingFollowsTheDistributionAndIsSeeded() {
        let l: [Float] = [log(1), log(2), log(3), log(4), -20]   // probabilities 0.1, 0.2, 0.3, 0.4, ~0
        func draw(_ sampler: Sampler, _ n: Int) -> [Int] {
            var s = sampler
            var counts = [Int](repeating: 0, count: l.count)
            for _ in 0..<n { counts[Int(l.withUnsafeBufferPointer { s.next($0.baseAddress!, limit: l.count) })] += 1 }
            return counts
        }
        let counts = draw(Sampler(temperature: 1, seed: 42), 20_000)
        for (i, p) in [0.1, 0.2, 0.3, 0.4, 0].enumerated() {
            XCTAssertEqual(Double(counts[i]) / 20_000, p, accuracy: 0.015, "token \(i): \(counts)")
        }
        XCTAssertEqual(draw(Sampler(temperature: 1, seed: 42), 500), draw(Sampler(temperature: 1, seed: 42), 500))
        XCTAssertNotEqual(draw(Sampler(temperature: 1, seed: 42), 500), draw(Sampler(temperature: 1, seed: 43), 500))
        // top-k 2 keeps tokens 3 and 2 (0.4 and 0.3, renormalised to 4/7 and 3/7).
        let topK = draw(Sampler(temperature: 1, topK: 2, seed: 1), 14_000)
        XCTAssertEqual(topK[0] + topK[1] + topK[4], 0)
        XCTAssertEqual(Double(topK[3]) / 14_000, 4.0 / 7, accuracy: 0.015)
        // top-p 0.65: 0.4 + 0.3 reaches it, so again only tokens 3 and 2.
        let topP = draw(Sampler(temperature: 1, topP: 0.65, seed: 1), 2_000)
        XCTAssertEqual(topP[0] + topP[1] + topP[4], 0)
        XCTAssertGreaterThan(topP[2], 0)
        // A tiny temperature is greedy.
        XCTAssertEqual(draw(Sampler(temperature: 1e-3, seed: 1), 200)[3], 200)
    }

    /// Sampled generation through the decoder is reproducible from its seed.
    func testSampledGenerationIsSeeded() throws {
        let decoder = Decoder(model: peakedModel())
        func sample(_ seed: UInt64) throws -> [Int32] {
            var sampler = Sampler(temperature: 1.5, topK: 10, topP: 0.95, seed: seed)
            return try decoder.generate(prompt: [1, 2, 3], maxNewTokens: 20, stopTokens: [], sampler: &sampler).tokens
        }
        XCTAssertEqual(try sample(7), try sample(7))
        XCTAssertNotEqual(try sample(7), try sample(8))
    }
}
