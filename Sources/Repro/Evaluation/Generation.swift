// Generation: a prompt in, new tokens out, one at a time.
//
//   let decoder = Decoder(model: model, vocabularyLimit: tokenizer.vocabularySize)
//   let out = try decoder.generate(prompt: ids, maxNewTokens: 96, stopTokens: [tokenizer.endOfText])
//   var sampler = Sampler(temperature: 0.8, topK: 40, topP: 0.95, seed: 7)
//   let sampled = try decoder.generate(prompt: ids, maxNewTokens: 96, stopTokens: [2], sampler: &sampler)
//
// With the KV cache (the default) the prompt goes through the model in one forward pass, which leaves every layer's
// keys and values in the cache; each new token is then one forward of a single position that attends to the cache.
// Without it, every step runs the whole sequence again — the same logits (up to float rounding), quadratically more
// work: `useCache: false` exists for the equivalence test and the benchmark.
import Foundation
import Tensor
import Plumbing

/// How the next token is chosen from the logits: greedy (temperature 0), or sampled after temperature scaling,
/// top-k and top-p (nucleus) filtering, in the order Hugging Face's `generate` applies them. Seeded: the same seed
/// draws the same tokens.
public struct Sampler {
    public var temperature: Float
    public var topK: Int?
    public var topP: Float?
    var random: SeededRandom

    /// Always the most probable token (the lowest id on a tie, as `torch.argmax`).
    public static var greedy: Sampler { Sampler(temperature: 0, topK: nil, topP: nil, seed: 0) }

    public init(temperature: Float, topK: Int? = nil, topP: Float? = nil, seed: UInt64) {
        self.temperature = temperature; self.topK = topK; self.topP = topP
        random = SeededRandom(seed: seed)
    }

    public var isGreedy: Bool { temperature <= 0 }

    /// Choose a token among the first `limit` logits (ids a tokenizer can decode; the model's padded rows are
    /// never chosen).
    public mutating func next(_ logits: UnsafePointer<Float>, limit: Int) -> Int32 {
        if isGreedy {
            var best = 0
            for i in 1..<limit where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        // Candidates by descending logit; scaling by 1/T keeps the order, so sort once.
        var order = Array(0..<limit)
        order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if let topK, topK > 0, topK < order.count { order.removeLast(order.count - topK) }
        let top = Double(logits[order[0]])
        var weights = order.map { exp((Double(logits[$0]) - top) / Double(temperature)) }
        let total = weights.reduce(0, +)
        if let topP, topP < 1 {
            // Keep the smallest prefix whose probability reaches topP (at least one token).
            var cumulative = 0.0, keep = 0
            while keep < weights.count && (keep == 0 || cumulative < Double(topP)) {
                cumulative += weights[keep] / total; keep += 1
            }
            order.removeLast(order.count - keep)
            weights.removeLast(weights.count - keep)
        }
        var u = random.uniformDouble() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return Int32(order[i]) }
        }
        return Int32(order[order.count - 1])
    }
}

/// What `generate` produced.
public struct Generated {
    public enum Stop: String { case endOfText = "end of text", maxNewTokens = "max new tokens", contextFull = "context full" }
    /// The new tokens, without the stop token.
    public var tokens: [Int32]
    public var stop: Stop
}

/// Runs one model for generation and scoring, with one KV cache reused from call to call.
public final class Decoder {
    public let model: GPTNeoX
    public let cache: KVCache
    /// Tokens at or above this id are never generated (the embedding's padding rows).
    public let vocabularyLimit: Int
    public var useCache = true

    public init(model: GPTNeoX, vocabularyLimit: Int? = nil) {
        self.model = model
        cache = model.makeCache()
        self.vocabularyLimit = min(vocabularyLimit ?? model.config.vocabSize, model.config.vocabSize)
    }

    /// The longest sequence (prompt + new tokens) the model takes.
    public var context: Int { model.config.maxPositions }

    /// Start a sequence: run `prompt` from an empty cache and return the logits that predict the next token.
    public func start(_ prompt: [Int32]) throws -> [Float] {
        guard !prompt.isEmpty else { throw ModelError("empty prompt") }
        cache.reset()
        return try lastRow(model.forward(tokens: prompt, cache: cache))
    }

