// The optimizer of the paper's recipe, as Hugging Face's Trainer runs it: torch.optim.AdamW, a cosine learning rate
// with linear warmup (get_cosine_schedule_with_warmup), and gradient clipping by global norm (clip_grad_norm_).
// Parameters, gradients and both moments are single buffers of the same size, so each of these is one loop.
import Tensor

public final class AdamW {
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// Optimizer steps taken so far (torch's `state["step"]`); bias corrections use step + 1 on the next update.
    public internal(set) var step = 0
    /// First and second moments, one float per parameter, in the parameter buffer's order.
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Which ranges of the parameter buffer decay: the Trainer decays every weight except biases and LayerNorm
    /// weights (its get_decay_parameter_names). Irrelevant at the default weight decay of 0, kept so a nonzero one
    /// means what it means in the Trainer.
    let decayRanges: [(range: Range<Int>, decays: Bool)]

    /// Defaults are the Trainer's: betas (0.9, 0.999), eps 1e-8, weight decay 0.
    public init(layout: TensorLayout, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        m = FloatBuffer(count: layout.totalCount)
        v = FloatBuffer(count: layout.totalCount)
        decayRanges = layout.entries.map { entry in
            let exempt = entry.name.hasSuffix(".bias") || entry.name.contains("layernorm")
                || entry.name.contains("layer_norm")
            return (entry.offset..<entry.offset + Tensor.elementCount(entry.shape), !exempt)
        }
    }

    /// One AdamW update of `parameters` from `gradients` at `learningRate`, exactly torch's (non-fused) algorithm:
    ///   p ← p · (1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
    ///   p ← p − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + eps)
    public func update(parameters: FloatBuffer, gradients: FloatBuffer, learningRate: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: buffer sizes differ")
        step += 1
        let t = Double(step)
        let stepSize = Float(learningRate / (1 - pow(Double(beta1), t)))
        let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
        let (b1, b2, eps) = (beta1, beta2, self.eps)
        let p = parameters.base, g = gradients.base, m = m.base, v = v.base
        for (range, decays) in decayRanges {
            let shrink = decays ? Float(1 - learningRate * Double(weightDecay)) : 1
            Parallel.forEachChunk(range.count) { chunk in
                for i in (range.lowerBound + chunk.lowerBound)..<(range.lowerBound + chunk.upperBound) {
                    let gi = g[i]
                    let mi = b1 * m[i] + (1 - b1) * gi
                    let vi = b2 * v[i] + (1 - b2) * gi * gi
                    m[i] = mi
                    v[i] = vi
                    // vi ≥ 0 always; saying so lets the compiler use the vector square root (sqrtf of a value it
                    // cannot prove non-negative is a call per element, for errno). A NaN still makes p NaN via mi.
                    let root = (vi >= 0 ? vi : 0).squareRoot()
                    p[i] = p[i] * shrink - stepSize * mi / (root / correction2 + eps)
                }
            }
        }
    }
}

/// Hugging Face's get_cosine_schedule_with_warmup: the learning rate for the update after `step` updates (0-based):
/// `peak · step / warmup` during warmup, then `peak · ½(1 + cos(π · progress))` falling to 0 at `totalSteps`.
/// As in the Trainer, the very first update (step 0) uses a learning rate of 0 when there is any warmup.
public func cosineLearningRate(step: Int, totalSteps: Int, warmupSteps: Int, peak: Double) -> Double {
    if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
    let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
    return peak * max(0, 0.5 * (1 + cos(Double.pi * progress)))
}

/// The Trainer's warmup steps for a warmup ratio: ceil(ratio · total).
public func warmupSteps(ratio: Double, totalSteps: Int) -> Int { Int((ratio * Double(totalSteps)).rounded(.up)) }

/// torch.nn.utils.clip_grad_norm_: scale all gradients by min(1, maxNorm / (norm + 1e-6)). Returns the global L2
/// norm before clipping (what the Trainer logs as grad_norm).
@discardableResult
public func clipGradients(_ gradients: FloatBuffer, maxNorm: Double) -> Double {
    let g = gradients.base
    let norm = sumOfSquaresOnBothCores(g, count: gradients.count).squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        Parallel.forEachChunk(gradients.count) { r in Kernels.scale(g + r.lowerBound, by: Float(coefficient), count: r.count) }
    }
    return norm
}

/// Kernels.sumOfSquares, bit for bit: the same blocks, each summed the same way, added in Double in the same order;
/// only the blocks' own sums are shared between the cores.
func sumOfSquaresOnBothCores(_ x: UnsafePointer<Float>, count: Int) -> Double {
    let block = Kernels.sumOfSquaresBlock, blocks = (count + block - 1) / block
    var sums = [Double](repeating: 0, count: blocks)
    sums.withUnsafeMutableBufferPointer { sums in
        Parallel.forEachChunk(blocks, chunk: 64) { range in
            for b in range {
                let start = b * block, end = min(start + block, count)
                sums[b] = Double(Kernels.dot(x + start, x + start, count: end - start))
            }
        }
    }
    var total: Double = 0
    for s in sums { total += s }
    return total
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
