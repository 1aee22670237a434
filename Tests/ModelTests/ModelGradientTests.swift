// The whole model: forward against the Double oracle, backward against its central differences, and the rules of
// the loss (ignored positions, padding, gradient accumulation).
@testable import Repro
import Tensor
import XCTest
import Plumbing
#if canImport(Glibc)
import Glibc
#endif

final class ModelGradientTests: XCTestCase {
    let batch = 2, length = 5

    /// Inputs and next-token targets for two sequences; the last position of each has no next token (−100) and one
    /// more position is ignored, as a prompt token would be.
    func data(vocab: Int) -> (inputs: [Int32], targets: [Int32]) {
        let inputs = tokens(batch * length, vocab: vocab, seed: 3)
        var targets = [Int32](repeating: -100, count: inputs.count)
        for b in 0..<batch { for t in 0..<length - 1 { targets[b * length + t] = inputs[b * length + t + 1] } }
        targets[1] = -100
        return (inputs, targets)
    }

    func checkWholeModel(parallel: Bool) throws {
        let config = tinyConfig(parallel: parallel)          // head 8, rotary on 4 of its dimensions
        let model = GPTNeoX(config: config, seed: 1)
        randomizeParameters(model, seed: 2)
        let (inputs, targets) = data(vocab: config.vocabSize)
        model.zeroGradients()
        let (loss, counted) = try model.forwardBackward(inputs: inputs, targets: targets, batch: batch, length: length)
        XCTAssertEqual(counted, 7)

        let reference = ReferenceModel(model)
        let referenceLoss = reference.meanLoss(inputs: inputs, targets: targets, batch: batch, length: length)
        XCTAssertEqual(Double(loss), referenceLoss, accuracy: 1e-5 * referenceLoss)

        var rng = SeededRandom(seed: 4)
        for (name, tensor) in model.namedParameters {
            let analytic = model.gradient(name).values
            // Up to 10 coordinates per tensor: the largest gradient and random others (all of a small tensor).
            var indices = Array(0..<tensor.count)
            if tensor.count > 10 {
                rng.shuffle(&indices)
                let largest = analytic.indices.max { abs(analytic[$0]) < abs(analytic[$1]) }!
                indices = Array(Set(indices.prefix(9) + [largest])).sorted()
            }
            let start = reference.parameters[name]!
            let numeric = indices.map { i -> (index: Int, value: Double) in
                (i, centralDifference({ values in
                    var perturbed = reference
                    perturbed.parameters[name] = values
                    return perturbed.meanLoss(inputs: inputs, targets: targets, batch: batch, length: length)
                }, at: start, index: i))
            }
            assertGradientMatches(name, analytic: analytic, numeric: numeric)
        }
    }

    func testParallelResidualGradients() throws { try checkWholeModel(parallel: true) }
    func testSequentialResidualGradients() throws { try checkWholeModel(parallel: false) }

