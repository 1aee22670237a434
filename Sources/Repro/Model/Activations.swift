// The model's working memory: activations kept for the backward pass, backward scratch, and the KV cache.
import Tensor

/// Everything the forward pass keeps and the backward pass needs, carved from one buffer, plus backward scratch.
/// Sized by capacity: `tokens` ≥ batch·length and `attention` ≥ batch·heads·queries·keys. A call with a smaller
/// (batch, length) uses a prefix of each region, so the buffer is made once and reused.
final class Activations {
    struct Layer {
        var ln1Out, ln1Mean, ln1Rstd: FloatPointer    // [N, d], [N], [N]
        var qkv: FloatPointer                         // [N, 3d], q and k after rotary
        var att: FloatPointer                         // [B, H, Tq, Tk] attention probabilities
        var attnY: FloatPointer                       // [N, d] heads merged, input of attention.dense
        var residualMid: FloatPointer                 // [N, d] h = x + attn (sequential residual only)
        var ln2Out, ln2Mean, ln2Rstd: FloatPointer
        var fc, fcGelu: FloatPointer                  // [N, d_ff] GELU's slope (its input until GELU runs), its output
        var output: FloatPointer                      // [N, d] the layer's output, next layer's input
    }

    let tokenCapacity: Int
    let attentionCapacity: Int
    let buffer: FloatBuffer
    let embedded: FloatPointer                        // [N, d] residual stream entering layer 0
    let layers: [Layer]
    let finalNormOut, finalNormMean, finalNormRstd: FloatPointer
    let logits: FloatPointer                          // [N, V]; the loss leaves exponentials, backward dlogits
    let predictedNormOut: FloatPointer                // [N, d] final LayerNorm rows of positions with a target
    let losses, inverseSums: FloatPointer             // [N] loss and 1 / Σ e^(z − max) per scored row
    // Backward scratch, reused by every layer.
    let dResidual, dNormOut, dAttnY, dPredictedNormOut: FloatPointer     // [N, d]
    let dQKV: FloatPointer                            // [N, 3d]
    let dAtt: FloatPointer                            // like att
    let dFC: FloatPointer                             // [N, d_ff]

    init(config: NeoXConfig, tokens N: Int, attention A: Int) {
        tokenCapacity = N
        attentionCapacity = A
        let d = config.hiddenSize, ff = config.intermediateSize
        let sequential = !config.useParallelResidual
        // Two passes over the same carving: the first only counts, the second hands out real memory.
        func carve(_ take: (Int) -> FloatPointer) -> (FloatPointer, [Layer], [FloatPointer]) {
            let embedded = take(N * d)
            let layers = (0..<config.numLayers).map { _ in
                Layer(ln1Out: take(N * d), ln1Mean: take(N), ln1Rstd: take(N), qkv: take(N * 3 * d), att: take(A),
                      attnY: take(N * d), residualMid: take(sequential ? N * d : 0),
                      ln2Out: take(N * d), ln2Mean: take(N), ln2Rstd: take(N),
                      fc: take(N * ff), fcGelu: take(N * ff), output: take(N * d))
            }
            let rest = [take(N * d), take(N), take(N), take(N * config.vocabSize), take(N), take(N), take(N * d),
                        take(N * d), take(N * d), take(N * d), take(N * d), take(N * 3 * d), take(A), take(N * ff)]
            return (embedded, layers, rest)
        }
        var total = 0
        let placeholder = FloatBuffer(count: 1)
        _ = carve { total += $0; return placeholder.base }
        buffer = FloatBuffer(count: total)
        var used = 0
        let base = buffer.base
        let (e, l, r) = carve { count in
            defer { used += count }
            return base + used
        }
        embedded = e
        layers = l
        (finalNormOut, finalNormMean, finalNormRstd, logits, losses, inverseSums, predictedNormOut) =
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6])
        (dResidual, dNormOut, dAttnY, dPredictedNormOut, dQKV, dAtt, dFC) = (r[7], r[8], r[9], r[10], r[11], r[12], r[13])
    }
}

/// Keys and values of every layer for the positions decoded so far, for one sequence. Keys are stored after rotary,
/// per head [layer, head, capacity, headDim], so attention reads each head's keys as one contiguous matrix.
public final class KVCache {
    public let capacity: Int
    /// Positions already processed; the next token goes at this position.
    public internal(set) var length = 0
    let layers: Int, heads: Int, headDim: Int, width: Int
    private let keyBuffer: FloatBuffer, valueBuffer: FloatBuffer

    init(config: NeoXConfig, capacity: Int) {
        self.capacity = capacity
        layers = config.numLayers
        heads = config.numHeads
        headDim = config.headDim
        width = config.hiddenSize
        keyBuffer = FloatBuffer(count: layers * heads * capacity * headDim)
        valueBuffer = FloatBuffer(count: layers * heads * capacity * headDim)
    }

    /// Forget everything: the next forward starts a new sequence at position 0.
    public func reset() { length = 0 }

    func keys(layer: Int) -> Layers.HeadMatrices { matrices(keyBuffer, layer: layer) }
    func values(layer: Int) -> Layers.HeadMatrices { matrices(valueBuffer, layer: layer) }

    private func matrices(_ buffer: FloatBuffer, layer: Int) -> Layers.HeadMatrices {
        Layers.HeadMatrices(base: buffer.base + layer * heads * capacity * headDim, batchStride: 0,
                            headStride: capacity * headDim, rowStride: headDim)
    }

    /// Copy the (rotated) k and v of `count` new tokens from a fused [count, 3d] QKV matrix to positions
    /// length ..< length + count. `length` itself advances once all layers have appended.
    func append(layer: Int, qkv: UnsafePointer<Float>, count: Int, heads: Int, headDim: Int) {
        let k = keys(layer: layer), v = values(layer: layer)
        for t in 0..<count {
            let row = qkv + t * 3 * heads * headDim
            for h in 0..<heads {
                (k.at(0, h) + (length + t) * headDim).update(from: row + h * 3 * headDim + headDim, count: headDim)
                (v.at(0, h) + (length + t) * headDim).update(from: row + h * 3 * headDim + 2 * headDim, count: headDim)
            }
        }
    }
}
