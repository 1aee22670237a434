import Tensor
import Plumbing

// MARK: - The GPT-NeoX configuration, as Polyglot-Ko's config.json spells it

/// The shape of a GPT-NeoX model. Field names follow Hugging Face's `GPTNeoXConfig` so that a config.json maps onto
/// this one to one. Only what Polyglot-Ko uses is supported: GELU (erf form), untied embeddings, LayerNorm.
public struct NeoXConfig: Equatable, Sendable {
    public var name: String
    public var vocabSize: Int                 // rows of the embedding and of the output matrix (padded vocabulary)
    public var hiddenSize: Int                // d
    public var numLayers: Int                 // L
    public var numHeads: Int                  // H; head_dim = d / H
    public var intermediateSize: Int          // d_ff, 4·d in every Polyglot-Ko model
    public var rotaryPct: Double              // fraction of each head that is rotated: 64/head_dim in Polyglot-Ko
    public var rotaryBase: Double = 10_000
    public var maxPositions: Int              // the context length the rotary tables are built for
    public var layerNormEps: Float = 1e-5
    public var useParallelResidual = true     // x + attn(ln1(x)) + mlp(ln2(x)), as GPT-J and GPT-NeoX do

    public init(name: String, vocabSize: Int, hiddenSize: Int, numLayers: Int, numHeads: Int,
                intermediateSize: Int? = nil, rotaryPct: Double, rotaryBase: Double = 10_000, maxPositions: Int,
                layerNormEps: Float = 1e-5, useParallelResidual: Bool = true) {
        self.name = name
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.intermediateSize = intermediateSize ?? 4 * hiddenSize
        self.rotaryPct = rotaryPct
        self.rotaryBase = rotaryBase
        self.maxPositions = maxPositions
        self.layerNormEps = layerNormEps
        self.useParallelResidual = useParallelResidual
    }

    public var headDim: Int { hiddenSize / numHeads }
    /// Rotated dimensions per head: `int(head_dim * rotary_pct)`, exactly as transformers computes `rotary_ndims`.
    public var rotaryDims: Int { Int(Double(headDim) * rotaryPct) }

    /// Sizes beyond these describe no model this code could hold. They are refused before anything is built or
    /// allocated: a config.json claiming 2⁵⁰ layers must be an error, not an attempt to allocate them. (Real models are far
    /// below: Polyglot-Ko 12.8B has 40 layers, hidden size 5,120, a vocabulary of 30,080 and 1.3·10¹⁰ parameters.)
    public static let maxDimension = 1 << 24, maxLayers = 1 << 16, maxParameters = 1 << 40

    /// Problems that make this config unusable, in words (empty when it is fine). Safe on any values: nothing here
    /// can overflow or trap, so a config read from a file is checked before anything is derived from it.
    public var problems: [String] {
        var p: [String] = []
        let sizes = [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_attention_heads", numHeads),
                     ("intermediate_size", intermediateSize), ("max_position_embeddings", maxPositions)]
        if numLayers <= 0 || sizes.contains(where: { $0.1 <= 0 }) {
            p.append("every size must be positive")
        } else if let (name, size) = sizes.first(where: { $0.1 > NeoXConfig.maxDimension }) {
            p.append("\(name) \(size) is larger than \(NeoXConfig.maxDimension), the limit of this code")
        } else if numLayers > NeoXConfig.maxLayers {
            p.append("num_hidden_layers \(numLayers) is more than \(NeoXConfig.maxLayers), the limit of this code")
        } else {
            if hiddenSize % numHeads != 0 { p.append("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numHeads)") }
            if (0...1).contains(rotaryPct) && rotaryDims % 2 != 0 { p.append("rotary dimensions \(rotaryDims) must be even (rotate-half pairs them)") }
            // Counted in Double, which cannot overflow here (every factor is at most 2²⁴, layers 2¹⁶); once under the
            // limit, the exact count in Int cannot overflow either.
            let count = Double(numLayers) * layerShapes.reduce(0.0) { $0 + $1.shape.reduce(1.0) { $0 * Double($1) } }
                + Double(2 * hiddenSize) + 2 * Double(vocabSize) * Double(hiddenSize)
            if count > Double(NeoXConfig.maxParameters) {
                p.append("\(Format.scientific(count, 3)) parameters is more than \(NeoXConfig.maxParameters), the limit of this code")
            }
        }
        if !(0...1).contains(rotaryPct) { p.append("rotary_pct \(rotaryPct) must lie in [0, 1]") }
        if !(rotaryBase > 0 && rotaryBase.isFinite) { p.append("rotary_emb_base must be a positive finite number") }
        if !(layerNormEps > 0 && layerNormEps.isFinite) { p.append("layer_norm_eps must be positive and finite as a 32-bit float") }
        return p
    }
}

