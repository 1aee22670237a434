// GPT-NeoX, as Polyglot-Ko uses it, at any size: forward, backward, and a KV-cached forward for generation.
//
//   let model = GPTNeoX(config: config, seed: 1)                  // Hugging Face's initialisation, from one seed
//   model.zeroGradients()
//   let (loss, tokens) = try model.forwardBackward(inputs: x, targets: y, batch: B, length: T)   // grads +=
//   try model.loss(inputs: x, targets: y, batch: B, length: T)     // forward only
//   try model.logits(inputs: x, batch: B, length: T)               // [B, T, V] view, forward only
//   let cache = model.makeCache(); try model.forward(tokens: prompt, cache: cache)   // incremental decoding
//
// Inputs and targets. `inputs` and `targets` are [B, T] row-major token ids. targets[b, t] is the token the model must
// predict *at* position t, i.e. inputs[b, t + 1] for language modelling, or −100 (ignored: prompt tokens, padding,
// the last position). The caller does the shift; the model never looks ahead in `targets`. The loss is the mean of
// −log p(target) over the positions whose target is not −100.
//
// Padding. Sequences of a micro-batch are right-padded to a common length: pad positions carry any valid token id and
// target −100. Because they come after every real token, the causal mask already hides them from real tokens, and
// their targets contribute nothing: padding changes neither the loss nor the gradients of the real tokens.
//
// Memory, as in llm.c: one buffer for all parameters carved by `config.parameterLayout` into Hugging Face-named
// tensors, one of the same size for gradients, and one for activations sized for the largest (batch, length) seen so
// far, reused by every later step (a steady-state training step allocates no tensor memory).
import Tensor
import Plumbing

public struct ModelError: Error, CustomStringConvertible {
    public var problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// Pointers to one layer's tensors inside the parameter (or gradient) buffer.
struct LayerTensors {
    var ln1Weight, ln1Bias, ln2Weight, ln2Bias: FloatPointer
    var qkvWeight, qkvBias, denseWeight, denseBias: FloatPointer
    var fcWeight, fcBias, projWeight, projBias: FloatPointer   // mlp.dense_h_to_4h, mlp.dense_4h_to_h
}

/// Pointers to every parameter tensor of the model inside one buffer.
struct ModelTensors {
    var embedIn: FloatPointer
    var layers: [LayerTensors]
    var finalNormWeight, finalNormBias: FloatPointer
    var embedOut: FloatPointer

    init(config: NeoXConfig, buffer: FloatBuffer) {
        var offsets: [String: Int] = [:]
        for entry in config.parameterLayout.entries { offsets[entry.name] = entry.offset }
        func p(_ name: String) -> FloatPointer { buffer.base + offsets[name]! }   // names come from the layout itself
        embedIn = p("gpt_neox.embed_in.weight")
        layers = (0..<config.numLayers).map { i in
            let l = "gpt_neox.layers.\(i)."
            return LayerTensors(
                ln1Weight: p(l + "input_layernorm.weight"), ln1Bias: p(l + "input_layernorm.bias"),
                ln2Weight: p(l + "post_attention_layernorm.weight"), ln2Bias: p(l + "post_attention_layernorm.bias"),
                qkvWeight: p(l + "attention.query_key_value.weight"), qkvBias: p(l + "attention.query_key_value.bias"),
                denseWeight: p(l + "attention.dense.weight"), denseBias: p(l + "attention.dense.bias"),
                fcWeight: p(l + "mlp.dense_h_to_4h.weight"), fcBias: p(l + "mlp.dense_h_to_4h.bias"),
                projWeight: p(l + "mlp.dense_4h_to_h.weight"), projBias: p(l + "mlp.dense_4h_to_h.bias"))
        }
        finalNormWeight = p("gpt_neox.final_layer_norm.weight")
        finalNormBias = p("gpt_neox.final_layer_norm.bias")
        embedOut = p("embed_out.weight")
    }
}

public final class GPTNeoX {
    public let config: NeoXConfig
    public let layout: TensorLayout
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    let weights: ModelTensors
    let grads: ModelTensors
    let rotary: Layers.RotaryTable
    var activations: Activations?
    /// The positions (row indices) that have a target in the current batch, and those targets: see outputForward.
    var predictedRows: [Int] = []
    var predictedTargets: [Int32] = []

