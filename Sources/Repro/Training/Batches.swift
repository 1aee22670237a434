// From examples to what the model reads: micro-batches, and the batches of every optimizer step in a seeded order
// that can be rebuilt from the step number alone (which is what makes resuming exact).
import Plumbing

/// A micro-batch ready for the model: `batch` sequences right-padded to `length`. Inputs are the ids without their
/// last token, targets the labels without their first — the shift that turns "label at t" into "predict at t − 1".
/// Padding positions get token 0 and target −100, so they never reach the loss (and, coming last, never reach a real
/// token through the causal mask).
public struct MicroBatch: Sendable {
    public var inputs: [Int32]
    public var targets: [Int32]
    public var batch: Int
    public var length: Int
    public var countedTokens: Int { targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) } }

    public init(inputs: [Int32], targets: [Int32], batch: Int, length: Int) {
        self.inputs = inputs; self.targets = targets; self.batch = batch; self.length = length
    }
}

public func makeMicroBatch(_ examples: [TrainingExample]) -> MicroBatch {
    let length = examples.map { $0.inputIDs.count - 1 }.max() ?? 1
    var inputs = [Int32](repeating: 0, count: examples.count * length)
    var targets = [Int32](repeating: ignoreIndex, count: examples.count * length)
    for (b, e) in examples.enumerated() {
        for t in 0..<(e.inputIDs.count - 1) {
            inputs[b * length + t] = e.inputIDs[t]
            targets[b * length + t] = e.labels[t + 1]
        }
    }
    return MicroBatch(inputs: inputs, targets: targets, batch: examples.count, length: length)
}

/// The order of the training examples in one epoch: a shuffle seeded by (seed, epoch), so any step's batch can be
/// rebuilt from the step number alone.
public func epochOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
    var order = Array(0..<count)
    var rng = SeededRandom(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
    rng.shuffle(&order)
    return order
}

/// The order of one epoch with examples of similar length side by side: Hugging Face Trainer's `group_by_length`
/// (its `LengthGroupedSampler`), so that a micro-batch pads to lengths close to its own. The seeded shuffle is cut
/// into mega-batches of `min(count / (4 × batchSize), 50)` batches (at least one), each sorted longest first (ties
/// keep the shuffled order), and the longest example of all is swapped to the very front, so that a run that runs
/// out of memory does so at its first step. Batches stay random in which examples they hold; only neighbours in
/// length share one.
public func lengthGroupedOrder(lengths: [Int], batchSize: Int, seed: UInt64, epoch: Int) -> [Int] {
    groupedByLength(epochOrder(count: lengths.count, seed: seed, epoch: epoch), lengths: lengths, batchSize: batchSize)
}

/// `shuffled` (a permutation of the examples) grouped as `lengthGroupedOrder` describes.
public func groupedByLength(_ shuffled: [Int], lengths: [Int], batchSize: Int) -> [Int] {
    let megaBatch = max(1, min(lengths.count / (batchSize * 4), 50)) * batchSize
    var groups: [[Int]] = stride(from: 0, to: shuffled.count, by: megaBatch).map { start in
        Array(shuffled[start..<min(shuffled.count, start + megaBatch)].enumerated().sorted { a, b in
            lengths[a.element] != lengths[b.element] ? lengths[a.element] > lengths[b.element] : a.offset < b.offset
        }.map(\.element))
    }
    guard !groups.isEmpty else { return [] }
    // The first of the mega-batches whose longest is the longest of all (Python's argmax).
    var longest = 0
    for (i, g) in groups.enumerated() where lengths[g[0]] > lengths[groups[longest][0]] { longest = i }
    (groups[0][0], groups[longest][0]) = (groups[longest][0], groups[0][0])
    return groups.flatMap { $0 }
}

/// The examples of optimizer step `step` (0-based): each epoch's order (`order(epoch)`) is cut into batches of
/// `batchSize`; the last batch of an epoch may be smaller.
public func batchIndices(step: Int, count: Int, batchSize: Int, order: (Int) -> [Int]) -> (epoch: Int, indices: [Int]) {
    let perEpoch = (count + batchSize - 1) / batchSize
    let epoch = step / perEpoch, within = step % perEpoch
    return (epoch, Array(order(epoch)[(within * batchSize)..<min(count, (within + 1) * batchSize)]))
}

/// Split a batch into micro-batches of at most `size`, in the batch's order. The loss is divided by the whole
/// batch's token count, so how a batch is split changes no number, only the padding computed.
public func microBatches(_ indices: [Int], examples: [TrainingExample], size: Int) -> [MicroBatch] {
    stride(from: 0, to: indices.count, by: size).map { start in
        makeMicroBatch(indices[start..<min(indices.count, start + size)].map { examples[$0] })
    }
}

// MARK: - What a training loop reads

/// The data of one optimizer step.
public struct TrainingBatch {
    public var epoch: Int                 // 0-based
    public var microBatches: [MicroBatch]
    /// Positions the model reads (padding excluded), for the tokens-seen count.
    public var tokens: Int
}