// MARK: - Parameters, derived from the architecture

extension NeoXConfig {
    /// Every parameter tensor, named as Hugging Face's GPTNeoXForCausalLM names it, in its order.
    /// Linear weights are stored [out, in], as torch.nn.Linear stores them. This one list is both how the model carves
    /// its parameter buffer and how chapter 03 counts parameters, so the count cannot drift from the model.
    public var parameterLayout: TensorLayout {
        let d = hiddenSize, v = vocabSize
        var layout = TensorLayout()
        layout.append("gpt_neox.embed_in.weight", [v, d])
        for i in 0..<numLayers {
            for (suffix, shape) in layerShapes { layout.append("gpt_neox.layers.\(i)." + suffix, shape) }
        }
        layout.append("gpt_neox.final_layer_norm.weight", [d])
        layout.append("gpt_neox.final_layer_norm.bias", [d])
        layout.append("embed_out.weight", [v, d])
        return layout
    }

    /// The parameters of one layer, in Hugging Face's order (the same in every layer).
    var layerShapes: [(suffix: String, shape: [Int])] {
        let d = hiddenSize, ff = intermediateSize
        return [("input_layernorm.weight", [d]), ("input_layernorm.bias", [d]),
                ("post_attention_layernorm.weight", [d]), ("post_attention_layernorm.bias", [d]),
                ("attention.query_key_value.weight", [3 * d, d]), ("attention.query_key_value.bias", [3 * d]),
                ("attention.dense.weight", [d, d]), ("attention.dense.bias", [d]),
                ("mlp.dense_h_to_4h.weight", [ff, d]), ("mlp.dense_h_to_4h.bias", [ff]),
                ("mlp.dense_4h_to_h.weight", [d, ff]), ("mlp.dense_4h_to_h.bias", [d])]
    }

    public var parameterCount: Int { parameterLayout.totalCount }

    /// Parameters grouped by component, for chapter 03's breakdown (sums to `parameterCount`).
    public var parameterBreakdown: [(component: String, count: Int)] {
        var groups: [(String, Int)] = []
        func add(_ component: String, _ n: Int) {
            if let i = groups.firstIndex(where: { $0.0 == component }) { groups[i].1 += n } else { groups.append((component, n)) }
        }
        for entry in parameterLayout.entries {
            let n = Tensor.elementCount(entry.shape)
            let name = entry.name
            if name.hasPrefix("gpt_neox.embed_in") { add("input embedding", n) }
            else if name.hasPrefix("embed_out") { add("output matrix (untied)", n) }
            else if name.contains("query_key_value") { add("attention QKV", n) }
            else if name.contains("attention.dense") { add("attention output", n) }
            else if name.contains("mlp.") { add("MLP", n) }
            else { add("LayerNorms", n) }
        }
        return groups
    }
}

// MARK: - Hugging Face config.json

public struct ConfigError: Error, CustomStringConvertible {
    public var file: String
    public var problem: String
    public var description: String { "\(file): \(problem)" }
}