    /// Append `tokens` to the cached sequence; the logits of every appended position, [tokens.count × vocab].
    public func extend(_ tokens: [Int32]) throws -> Tensor { try model.forward(tokens: tokens, cache: cache) }

    /// Forget the cached positions from `length` on (the prompt stays; a continuation can be tried again).
    public func rewind(to length: Int) {
        precondition(length >= 0 && length <= cache.length, "rewind to \(length) of \(cache.length)")
        cache.length = length
    }

    /// Generate after `prompt` until a stop token, `maxNewTokens`, or the model's context is full.
    public func generate(prompt: [Int32], maxNewTokens: Int, stopTokens: Set<Int32>,
                         sampler: inout Sampler) throws -> Generated {
        let first = useCache ? try start(prompt) : try lastRow(model.logits(inputs: prompt, batch: 1, length: prompt.count))
        return try generate(prompt: prompt, firstLogits: first, maxNewTokens: maxNewTokens, stopTokens: stopTokens,
                            sampler: &sampler)
    }

    public func generate(prompt: [Int32], maxNewTokens: Int, stopTokens: Set<Int32>) throws -> Generated {
        var greedy = Sampler.greedy
        return try generate(prompt: prompt, maxNewTokens: maxNewTokens, stopTokens: stopTokens, sampler: &greedy)
    }

    /// Continue from logits already computed for `prompt` (with the cache, the cache must hold exactly `prompt`).
    public func generate(prompt: [Int32], firstLogits: [Float], maxNewTokens: Int, stopTokens: Set<Int32>,
                         sampler: inout Sampler) throws -> Generated {
        if useCache && cache.length != prompt.count {
            throw ModelError("the cache holds \(cache.length) positions, the prompt has \(prompt.count)")
        }
        var sequence = prompt
        var logits = firstLogits
        var new: [Int32] = []
        while true {
            let token = logits.withUnsafeBufferPointer { sampler.next($0.baseAddress!, limit: vocabularyLimit) }
            if stopTokens.contains(token) { return Generated(tokens: new, stop: .endOfText) }
            new.append(token)
            sequence.append(token)
            if new.count >= maxNewTokens { return Generated(tokens: new, stop: .maxNewTokens) }
            if sequence.count >= context { return Generated(tokens: new, stop: .contextFull) }
            logits = useCache ? try lastRow(extend([token]))
                              : try lastRow(model.logits(inputs: sequence, batch: 1, length: sequence.count))
        }
    }

    /// log p(continuation | prompt) for each continuation, summed over its tokens, with one forward of the prompt
    /// (through the cache) and one of each continuation's tokens after the first. The cache is left holding the
    /// prompt, and the prompt's last logits are returned too, so greedy decoding can follow without a second pass.
    public func logLikelihoods(prompt: [Int32], continuations: [[Int32]]) throws -> (logLikelihoods: [Double], promptLogits: [Float]) {
        let promptLogits = try start(prompt)
        var scores: [Double] = []
        for continuation in continuations {
            guard let first = continuation.first else { throw ModelError("empty continuation") }
            var total = Decoder.logSoftmax(promptLogits, at: first)
            if continuation.count > 1 {
                let rows = try extend(Array(continuation.dropLast()))
                let v = model.config.vocabSize
                for i in 1..<continuation.count {
                    let row = Array(UnsafeBufferPointer(start: rows.pointer + (i - 1) * v, count: v))
                    total += Decoder.logSoftmax(row, at: continuation[i])
                }
                rewind(to: prompt.count)
            }
            scores.append(total)
        }
        return (scores, promptLogits)
    }

    /// log softmax(logits)[index], in Double (the log-sum-exp shifted by the maximum).
    public static func logSoftmax(_ logits: [Float], at index: Int32) -> Double {
        let top = Double(logits.max() ?? 0)
        let sum = logits.reduce(0.0) { $0 + exp(Double($1) - top) }
        return Double(logits[Int(index)]) - top - log(sum)
    }

    /// The last row of a [T, V] (or [1, T, V]) logits view, copied out.
    func lastRow(_ logits: Tensor) -> [Float] {
        let v = model.config.vocabSize
        return Array(UnsafeBufferPointer(start: logits.pointer + logits.count - v, count: v))
    }
}
