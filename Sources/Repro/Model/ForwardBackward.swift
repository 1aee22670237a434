// GPT-NeoX's forward and backward passes over a batch, step by step, the backward running the forward's steps in
// reverse. Each step is a kernel of Layers.swift or Attention.swift, named for bench's profile by `timed` (a no-op
// unless bench turns the profile on).
import Tensor

extension GPTNeoX {
    // MARK: - Forward

    func reserve(tokens: Int, attention: Int) -> Activations {
        if let a = activations, a.tokenCapacity >= tokens, a.attentionCapacity >= attention { return a }
        let a = Activations(config: config, tokens: max(tokens, activations?.tokenCapacity ?? 0),
                            attention: max(attention, activations?.attentionCapacity ?? 0))
        activations = a
        return a
    }

    /// Embedding → layers → final LayerNorm, keeping what backward needs (the output head follows separately).
    /// With a cache, the tokens continue the cached sequence (batch 1): their keys and values are appended and
    /// attention looks at all cached positions. `timed` names each step for bench's profile and does nothing else.
    func forward(tokens: UnsafeBufferPointer<Int32>, batch B: Int, length T: Int, cache: KVCache?) {
        let d = config.hiddenSize, ff = config.intermediateSize, H = config.numHeads, hd = config.headDim
        let N = B * T, eps = config.layerNormEps
        let firstPosition = cache?.length ?? 0, keys = firstPosition + T
        let a = reserve(tokens: N, attention: B * H * T * keys)
        let timed = { (name: String, body: () -> Void) in Profile.time("forward", name, body) }

        timed("embedding") { Layers.embeddingForward(out: a.embedded, tokens: tokens, table: weights.embedIn, width: d) }
        var x = a.embedded
        for (l, w) in weights.layers.enumerated() {
            let s = a.layers[l]
            // Attention branch: LayerNorm → fused QKV → rotary on q, k → causal attention → dense
            timed("LayerNorm") {
                Layers.layernormForward(out: s.ln1Out, mean: s.ln1Mean, rstd: s.ln1Rstd, inp: x,
                                        weight: w.ln1Weight, bias: w.ln1Bias, rows: N, width: d, eps: eps)
            }
            timed("matmul QKV") {
                Layers.linearForward(out: s.qkv, inp: s.ln1Out, weight: w.qkvWeight, bias: w.qkvBias,
                                     rows: N, inFeatures: d, outFeatures: 3 * d)
            }
            timed("rotary") {
                rotary.forward(qkv: s.qkv, batch: B, length: T, heads: H, headDim: hd, firstPosition: firstPosition)
            }
            let q = Layers.HeadMatrices.fused(s.qkv, part: 0, length: T, heads: H, headDim: hd)
            var k = Layers.HeadMatrices.fused(s.qkv, part: 1, length: T, heads: H, headDim: hd)
            var v = Layers.HeadMatrices.fused(s.qkv, part: 2, length: T, heads: H, headDim: hd)
            if let cache {
                cache.append(layer: l, qkv: s.qkv, count: T, heads: H, headDim: hd)
                (k, v) = (cache.keys(layer: l), cache.values(layer: l))
            }
            timed("attention") {
                Layers.attentionForward(y: s.attnY, att: s.att, q: q, k: k, v: v,
                                        batch: B, heads: H, queries: T, keys: keys, headDim: hd)
            }
            // Residual: parallel  out = x + attn(ln1(x)) + mlp(ln2(x))
            //           sequential h = x + attn(ln1(x)); out = h + mlp(ln2(h))
            let mlpInput = config.useParallelResidual ? x : s.residualMid
            let attentionSum = config.useParallelResidual ? s.output : s.residualMid
            timed("residual copies") { attentionSum.update(from: x, count: N * d) }
            timed("matmul attention out") {
                Layers.linearForward(out: attentionSum, inp: s.attnY, weight: w.denseWeight, bias: w.denseBias,
                                     rows: N, inFeatures: d, outFeatures: d, accumulate: true)
            }
            if !config.useParallelResidual { timed("residual copies") { s.output.update(from: s.residualMid, count: N * d) } }
            // MLP branch: LayerNorm → d_ff → GELU → d, added into the output
            timed("LayerNorm") {
                Layers.layernormForward(out: s.ln2Out, mean: s.ln2Mean, rstd: s.ln2Rstd, inp: mlpInput,
                                        weight: w.ln2Weight, bias: w.ln2Bias, rows: N, width: d, eps: eps)
            }
            timed("matmul MLP up") {
                Layers.linearForward(out: s.fc, inp: s.ln2Out, weight: w.fcWeight, bias: w.fcBias,
                                     rows: N, inFeatures: d, outFeatures: ff)
            }
            timed("GELU") { Layers.geluForward(out: s.fcGelu, inputThenSlope: s.fc, count: N * ff) }
            timed("matmul MLP down") {
                Layers.linearForward(out: s.output, inp: s.fcGelu, weight: w.projWeight, bias: w.projBias,
                                     rows: N, inFeatures: ff, outFeatures: d, accumulate: true)
            }
            x = s.output
        }
        cache?.length += T
        timed("LayerNorm") {
            Layers.layernormForward(out: a.finalNormOut, mean: a.finalNormMean, rstd: a.finalNormRstd, inp: x,
                                    weight: weights.finalNormWeight, bias: weights.finalNormBias,
                                    rows: N, width: d, eps: eps)
        }
    }

