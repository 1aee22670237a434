// The kernels of GPT-NeoX, each forward beside its backward, in the manner of llm.c's train_gpt2.c.
//
// Every function works on raw float pointers into the model's big buffers: activations are row-major [rows, width]
// matrices where a row is one token (rows = batch · length). Backward functions *accumulate* (+=) into parameter
// gradients, because gradients are summed over micro-batches; what they do to input gradients is stated per function.
// Every matrix product is a BLAS call; the loops left are element-wise or per-row and are written to vectorise.
//
// The plain-loop reading of the same model, every layer as nested loops over Doubles with no BLAS (as llm.c keeps a
// naive kernel beside the tuned one), is Tests/ModelTests/Reference.swift; the gradient and logit tests check these
// kernels against it.
import Dispatch
import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

typealias FloatPointer = UnsafeMutablePointer<Float>

enum Layers {
    // MARK: - Token embedding

    /// out[n, :] = table[tokens[n], :]. Tokens were range-checked by the caller.
    static func embeddingForward(out: FloatPointer, tokens: UnsafeBufferPointer<Int32>, table: UnsafePointer<Float>,
                                 width: Int) {
        for (n, token) in tokens.enumerated() {
            (out + n * width).update(from: table + Int(token) * width, count: width)
        }
    }

    /// dtable[tokens[n], :] += dout[n, :]
    static func embeddingBackward(dtable: FloatPointer, tokens: UnsafeBufferPointer<Int32>, dout: UnsafePointer<Float>,
                                  width: Int) {
        for (n, token) in tokens.enumerated() {
            Kernels.add(dout + n * width, into: dtable + Int(token) * width, count: width)
        }
    }

    // MARK: - LayerNorm

