// Each kernel's backward against central differences of the Double oracle. The objective is Σ r ⊙ layer(x) for a
// fixed random r, whose gradient is exactly what backward computes when handed dout = r.
@testable import Repro
import Tensor
import Plumbing
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class LayerGradientTests: XCTestCase {
    func floats(_ x: [Double]) -> Tensor { Tensor(shape: [x.count], values: x.map(Float.init)) }
    func weighted(_ r: [Double], _ y: [Double]) -> Double { zip(r, y).map(*).reduce(0, +) }
    func numeric(_ f: ([Double]) -> Double, at x: [Double]) -> [(index: Int, value: Double)] {
        x.indices.map { ($0, centralDifference(f, at: x, index: $0)) }
    }

    func testLayerNorm() {
        let rows = 3, width = 7
        let x = randomDoubles(rows * width, seed: 1, std: 2).map { $0 + 0.5 }
        let w = randomDoubles(width, seed: 2, std: 0.3).map { $0 + 1 }, b = randomDoubles(width, seed: 3)
        let r = randomDoubles(rows * width, seed: 4)
        let eps = 1e-5
        func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            weighted(r, Reference.layerNorm(x, weight: w, bias: b, rows: rows, width: width, eps: eps))
        }
        let (xT, wT, bT, rT) = (floats(x), floats(w), floats(b), floats(r))
        let out = Tensor(zeros: [rows * width]), mean = Tensor(zeros: [rows]), rstd = Tensor(zeros: [rows])
        Layers.layernormForward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: xT.pointer,
                                weight: wT.pointer, bias: bT.pointer, rows: rows, width: width, eps: Float(eps))
        let expected = Reference.layerNorm(x, weight: w, bias: b, rows: rows, width: width, eps: eps)
        for (a, e) in zip(out.values, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-5) }

        let dx = Tensor(zeros: [rows * width]), dw = Tensor(zeros: [width]), db = Tensor(zeros: [width])
        Layers.layernormBackward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: rT.pointer,
                                 inp: xT.pointer, weight: wT.pointer, mean: mean.pointer, rstd: rstd.pointer,
                                 rows: rows, width: width)
        assertGradientMatches("layernorm dx", analytic: dx.values, numeric: numeric({ f($0, w, b) }, at: x))
        assertGradientMatches("layernorm dweight", analytic: dw.values, numeric: numeric({ f(x, $0, b) }, at: w))
        assertGradientMatches("layernorm dbias", analytic: db.values, numeric: numeric({ f(x, w, $0) }, at: b))
        withExtendedLifetime([xT, wT, bT, rT]) {}   // the kernels saw raw pointers into these
    }

    /// Both cores share LayerNorm by chunks of rows (and its weight gradients by chunks of columns): the same bits
    /// as running it one row at a time, over more rows and columns than one chunk holds.
    func testLayerNormOnBothCoresEqualsOneRowAtATime() {
        let rows = 2 * Layers.rowsPerTask + 5, width = 70
        let x = floats(randomDoubles(rows * width, seed: 21, std: 2)), dy = floats(randomDoubles(rows * width, seed: 22))
        let w = floats(randomDoubles(width, seed: 23)), b = floats(randomDoubles(width, seed: 24))
        func run(rowsPerCall: Int) -> [[Float]] {
            let out = Tensor(zeros: [rows * width]), mean = Tensor(zeros: [rows]), rstd = Tensor(zeros: [rows])
            let dx = Tensor(zeros: [rows * width]), dw = Tensor(zeros: [width]), db = Tensor(zeros: [width])
            for r0 in stride(from: 0, to: rows, by: rowsPerCall) {
                let n = min(rowsPerCall, rows - r0), at = r0 * width
                Layers.layernormForward(out: out.pointer + at, mean: mean.pointer + r0, rstd: rstd.pointer + r0,
                                        inp: x.pointer + at, weight: w.pointer, bias: b.pointer, rows: n, width: width, eps: 1e-5)
                Layers.layernormBackward(dinp: dx.pointer + at, dweight: dw.pointer, dbias: db.pointer, dout: dy.pointer + at,
                                         inp: x.pointer + at, weight: w.pointer, mean: mean.pointer + r0,
                                         rstd: rstd.pointer + r0, rows: n, width: width)
            }
            return [out.values, dx.values, dw.values, db.values]
        }
        XCTAssertEqual(run(rowsPerCall: rows), run(rowsPerCall: 1))
    }

    /// The bias gradient, shared by chunks of columns, against the plain sum over rows in order: the same bits.
    func testLinearBiasGradientOnBothCoresEqualsThePlainSum() {
        let rows = 37, inF = 3, outF = 300
        let dout = floats(randomDoubles(rows * outF, seed: 25)), x = floats(randomDoubles(rows * inF, seed: 26))
        let w = floats(randomDoubles(outF * inF, seed: 27))
        let dx = Tensor(zeros: [rows * inF]), dw = Tensor(zeros: [outF * inF]), db = Tensor(zeros: [outF])
        Layers.linearBackward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: dout.pointer,
                              inp: x.pointer, weight: w.pointer, rows: rows, inFeatures: inF, outFeatures: outF)
        var plain = [Float](repeating: 0, count: outF)
        for r in 0..<rows { for j in 0..<outF { plain[j] += dout.values[r * outF + j] } }
        XCTAssertEqual(db.values, plain)
    }

    func testLinear() {
        let rows = 4, inF = 5, outF = 3
        let x = randomDoubles(rows * inF, seed: 5), w = randomDoubles(outF * inF, seed: 6)
        let b = randomDoubles(outF, seed: 7), r = randomDoubles(rows * outF, seed: 8)
        func f(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            weighted(r, Reference.linear(x, weight: w, bias: b, rows: rows, inFeatures: inF, outFeatures: outF))
        }
        let (xT, wT, bT, rT) = (floats(x), floats(w), floats(b), floats(r))
        let out = Tensor(zeros: [rows * outF])
        Layers.linearForward(out: out.pointer, inp: xT.pointer, weight: wT.pointer, bias: bT.pointer,
                             rows: rows, inFeatures: inF, outFeatures: outF)
        let expected = Reference.linear(x, weight: w, bias: b, rows: rows, inFeatures: inF, outFeatures: outF)
        for (a, e) in zip(out.values, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-5) }

        let dx = Tensor(zeros: [rows * inF]), dw = Tensor(zeros: [outF * inF]), db = Tensor(zeros: [outF])
        Layers.linearBackward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: rT.pointer,
                              inp: xT.pointer, weight: wT.pointer, rows: rows, inFeatures: inF, outFeatures: outF)
        assertGradientMatches("linear dx", analytic: dx.values, numeric: numeric({ f($0, w, b) }, at: x))
        assertGradientMatches("linear dweight", analytic: dw.values, numeric: numeric({ f(x, $0, b) }, at: w))
        assertGradientMatches("linear dbias", analytic: db.values, numeric: numeric({ f(x, w, $0) }, at: b))
        withExtendedLifetime([xT, wT, bT, rT]) {}
    }

    /// The vectorisable exp and erf behind GELU and the cross-entropy, against Double's on a fine grid.
    func testExpAndErfAccuracy() {
        var worstExp = 0.0, worstErf = 0.0
        for i in 0...200_000 {
            let x = Float(-87 + 175 * Double(i) / 200_000)
            worstExp = max(worstExp, abs(Double(Layers.exp(x)) / Glibc.exp(Double(x)) - 1))
            let y = Float(-6 + 12 * Double(i) / 200_000)
            worstErf = max(worstErf, abs(Double(Layers.erfAndGaussian(y).erf) - Glibc.erf(Double(y))))
        }
        XCTAssertLessThan(worstExp, 3e-7)     // 2.5 ulp
        XCTAssertLessThan(worstErf, 6e-7)     // A&S's 1.5e-7 plus float32 rounding in its polynomial (5.3e-7)
        XCTAssertEqual(Layers.exp(0), 1)
        XCTAssertEqual(Layers.exp(-200), Layers.exp(-87))   // clamped: ~1.6e-38, effectively 0 next to any sum here
    }

    func testGELU() {
        let x = randomDoubles(40, seed: 9, std: 2), r = randomDoubles(40, seed: 10)
        let xT = floats(x), out = Tensor(zeros: [40]), dx = floats(r)
        Layers.geluForward(out: out.pointer, inputThenSlope: xT.pointer, count: 40)   // xT now holds the slope
        for (a, e) in zip(out.values, Reference.gelu(x)) { XCTAssertEqual(Double(a), e, accuracy: 1e-6) }
        Layers.geluBackward(gradient: dx.pointer, slope: xT.pointer, count: 40)   // dx: r in, ∂/∂x out
        withExtendedLifetime(xT) {}
        assertGradientMatches("gelu", analytic: dx.values, numeric: numeric({ weighted(r, Reference.gelu($0)) }, at: x))
    }

    /// The fused QKV split, rotary on part of each head (rotaryDims 4 of headDim 8), causal softmax attention: the
    /// gradient with respect to the fused, un-rotated QKV projection output. With one query block (the default, longer
    /// than the sequence), and with blocks of 2 and 3 rows, so that the block-causal products meet every case: a
    /// full block, a short last one, the rectangle left of the diagonal. The probabilities and their scratch start
    /// as NaN: nothing outside the blocks may be read.
    func testAttentionWithPartialRotary() {
        for block in [Layers.attentionBlock, 2, 3] { checkAttention(block: block) }
    }

    func checkAttention(block: Int) {
        let batch = 2, length = 5, heads = 3, headDim = 8, rotaryDims = 4, base = 10_000.0
        let d = heads * headDim, n = batch * length
        let qkv = randomDoubles(n * 3 * d, seed: 11), r = randomDoubles(n * d, seed: 12)
        func f(_ qkv: [Double]) -> Double {
            weighted(r, Reference.attention(qkv: qkv, batch: batch, length: length, heads: heads, headDim: headDim,
                                            rotaryDims: rotaryDims, base: base))
        }
        let rotary = Layers.RotaryTable(dims: rotaryDims, base: base, positions: 16)
        let qkvT = floats(qkv), y = Tensor(zeros: [n * d]), att = Tensor(zeros: [batch * heads * length * length])
        att.fill(.nan)
        let fused = { (t: Tensor, part: Int) in
            Layers.HeadMatrices.fused(t.pointer, part: part, length: length, heads: heads, headDim: headDim)
        }
        rotary.forward(qkv: qkvT.pointer, batch: batch, length: length, heads: heads, headDim: headDim, firstPosition: 0)
        Layers.attentionForward(y: y.pointer, att: att.pointer, q: fused(qkvT, 0), k: fused(qkvT, 1), v: fused(qkvT, 2),
                                batch: batch, heads: heads, queries: length, keys: length, headDim: headDim, block: block)
        let expected = Reference.attention(qkv: qkv, batch: batch, length: length, heads: heads, headDim: headDim,
                                           rotaryDims: rotaryDims, base: base)
        for (a, e) in zip(y.values, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-5, "block \(block)") }

        let dqkv = Tensor(zeros: [n * 3 * d]), datt = Tensor(zeros: [batch * heads * length * length]), dy = floats(r)
        datt.fill(.nan)
        withExtendedLifetime(dy) {
            Layers.attentionBackward(dq: fused(dqkv, 0), dk: fused(dqkv, 1), dv: fused(dqkv, 2), datt: datt.pointer,
                                     dy: dy.pointer, att: att.pointer,
                                     q: fused(qkvT, 0), k: fused(qkvT, 1), v: fused(qkvT, 2),
                                     batch: batch, heads: heads, length: length, headDim: headDim, block: block)
        }
        rotary.backward(dqkv: dqkv.pointer, batch: batch, length: length, heads: heads, headDim: headDim)
        assertGradientMatches("attention dqkv, block \(block)", analytic: dqkv.values, numeric: numeric(f, at: qkv))
    }

    /// The attention softmax (vectorised exp) against Kernels.softmax (glibc's expf), the plain form, on rows of
    /// every length up to 70 and of large and tiny values.
    func testAttentionSoftmaxMatchesThePlainOne() {
        var rng = SeededRandom(seed: 5)
        for count in 1...70 {
            let row = (0..<count).map { _ in rng.normal(std: count % 2 == 0 ? 30 : 1) }
            var fast = row, plain = row
            Layers.softmax(&fast, count: count)
            Kernels.softmax(&plain, count: count)
            for (f, p) in zip(fast, plain) { XCTAssertEqual(f, p, accuracy: 2e-6 * max(p, 1e-30) + 1e-37, "length \(count)") }
        }
    }

    func testCrossEntropyWithIgnoreIndex() {
        let vocab = 9
        let targets: [Int32] = [3, -100, 0, 8, -100, 5]
        let logits = randomDoubles(targets.count * vocab, seed: 13, std: 2)
        let count = targets.filter { $0 != -100 }.count
        func f(_ z: [Double]) -> Double { Reference.crossEntropy(logits: z, targets: targets, vocab: vocab).sum / Double(count) }
        let z = floats(logits), losses = Tensor(zeros: [targets.count]), inverseSums = Tensor(zeros: [targets.count])
        let (sum, counted) = targets.withUnsafeBufferPointer { t in
            Layers.crossEntropyForward(losses: losses.pointer, inverseSums: inverseSums.pointer,
                                       logitsThenExponentials: z.pointer, targets: t, vocab: vocab)
        }
        XCTAssertEqual(counted, count)
        XCTAssertEqual(sum, Reference.crossEntropy(logits: logits, targets: targets, vocab: vocab).sum, accuracy: 1e-5)
        targets.withUnsafeBufferPointer { t in
            Layers.crossEntropyBackward(exponentialsThenGradient: z.pointer, inverseSums: inverseSums.pointer,
                                        targets: t, vocab: vocab, scale: 1 / Float(count))
        }
        assertGradientMatches("cross-entropy dlogits", analytic: z.values, numeric: numeric(f, at: logits))
        // Ignored rows send exactly nothing back.
        for r in [1, 4] { XCTAssertEqual(Array(z.values[r * vocab..<(r + 1) * vocab]), [Float](repeating: 0, count: vocab)) }
    }
}
