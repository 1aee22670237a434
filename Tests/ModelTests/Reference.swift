// The test oracle: GPT-NeoX written again in Double, straight from its definition (no BLAS, no shared kernels, no
// fused-layout tricks), and a finite-difference gradient checker built on it. Central differences of a Double
// function are accurate to ~1e-9 here, so the comparisons below measure our float32 backward, not the oracle's noise.
@testable import Repro
import Tensor
import XCTest
import Plumbing
#if canImport(Glibc)
import Glibc
#endif

enum Reference {
    static func layerNorm(_ x: [Double], weight: [Double], bias: [Double], rows: Int, width: Int,
                          eps: Double) -> [Double] {
        var out = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = Array(x[r * width..<(r + 1) * width])
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                out[r * width + i] = (row[i] - mean) / (variance + eps).squareRoot() * weight[i] + bias[i]
            }
        }
        return out
    }

    /// y = x Wᵀ + b with W stored [out, in].
    static func linear(_ x: [Double], weight: [Double], bias: [Double]?, rows: Int, inFeatures: Int,
                       outFeatures: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var s = bias?[o] ?? 0
                for i in 0..<inFeatures { s += x[r * inFeatures + i] * weight[o * inFeatures + i] }
                out[r * outFeatures + o] = s
            }
        }
        return out
    }

    static func gelu(_ x: [Double]) -> [Double] { x.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) } }

    /// Fused QKV [B·T, 3d] → attention output [B·T, d]: split per head as Hugging Face does (view [.., H, 3·hd],
    /// chunk in three), rotate the first `rotaryDims` of q and k ("rotate half"), causal softmax attention.
    static func attention(qkv: [Double], batch: Int, length: Int, heads: Int, headDim: Int, rotaryDims: Int,
                          base: Double) -> [Double] {
        let d = heads * headDim
        var y = [Double](repeating: 0, count: batch * length * d)
        func rotate(_ x: [Double], position: Int) -> [Double] {
            let half = rotaryDims / 2
            var out = x
            for i in 0..<half {
                let angle = Double(position) / pow(base, Double(2 * i) / Double(rotaryDims))
                // x·cos + rotate_half(x)·sin, rotate_half([x1, x2]) = [−x2, x1], cos/sin duplicated as [f, f]
                out[i] = x[i] * cos(angle) - x[i + half] * sin(angle)
                out[i + half] = x[i + half] * cos(angle) + x[i] * sin(angle)
            }
            return out
        }
        for b in 0..<batch {
            for h in 0..<heads {
                func part(_ p: Int, _ t: Int) -> [Double] {
                    let start = (b * length + t) * 3 * d + h * 3 * headDim + p * headDim
                    return Array(qkv[start..<start + headDim])
                }
                let q = (0..<length).map { rotate(part(0, $0), position: $0) }
                let k = (0..<length).map { rotate(part(1, $0), position: $0) }
                let v = (0..<length).map { part(2, $0) }
                for i in 0..<length {
                    let scores = (0...i).map { j in zip(q[i], k[j]).map(*).reduce(0, +) / Double(headDim).squareRoot() }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let total = e.reduce(0, +)
                    for j in 0...i {
                        for c in 0..<headDim { y[(b * length + i) * d + h * headDim + c] += e[j] / total * v[j][c] }
                    }
                }
            }
        }
        return y
    }

    /// Σ −log softmax(logits)[target] over rows whose target is not −100, and their count.
    static func crossEntropy(logits: [Double], targets: [Int32], vocab: Int) -> (sum: Double, count: Int) {
        var sum = 0.0, count = 0
        for (r, t) in targets.enumerated() where t != -100 {
            let row = logits[r * vocab..<(r + 1) * vocab]
            let m = row.max()!
            let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
            sum += lse - row[r * vocab + Int(t)]
            count += 1
        }
        return (sum, count)
    }
}

/// The whole model in Double, parameters copied from (or perturbed around) a GPTNeoX.
struct ReferenceModel {
    let config: NeoXConfig
    var parameters: [String: [Double]]