extension NeoXConfig {
    /// The config.json that transformers' GPTNeoXForCausalLM loads.
    public var huggingFaceJSON: JSON {
        JSON([
            "architectures": ["GPTNeoXForCausalLM"],
            "model_type": "gpt_neox",
            "vocab_size": .number(Double(vocabSize)),
            "hidden_size": .number(Double(hiddenSize)),
            "num_hidden_layers": .number(Double(numLayers)),
            "num_attention_heads": .number(Double(numHeads)),
            "intermediate_size": .number(Double(intermediateSize)),
            "rotary_pct": .number(rotaryPct),
            "rotary_emb_base": .number(rotaryBase),
            "max_position_embeddings": .number(Double(maxPositions)),
            "layer_norm_eps": .number(Double(layerNormEps)),
            "use_parallel_residual": .bool(useParallelResidual),
            "hidden_act": "gelu",
            "tie_word_embeddings": false,
            "attention_bias": true,
            "attention_dropout": 0.0,
            "hidden_dropout": 0.0,
            "initializer_range": 0.02,
            "bos_token_id": 0,
            "eos_token_id": 2,
            "torch_dtype": "float32",
        ])
    }

    /// Read a Hugging Face GPT-NeoX config.json. A value we do not implement is an error, never a silent default.
    public init(huggingFace json: JSON, file: String) throws {
        func bad(_ problem: String) -> ConfigError { ConfigError(file: file, problem: problem) }
        guard json.object != nil else { throw bad("config is not a JSON object") }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] else { throw bad("missing \"\(key)\"") }
            guard let i = v.int, i > 0 else { throw bad("\"\(key)\" must be a positive integer, found \(v.serialized())") }
            return i
        }
        func number(_ key: String, default value: Double) throws -> Double {
            guard let v = json[key] else { return value }
            guard let d = v.double else { throw bad("\"\(key)\" must be a number, found \(v.serialized())") }
            return d
        }
        if let type = json["model_type"], type.string != "gpt_neox" {
            throw bad("model_type \(type.serialized()) is not supported (only \"gpt_neox\")")
        }
        if let act = json["hidden_act"], act.string != "gelu" {
            throw bad("hidden_act \(act.serialized()) is not supported (only \"gelu\", the erf form)")
        }
        if let tie = json["tie_word_embeddings"], tie.bool != false {
            throw bad("tie_word_embeddings \(tie.serialized()) is not supported (Polyglot-Ko's are untied)")
        }
        if let bias = json["attention_bias"], bias.bool != true {
            throw bad("attention_bias \(bias.serialized()) is not supported (GPT-NeoX's projections have biases)")
        }
        // transformers 5 writes the rotary settings as rope_parameters {partial_rotary_factor, rope_theta, rope_type};
        // Polyglot-Ko's own files use rotary_pct and rotary_emb_base. Read either; never silently fall back to a
        // default when the newer spelling is present.
        let rope = json["rope_parameters"]?.object
        if let type = rope?["rope_type"], type.string != "default" {
            throw bad("rope_parameters.rope_type \(type.serialized()) is not supported (only \"default\")")
        }
        func ropeNumber(_ key: String) throws -> Double? {
            guard let v = rope?[key] else { return nil }
            guard let d = v.double else { throw bad("rope_parameters.\(key) must be a number, found \(v.serialized())") }
            return d
        }
        let parallel: Bool
        if let p = json["use_parallel_residual"] {
            guard let b = p.bool else { throw bad("use_parallel_residual must be true or false") }
            parallel = b
        } else { parallel = true }
        self.init(name: (json["_name_or_path"]?.string).flatMap { $0.isEmpty ? nil : $0 } ?? "gpt_neox",
                  vocabSize: try int("vocab_size"), hiddenSize: try int("hidden_size"),
                  numLayers: try int("num_hidden_layers"), numHeads: try int("num_attention_heads"),
                  intermediateSize: try int("intermediate_size"),
                  rotaryPct: try number("rotary_pct", default: try ropeNumber("partial_rotary_factor") ?? 0.25),
                  rotaryBase: try number("rotary_emb_base", default: try ropeNumber("rope_theta") ?? 10_000),
                  maxPositions: try int("max_position_embeddings"),
                  layerNormEps: Float(try number("layer_norm_eps", default: 1e-5)),
                  useParallelResidual: parallel)
        if let problem = problems.first { throw bad(problem) }
    }
}