    /// A model with Hugging Face's initialisation (`GPTNeoXPreTrainedModel._init_weights`): Linear weights and the
    /// embedding N(0, 0.02²), biases 0, LayerNorm weight 1 and bias 0. Draws are taken tensor by tensor in layout order
    /// from SeededRandom(seed), so a seed names one set of weights.
    public convenience init(config: NeoXConfig, seed: UInt64) {
        self.init(config: config)
        var rng = SeededRandom(seed: seed)
        for (name, tensor) in namedParameters {
            if name.hasSuffix("layernorm.weight") || name.hasSuffix("layer_norm.weight") { tensor.fill(1) }
            else if name.hasSuffix(".bias") { tensor.zero() }
            else { tensor.fillNormal(std: 0.02, using: &rng) }
        }
    }

    /// A model whose parameters are all zero, to be filled by a checkpoint.
    public init(config: NeoXConfig) {
        precondition(config.problems.isEmpty, "GPTNeoX: bad config: \(config.problems.joined(separator: "; "))")
        self.config = config
        layout = config.parameterLayout
        parameters = FloatBuffer(count: layout.totalCount)
        gradients = FloatBuffer(count: layout.totalCount)
        weights = ModelTensors(config: config, buffer: parameters)
        grads = ModelTensors(config: config, buffer: gradients)
        rotary = Layers.RotaryTable(dims: config.rotaryDims, base: config.rotaryBase, positions: config.maxPositions)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { layout.views(of: parameters) }
    public var namedGradients: [(name: String, tensor: Tensor)] { layout.views(of: gradients) }

    /// The parameter tensor Hugging Face calls `name`, e.g. "gpt_neox.layers.0.attention.dense.weight".
    public func parameter(_ name: String) -> Tensor { view(name, of: parameters) }
    public func gradient(_ name: String) -> Tensor { view(name, of: gradients) }

    private func view(_ name: String, of buffer: FloatBuffer) -> Tensor {
        guard let entry = layout.entries.first(where: { $0.name == name }) else {
            preconditionFailure("GPTNeoX has no parameter named \(name)")
        }
        return Tensor(viewing: buffer, offset: entry.offset, shape: entry.shape)
    }

    /// Floats of activation memory (what backward reads, and its scratch) held for the largest batch seen so far.
    public var activationFloatCount: Int { activations?.buffer.count ?? 0 }

    public func zeroGradients() { gradients.base.update(repeating: 0, count: gradients.count) }

    // MARK: - Public passes

    /// Forward and backward over one micro-batch. Gradients are *added* to `gradients`.
    ///
    /// Returns the mean loss over this micro-batch's counted positions (targets ≠ −100) and their number. The gradient
    /// added is that of (sum of the losses) / `lossDivisor`, where `lossDivisor` defaults to this micro-batch's count.
    /// For gradient accumulation pass the count of the whole batch: the summed gradients are then exactly those of the
    /// mean over every counted token of the batch, however the batch is split. Hugging Face's Trainer of 2023, which
    /// the paper would have used, averaged per-micro-batch means instead, which weighs a token in a micro-batch with
    /// few counted tokens more; the Trainer itself switched to our convention in late 2024 (transformers 4.46,
    /// `num_items_in_batch`).
    /// With no counted position the loss is 0 and nothing is added.
    @discardableResult
    public func forwardBackward(inputs: [Int32], targets: [Int32], batch: Int, length: Int,
                                lossDivisor: Int? = nil) throws -> (loss: Float, tokens: Int) {
        try validate(inputs: inputs, targets: targets, batch: batch, length: length)
        if let lossDivisor, lossDivisor <= 0 { throw ModelError("lossDivisor must be positive, got \(lossDivisor)") }
        return inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                forward(tokens: x, batch: batch, length: length, cache: nil)
                let (sum, count) = outputForward(targets: y)
                guard count > 0 else { return (0, 0) }
                backward(tokens: x, batch: batch, length: length, scale: 1 / Float(lossDivisor ?? count))
                return (Float(sum / Double(count)), count)
            }
        }
    }