    init(_ model: GPTNeoX) {
        config = model.config
        parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.values.map(Double.init)) })
    }

    func logits(inputs: [Int32], batch: Int, length: Int) -> [Double] {
        let c = config, d = c.hiddenSize, n = batch * length, eps = Double(c.layerNormEps)
        let p = parameters
        let embed = p["gpt_neox.embed_in.weight"]!
        var x = inputs.flatMap { Array(embed[Int($0) * d..<(Int($0) + 1) * d]) }
        for l in 0..<c.numLayers {
            func w(_ name: String) -> [Double] { p["gpt_neox.layers.\(l).\(name)"]! }
            let ln1 = Reference.layerNorm(x, weight: w("input_layernorm.weight"), bias: w("input_layernorm.bias"),
                                          rows: n, width: d, eps: eps)
            let qkv = Reference.linear(ln1, weight: w("attention.query_key_value.weight"),
                                       bias: w("attention.query_key_value.bias"), rows: n, inFeatures: d, outFeatures: 3 * d)
            let y = Reference.attention(qkv: qkv, batch: batch, length: length, heads: c.numHeads, headDim: c.headDim,
                                        rotaryDims: c.rotaryDims, base: c.rotaryBase)
            let attn = Reference.linear(y, weight: w("attention.dense.weight"), bias: w("attention.dense.bias"),
                                        rows: n, inFeatures: d, outFeatures: d)
            func mlp(_ h: [Double]) -> [Double] {
                let ln2 = Reference.layerNorm(h, weight: w("post_attention_layernorm.weight"),
                                              bias: w("post_attention_layernorm.bias"), rows: n, width: d, eps: eps)
                let fc = Reference.linear(ln2, weight: w("mlp.dense_h_to_4h.weight"), bias: w("mlp.dense_h_to_4h.bias"),
                                          rows: n, inFeatures: d, outFeatures: c.intermediateSize)
                return Reference.linear(Reference.gelu(fc), weight: w("mlp.dense_4h_to_h.weight"),
                                        bias: w("mlp.dense_4h_to_h.bias"), rows: n, inFeatures: c.intermediateSize,
                                        outFeatures: d)
            }
            if c.useParallelResidual {
                let m = mlp(x)
                x = (0..<x.count).map { x[$0] + attn[$0] + m[$0] }
            } else {
                let h = (0..<x.count).map { x[$0] + attn[$0] }
                let m = mlp(h)
                x = (0..<x.count).map { h[$0] + m[$0] }
            }
        }
        let final = Reference.layerNorm(x, weight: p["gpt_neox.final_layer_norm.weight"]!,
                                        bias: p["gpt_neox.final_layer_norm.bias"]!, rows: n, width: d, eps: eps)
        return Reference.linear(final, weight: p["embed_out.weight"]!, bias: nil, rows: n, inFeatures: d,
                                outFeatures: c.vocabSize)
    }

    func meanLoss(inputs: [Int32], targets: [Int32], batch: Int, length: Int) -> Double {
        let (sum, count) = Reference.crossEntropy(logits: logits(inputs: inputs, batch: batch, length: length),
                                                  targets: targets, vocab: config.vocabSize)
        return count > 0 ? sum / Double(count) : 0
    }
}

// MARK: - Helpers shared by the tests

/// Central difference of a Double function at `x` along coordinate `i`.
func centralDifference(_ f: ([Double]) -> Double, at x: [Double], index i: Int, step h: Double = 1e-5) -> Double {
    var plus = x, minus = x
    plus[i] += h
    minus[i] -= h
    return (f(plus) - f(minus)) / (2 * h)
}

/// Compare an analytic float32 gradient with Double central differences at `indices`.
///
/// Tolerance: |analytic − numeric| ≤ 1e-4 · (|numeric| + rms), where rms is the root-mean-square of the checked
/// numeric gradients. float32 carries 24 bits (6e-8 relative) and our backward sums at most a few hundred terms per
/// entry, so its rounding stays near 1e-6 of the gradient's scale (every check here passes at 1e-5 too); the Double
/// differences are good to ~1e-9. A real mistake (a missing term, a wrong sign or transpose, an off-by-one position)
/// moves entries by tens of percent of the scale, so 1e-4 separates the two by orders of magnitude either way.
func assertGradientMatches(_ label: String, analytic: [Float], numeric: [(index: Int, value: Double)],
                           file: StaticString = #filePath, line: UInt = #line) {
    let rms = (numeric.map { $0.value * $0.value }.reduce(0, +) / Double(max(1, numeric.count))).squareRoot()
    XCTAssertGreaterThan(rms, 1e-6, "\(label): gradient is ~0 everywhere, the check would prove nothing", file: file, line: line)
    for (i, n) in numeric {
        let error = abs(Double(analytic[i]) - n) / (abs(n) + rms)
        if error > 1e-4 {
            XCTFail("\(label)[\(i)]: analytic \(analytic[i]) vs numeric \(n)", file: file, line: line)
            return
        }
    }
}

/// Deterministic test data.
func randomDoubles(_ count: Int, seed: UInt64, std: Double = 1) -> [Double] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in Double(rng.normal(std: Float(std))) }
}

/// Replace the Hugging Face initialisation (std 0.02: logits all near zero, deep gradients tiny) by larger random
/// values, so every parameter visibly matters to the loss and a wrong gradient cannot hide.
func randomizeParameters(_ model: GPTNeoX, seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    for (name, tensor) in model.namedParameters {
        if name.hasSuffix("layernorm.weight") || name.hasSuffix("layer_norm.weight") {
            tensor.fillNormal(mean: 1, std: 0.2, using: &rng)
        } else if name.hasSuffix(".bias") {
            tensor.fillNormal(std: 0.2, using: &rng)
        } else if name.contains("embed") {
            tensor.fillNormal(std: 1, using: &rng)
        } else {
            tensor.fillNormal(std: 1 / Float(tensor.shape.last!).squareRoot(), using: &rng)
        }
    }
}

func tinyConfig(parallel: Bool, layers: Int = 2, vocab: Int = 11, hidden: Int = 16, heads: Int = 2,
                rotaryPct: Double = 0.5) -> NeoXConfig {
    NeoXConfig(name: "tiny", vocabSize: vocab, hiddenSize: hidden, numLayers: layers, numHeads: heads,
               intermediateSize: 24, rotaryPct: rotaryPct, maxPositions: 32, useParallelResidual: parallel)
}

func tokens(_ count: Int, vocab: Int, seed: UInt64) -> [Int32] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in Int32(rng.below(vocab)) }
}