    /// out = (x − mean) / sqrt(var + eps) · weight + bias per row, with the biased variance as torch uses.
    /// Saves each row's mean and 1/std for the backward pass. Rows are independent: both cores take chunks of them.
    static func layernormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, inp: UnsafePointer<Float>,
                                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 rows: Int, width: Int, eps: Float) {
        Parallel.forEachChunk(rows, chunk: rowsPerTask) { chunk in
            for r in chunk {
                let x = inp + r * width, y = out + r * width
                let m = Kernels.sum(x, count: width) / Float(width)
                for i in 0..<width { y[i] = x[i] - m }
                let variance = Kernels.dot(y, y, count: width) / Float(width)
                let s = 1 / (variance + eps).squareRoot()
                for i in 0..<width { y[i] = y[i] * s * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// Rows per parallel task in row-wise loops: enough work to be worth a task, few enough to share it evenly.
    static let rowsPerTask = 64

    /// dinp += ∂loss/∂x (accumulates: x is a residual stream that other branches also feed), dweight, dbias +=.
    /// With x̂ = (x − mean)·rstd and g = dout·weight: dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)).
    /// dx by chunks of rows on both cores; then dweight and dbias, sums over rows, by chunks of columns, so that each
    /// column still adds its rows in order.
    static func layernormBackward(dinp: FloatPointer, dweight: FloatPointer, dbias: FloatPointer,
                                  dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                  mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, width: Int) {
        Parallel.forEachChunk(rows, chunk: rowsPerTask) { chunk in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { scratch in
                let g = scratch.baseAddress!, xHat = g + width
                for r in chunk {
                    let x = inp + r * width, dy = dout + r * width, dx = dinp + r * width
                    let m = mean[r], s = rstd[r]
                    for i in 0..<width { g[i] = dy[i] * weight[i]; xHat[i] = (x[i] - m) * s }
                    let gMean = Kernels.sum(g, count: width) / Float(width)
                    let gxMean = Kernels.dot(g, xHat, count: width) / Float(width)
                    for i in 0..<width { dx[i] += s * (g[i] - gMean - xHat[i] * gxMean) }
                }
            }
        }
        Parallel.forEachChunk(width, chunk: 32) { columns in
            for r in 0..<rows {
                let x = inp + r * width, dy = dout + r * width, m = mean[r], s = rstd[r]
                for i in columns {
                    dbias[i] += dy[i]
                    dweight[i] += dy[i] * ((x[i] - m) * s)
                }
            }
        }
    }

    // MARK: - Linear (torch.nn.Linear: weight stored [out, in])

    /// out = inp · weightᵀ + bias, or out += that when `accumulate` (how residual branches add themselves in).
    static func linearForward(out: FloatPointer, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              bias: UnsafePointer<Float>?, rows: Int, inFeatures: Int, outFeatures: Int,
                              accumulate: Bool = false) {
        if let bias {
            for r in 0..<rows {
                let y = out + r * outFeatures
                if accumulate { Kernels.add(bias, into: y, count: outFeatures) }
                else { y.update(from: bias, count: outFeatures) }
            }
        }
        gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
             a: inp, lda: inFeatures, b: weight, ldb: inFeatures,
             beta: (bias != nil || accumulate) ? 1 : 0, c: out, ldc: outFeatures)
    }

    /// dinp = dout · weight (overwritten), dweight += doutᵀ · inp, dbias += Σ_rows dout.
    static func linearBackward(dinp: FloatPointer, dweight: FloatPointer, dbias: FloatPointer?,
                               dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows: Int, inFeatures: Int, outFeatures: Int) {
        gemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
             a: dout, lda: outFeatures, b: weight, ldb: inFeatures, beta: 0, c: dinp, ldc: inFeatures)
        gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
             a: dout, lda: outFeatures, b: inp, ldb: inFeatures, beta: 1, c: dweight, ldc: inFeatures)
        if let dbias {   // by chunks of columns on both cores; each column adds its rows in order
            Parallel.forEachChunk(outFeatures, chunk: 128) { columns in
                for r in 0..<rows {
                    let row = dout + r * outFeatures
                    for j in columns { dbias[j] += row[j] }
                }
            }
        }
    }

    // MARK: - The fused QKV layout
    //
    // query_key_value produces 3d numbers per token, laid out per head: [q_h0, k_h0, v_h0, q_h1, k_h1, v_h1, …], each
    // headDim wide (Hugging Face views it as [.., heads, 3·headDim] and chunks the last axis in three). We never copy
    // q, k and v out: a `HeadMatrices` names where head h of sequence b starts and how far apart its rows (tokens) are,
    // and BLAS reads them in place with that row stride. Splitting the fused output is then pure indexing, and so is
    // writing the gradient of the three parts back into one dqkv matrix.

    struct HeadMatrices {
        var base: FloatPointer
        var batchStride: Int     // floats from sequence b to b+1
        var headStride: Int      // floats from head h to h+1
        var rowStride: Int       // floats from one position to the next (BLAS's leading dimension)

        @inline(__always) func at(_ b: Int, _ h: Int) -> FloatPointer { base + b * batchStride + h * headStride }

        /// Part 0 (q), 1 (k) or 2 (v) of a fused [batch, length, 3d] QKV matrix.
        static func fused(_ qkv: FloatPointer, part: Int, length: Int, heads: Int, headDim: Int) -> HeadMatrices {
            let d3 = 3 * heads * headDim
            return HeadMatrices(base: qkv + part * headDim, batchStride: length * d3, headStride: 3 * headDim,
                                rowStride: d3)
        }
    }

    // MARK: - Rotary position embedding ("rotate half", on the first `dims` numbers of each head's q and k)

    /// cos and sin of position · inv_freq[i] for every position and i < dims/2, computed in float32 exactly as
    /// Hugging Face does (inv_freq = 1 / base^(2i/dims) in float32, a float32 product with the position), so that
    /// published weights see the angles they were trained with.
    struct RotaryTable {
        let dims: Int
        let positions: Int
        let cos: [Float]    // [positions, dims/2]
        let sin: [Float]

        init(dims: Int, base: Double, positions: Int) {
            self.dims = dims
            self.positions = positions
            let half = dims / 2
            let inverseFrequency = (0..<half).map { i in 1 / powf(Float(base), Float(2 * i) / Float(dims)) }
            var c = [Float](repeating: 1, count: positions * half), s = [Float](repeating: 0, count: positions * half)
            for p in 0..<positions {
                for i in 0..<half {
                    let angle = Float(p) * inverseFrequency[i]
                    c[p * half + i] = cosf(angle)
                    s[p * half + i] = sinf(angle)
                }
            }
            cos = c
            sin = s
        }

        /// Rotate q and k of every head in place. Pairs are (x[i], x[i + dims/2]):
        /// x·cos + rotate_half(x)·sin with rotate_half([x1, x2]) = [−x2, x1] is, per pair, a rotation by the angle.
        /// Token t of each sequence sits at position firstPosition + t (nonzero when a KV cache holds earlier tokens).
        func forward(qkv: FloatPointer, batch: Int, length: Int, heads: Int, headDim: Int, firstPosition: Int) {
            rotate(qkv, batch: batch, length: length, heads: heads, headDim: headDim, firstPosition: firstPosition,
                   direction: 1)
        }

        /// The backward of a rotation is the rotation by the opposite angle (its transpose), applied in place to the
        /// gradients of q and k.
        func backward(dqkv: FloatPointer, batch: Int, length: Int, heads: Int, headDim: Int) {
            rotate(dqkv, batch: batch, length: length, heads: heads, headDim: headDim, firstPosition: 0, direction: -1)
        }

        private func rotate(_ qkv: FloatPointer, batch: Int, length: Int, heads: Int, headDim: Int,
                            firstPosition: Int, direction: Float) {
            let half = dims / 2
            guard half > 0 else { return }
            precondition(firstPosition + length <= positions, "rotary table covers \(positions) positions")
            cos.withUnsafeBufferPointer { cosTable in
                sin.withUnsafeBufferPointer { sinTable in
                    Parallel.forEachChunk(batch * length, chunk: Layers.rowsPerTask) { rows in
                        for row in rows {
                            let t = row % length
                            let c = cosTable.baseAddress! + (firstPosition + t) * half
                            let s = sinTable.baseAddress! + (firstPosition + t) * half
                            let fused = qkv + row * 3 * heads * headDim
                            for h in 0..<heads {
                                for part in 0..<2 {           // q, then k; v is not rotated
                                    let x = fused + h * 3 * headDim + part * headDim
                                    for i in 0..<half {
                                        let x1 = x[i], x2 = x[i + half], sn = direction * s[i]
                                        x[i] = x1 * c[i] - x2 * sn
                                        x[i + half] = x2 * c[i] + x1 * sn
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - GELU, the erf form that hidden_act "gelu" names (not the tanh approximation)
    //
    // glibc's erff and expf are a function call per element that the compiler cannot vectorise; at d_ff × tokens × layers
    // calls per step they took a fifth of a training step. `exp` and `erf` below are plain arithmetic that vectorises,
    // accurate to within a few float32 ulp (see each).

    /// e^x: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to r⁷ (truncation < 2e-9 relative), and 2^k
    /// written straight into the exponent bits. About 1 ulp; x is clamped to [−87, 88], where float32's e^x lives.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -87), 88)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer k and leaves k in the low bits of the sum.
        let shifted = x * 1.44269504 + 12_582_912
        let k = shifted - 12_582_912
        let r = (x - k * 0.693145751953125) - k * 1.42860677e-6    // ln 2 in two parts, so k·ln2 is exact enough
        var p: Float = 1 / 5040
        p = p * r + 1 / 720
        p = p * r + 1 / 120
        p = p * r + 1 / 24
        p = p * r + 1 / 6
        p = p * r + 1 / 2
        p = p * r + 1
        p = p * r + 1
        let twoToK = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return p * twoToK
    }

    /// erf(x) by Abramowitz & Stegun 7.1.26: 1 − t·(a1 + a2 t + … + a5 t⁴)·e^(−x²), t = 1/(1 + p|x|), odd in x.
    /// Absolute error ≤ 1.5e-7 in exact arithmetic and ≤ 6e-7 evaluated in float32 (worst near |x| ≈ 0.05, where the
    /// polynomial's terms cancel): a few ulp of 1 + erf(x), the quantity GELU uses; the tanh approximation of GELU
    /// is 1e-3 away. Also returns the e^(−x²) it computes on the way, which GELU's slope needs too.
    @inline(__always)
    static func erfAndGaussian(_ x: Float) -> (erf: Float, gaussian: Float) {
        let a = abs(x)
        let t = 1 / (1 + 0.3275911 * a)
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
        let gaussian = exp(-a * a)
        return (Float(signOf: x, magnitudeOf: 1 - poly * gaussian), gaussian)
    }

    /// out = x · Φ(x) = 0.5 · x · (1 + erf(x / √2)). In place of x it leaves the slope that backward multiplies by,
    /// d out/dx = Φ(x) + x · φ(x) with φ(x) = e^(−x²/2) / √(2π): erf(x/√2) has just computed e^(−x²/2), so the slope
    /// costs two products here and spares backward an erf and an exponential per element. (Backward needs x only
    /// for the slope, so x itself is not kept.)
    static func geluForward(out: FloatPointer, inputThenSlope x: FloatPointer, count: Int) {
        let invSqrt2 = Float(0.5).squareRoot(), invSqrt2Pi = 1 / Float(2 * Double.pi).squareRoot()
        Parallel.forEachChunk(count) { range in
            for i in range {
                let (erf, gaussian) = erfAndGaussian(x[i] * invSqrt2)
                let cdf = 0.5 * (1 + erf)
                out[i] = x[i] * cdf
                x[i] = cdf + x[i] * (invSqrt2Pi * gaussian)
            }
        }
    }

    /// In place: d ← d · slope, turning ∂loss/∂out into ∂loss/∂x.
    static func geluBackward(gradient d: FloatPointer, slope: UnsafePointer<Float>, count: Int) {
        Parallel.forEachChunk(count) { range in
            for i in range { d[i] *= slope[i] }
        }
    }

    // MARK: - Cross-entropy with ignore index

    /// The target that marks a position as not predicted (prompt tokens, padding): PyTorch's ignore_index.
    static let ignoreIndex: Int32 = -100

    /// Per row: loss = logsumexp(z) − z[target] into `losses` (0 for an ignored row). Returns the sum of losses (in
    /// Double, added in row order) and the number of counted rows. On the way it leaves in the logits the
    /// exponentials e^(z − max) of the logsumexp, and 1 / Σ of them in `inverseSums`: backward's softmax is then one
    /// product per logit instead of an exponential.
    static func crossEntropyForward(losses: FloatPointer, inverseSums: FloatPointer, logitsThenExponentials: FloatPointer,
                                    targets: UnsafeBufferPointer<Int32>, vocab: Int) -> (sum: Double, count: Int) {
        let rows = targets.count
        let chunk = 8
        Parallel.forEach((rows + chunk - 1) / chunk) { c in
            for r in c * chunk..<min(rows, (c + 1) * chunk) {
                let target = targets[r]
                if target == ignoreIndex { losses[r] = 0; inverseSums[r] = 0; continue }
                let z = logitsThenExponentials + r * vocab
                let m = Kernels.max(z, count: vocab), zTarget = z[Int(target)]
                let sum = exponentiate(z, minus: m, count: vocab)
                inverseSums[r] = 1 / sum
                losses[r] = m + logf(sum) - zTarget
            }
        }
        var sum: Double = 0, count = 0
        for r in 0..<rows where targets[r] != ignoreIndex {
            sum += Double(losses[r])
            count += 1
        }
        return (sum, count)
    }

    /// z_j ← e^(z_j − m) in place, returning their sum, added in four partial sums (so that four exponentials are
    /// evaluated at once).
    static func exponentiate(_ z: FloatPointer, minus m: Float, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var j = 0
        while j + 4 <= count {
            let e0 = exp(z[j] - m), e1 = exp(z[j + 1] - m), e2 = exp(z[j + 2] - m), e3 = exp(z[j + 3] - m)
            z[j] = e0; z[j + 1] = e1; z[j + 2] = e2; z[j + 3] = e3
            s0 += e0; s1 += e1; s2 += e2; s3 += e3
            j += 4
        }
        while j < count { let e = exp(z[j] - m); z[j] = e; s0 += e; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Turns the forward's exponentials into the gradient of the logits, in place: (softmax − onehot(target)) · scale
    /// with softmax_j = e_j / Σ, and a row of zeros where the target is ignored, so ignored positions send nothing
    /// back through the output matrix.
    static func crossEntropyBackward(exponentialsThenGradient: FloatPointer, inverseSums: UnsafePointer<Float>,
                                     targets: UnsafeBufferPointer<Int32>, vocab: Int, scale: Float) {
        let rows = targets.count
        let chunk = 8
        Parallel.forEach((rows + chunk - 1) / chunk) { c in
            for r in c * chunk..<min(rows, (c + 1) * chunk) {
                let z = exponentialsThenGradient + r * vocab
                let target = targets[r]
                if target == ignoreIndex { z.update(repeating: 0, count: vocab); continue }
                let factor = inverseSums[r] * scale
                for j in 0..<vocab { z[j] *= factor }
                z[Int(target)] -= scale
            }
        }
    }
}