    // MARK: - The output head

    /// Logits of every position, for evaluation and decoding.
    func logitsForEveryPosition(rows: Int) {
        let a = activations!
        Layers.linearForward(out: a.logits, inp: a.finalNormOut, weight: weights.embedOut, bias: nil,
                             rows: rows, inFeatures: config.hiddenSize, outFeatures: config.vocabSize)
    }

    /// For the loss only positions with a target meet the output matrix: their final hidden states are gathered
    /// into `predictedNormOut` (in order) and only those rows get logits. Prompt tokens and padding, often half of
    /// an instruction-tuning batch, then cost nothing here, and ignored positions send back no gradient by
    /// construction. Returns the summed loss and the number of predicted positions.
    func outputForward(targets: UnsafeBufferPointer<Int32>) -> (sum: Double, count: Int) {
        let a = activations!, d = config.hiddenSize
        Profile.time("forward", "gather scored rows") {
            predictedRows.removeAll(keepingCapacity: true)
            predictedTargets.removeAll(keepingCapacity: true)
            for (row, target) in targets.enumerated() where target != Layers.ignoreIndex {
                (a.predictedNormOut + predictedRows.count * d).update(from: a.finalNormOut + row * d, count: d)
                predictedRows.append(row)
                predictedTargets.append(target)
            }
        }
        Profile.time("forward", "matmul logits") {
            Layers.linearForward(out: a.logits, inp: a.predictedNormOut, weight: weights.embedOut, bias: nil,
                                 rows: predictedRows.count, inFeatures: d, outFeatures: config.vocabSize)
        }
        return Profile.time("forward", "cross-entropy") {
            predictedTargets.withUnsafeBufferPointer {
                Layers.crossEntropyForward(losses: a.losses, inverseSums: a.inverseSums, logitsThenExponentials: a.logits,
                                           targets: $0, vocab: config.vocabSize)
            }
        }
    }

    /// From the loss back to ∂loss/∂(final LayerNorm output) in `dNormOut`: rows of predicted positions get their
    /// gradient, every other row 0.
    func outputBackward(rows: Int, scale: Float) {
        let a = activations!, d = config.hiddenSize, m = predictedRows.count
        Profile.time("backward", "cross-entropy") {
            predictedTargets.withUnsafeBufferPointer {
                Layers.crossEntropyBackward(exponentialsThenGradient: a.logits, inverseSums: a.inverseSums,
                                            targets: $0, vocab: config.vocabSize, scale: scale)   // now dlogits
            }
        }
        Profile.time("backward", "matmul logits") {
            Layers.linearBackward(dinp: a.dPredictedNormOut, dweight: grads.embedOut, dbias: nil, dout: a.logits,
                                  inp: a.predictedNormOut, weight: weights.embedOut,
                                  rows: m, inFeatures: d, outFeatures: config.vocabSize)
        }
        Profile.time("backward", "gather scored rows") {
            a.dNormOut.update(repeating: 0, count: rows * d)
            for (i, row) in predictedRows.enumerated() {
                (a.dNormOut + row * d).update(from: a.dPredictedNormOut + i * d, count: d)
            }
        }
    }

    // MARK: - Backward