/// Where a training loop's batches come from: instruction-tuning examples in shuffled epochs, or packed pretraining
/// sequences. Step `s`'s batch must depend on `s` alone, so that a resumed run reads exactly what an uninterrupted one
/// would.
public protocol BatchSource {
    var totalSteps: Int { get }
    func batch(step: Int) -> TrainingBatch
    /// The data, named exactly (count and checksum): a checkpoint records it, and resuming requires the same.
    var signature: String { get }
}

/// Instruction-tuning examples, `epochs` times, each epoch in its own seeded order (grouped by length when asked), in
/// batches of `batchSize` split into micro-batches of `microBatchSize`.
public struct ExampleBatches: BatchSource {
    public let examples: [TrainingExample]
    public let epochs: Int, batchSize: Int, microBatchSize: Int, seed: UInt64
    public let groupByLength: Bool
    /// Each example's length in ids, what grouping sorts by (computed once, not at every step).
    let lengths: [Int]

    public init(_ examples: [TrainingExample], epochs: Int, batchSize: Int, microBatchSize: Int, seed: UInt64, groupByLength: Bool) {
        precondition(batchSize >= 1 && microBatchSize >= 1 && epochs >= 1, "batches need positive sizes (the chapters check their options)")
        self.examples = examples; self.epochs = epochs; self.batchSize = batchSize
        self.microBatchSize = microBatchSize; self.seed = seed; self.groupByLength = groupByLength
        lengths = examples.map(\.inputIDs.count)
    }

    public var stepsPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }
    public var totalSteps: Int { epochs * stepsPerEpoch }

    /// The examples of one epoch, in the order its batches take them.
    public func order(epoch: Int) -> [Int] {
        groupByLength ? lengthGroupedOrder(lengths: lengths, batchSize: batchSize, seed: seed, epoch: epoch)
                      : epochOrder(count: examples.count, seed: seed, epoch: epoch)
    }

    /// The share of the positions computed, over every step, that are padding.
    public var paddingShare: Double {
        var computed = 0, real = 0
        for step in 0..<totalSteps {
            let b = batch(step: step)
            computed += b.microBatches.reduce(0) { $0 + $1.batch * $1.length }
            real += b.tokens
        }
        return computed > 0 ? Double(computed - real) / Double(computed) : 0
    }

    public func batch(step: Int) -> TrainingBatch {
        let (epoch, indices) = batchIndices(step: step, count: examples.count, batchSize: batchSize, order: order(epoch:))
        return TrainingBatch(epoch: epoch, microBatches: microBatches(indices, examples: examples, size: microBatchSize),
                             tokens: indices.reduce(0) { $0 + examples[$1].inputIDs.count - 1 })
    }

    public var signature: String {
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a over every id and label, in order
        for example in examples {
            for v in example.inputIDs + example.labels { checksum = (checksum ^ UInt64(UInt32(bitPattern: v))) &* 0x100_0000_01B3 }
        }
        return "\(examples.count) examples with checksum \(String(checksum, radix: 16))" + (groupByLength ? ", grouped by length" : "")
    }
}

/// Pretraining's packed sequences (every position a target, no padding), `batchSize` of them per optimizer step in
/// micro-batches of `microBatchSize`, for `totalSteps` steps: the epochs follow from the token budget.
public struct PackedBatches: BatchSource {
    public let sequences: PackedSequences
    public let batchSize: Int, microBatchSize: Int, seed: UInt64
    public let totalSteps: Int

    /// Enough steps to train on `tokens` positions (the last step may pass it by less than one batch).
    public init(_ sequences: PackedSequences, tokens: Int, batchSize: Int, microBatchSize: Int, seed: UInt64) {
        precondition(batchSize >= 1 && microBatchSize >= 1, "batches need positive sizes (the chapters check their options)")
        self.sequences = sequences; self.batchSize = batchSize; self.microBatchSize = microBatchSize; self.seed = seed
        let perStep = batchSize * sequences.contextLength
        totalSteps = max(1, (tokens + perStep - 1) / perStep)
    }

    public var tokensPerStep: Int { batchSize * sequences.contextLength }

    public func batch(step: Int) -> TrainingBatch {
        let b = sequences.batch(step: step, batchSize: batchSize, seed: seed)
        let t = b.length
        let micro = stride(from: 0, to: b.batch, by: microBatchSize).map { start -> MicroBatch in
            let n = min(microBatchSize, b.batch - start)
            return MicroBatch(inputs: Array(b.inputs[(start * t)..<((start + n) * t)]),
                              targets: Array(b.targets[(start * t)..<((start + n) * t)]), batch: n, length: t)
        }
        return TrainingBatch(epoch: b.epoch, microBatches: micro, tokens: b.batch * t)
    }

    public var signature: String {
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325          // FNV-1a over the stream, in order
        for v in sequences.stream.ids { checksum = (checksum ^ UInt64(UInt32(bitPattern: v))) &* 0x100_0000_01B3 }
        return "\(sequences.count) packed sequences of \(sequences.contextLength) with checksum \(String(checksum, radix: 16))"
    }
}