    /// Forward only: the mean loss over counted positions and their number.
    public func loss(inputs: [Int32], targets: [Int32], batch: Int, length: Int) throws -> (loss: Float, tokens: Int) {
        try validate(inputs: inputs, targets: targets, batch: batch, length: length)
        return inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                forward(tokens: x, batch: batch, length: length, cache: nil)
                let (sum, count) = outputForward(targets: y)
                return (count > 0 ? Float(sum / Double(count)) : 0, count)
            }
        }
    }

    /// Forward only: the logits [batch, length, vocab], a view of the model's activation memory that the next call
    /// overwrites (copy `.values` to keep them).
    public func logits(inputs: [Int32], batch: Int, length: Int) throws -> Tensor {
        try validate(inputs: inputs, targets: nil, batch: batch, length: length)
        inputs.withUnsafeBufferPointer { forward(tokens: $0, batch: batch, length: length, cache: nil) }
        logitsForEveryPosition(rows: batch * length)
        return Tensor(viewing: activations!.buffer, offset: activations!.logits - activations!.buffer.base,
                      shape: [batch, length, config.vocabSize])
    }

    /// Incremental decoding of one sequence: run `tokens` (the prompt, then one token at a time) after what `cache`
    /// already holds, and return the logits of these tokens, [tokens.count, vocab] (a view, overwritten by the next
    /// call). The logits of the last row predict the next token.
    public func forward(tokens: [Int32], cache: KVCache) throws -> Tensor {
        guard cache.layers == config.numLayers, cache.width == config.hiddenSize else {
            throw ModelError("this KV cache was made for another model")
        }
        guard cache.length + tokens.count <= cache.capacity else {
            throw ModelError("KV cache holds \(cache.length) of \(cache.capacity) positions; \(tokens.count) more do not fit")
        }
        try validate(inputs: tokens, targets: nil, batch: 1, length: tokens.count)
        tokens.withUnsafeBufferPointer { forward(tokens: $0, batch: 1, length: tokens.count, cache: cache) }
        logitsForEveryPosition(rows: tokens.count)
        return Tensor(viewing: activations!.buffer, offset: activations!.logits - activations!.buffer.base,
                      shape: [tokens.count, config.vocabSize])
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(config: config, capacity: min(capacity ?? config.maxPositions, config.maxPositions))
    }

    /// Token ids and targets come from data, so they are checked here and reported, never trusted.
    func validate(inputs: [Int32], targets: [Int32]?, batch: Int, length: Int) throws {
        guard batch > 0, length > 0 else { throw ModelError("batch \(batch) × length \(length) is empty") }
        guard length <= config.maxPositions else {
            throw ModelError("length \(length) exceeds max_position_embeddings \(config.maxPositions)")
        }
        guard inputs.count == batch * length else {
            throw ModelError("inputs hold \(inputs.count) tokens, expected batch \(batch) × length \(length)")
        }
        let v = Int32(config.vocabSize)
        for (i, token) in inputs.enumerated() where token < 0 || token >= v {
            throw ModelError("input token \(token) at sequence \(i / length), position \(i % length) is outside the vocabulary 0..<\(v)")
        }
        guard let targets else { return }
        guard targets.count == inputs.count else {
            throw ModelError("targets hold \(targets.count) tokens, inputs \(inputs.count)")
        }
        for (i, target) in targets.enumerated() where target != Layers.ignoreIndex && (target < 0 || target >= v) {
            throw ModelError("target \(target) at sequence \(i / length), position \(i % length) is neither −100 nor in 0..<\(v)")
        }
    }
}