    /// Gradients of (Σ losses) · scale, added to `gradients`. Runs the forward's steps in reverse; dResidual carries
    /// the gradient of the residual stream from layer to layer.
    func backward(tokens: UnsafeBufferPointer<Int32>, batch B: Int, length T: Int, scale: Float) {
        let d = config.hiddenSize, ff = config.intermediateSize, H = config.numHeads, hd = config.headDim
        let N = B * T
        let a = activations!
        let timed = { (name: String, body: () -> Void) in Profile.time("backward", name, body) }
        outputBackward(rows: N, scale: scale)
        let last = a.layers.last?.output ?? a.embedded
        timed("LayerNorm") {
            a.dResidual.update(repeating: 0, count: N * d)
            Layers.layernormBackward(dinp: a.dResidual, dweight: grads.finalNormWeight, dbias: grads.finalNormBias,
                                     dout: a.dNormOut, inp: last, weight: weights.finalNormWeight,
                                     mean: a.finalNormMean, rstd: a.finalNormRstd, rows: N, width: d)
        }

        for l in stride(from: config.numLayers - 1, through: 0, by: -1) {
            let w = weights.layers[l], g = grads.layers[l], s = a.layers[l]
            let x = l == 0 ? a.embedded : a.layers[l - 1].output
            let mlpInput = config.useParallelResidual ? x : s.residualMid
            // dResidual = ∂loss/∂out. MLP branch first: out = … + proj(gelu(fc(ln2(mlpInput))))
            timed("matmul MLP down") {
                Layers.linearBackward(dinp: a.dFC, dweight: g.projWeight, dbias: g.projBias, dout: a.dResidual,
                                      inp: s.fcGelu, weight: w.projWeight, rows: N, inFeatures: ff, outFeatures: d)
            }
            timed("GELU") { Layers.geluBackward(gradient: a.dFC, slope: s.fc, count: N * ff) }
            timed("matmul MLP up") {
                Layers.linearBackward(dinp: a.dNormOut, dweight: g.fcWeight, dbias: g.fcBias, dout: a.dFC,
                                      inp: s.ln2Out, weight: w.fcWeight, rows: N, inFeatures: d, outFeatures: ff)
            }
            let ln2Backward = {
                timed("LayerNorm") {
                    Layers.layernormBackward(dinp: a.dResidual, dweight: g.ln2Weight, dbias: g.ln2Bias,
                                             dout: a.dNormOut, inp: mlpInput, weight: w.ln2Weight, mean: s.ln2Mean,
                                             rstd: s.ln2Rstd, rows: N, width: d)
                }
            }
            // Sequential: the MLP's input h = x + attn feeds the LayerNorm, so dResidual becomes ∂loss/∂h before the
            // attention branch reads it. Parallel: attention reads ∂loss/∂out itself, so LN2's share waits.
            if !config.useParallelResidual { ln2Backward() }
            timed("matmul attention out") {
                Layers.linearBackward(dinp: a.dAttnY, dweight: g.denseWeight, dbias: g.denseBias, dout: a.dResidual,
                                      inp: s.attnY, weight: w.denseWeight, rows: N, inFeatures: d, outFeatures: d)
            }
            if config.useParallelResidual { ln2Backward() }
            // Attention → un-rotate → fused QKV → LN1, which adds its share into dResidual (now ∂loss/∂x).
            let fused = { (m: FloatPointer, part: Int) in
                Layers.HeadMatrices.fused(m, part: part, length: T, heads: H, headDim: hd)
            }
            timed("attention") {
                Layers.attentionBackward(dq: fused(a.dQKV, 0), dk: fused(a.dQKV, 1), dv: fused(a.dQKV, 2),
                                         datt: a.dAtt, dy: a.dAttnY, att: s.att, q: fused(s.qkv, 0),
                                         k: fused(s.qkv, 1), v: fused(s.qkv, 2), batch: B, heads: H, length: T,
                                         headDim: hd)
            }
            timed("rotary") { rotary.backward(dqkv: a.dQKV, batch: B, length: T, heads: H, headDim: hd) }
            timed("matmul QKV") {
                Layers.linearBackward(dinp: a.dNormOut, dweight: g.qkvWeight, dbias: g.qkvBias, dout: a.dQKV,
                                      inp: s.ln1Out, weight: w.qkvWeight, rows: N, inFeatures: d, outFeatures: 3 * d)
            }
            timed("LayerNorm") {
                Layers.layernormBackward(dinp: a.dResidual, dweight: g.ln1Weight, dbias: g.ln1Bias, dout: a.dNormOut,
                                         inp: x, weight: w.ln1Weight, mean: s.ln1Mean, rstd: s.ln1Rstd, rows: N,
                                         width: d)
            }
        }
        timed("embedding") { Layers.embeddingBackward(dtable: grads.embedIn, tokens: tokens, dout: a.dResidual, width: d) }
    }
}
