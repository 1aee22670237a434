// From articles to what pretraining reads: one token stream, cut into sequences with every position a target.
//
//   stream:    EOS  d₁ d₁ d₁  EOS  d₂ d₂  EOS  …  dₙ dₙ  EOS         (each article encoded with the tokenizer)
//   sequence s: ids[s·T … s·T + T]  (T + 1 ids; T = the context length)
//   inputs:     ids[s·T … s·T + T − 1]        targets: ids[s·T + 1 … s·T + T]
//
// Consecutive sequences share one id (the last target of one is the first input of the next), so over an epoch
// every id after the first is a target exactly once, as in llm.c's and nanoGPT's loaders. The tail after the last
// whole sequence (fewer than T ids) is never a target; `leftOver` says how many ids that is.
// No padding anywhere. A document may start mid-sequence and attend to the end of the one before: its EOS tells the
// model a new article began, which is what GPT-2 and Polyglot-Ko's pretraining did too.
// The EOS before the first article makes every article's first token a target, predicted after an EOS like all
// the others.
//
// The order of sequences in an epoch is a shuffle seeded by (seed, epoch), so the batch of any optimizer step can
// be rebuilt from the step number alone: resuming at step k gives exactly the batches an unbroken run gives.
//
// API
//   TokenStream(texts:tokenizer:), TokenStream(articles:tokenizer:)   encode, join with EOS, count
//     .tokensPerCharacter, .tokensPerHangulSyllable, .evaluationWindows(contextLength:)
//   PackedSequences(stream:contextLength:)   .count, .ids(of:), .inputs(of:), .targets(of:)
//     .epochOrder(epoch:seed:), .batchesPerEpoch(batchSize:), .batch(step:batchSize:seed:) -> PretrainingBatch
import Plumbing

public struct TokenStream: Sendable {
    /// EOS, then each document's ids followed by EOS.
    public let ids: [Int32]
    public let endOfText: Int32
    /// The position in `ids` of each document's first token (its EOS is just before it).
    public let documentStarts: [Int]
    /// Characters (Unicode scalars) and Hangul syllables of the documents' text.
    public let characters: Int
    public let hangulSyllables: Int

    public var documents: Int { documentStarts.count }
    /// Ids that belong to documents (the EOS markers not counted).
    public var documentTokens: Int { ids.count - documents - 1 }
    /// Every id after the first is predicted once: the count a per-token loss divides by.
    public var targets: Int { max(0, ids.count - 1) }
    public var tokensPerCharacter: Double { characters == 0 ? 0 : Double(documentTokens) / Double(characters) }
    public var tokensPerHangulSyllable: Double { hangulSyllables == 0 ? 0 : Double(documentTokens) / Double(hangulSyllables) }

    public init(articles: [CorpusArticle], tokenizer: BPETokenizer) {
        self.init(texts: articles.map(\.text), tokenizer: tokenizer)
    }

    /// Encodes each text on its own, on one thread: on both cores the tokenizer's shared word cache (one lock) made
    /// encoding the sample's 31 MB of training text slower, not faster (4.0 s against 3.1 s, in alternating runs).
    public init(texts: [String], tokenizer: BPETokenizer) {
        var ids: [Int32] = [tokenizer.endOfText]
        ids.reserveCapacity(texts.reduce(1) { $0 + $1.utf8.count / 3 + 1 })
        var starts: [Int] = []
        for text in texts {
            starts.append(ids.count)
            ids += tokenizer.encode(text)
            ids.append(tokenizer.endOfText)
        }
        var characters = 0, hangul = 0
        for text in texts {
            let (c, h) = CorpusArticle.measure(text)
            characters += c
            hangul += h
        }
        self.ids = ids
        self.endOfText = tokenizer.endOfText
        self.documentStarts = starts
        self.characters = characters
        self.hangulSyllables = hangul
    }

    /// Windows of at most `contextLength + 1` ids that together predict every target once (the last one may be
    /// shorter): the held-out loss of a model is the sum over these windows divided by `targets`.
    public func evaluationWindows(contextLength: Int) -> [Range<Int>] {
        precondition(contextLength >= 1, "contextLength must be at least 1")
        return stride(from: 0, to: max(0, ids.count - 1), by: contextLength).map { $0..<min(ids.count, $0 + contextLength + 1) }
    }
}

/// One optimizer step's sequences, laid out [batch, length] row-major.
public struct PretrainingBatch: Equatable, Sendable {
    public var epoch: Int
    /// Which sequences of the epoch (PackedSequences indices), in batch order.
    public var sequences: [Int]
    public var inputs: [Int32]
    public var targets: [Int32]
    public var batch: Int
    public var length: Int
}

public struct PackedSequences: Sendable {
    public let stream: TokenStream
    public let contextLength: Int

    /// At least one whole sequence (contextLength + 1 ids) must fit in the stream.
    public init(stream: TokenStream, contextLength: Int) throws {
        guard contextLength >= 1 else { throw CorpusError(file: "<corpus>", problem: "context length \(contextLength) must be at least 1") }
        guard stream.ids.count >= contextLength + 1 else {
            throw CorpusError(file: "<corpus>", problem: "\(stream.ids.count) ids cannot fill one sequence of \(contextLength + 1) (context length \(contextLength) + 1)")
        }
        self.stream = stream
        self.contextLength = contextLength
    }

    /// Whole sequences in the stream.
    public var count: Int { (stream.ids.count - 1) / contextLength }
    /// Ids of the stream's tail that no sequence covers as a target (fewer than the context length).
    public var leftOver: Int { stream.ids.count - 1 - count * contextLength }

    public func ids(of sequence: Int) -> ArraySlice<Int32> {
        stream.ids[(sequence * contextLength)...(sequence * contextLength + contextLength)]
    }
    public func inputs(of sequence: Int) -> ArraySlice<Int32> { ids(of: sequence).dropLast() }
    public func targets(of sequence: Int) -> ArraySlice<Int32> { ids(of: sequence).dropFirst() }

    /// The sequences of one epoch in training order: a shuffle seeded by (seed, epoch).
    public func epochOrder(epoch: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        var rng = SeededRandom(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1))
        rng.shuffle(&order)
        return order
    }

    /// Full batches per epoch: the last `count % batchSize` sequences of each epoch's order wait (a different few each
    /// epoch), so that every step sees the same number of tokens.
    public func batchesPerEpoch(batchSize: Int) -> Int { count / batchSize }

    /// The batch of optimizer step `step` (0-based), from the step number alone. `batchSize` must not exceed `count`.
    public func batch(step: Int, batchSize: Int, seed: UInt64) -> PretrainingBatch {
        precondition(batchSize >= 1 && batchSize <= count, "batch size \(batchSize) must lie in 1...\(count) (the sequences)")
        precondition(step >= 0, "step \(step) must not be negative")
        let perEpoch = batchesPerEpoch(batchSize: batchSize)
        let epoch = step / perEpoch, within = step % perEpoch
        let chosen = Array(epochOrder(epoch: epoch, seed: seed)[(within * batchSize)..<((within + 1) * batchSize)])
        var x: [Int32] = [], y: [Int32] = []
        x.reserveCapacity(batchSize * contextLength)
        y.reserveCapacity(batchSize * contextLength)
        for s in chosen {
            x += inputs(of: s)
            y += targets(of: s)
        }
        return PretrainingBatch(epoch: epoch, sequences: chosen, inputs: x, targets: y, batch: batchSize, length: contextLength)
    }
}