    /// The input at the last position predicts nothing (its target is −100) and, by causality, nothing else sees it:
    /// changing it changes neither the loss nor any gradient, bit for bit.
    func testLastIgnoredPositionContributesNothing() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        randomizeParameters(model, seed: 2)
        var (inputs, targets) = data(vocab: 11)
        model.zeroGradients()
        let first = try model.forwardBackward(inputs: inputs, targets: targets, batch: batch, length: length)
        let firstGradients = Array(UnsafeBufferPointer(start: model.gradients.base, count: model.gradients.count))
        for b in 0..<batch { inputs[b * length + length - 1] = (inputs[b * length + length - 1] + 5) % 11 }
        targets[length - 1] = -100
        model.zeroGradients()
        let second = try model.forwardBackward(inputs: inputs, targets: targets, batch: batch, length: length)
        XCTAssertEqual(first.loss, second.loss)
        XCTAssertEqual(firstGradients, Array(UnsafeBufferPointer(start: model.gradients.base, count: model.gradients.count)))
    }

    /// Targets of −100 send no gradient through the output: the output matrix's gradient is exactly
    /// Σ over counted positions of (softmax − onehot(target)) ⊗ h / count, with h the final LayerNorm output, and a
    /// batch with nothing to predict has loss 0 and adds nothing.
    func testIgnoredTargetsSendNoGradient() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        randomizeParameters(model, seed: 2)
        let (inputs, targets) = data(vocab: 11)
        let d = 16, v = 11
        let logits = try model.logits(inputs: inputs, batch: batch, length: length).values
        let hidden = Array(UnsafeBufferPointer(start: model.activations!.finalNormOut, count: inputs.count * d))
        var expected = [Double](repeating: 0, count: v * d)
        let counted = targets.filter { $0 != -100 }.count
        for (row, target) in targets.enumerated() where target != -100 {
            let z = logits[row * v..<(row + 1) * v].map(Double.init)
            let e = z.map { exp($0 - z.max()!) }
            for j in 0..<v {
                let dz = (e[j] / e.reduce(0, +) - (j == Int(target) ? 1 : 0)) / Double(counted)
                for c in 0..<d { expected[j * d + c] += dz * Double(hidden[row * d + c]) }
            }
        }
        model.zeroGradients()
        try model.forwardBackward(inputs: inputs, targets: targets, batch: batch, length: length)
        for (a, e) in zip(model.gradient("embed_out.weight").values, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-6) }

        model.zeroGradients()
        let none = try model.forwardBackward(inputs: inputs, targets: [Int32](repeating: -100, count: inputs.count),
                                             batch: batch, length: length)
        XCTAssertEqual(none.loss, 0)
        XCTAssertEqual(none.tokens, 0)
        XCTAssertEqual(Kernels.sumOfSquares(model.gradients.base, count: model.gradients.count), 0)
    }

    func gradients(_ model: GPTNeoX) -> [Float] {
        Array(UnsafeBufferPointer(start: model.gradients.base, count: model.gradients.count))
    }

    /// |a − b| ≤ 1e-5 · max|b| elementwise: the same sums taken by BLAS in a different blocking (the matrices have
    /// different row counts) differ by float32 rounding only, ~1e-7 of the scale.
    func assertClose(_ a: [Float], _ b: [Float], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let scale = b.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0, label, file: file, line: line)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale, label, file: file, line: line)
    }

    /// Right padding changes nothing: one sequence alone, the same sequence padded to 8 positions, and the padded
    /// sequence next to another one (gradients of a sum add) all agree.
    func testRightPaddingChangesNothing() throws {
        for parallel in [true, false] {
            let model = GPTNeoX(config: tinyConfig(parallel: parallel), seed: 1)
            randomizeParameters(model, seed: 2)
            let a: [Int32] = [4, 9, 1, 7, 3], aTargets: [Int32] = [9, 1, 7, 3, -100]
            let pad: [Int32] = [0, 0, 0], padTargets: [Int32] = [-100, -100, -100]
            let other: [Int32] = [2, 6, 10, 5, 8, 1, 0, 3], otherTargets: [Int32] = [6, 10, 5, 8, 1, 0, 3, -100]

            model.zeroGradients()
            let alone = try model.forwardBackward(inputs: a, targets: aTargets, batch: 1, length: 5)
            let aloneGradients = gradients(model)
            model.zeroGradients()
            let padded = try model.forwardBackward(inputs: a + pad, targets: aTargets + padTargets, batch: 1, length: 8)
            XCTAssertEqual(padded.tokens, alone.tokens)
            XCTAssertEqual(padded.loss, alone.loss, accuracy: 1e-6 * alone.loss)
            assertClose(gradients(model), aloneGradients, "padded vs alone, parallel \(parallel)")

            // Sum-of-losses gradients (lossDivisor 1) of a batch are the sums of each sequence's.
            model.zeroGradients()
            try model.forwardBackward(inputs: other, targets: otherTargets, batch: 1, length: 8, lossDivisor: 1)
            let otherGradients = gradients(model)
            model.zeroGradients()
            try model.forwardBackward(inputs: a, targets: aTargets, batch: 1, length: 5, lossDivisor: 1)
            let expected = zip(gradients(model), otherGradients).map { $0 + $1 }
            model.zeroGradients()
            let both = try model.forwardBackward(inputs: a + pad + other, targets: aTargets + padTargets + otherTargets,
                                                 batch: 2, length: 8, lossDivisor: 1)
            assertClose(gradients(model), expected, "batch with padding, parallel \(parallel)")
            XCTAssertEqual(both.tokens, 4 + 7)
        }
    }

    /// Gradient accumulation: two micro-batches with lossDivisor = the whole batch's count give the gradient of the
    /// whole batch's token mean, not the mean of the micro-batch means.
    func testAccumulationAveragesOverAllTokens() throws {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        randomizeParameters(model, seed: 2)
        let inputs = tokens(4 * 6, vocab: 11, seed: 8)
        var targets = [Int32](repeating: -100, count: inputs.count)
        // Unequal counts per micro-batch (7 and 3), so the two averages differ.
        for i in [0, 1, 2, 3, 4, 6, 7, 12, 19, 20] { targets[i] = inputs[(i + 1) % inputs.count] }
        model.zeroGradients()
        let whole = try model.forwardBackward(inputs: inputs, targets: targets, batch: 4, length: 6)
        let wholeGradients = gradients(model)
        model.zeroGradients()
        let half = 12
        let first = try model.forwardBackward(inputs: Array(inputs[..<half]), targets: Array(targets[..<half]),
                                              batch: 2, length: 6, lossDivisor: whole.tokens)
        let second = try model.forwardBackward(inputs: Array(inputs[half...]), targets: Array(targets[half...]),
                                               batch: 2, length: 6, lossDivisor: whole.tokens)
        XCTAssertEqual(first.tokens + second.tokens, whole.tokens)
        XCTAssertEqual(first.tokens, 7)
        let combined = (first.loss * Float(first.tokens) + second.loss * Float(second.tokens)) / Float(whole.tokens)
        XCTAssertEqual(combined, whole.loss, accuracy: 1e-6 * whole.loss)
        assertClose(gradients(model), wholeGradients, "accumulated vs whole batch")
    }

    func testBadInputsAreReported() {
        let model = GPTNeoX(config: tinyConfig(parallel: true), seed: 1)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { _ = try model.loss(inputs: [1, 2, 11], targets: [2, 3, -100], batch: 1, length: 3) },
                       "input token 11 at sequence 0, position 2 is outside the vocabulary 0..<11")
        XCTAssertEqual(message { _ = try model.loss(inputs: [1, 2, 3], targets: [2, -1, -100], batch: 1, length: 3) },
                       "target -1 at sequence 0, position 1 is neither −100 nor in 0..<11")
        XCTAssertEqual(message { _ = try model.loss(inputs: [1, 2, 3], targets: [2, 3], batch: 1, length: 3) },
                       "targets hold 2 tokens, inputs 3")
        XCTAssertEqual(message { _ = try model.logits(inputs: [1, 2, 3], batch: 2, length: 2) },
                       "inputs hold 3 tokens, expected batch 2 × length 2")
        XCTAssertEqual(message { _ = try model.logits(inputs: [Int32](repeating: 1, count: 33), batch: 1, length: 33) },
                       "length 33 exceeds max_position_embeddings 32")
    }

    /// Same seed, same weights; another seed, other weights; HF's init statistics.
    func testInitialisationIsSeeded() {
        let config = tinyConfig(parallel: true)
        let a = GPTNeoX(config: config, seed: 7), b = GPTNeoX(config: config, seed: 7), c = GPTNeoX(config: config, seed: 8)
        let name = "gpt_neox.layers.1.mlp.dense_h_to_4h.weight"
        XCTAssertEqual(a.parameter(name).values, b.parameter(name).values)
        XCTAssertNotEqual(a.parameter(name).values, c.parameter(name).values)
        XCTAssertEqual(a.parameter("gpt_neox.layers.0.input_layernorm.weight").values, [Float](repeating: 1, count: 16))
        XCTAssertEqual(a.parameter("gpt_neox.layers.0.attention.dense.bias").values, [Float](repeating: 0, count: 16))
        let big = GPTNeoX(config: tinyConfig(parallel: true, vocab: 500, hidden: 64, heads: 4), seed: 1)
        let w = big.parameter("embed_out.weight").values
        let std = (w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.0005)     // 32,000 draws: the sample std is within ~0.4% of 0.02
    }
}
